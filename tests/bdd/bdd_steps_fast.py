"""Then steps of ``features/fast_policy.feature``: the fast policy's waves, staged installs
and the report's ``waves`` section; and its one Given step (the scenario's racks).

Owns: the Given step declaring rack fault domains (``cluster.fault_domains``); the Then
steps that read the waves (run and planned), what limited a wave, how many nodes were in
maintenance at once (CAU events 1008 to 1009) and whether each node's install
came before its drain, out of the report.

Must not: rehearse or reach into the simulator's world — the report is the only evidence.
``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

from typing import Any

from bdd_checks import Report, maintenance_intervals, span
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _waves(text: str) -> list[list[str]]:
    return [[name.strip() for name in wave.split(",")] for wave in text.split(";")]


@given(parsers.re(r"the nodes are in racks (?P<racks>.+)"))
def racks(scenario_doc: dict[str, Any], racks: str) -> None:
    """``rack1: node1, node2; rack2: node3`` becomes the scenario's rack fault domains."""
    domains: dict[str, list[str]] = {}
    for part in racks.split(";"):
        name, _, nodes = part.partition(":")
        domains[name.strip()] = [node.strip() for node in nodes.split(",")]
    scenario_doc["cluster"]["fault_domains"] = {"type": "rack", "domains": domains}


@then(parsers.re(r"the waves run were (?P<waves>.+)"))
def waves_run(report: Report, waves: str) -> None:
    """The report's waves, in order, each with its nodes in run order."""
    run = [w["nodes"] for w in report["waves"]["run"]]
    assert run == _waves(waves), run


@then("the plan showed the same waves")
def plan_is_run(report: Report) -> None:
    """The waves planned before anything started are the waves run."""
    waves = report["waves"]
    assert waves["planned"] == [w["nodes"] for w in waves["run"]], waves


@then(parsers.re(r"wave (?P<number>\d+) was limited by (?P<words>.+)"))
def wave_limited(report: Report, number: str, words: str) -> None:
    """Why the wave was not larger (runner.capacity's first rule that held a node back)."""
    wave = report["waves"]["run"][int(number) - 1]
    assert wave["limited_by"].startswith(words), wave["limited_by"]


@then(parsers.re(r"the most nodes in maintenance at once was (?P<count>\d+)"))
def most_in_maintenance(report: Report, count: str) -> None:
    """From each node's 1008 (drained; in maintenance) to its 1009 (resumed): the largest
    number of such intervals open at one instant."""
    edges = sorted(
        [(start, 1) for _, start, _ in maintenance_intervals(report)]
        + [(end, -1) for _, _, end in maintenance_intervals(report)]
    )
    most = out = 0
    for _, delta in edges:
        out += delta
        most = max(most, out)
    assert most == int(count), maintenance_intervals(report)


@then("every node installed its updates before its drain")
def staged_before_drain(report: Report) -> None:
    """Each node's stage phase (its install) ended no later than its drain began."""
    for entry in report["nodes"]:
        stage, drain = span(report, entry["name"], "stage"), span(report, entry["name"], "drain")
        assert stage[0] < drain[0], (entry["name"], stage, drain)
        assert stage[1] <= drain[0], (entry["name"], stage, drain)


@then("the report has no waves section")
def no_waves(report: Report) -> None:
    """A classic run's report has no ``waves`` (omitted, not empty)."""
    assert "waves" not in report
