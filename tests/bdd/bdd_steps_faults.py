"""Given/Then steps of ``features/faults.feature``: the fault catalog beyond the foundation.

Owns: the Given steps that add ``management-disconnect``, ``resync-stall``,
``witness-offline``, ``slow-migration``, ``update-rollback`` and ``disk-failure`` faults to
the scenario mapping, and the Then steps that read what those faults must (not) do to a run
out of the report: installs and restarts counted per node, update-loop failures, drains
compared with the same run without the fault.

Must not: rehearse except through ``bdd_checks`` or reach into the simulator's world — the
report and its "simulation" section are the only evidence. ``test_features.py`` star-imports
this module so its step fixtures are visible to the scenarios.
"""

from __future__ import annotations

import copy
from typing import Any

from bdd_checks import MINUTE, Doc, Report, events, node, phase, rehearse_doc
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _add_fault(doc: Doc, fault: dict[str, Any]) -> None:
    doc.setdefault("faults", []).append(fault)


def _installs(report: Report, name: str) -> int:
    """Install passes the run started on the node (one phase-start per install step)."""
    return sum(
        1 for e in events(report, node_name=name, kind="phase-start") if e.get("phase") == "install"
    )


def _restarts(report: Report, name: str) -> int:
    """Restarts the run issued to the node (CAU event 1010)."""
    return len(events(report, event_id=1010, node_name=name))


# --- Given: the faults ------------------------------------------------------------------


@given(
    parsers.re(
        r"the management network is down from minute (?P<at>[\d.]+) for (?P<minutes>[\d.]+) "
        r"minutes"
    )
)
def management_down(scenario_doc: Doc, at: str, minutes: str) -> None:
    """A management-disconnect fault: every transport call fails for a while."""
    _add_fault(
        scenario_doc,
        {"type": "management-disconnect", "at_minute": float(at), "minutes": float(minutes)},
    )


@given(
    parsers.re(r"the first repair job of (?P<volume>\w+) stalls for (?P<minutes>[\d.]+) minutes")
)
def repair_stalls(scenario_doc: Doc, volume: str, minutes: str) -> None:
    """A resync-stall fault on one volume."""
    _add_fault(scenario_doc, {"type": "resync-stall", "volume": volume, "minutes": float(minutes)})


@given(
    parsers.re(r"the witness is offline from minute (?P<at>[\d.]+) for (?P<minutes>[\d.]+) minutes")
)
def witness_offline(scenario_doc: Doc, at: str, minutes: str) -> None:
    """A witness-offline fault."""
    _add_fault(
        scenario_doc,
        {"type": "witness-offline", "at_minute": float(at), "minutes": float(minutes)},
    )


@given(parsers.re(r"live migrations take (?P<factor>[\d.]+) times as long"))
def migrations_slower(scenario_doc: Doc, factor: str) -> None:
    """A slow-migration fault for the whole run."""
    _add_fault(scenario_doc, {"type": "slow-migration", "factor": float(factor)})


@given(
    parsers.re(
        r"(?P<update_id>KB\d+) reports installed on (?P<name>\w+) but rolls back at its restart"
    )
)
def update_rolls_back(scenario_doc: Doc, update_id: str, name: str) -> None:
    """An update-rollback fault: installed, then offered again after the boot."""
    _add_fault(scenario_doc, {"type": "update-rollback", "node": name, "update": update_id})


@given(parsers.re(r"a drive of (?P<name>\w+) fails at minute (?P<at>[\d.]+)"))
def disk_fails(scenario_doc: Doc, name: str, at: str) -> None:
    """A disk-failure fault: the volumes degrade and rebuild."""
    _add_fault(scenario_doc, {"type": "disk-failure", "node": name, "at_minute": float(at)})


# --- Then -------------------------------------------------------------------------------


@then("no node was installed or restarted twice")
def each_node_once(report: Report) -> None:
    """Every node got at most one install pass and one restart (no double work)."""
    for entry in report["nodes"]:
        name = entry["name"]
        assert _installs(report, name) <= 1, (name, _installs(report, name))
        assert _restarts(report, name) <= 1, (name, _restarts(report, name))
        assert entry["restarts"] <= 1, entry
        assert entry["attempts"] <= 1, entry


@then(parsers.re(r"(?P<name>\w+) was installed once and restarted once"))
def installed_once(report: Report, name: str) -> None:
    """Exactly one install pass and one restart on the node."""
    assert (_installs(report, name), _restarts(report, name)) == (1, 1)
    assert node(report, name)["restarts"] == 1


@then("no node reports an error")
def no_node_error(report: Report) -> None:
    """No false failure: every node's error is null and no node-failed event was logged."""
    assert [n["error"] for n in report["nodes"]] == [None] * len(report["nodes"])
    assert not events(report, event_id=1013)


@then(parsers.re(r"(?P<name>\w+) finished installing after minute (?P<minute>[\d.]+)"))
def install_ended_after(report: Report, name: str, minute: str) -> None:
    """The install result was learnt only once the cluster answered again (observe again)."""
    span = phase(report, name, "install")
    assert span is not None, f"{name} has no install phase"
    assert span[1] >= float(minute) * MINUTE, span


@then(
    parsers.re(
        r"(?P<name>\w+) failed with an update loop on (?P<update_id>KB\d+) after "
        r"(?P<attempts>\d+) attempts?"
    )
)
def update_loop_failure(report: Report, name: str, update_id: str, attempts: str) -> None:
    """Loop detected: the node Failed, not retried, its error naming the update."""
    entry = node(report, name)
    assert entry["status"] == "Failed", entry
    assert entry["attempts"] == int(attempts), entry
    assert "update loop detected" in (entry["error"] or ""), entry["error"]
    assert update_id in entry["error"], entry["error"]
    assert _installs(report, name) == int(attempts)


@then("no VM was ever down")
def no_vm_down(report: Report) -> None:
    """Live migration kept every VM running (downtime counter zero)."""
    assert report["simulation"]["counters"]["vm_downtime_seconds"] == 0.0
    assert report["simulation"]["invariants"]["workload-availability"]["holds"]


@then("every drain took longer than in the same run without the fault")
def drains_slower(report: Report, scenario_doc: Doc, scenario_source: dict[str, str]) -> None:
    """Slow migrations lengthen each drain compared with the fault-free run."""
    plain = copy.deepcopy(scenario_doc)
    plain.pop("faults", None)
    other = rehearse_doc(plain, report["simulation"]["seed"], scenario_source["source"])
    for entry in report["nodes"]:
        slow, fast = phase(report, entry["name"], "drain"), phase(other, entry["name"], "drain")
        assert slow is not None, entry["name"]
        assert fast is not None, entry["name"]
        assert slow[1] - slow[0] > fast[1] - fast[0], (entry["name"], slow, fast)
