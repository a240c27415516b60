"""`pycau rehearse`: a Monte-Carlo forecast — percentiles, window probability, outcome shares,
time out of service, fault causes, histogram, progress bar, report schema, exit codes — the
same on local processes and on Dask."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from runner.cli import cli
from runner.rehearsal.forecast import RunForecast

ROOT = Path(__file__).resolve().parents[2]
FOUR = ROOT / "scenarios" / "four-node-rolling.yaml"
# How it ran, the only part of a forecast report that may differ between backends.
HOW_IT_RAN = ("backend", "jobs", "wall")


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    text = resources.files("runner").joinpath("schemas", "rehearse.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def variable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """four-node-rolling with every duration and rate widened (spread 1.5)."""
    data = yaml.safe_load(FOUR.read_text(encoding="utf-8"))
    data["variability"] = {"spread": 1.5}
    path = tmp_path_factory.mktemp("rehearse") / "variable.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def forecast(
    cli_runner: CliRunner, target: Path, scenario: Path, *options: str, code: int = 0
) -> dict[str, Any]:
    result = cli_runner.invoke(cli, ["rehearse", str(scenario), "--report", str(target), *options])
    assert result.exit_code == code, result.output
    report: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return report


def what_it_found(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in HOW_IT_RAN}


def test_forecast_report_figures_agree_with_its_runs(
    cli_runner: CliRunner, tmp_path: Path, variable: Path, validator: Draft202012Validator
) -> None:
    """12 runs: the report matches its schema, and every figure follows from the runs."""
    report = forecast(
        cli_runner,
        tmp_path / "f.json",
        variable,
        "--runs",
        "12",
        "--seed",
        "3",
        "--window",
        "1h50m",
        "--jobs",
        "1",
    )
    assert list(validator.iter_errors(report)) == []
    results = report["results"]
    assert [r["seed"] for r in results] == list(range(3, 15))
    durations = sorted(r["duration_seconds"] for r in results)
    assert len(set(durations)) == 12  # the seed drives the durations
    d = report["duration_seconds"]
    assert (d["min"], d["p50"], d["p95"], d["p99"], d["max"]) == (
        durations[0],
        durations[5],
        durations[11],
        durations[11],
        durations[11],
    )
    inside = sum(1 for x in durations if x <= 6600) / 12
    assert report["window"]["finished_inside"] == round(inside, 4)
    assert sum(o["runs"] for o in report["outcomes"].values()) == 12
    assert sum(b["runs"] for b in report["histogram"]["bins"]) == 12
    assert [n["name"] for n in report["nodes"]] == ["node1", "node2", "node3", "node4"]
    assert all(
        0 < n["out_of_service_seconds"]["p50"] <= n["out_of_service_seconds"]["p95"]
        for n in report["nodes"]
    )
    assert report["causes"] == []
    assert report["fault_rate"] == 0


def test_terminal_summary_gives_percentiles_window_shares_and_histogram(
    cli_runner: CliRunner, variable: Path
) -> None:
    """The summary prints P50/P95/P99 in hours and minutes, the window, outcomes, each node's
    time out of service and a histogram, and no progress bar when stderr is no terminal."""
    result = cli_runner.invoke(
        cli, ["rehearse", str(variable), "--runs", "6", "--window", "2h", "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search(r"run duration: P50 \d+ h \d\d min, P95 \d+ h \d\d min, P99 \d+ h", out)
    assert re.search(r"window 2 h 00 min: \d+\.\d % of runs end inside it", out)
    assert re.search(r"outcomes: Succeeded \d+\.\d % \(\d\), PartiallyFailed ", out)
    assert "time out of service per node (P50 / P95):\n  node1  " in out
    assert "run durations:\n" in out
    assert "│█" in out
    assert result.stderr == ""


def test_same_seeds_give_the_same_forecast_and_one_run_is_simulate(
    cli_runner: CliRunner, tmp_path: Path, variable: Path
) -> None:
    """Two forecasts of the same seeds are equal; --runs 1 from the scenario's seed has the
    duration `pycau simulate` gives."""
    first = forecast(cli_runner, tmp_path / "a.json", variable, "--runs", "3", "--jobs", "1")
    again = forecast(cli_runner, tmp_path / "b.json", variable, "--runs", "3", "--jobs", "2")
    assert what_it_found(first) == what_it_found(again)
    simulated = tmp_path / "s.json"
    cli_runner.invoke(cli, ["simulate", str(variable), "-q", "--report", str(simulated)])
    report = json.loads(simulated.read_text(encoding="utf-8"))
    assert first["results"][0]["seed"] == report["simulation"]["seed"]
    assert first["results"][0]["duration_seconds"] == report["duration_seconds"]


def test_faults_at_a_rate_name_the_causes_and_replay_exactly(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """--faults 3: faults fire, causes rank fault types by non-Succeeded runs, and a run's
    replay command gives that run's status and duration."""
    report = forecast(
        cli_runner, tmp_path / "f.json", FOUR, "--runs", "8", "--faults", "3", "--jobs", "1"
    )
    assert report["fault_rate"] == 3
    causes = report["causes"]
    assert causes
    keys = [(-c["non_succeeded"], -c["share"], c["fault_type"]) for c in causes]
    assert keys == sorted(keys)
    fired = {kind for r in report["results"] for kind in r["fired"]}
    assert {c["fault_type"] for c in causes} == fired
    run = next(r for r in report["results"] if r["replay"])
    assert run["replay"].endswith(f"--seed {run['seed']} --faults 3")
    replayed = tmp_path / "replay.json"
    args = run["replay"].split()[2:]  # after "pycau simulate"
    result = cli_runner.invoke(cli, ["simulate", *args, "-q", "--report", str(replayed)])
    again = json.loads(replayed.read_text(encoding="utf-8"))
    assert (again["status"], again["duration_seconds"]) == (run["status"], run["duration_seconds"])
    assert result.exit_code == (0 if run["violations"] == 0 else 1)


