"""Given/Then steps of ``features/self_updating.feature``: CAU's self-updating role and the
coordinator take-over from the run state published in the cluster (issue 12).

Owns: the Given steps that put the role on a node and add the ``coordinator-host-crash`` and
``agents-down`` faults to the scenario mapping, and the Then steps that read the role's
moves and the take-overs out of the report.

Must not: rehearse except through the conftest's When steps, or reach into the simulator's
world. ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

from bdd_checks import Doc, Report, events
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


@given(parsers.parse("the coordinator is CAU's self-updating role on {node}"))
def self_updating_role(scenario_doc: Doc, node: str) -> None:
    """``coordinator: self-updating`` with the role first on ``node``."""
    scenario_doc["coordinator"] = "self-updating"
    scenario_doc["coordinator_node"] = node


@given(
    parsers.parse(
        "the role's host crashes after checkpoint {step:d} and is back after {minutes:d} minutes"
    )
)
def role_host_crash(scenario_doc: Doc, step: int, minutes: int) -> None:
    """The node hosting the role crashes right after checkpoint ``step``."""
    fault = {"type": "coordinator-host-crash", "at_step": step, "down_minutes": minutes}
    scenario_doc.setdefault("faults", []).append(fault)


@given(parsers.parse("every coordinator is down for {minutes:d} minutes after checkpoint {step:d}"))
def agents_down(scenario_doc: Doc, minutes: int, step: int) -> None:
    """No coordinator runs for ``minutes`` from checkpoint ``step`` on."""
    fault = {"type": "agents-down", "at_step": step, "minutes": minutes}
    scenario_doc.setdefault("faults", []).append(fault)


@then(parsers.parse("the role moved from {first} to {second}, then from {third} to {fourth}"))
def role_moved(report: Report, first: str, second: str, third: str, fourth: str) -> None:
    """Two ``coordinator-moved`` events, in order, each naming the node it moved to."""
    moved = [e for e in report["events"] if e["kind"] == "coordinator-moved"]
    assert [e["node"] for e in moved] == [second, fourth], moved
    assert f"from {first} to {second}" in moved[0]["detail"]
    assert f"from {third} to {fourth}" in moved[1]["detail"]


@then("the run notes the coordinator crash and a take-over from the cluster's run state")
def crash_and_take_over(report: Report) -> None:
    """One crash, and each take-over a recovery (CAU event 1014) and a resume after it."""
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.count("coordinator-crash") == 1, kinds
    resumed = kinds.count("run-resumed")
    assert resumed >= 1
    assert len(events(report, event_id=1014)) == resumed
    assert kinds.index("coordinator-crash") < kinds.index(
        "run-resumed", kinds.index("coordinator-crash")
    )
