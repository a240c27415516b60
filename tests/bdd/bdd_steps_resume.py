"""Given/Then steps of ``features/resume.feature``: coordinator crash and resume.

Owns: the Given step that adds a ``coordinator-crash`` fault to the scenario mapping and the
Then steps that read the crash, the recovery (CAU event 1014) and the restarts per node out
of the report.

Must not: rehearse except through the conftest's When steps, or reach into the simulator's
world. ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

from bdd_checks import Doc, Report, events
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


@given(parsers.parse("the coordinator crashes after journal step {step:d}"))
def coordinator_crash(scenario_doc: Doc, step: int) -> None:
    """The runner process dies right after checkpoint ``step``."""
    scenario_doc.setdefault("faults", []).append({"type": "coordinator-crash", "at_step": step})


@then("the run notes the coordinator crash and the resume")
def crash_and_resume_noted(report: Report) -> None:
    """One crash, one recovery (1014) and one resume, in that order."""
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.count("coordinator-crash") == 1, kinds
    assert kinds.count("run-resumed") == 1, kinds
    recovering = events(report, event_id=1014)
    assert len(recovering) == 1
    assert kinds.index("coordinator-crash") < kinds.index("run-resumed")


@then("no node was restarted twice")
def no_double_restart(report: Report) -> None:
    """Each node was restarted (CAU event 1010) exactly once and reports one restart."""
    for entry in report["nodes"]:
        issued = events(report, event_id=1010, node_name=entry["name"])
        assert len(issued) == 1, (entry["name"], issued)
        assert entry["restarts"] == 1, entry
