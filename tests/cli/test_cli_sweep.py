"""`pycau sweep`: parallel seeded runs, the JSON sweep report, exit codes, shrinking and
reproducer files that `pycau simulate` replays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from runner.cli import cli
from runner.cli.sweep import load_sweep_schema, sweep_exit_code
from runner.rehearsal.backends import Processes
from runner.rehearsal.pools import open_pool
from runner.rehearsal.shrink import fault_to_yaml, shrink_faults, write_reproducer
from runner.rehearsal.sweep import (
    ScenarioSource,
    SeedOutcome,
    SweepResult,
    ViolationRecord,
    percentile,
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
