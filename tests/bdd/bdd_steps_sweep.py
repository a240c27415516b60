"""Steps of ``features/sweeps.feature``: run ``pycau sweep`` through the CLI, read its
report, and run the replay commands it names.

Owns: the ``sweep_run`` fixture (the CLI result and the report path of one sweep) and the
sweep steps. Must not: reach into the sweep's modules — everything goes through ``pycau``.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from pytest_bdd import parsers, then, when

from runner.cli import cli

SweepRun = dict[str, Any]


def _sweep(tmp_path: Path, name: str, first: int, last: int, *options: str) -> SweepRun:
    target = tmp_path / "sweep.json"
    seeds = ["--first-seed", str(first), "--seeds", str(last - first + 1)]
    files = ["--report", str(target), "--reproducers", str(tmp_path / "repro")]
    args = ["sweep", name, *seeds, *files, *options]
    result: Result = CliRunner().invoke(cli, args)
    return {"result": result, "target": target}


def _report(sweep_run: SweepRun) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(sweep_run["target"].read_text(encoding="utf-8"))
    return report


@when(
    parsers.parse('seeds {first:d} to {last:d} of "{name}" are swept in one process'),
    target_fixture="sweep_run",
)
def sweep_in_one_process(tmp_path: Path, first: int, last: int, name: str) -> SweepRun:
    return _sweep(tmp_path, name, first, last, "--jobs", "1")


@when(
    parsers.parse(
        'seeds {first:d} to {last:d} of "{name}" are swept with {jobs:d} local processes'
    ),
    target_fixture="sweep_run",
)
def sweep_with_processes(tmp_path: Path, first: int, last: int, name: str, jobs: int) -> SweepRun:
    return _sweep(tmp_path, name, first, last, "--jobs", str(jobs))


@when(
    parsers.parse(
        'seeds {first:d} to {last:d} of "{name}" are swept on the Dask scheduler "{address}" '
        "waiting {seconds:g} s"
    ),
    target_fixture="sweep_run",
)
def sweep_on_scheduler(
    tmp_path: Path, first: int, last: int, name: str, address: str, seconds: float
) -> SweepRun:
    return _sweep(tmp_path, name, first, last, "--dask", address, "--dask-timeout", f"{seconds:g}")


@when(
    parsers.parse('seeds {first:d} to {last:d} of "{name}" are swept with --dask "{value}"'),
    target_fixture="sweep_run",
)
def sweep_with_dask_value(tmp_path: Path, first: int, last: int, name: str, value: str) -> SweepRun:
    return _sweep(tmp_path, name, first, last, "--dask", value)


@then(
    parsers.parse(
        "the sweep report lists seeds {first:d} to {last:d} with their status, duration and faults"
    )
)
def every_seed_listed(sweep_run: SweepRun, first: int, last: int) -> None:
    runs = _report(sweep_run)["runs"]
    assert [run["seed"] for run in runs] == list(range(first, last + 1))
    for run in runs:
        assert run["status"] in ("Succeeded", "PartiallyFailed", "Failed", "Canceled")
        assert run["duration_seconds"] > 0
        assert run["faults"], f"seed {run['seed']}: the swarm gives every seed a fault"


@then("every seed that is not a clean Succeeded run has a replay command")
def replay_for_each_problem(sweep_run: SweepRun) -> None:
    runs = _report(sweep_run)["runs"]
    for run in runs:
        clean = run["status"] == "Succeeded" and not run["violations"]
        assert (run["replay"] is None) == clean, run
    assert any(run["replay"] for run in runs), "no seed to replay: pick other seeds"


@then("each replay command gives its seed's status, duration and fired faults again")
def replays_reproduce(sweep_run: SweepRun, tmp_path: Path) -> None:
    for run in _report(sweep_run)["runs"]:
        if not run["replay"]:
            continue
        target = tmp_path / f"replay-{run['seed']}.json"
        words = shlex.split(run["replay"])
        assert words[:2] == ["pycau", "simulate"]
        result = CliRunner().invoke(cli, [*words[1:], "--quiet", "--report", str(target)])
        assert result.exit_code == 0, result.output
        replayed = json.loads(target.read_text(encoding="utf-8"))
        assert replayed["status"] == run["status"]
        assert replayed["duration_seconds"] == run["duration_seconds"]
        assert replayed["simulation"]["counters"]["faults_fired"] == run["fired"]


@then(parsers.parse("the sweep ran on at most {count:d} processes"))
def ran_on_at_most(sweep_run: SweepRun, count: int) -> None:
    report = _report(sweep_run)
    assert report["backend"] == "processes"
    assert 1 <= report["jobs"] <= count


@then(parsers.parse('the sweep exits {code:d} naming "{words}"'))
def sweep_exits(sweep_run: SweepRun, code: int, words: str) -> None:
    result: Result = sweep_run["result"]
    assert result.exit_code == code, result.output
    assert result.output.startswith("error: ")
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1


@then("no sweep report was written")
def no_report(sweep_run: SweepRun) -> None:
    assert not sweep_run["target"].exists()
