"""`pycau sweep`: parallel seeded runs, the JSON sweep report, exit codes, shrinking and
reproducer files that `pycau simulate` replays."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from runner.cli import cli
from runner.cli.sweep import load_sweep_schema, sweep_exit_code
from runner.cli.sweep_summary import SHOWN_RUNS, hours_minutes, print_summary
from runner.rehearsal.backends import Processes
from runner.rehearsal.pools import open_pool
from runner.rehearsal.shrink import fault_to_yaml, shrink_faults, write_reproducer
from runner.rehearsal.sweep import (
    ScenarioSource,
    SeedOutcome,
    SweepResult,
    ViolationRecord,
    percentile,
    replay_command,
    run_seeds,
)
from simulator.expect import check_expectation
from simulator.model import FaultSpec
from simulator.scenario import load_scenario
from simulator.swarm import swarm_scenario

ROOT = Path(__file__).resolve().parents[2]
FOUR = ROOT / "scenarios" / "four-node-rolling.yaml"
EIGHT = ROOT / "scenarios" / "eight-node-three-way-mirror.yaml"


def validate(report: dict[str, Any]) -> None:
    schema = load_sweep_schema()
    Draft202012Validator.check_schema(schema)
    errors = [
        f"{e.json_path}: {e.message}" for e in Draft202012Validator(schema).iter_errors(report)
    ]
    assert errors == []


def test_short_sweep_writes_a_valid_report(cli_runner: CliRunner, tmp_path: Path) -> None:
    """20 seeds on 2 processes: summary printed, report valid, counts add up, exit matches."""
    target = tmp_path / "sweep.json"
    result = cli_runner.invoke(
        cli,
        [
            "sweep",
            str(FOUR),
            "--seeds",
            "20",
            "--jobs",
            "2",
            "--report",
            str(target),
            "--reproducers",
            str(tmp_path / "repro"),
        ],
    )
    report = json.loads(target.read_text(encoding="utf-8"))
    validate(report)
    assert report["seeds"] == 20
    assert report["jobs"] == 2
    finished = sum(report["statuses"].values())
    assert finished + len(report["unfinished"]) == 20
    assert report["fault_types_fired"]
    d = report["duration_seconds"]
    assert 0 < d["p50"] <= d["p95"] <= d["max"]
    assert result.exit_code == sweep_exit_code(report)
    assert "statuses:" in result.output
    assert "faults fired:" in result.output


def test_parallel_and_single_process_sweeps_agree() -> None:
    """The same seeds give the same outcomes in one process and in a pool of two."""
    source = ScenarioSource.read(FOUR)
    seeds = list(range(100, 108))
    with open_pool(Processes(jobs=1)) as pool:
        one = run_seeds(source, seeds, pool)
    with open_pool(Processes(jobs=2)) as pool:
        two = run_seeds(source, seeds, pool)
    assert [o.seed for o in one] == seeds
    assert one == two


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "missing.yaml", "--seeds", "3"],
        ["sweep", str(FOUR), "--seeds", "0"],
        ["sweep", str(FOUR), "--seeds", "2", "--jobs", "0"],
        ["sweep", str(FOUR)],
        ["sweep", str(FOUR), "--seeds", "2", "--report", "no/such/dir/r.json"],
    ],
)
def test_bad_input_exits_2(cli_runner: CliRunner, args: list[str]) -> None:
    """Unreadable scenario, bad counts or an unwritable report target: exit 2, one error line."""
    result = cli_runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "error:" in result.output


def summarize(
    name: str,
    outcomes: list[SeedOutcome],
    reproducers: dict[tuple[int, str], str],
    wall: float,
    jobs: int,
) -> dict[str, Any]:
    result = SweepResult(
        scenario=name, outcomes=tuple(outcomes), reproducers=reproducers, wall_seconds=wall,
        jobs=jobs, backend="processes", replay_target=name,
    )  # fmt: skip
    return result.to_dict()


def test_exit_code_is_1_on_a_violation_or_an_unfinished_run() -> None:
    """Any violation or run without a final status makes the sweep fail."""
    ok = SeedOutcome(seed=1, status="Succeeded", duration_seconds=10.0)
    bad = SeedOutcome(
        seed=2,
        status="Succeeded",
        violations=(ViolationRecord(invariant="quorum", time=5.0, detail="lost"),),
    )
    crashed = SeedOutcome(seed=3, error="AssertionError: ")
    assert sweep_exit_code(summarize("s", [ok], {}, 1.0, 1)) == 0
    report = summarize("s", [ok, bad], {(2, "quorum"): "r.yaml"}, 1.0, 1)
    validate(report)
    assert sweep_exit_code(report) == 1
    assert report["violations"][0]["reproducer"] == "r.yaml"
    unfinished = summarize("s", [ok, crashed], {}, 1.0, 1)
    validate(unfinished)
    assert sweep_exit_code(unfinished) == 1
    assert unfinished["unfinished"] == [
        {"seed": 3, "status": None, "error": "AssertionError: ", "reproducer": None}
    ]


def test_percentile_is_nearest_rank() -> None:
    """P50 and P95 are values of the sample (nearest rank)."""
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.5) == 0.0


def test_shrinker_keeps_only_the_faults_the_violation_needs() -> None:
    """Greedy removal with a fake run: only the two faults whose combination violates stay."""
    faults = [FaultSpec(type="node-crash", node=f"node{i}", at_minute=i) for i in range(1, 7)]
    runs: list[int] = []

    def violates(candidate: Any) -> bool:
        runs.append(len(candidate))
        nodes = {f.node for f in candidate}
        return {"node2", "node5"} <= nodes

    assert [f.node for f in shrink_faults(faults, violates)] == ["node2", "node5"]
    assert runs  # it re-ran candidates


def test_reproducer_round_trips_faults_and_seed(tmp_path: Path) -> None:
    """A reproducer loads with load_scenario and gives back the seed and the exact faults."""
    base = load_scenario(EIGHT)
    types: set[str] = set()
    for seed in range(25):
        swarmed = swarm_scenario(base, seed)
        types |= {f.type for f in swarmed.faults}
        violation = ViolationRecord(invariant="quorum", time=1.0, detail="example")
        path = write_reproducer(EIGHT, tmp_path, swarmed, seed, swarmed.faults, violation)
        loaded = load_scenario(path)
        assert loaded.seed == seed
        assert loaded.faults == swarmed.faults, path.read_text(encoding="utf-8")
        assert dict(loaded.profile) == dict(swarmed.profile)
        assert loaded.expect.status is None
        assert loaded.expect.invariants_hold
    assert len(types) >= 10


def test_reproducer_replays_and_fails_while_the_violation_remains(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """The reproducer's expect fails on any violated invariant (exit 1) and passes once none
    is (the replay of a clean seed exits 0); its header names the violation."""
    base = load_scenario(FOUR)
    swarmed = swarm_scenario(base, 3)
    violation = ViolationRecord(invariant="storage-redundancy", time=12.0, detail="vol01 offline")
    path = write_reproducer(FOUR, tmp_path, swarmed, 3, swarmed.faults, violation)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Reproducer written by `pycau sweep` (seed 3).")
    assert "storage-redundancy at 12 s: vol01 offline" in text
    expect = load_scenario(path).expect
    violated = {
        "status": "Failed",
        "simulation": {
            "invariants": {
                "storage-redundancy": {
                    "holds": False,
                    "violations": [{"time": 12.0, "detail": "x"}],
                }
            }
        },
    }
    assert check_expectation(expect, violated)
    result = cli_runner.invoke(cli, ["simulate", "-q", str(path)])
    assert result.exit_code == 0, result.output


def test_fault_to_yaml_writes_flat_fields() -> None:
    """Later fault types' params are flat keys in the file, as the scenario schema wants."""
    spec = FaultSpec(type="witness-offline", at_minute=3.5, params={"minutes": 7.0})
    assert fault_to_yaml(spec) == {"type": "witness-offline", "at_minute": 3.5, "minutes": 7.0}
    crash = FaultSpec(type="node-crash", node="node1", at_minute=2.0)
    assert yaml.safe_load(yaml.safe_dump(fault_to_yaml(crash)))["down_minutes"] is None