def test_progress_bar_by_default_only_on_a_terminal(
    cli_runner: CliRunner, variable: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --progress the bar is drawn exactly when stderr is a terminal."""
    import runner.cli.rehearse_cmd as command

    args = ["rehearse", str(variable), "--runs", "2", "--jobs", "1"]
    assert cli_runner.invoke(cli, args).stderr == ""
    monkeypatch.setattr(command, "stderr_is_terminal", lambda: True)
    assert cli_runner.invoke(cli, args).stderr.endswith("] 2/2 runs\n")


def test_simulate_refuses_swarm_and_faults_together(cli_runner: CliRunner) -> None:
    """--swarm and --faults replay different runs: exit 2 in one sentence."""
    result = cli_runner.invoke(cli, ["simulate", str(FOUR), "--swarm", "--faults", "1"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --swarm and --faults replay different runs")


def test_progress_bar_on_stderr_when_asked(cli_runner: CliRunner, variable: Path) -> None:
    """--progress draws the bar on stderr up to N/N runs; --no-progress draws nothing."""
    shown = cli_runner.invoke(
        cli, ["rehearse", str(variable), "--runs", "2", "--jobs", "1", "--progress"]
    )
    assert "rehearse: [" in shown.stderr
    assert shown.stderr.endswith("] 2/2 runs\n")
    hidden = cli_runner.invoke(
        cli, ["rehearse", str(variable), "--runs", "2", "--jobs", "1", "--no-progress"]
    )
    assert hidden.stderr == ""


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--runs", "0"], "Invalid value for '--runs': 0 is not in the range x>=1"),
        (
            ["--runs", "2", "--window", "6"],
            "'6' is not a window; expected hours and/or minutes such as 6h, 90m or 1h30m",
        ),
        (["--runs", "2", "--window", "six hours"], "'six hours' is not a window"),
        (["--runs", "2", "--window", "0h0m"], "'0h0m' is an empty window"),
        (["--runs", "2", "--faults", "-1"], "Invalid value for '--faults'"),
        (["--runs", "2", "--jobs", "2", "--dask", "local:2"], "--jobs sets local processes"),
    ],
    ids=[
        "runs-0",
        "window-no-unit",
        "window-words",
        "window-empty",
        "negative-rate",
        "jobs-and-dask",
    ],
)
def test_bad_options_are_exit_2_in_one_sentence(
    cli_runner: CliRunner, tmp_path: Path, options: list[str], fragment: str
) -> None:
    """Each bad option is exit 2 with one `error:` line naming it, and no report."""
    target = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["rehearse", str(FOUR), "--report", str(target), *options])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert fragment in result.stderr
    assert not target.exists()


def test_bad_distribution_in_the_scenario_is_exit_2_naming_file_and_path(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """p95 below the median: exit 2, one sentence naming the file and the JSON path."""
    data = yaml.safe_load(FOUR.read_text(encoding="utf-8"))
    data["updates"][0]["install_minutes"] = {"median": 30, "p95": 20}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for command in (["rehearse", str(path), "--runs", "2"], ["simulate", str(path)]):
        result = cli_runner.invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"error: {path} at $.updates[0].install_minutes.p95: p95 20 is below the median 30"
        )


def test_a_run_without_a_final_status_is_exit_1(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that raised is listed as unfinished and the command exits 1."""
    import runner.cli.rehearse_cmd as command

    def crashed(job: Any, seeds: Any, pool: Any, progress: Any = None) -> list[RunForecast]:
        return [RunForecast(seed=s, error="RuntimeError: boom") for s in seeds]

    monkeypatch.setattr(command, "run_forecast", crashed)
    report = forecast(cli_runner, tmp_path / "f.json", FOUR, "--runs", "2", "--jobs", "1", code=1)
    assert [u["error"] for u in report["unfinished"]] == ["RuntimeError: boom"] * 2
    assert report["duration_seconds"]["p50"] == 0


def test_local_cluster_gives_the_local_processes_forecast(
    cli_runner: CliRunner, tmp_path: Path, variable: Path
) -> None:
    """6 runs on a Dask LocalCluster of 2 workers: the same forecast as local processes,
    once how it ran is set aside."""
    local = forecast(cli_runner, tmp_path / "l.json", variable, "--runs", "6", "--jobs", "2")
    dask = forecast(cli_runner, tmp_path / "d.json", variable, "--runs", "6", "--dask", "local:2")
    assert (local["backend"], dask["backend"]) == ("processes", "dask-local")
    assert json.dumps(what_it_found(local)) == json.dumps(what_it_found(dask))


def test_simulate_seed_help_says_what_the_seed_drives(cli_runner: CliRunner) -> None:
    """`pycau simulate --help` says the seed draws the distributions (and the run id)."""
    text = " ".join(cli_runner.invoke(cli, ["simulate", "--help"]).output.split())
    assert "It drives every duration and rate the scenario draws" in text
    assert "changes only the run id" not in text
