"""Steps of ``features/rehearse.feature``: seeded variability in rehearsed runs, and
``pycau rehearse`` through the CLI with its JSON report.

Owns: the ``forecast_run`` fixture (the CLI result and report path of one forecast) and the
forecast steps. Must not: reach into the forecast's modules — forecasts go through ``pycau``.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from pytest_bdd import parsers, then, when

from runner.cli import cli
from runner.rehearsal.compose import rehearse
from simulator.scenario import parse_scenario
from simulator.variability import realize

ForecastRun = dict[str, Any]


def _forecast(tmp_path: Path, scenario: str, *options: str) -> ForecastRun:
    target = tmp_path / "forecast.json"
    args = ["rehearse", scenario, "--report", str(target), "--jobs", "1", *options]
    result: Result = CliRunner().invoke(cli, args)
    return {"result": result, "target": target}


def _report(forecast_run: ForecastRun) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(forecast_run["target"].read_text(encoding="utf-8"))
    return report


@then(parsers.parse("the run of seed {other:d} takes another time than the run of seed {seed:d}"))
def other_seed_other_time(scenario_doc: dict[str, Any], other: int, seed: int) -> None:
    scenario = parse_scenario(scenario_doc)
    durations = {rehearse(scenario, s).report.duration_seconds for s in (seed, other)}
    assert len(durations) == 2


@then(
    parsers.parse(
        "every node's boot time was drawn from {low:d} to {high:d} minutes "
        "and its restart took at least that"
    )
)
def boots_within(scenario_doc: dict[str, Any], report: dict[str, Any], low: int, high: int) -> None:
    realized = realize(parse_scenario(scenario_doc), report["simulation"]["seed"])
    for node in realized.cluster.nodes:
        assert low <= node.boot_minutes <= high
        start, end = next(n for n in report["nodes"] if n["name"] == node.name)["timing"]["reboot"]
        assert end - start >= node.boot_minutes * 60


@when(
    parsers.parse('{runs:d} runs of "{name}" are rehearsed with the window "{window}"'),
    target_fixture="forecast_run",
)
def forecast_with_window(tmp_path: Path, runs: int, name: str, window: str) -> ForecastRun:
    return _forecast(tmp_path, name, "--runs", str(runs), "--window", window)


@when(
    parsers.parse('{runs:d} runs of "{name}" are rehearsed with faults at {rate:g} per run'),
    target_fixture="forecast_run",
)
def forecast_with_faults(tmp_path: Path, runs: int, name: str, rate: float) -> ForecastRun:
    return _forecast(tmp_path, name, "--runs", str(runs), "--faults", f"{rate:g}")


@when(parsers.parse('"{name}" is rehearsed with "{options}"'), target_fixture="forecast_run")
def forecast_with_options(tmp_path: Path, name: str, options: str) -> ForecastRun:
    return _forecast(tmp_path, name, *shlex.split(options))


@when(
    parsers.parse('the scenario file is rehearsed with "{options}"'), target_fixture="forecast_run"
)
def forecast_scenario_file(
    tmp_path: Path, scenario_doc: dict[str, Any], options: str
) -> ForecastRun:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario_doc, sort_keys=False), encoding="utf-8")
    return _forecast(tmp_path, str(path), *shlex.split(options))


@then(parsers.parse("the forecast exits {code:d}"))
def forecast_exits(forecast_run: ForecastRun, code: int) -> None:
    result = forecast_run["result"]
    assert result.exit_code == code, result.output


@then(parsers.parse('the forecast exits 2 saying "{said}"'))
def forecast_refused(forecast_run: ForecastRun, said: str) -> None:
    result = forecast_run["result"]
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert said in result.stderr
    assert not forecast_run["target"].exists()


@then("P50, P95 and P99 of the run duration are in order")
def percentiles_in_order(forecast_run: ForecastRun) -> None:
    d = _report(forecast_run)["duration_seconds"]
    assert 0 < d["min"] <= d["p50"] <= d["p95"] <= d["p99"] <= d["max"]


@then(
    parsers.parse(
        "the window probability is the share of the runs that ended within {seconds:d} seconds"
    )
)
def window_share(forecast_run: ForecastRun, seconds: int) -> None:
    report = _report(forecast_run)
    inside = [r for r in report["results"] if r["status"] and r["duration_seconds"] <= seconds]
    assert report["window"]["finished_inside"] == round(len(inside) / report["runs"], 4)


@then(parsers.parse("each of the {count:d} nodes has its P50 and P95 time out of service"))
def nodes_out_of_service(forecast_run: ForecastRun, count: int) -> None:
    nodes = _report(forecast_run)["nodes"]
    assert len(nodes) == count
    for node in nodes:
        out = node["out_of_service_seconds"]
        assert 0 < out["p50"] <= out["p95"]


@then("the outcome shares add up to every run")
def outcome_shares(forecast_run: ForecastRun) -> None:
    report = _report(forecast_run)
    outcomes = report["outcomes"]
    assert sum(o["runs"] for o in outcomes.values()) == report["runs"]
    assert abs(sum(o["share"] for o in outcomes.values()) - 1) < 1e-3


@then("every fault type that fired is listed with the runs it did not let succeed")
def causes_listed(forecast_run: ForecastRun) -> None:
    report = _report(forecast_run)
    results = report["results"]
    assert report["causes"]
    for cause in report["causes"]:
        fired = [r for r in results if cause["fault_type"] in r["fired"]]
        bad = [r for r in fired if r["status"] != "Succeeded"]
        assert (cause["runs_fired"], cause["non_succeeded"]) == (len(fired), len(bad))


@then(
    parsers.parse('every run that did not succeed cleanly has a replay command ending in "{end}"')
)
def replay_commands(forecast_run: ForecastRun, end: str) -> None:
    for run in _report(forecast_run)["results"]:
        clean = run["status"] == "Succeeded" and not run["violations"]
        assert (run["replay"] is None) == clean
        if run["replay"]:
            assert run["replay"].endswith(f"--seed {run['seed']} {end}")