@pytest.mark.slow
def test_thousand_seed_sweep_of_eight_nodes_has_no_violation(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """The measured target: 1,000 seeds of the eight-node scenario, zero violations, zero
    runs without a final status."""
    target = tmp_path / "sweep.json"
    result = cli_runner.invoke(
        cli,
        [
            "sweep",
            str(EIGHT),
            "--seeds",
            "1000",
            "--report",
            str(target),
            "--reproducers",
            str(tmp_path / "repro"),
        ],
    )
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["violations"] == [], result.output
    assert report["unfinished"] == [], result.output
    assert result.exit_code == 0


def test_report_lists_every_seed_and_replays_reproduce_them(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """Every seed is listed with status, duration and faults; a seed that is not a clean
    Succeeded run carries a replay command, and running it gives that seed's status,
    duration and fired faults again (exit 0: every invariant held)."""
    target = tmp_path / "sweep.json"
    result = cli_runner.invoke(
        cli,
        ["sweep", "four-node-rolling", "--seeds", "6", "--first-seed", "40", "--jobs", "1",
         "--report", str(target), "--reproducers", str(tmp_path / "repro")],
    )  # fmt: skip
    report = json.loads(target.read_text(encoding="utf-8"))
    validate(report)
    assert [run["seed"] for run in report["runs"]] == list(range(40, 46))
    base = load_scenario(FOUR)
    for run in report["runs"]:
        planned = swarm_scenario(base, run["seed"]).faults
        assert run["faults"] == [fault_to_yaml(f) for f in planned]
        assert (run["replay"] is None) == (run["status"] == "Succeeded" and not run["violations"])
    to_replay = [run for run in report["runs"] if run["replay"]]
    assert to_replay, "the swarm left every seed Succeeded; pick other seeds"
    run = to_replay[0]
    assert run["replay"] == f"pycau simulate four-node-rolling --seed {run['seed']} --swarm"
    assert f"replay: {run['replay']}" in result.output
    replayed = tmp_path / "replayed.json"
    args = shlex.split(run["replay"])[1:]
    again = cli_runner.invoke(cli, [*args, "--quiet", "--report", str(replayed)])
    assert again.exit_code == 0, again.output
    simulated = json.loads(replayed.read_text(encoding="utf-8"))
    assert simulated["status"] == run["status"]
    assert simulated["duration_seconds"] == run["duration_seconds"]
    assert simulated["simulation"]["counters"]["faults_fired"] == run["fired"]


def test_replay_command_quotes_the_scenario_path() -> None:
    """A path with a space or a quote is quoted for a POSIX shell."""
    assert replay_command("my dir/it's.yaml", 7) == (
        "pycau simulate 'my dir/it'\"'\"'s.yaml' --seed 7 --swarm"
    )
    assert shlex.split(replay_command("my dir/x.yaml", 7))[2] == "my dir/x.yaml"


def test_jobs_are_capped_at_the_number_of_seeds(cli_runner: CliRunner, tmp_path: Path) -> None:
    """`--jobs 500` for 2 seeds runs 2 processes at most, and the help says so."""
    target = tmp_path / "sweep.json"
    cli_runner.invoke(
        cli,
        ["sweep", str(FOUR), "--seeds", "2", "--jobs", "500", "--report", str(target),
         "--reproducers", str(tmp_path / "repro")],
    )  # fmt: skip
    report = json.loads(target.read_text(encoding="utf-8"))
    assert 1 <= report["jobs"] <= 2
    assert report["backend"] == "processes"
    help_text = " ".join(cli_runner.invoke(cli, ["sweep", "--help"]).output.split())
    assert "capped at the number of seeds and at the CPU count" in help_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0, "0 min"), (29.0, "0 min"), (31.0, "1 min"), (2520.0, "42 min"),
     (3600.0, "1 h 00 min"), (11100.0, "3 h 05 min"), (100000.0, "27 h 47 min")],
)  # fmt: skip
def test_durations_print_as_hours_and_minutes(seconds: float, shown: str) -> None:
    """The terminal summary gives durations as hours and minutes, rounded to the minute."""
    assert hours_minutes(seconds) == shown


def test_summary_shows_durations_and_the_first_seeds_to_replay(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Percentiles in hours and minutes; the first SHOWN_RUNS seeds to look at, each with
    its faults and replay command; a pointer to the report for the rest."""
    outcomes = [
        SeedOutcome(seed=s, status="Failed", duration_seconds=3600.0 + s,
                    faults=({"type": "node-crash", "node": "node2", "at_minute": 12.5},))
        for s in range(SHOWN_RUNS + 3)
    ]  # fmt: skip
    report = summarize("four-node-rolling", outcomes, {}, 1.0, 2)
    validate(report)
    print_summary(report, (), "2 local processes", report_written=False)
    out = capsys.readouterr().out
    assert "on 2 local processes" in out
    assert "simulated duration: P50 1 h 00 min, P95 1 h 00 min, max 1 h 00 min" in out
    assert f"not a clean Succeeded run): {SHOWN_RUNS + 3}; the first {SHOWN_RUNS} shown" in out
    assert "(--report FILE)" in out
    assert "seed 0: Failed after 1 h 00 min; faults: node-crash node2 at 12.5 min" in out
    assert out.count("    replay: pycau simulate four-node-rolling --seed ") == SHOWN_RUNS
