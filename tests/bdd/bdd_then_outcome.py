"""Then-steps about a run's outcome: status, oracle verdicts, nodes, updates, events, quorum.

Owns: the assertions over the report's top-level fields, its ``nodes[]`` (status, attempts,
updates, restarts), its ``events[]`` (CAU event ids and their timing) and the oracle's
invariant verdicts, plus the quorum-arithmetic outline steps over ``runner.quorum``.

Must not: rehearse anything or read the simulator's internals; ``test_features.py``
star-imports this module so its step fixtures are visible to the scenarios.
"""

from __future__ import annotations

import copy

from bdd_checks import (
    MINUTE,
    STATUS,
    Doc,
    Report,
    assert_invariant_holds,
    events,
    node,
)
from pytest_bdd import parsers, then

# --- run outcome ------------------------------------------------------------------------


@then(parsers.re(rf"the run ends {STATUS}"))
def run_ends(report: Report, status: str) -> None:
    """The run's SummaryStatus."""
    assert report["status"] == status, (report["status"], report["error_id"], report["error"])


@then(parsers.re(rf"the run ends {STATUS} with (?P<error_id>\w+)"))
def run_ends_with(report: Report, status: str, error_id: str) -> None:
    """The run's SummaryStatus and error id."""
    assert (report["status"], report["error_id"]) == (status, error_id), report["error"]


@then("the run does not end Succeeded")
def run_not_succeeded(report: Report) -> None:
    """A run with a node it could not update does not claim success."""
    assert report["status"] != "Succeeded"


# "every invariant holds" is the pytest plugin's step (pycau_pytest.steps), as users use it.


@then(parsers.parse('the invariant "{name}" holds'))
def invariant_holds(report: Report, name: str) -> None:
    """One oracle invariant holds with no recorded violation."""
    assert_invariant_holds(report, name)


@then(parsers.parse("the run finished within {minutes:d} simulated minutes"))
def finished_within(report: Report, minutes: int) -> None:
    """Simulated duration bound."""
    assert 0 < report["duration_seconds"] <= minutes * MINUTE, report["duration_seconds"]


@then("the run took no less than the simulated lower bound")
def not_below_lower_bound(report: Report) -> None:
    """No run can beat the simulator's lower bound (drain + install + boot per node)."""
    bound = report["simulation"]["lower_bound_seconds"]
    assert 0 < bound <= report["duration_seconds"], (bound, report["duration_seconds"])


@then("both reports are identical apart from the wall-clock measurements")
def identical_reports(reports: list[Report]) -> None:
    """Determinism: the same scenario and seed give the same report."""
    first, second = (copy.deepcopy(r) for r in reports)
    for r in (first, second):
        assert "wall" in r["simulation"]
        del r["simulation"]["wall"]
    assert first["events"], "a run without events proves nothing"
    assert first == second


@then("the scenario's own expectation holds")
def own_expectation_holds(
    report: Report, scenario_doc: Doc, scenario_source: dict[str, str]
) -> None:
    """simulator.expect.check_expectation finds no mismatch."""
    from simulator.expect import check_expectation
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(copy.deepcopy(scenario_doc), source=scenario_source["source"])
    assert check_expectation(scenario.expect, report) == []


# --- nodes ------------------------------------------------------------------------------


def _node_status(report: Report, name: str, status: str, attempts: int | None = None) -> None:
    entry = node(report, name)
    assert entry["status"] == status, (name, entry["status"], entry["error"])
    if attempts is not None:
        assert entry["attempts"] == attempts, (name, entry["attempts"])


@then(parsers.re(rf"(?P<name>\w+) reports {STATUS}"))
def node_reports(report: Report, name: str, status: str) -> None:
    """One node's final status."""
    _node_status(report, name, status)


@then(parsers.re(rf"(?P<name>\w+) reports {STATUS} after (?P<attempts>\d+) attempts?"))
def node_reports_after(report: Report, name: str, status: str, attempts: str) -> None:
    """One node's final status and how many attempts it took."""
    _node_status(report, name, status, int(attempts))


@then(
    parsers.re(
        r"(?P<name>\w+) reports Failed with hresult (?P<hresult>0x[0-9A-Fa-f]{8}) "
        r"after (?P<attempts>\d+) attempts?"
    )
)
def node_failed_hresult(report: Report, name: str, hresult: str, attempts: str) -> None:
    """A failed node names the update's HRESULT and the attempts spent."""
    _node_status(report, name, "Failed", int(attempts))
    codes = [u["hresult"] for u in node(report, name)["updates"] if u["result"] == "Failed"]
    assert hresult.lower() in [c.lower() for c in codes if c], codes


@then(parsers.re(rf"every node reports {STATUS}"))
def every_node_reports(report: Report, status: str) -> None:
    """All nodes share one final status."""
    assert report["nodes"]
    assert {n["name"]: n["status"] for n in report["nodes"]} == {
        n["name"]: status for n in report["nodes"]
    }


@then(parsers.re(rf"every node reports {STATUS} after (?P<attempts>\d+) attempts?"))
def every_node_reports_after(report: Report, status: str, attempts: str) -> None:
    """All nodes share one final status and attempt count."""
    every_node_reports(report, status)
    assert {n["attempts"] for n in report["nodes"]} == {int(attempts)}


@then(parsers.re(r"(?P<name>\w+) does not report Succeeded"))
def node_not_succeeded(report: Report, name: str) -> None:
    """A node that could not be updated is not reported as updated."""
    assert node(report, name)["status"] != "Succeeded"


def _installed(report: Report, name: str, update_id: str) -> bool:
    return any(
        u["id"] == update_id and u["result"] == "Succeeded" for u in node(report, name)["updates"]
    )


@then(parsers.re(r"every node installed (?P<update_id>KB\d+)"))
def every_node_installed(report: Report, update_id: str) -> None:
    """The update is reported installed on every node."""
    missing = [n["name"] for n in report["nodes"] if not _installed(report, n["name"], update_id)]
    assert not missing, missing


@then(parsers.re(r"(?P<name>\w+) installed (?P<update_id>KB\d+)"))
def node_installed(report: Report, name: str, update_id: str) -> None:
    """The update is reported installed on the node."""
    assert _installed(report, name, update_id), node(report, name)["updates"]


@then(parsers.re(r"(?P<name>\w+) did not install (?P<update_id>KB\d+)"))
def node_not_installed(report: Report, name: str, update_id: str) -> None:
    """The update was not installed on the node."""
    assert not _installed(report, name, update_id), node(report, name)["updates"]
    assert "install" not in node(report, name)["timing"]


def _restarted(report: Report, name: str, times: int, boot: str | None) -> None:
    entry = node(report, name)
    assert entry["restarts"] == times, (name, entry["restarts"])
    assert len(events(report, event_id=1010, node_name=name)) == times
    assert entry["boot_type"] == (boot if times else None), (name, entry["boot_type"])


_BOOT = {"full": "FullBoot", "soft": "SoftBoot"}


@then(
    parsers.re(r"every node was restarted (?P<times>\d+) times? with a (?P<kind>full|soft) reboot")
)
def every_node_restarted(report: Report, times: str, kind: str) -> None:
    """Restart count and boot type on every node."""
    for entry in report["nodes"]:
        _restarted(report, entry["name"], int(times), _BOOT[kind])


@then(parsers.re(r"every node was restarted 0 times"))
def no_node_restarted(report: Report) -> None:
    """No restart anywhere."""
    for entry in report["nodes"]:
        _restarted(report, entry["name"], 0, None)
    assert not events(report, event_id=1010)


@then(parsers.re(r"(?P<name>\w+) was restarted 0 times"))
def node_not_restarted(report: Report, name: str) -> None:
    """The node was never restarted."""
    _restarted(report, name, 0, None)
    assert "reboot" not in node(report, name)["timing"]


# --- events -----------------------------------------------------------------------------


@then(parsers.re(r"event (?P<event_id>\d{4}) was logged"))
def event_logged(report: Report, event_id: str) -> None:
    """A CAU event id appears in the report's events."""
    assert events(report, event_id=int(event_id)), [e["event_id"] for e in report["events"]]


@then(parsers.re(r"event (?P<event_id>\d{4}) was not logged"))
def event_not_logged(report: Report, event_id: str) -> None:
    """A CAU event id is absent from the report's events."""
    assert not events(report, event_id=int(event_id))
    assert events(report, event_id=1003), "the run never started"


@then(parsers.re(r"event (?P<event_id>\d{4}) was logged for (?P<name>\w+)"))
def event_logged_for(report: Report, event_id: str, name: str) -> None:
    """A CAU event id appears for the node."""
    assert events(report, event_id=int(event_id), node_name=name), [
        (e["event_id"], e["node"]) for e in report["events"] if e["event_id"]
    ]


@then(
    parsers.re(
        r"a warning event (?P<event_id>\d{4}) was logged after (?P<minutes>\d+) simulated minutes"
    )
)
def warning_logged_after(report: Report, event_id: str, minutes: str) -> None:
    """WarnAfter: the warning comes once the time is up, not before, not much later."""
    found = events(report, event_id=int(event_id))
    assert len(found) == 1, found
    assert int(minutes) * MINUTE <= found[0]["time"] <= (int(minutes) + 5) * MINUTE, found


@then(
    parsers.re(
        r"event (?P<late>\d{4}) was logged for (?P<name>\w+) between (?P<low>\d+) and "
        r"(?P<high>\d+) minutes after event (?P<early>\d{4})"
    )
)
def event_gap(report: Report, late: str, name: str, low: str, high: str, early: str) -> None:
    """E.g. RebootTimeoutMinutes: 1012 restart failed comes that long after 1010 restarting."""
    lates = events(report, event_id=int(late), node_name=name)
    assert lates, f"no event {late} for {name}"
    t_late = lates[0]["time"]
    earlies = [e["time"] for e in events(report, event_id=int(early), node_name=name)]
    before = [t for t in earlies if t <= t_late]
    assert before, f"no event {early} for {name} before {late}"
    gap = t_late - before[-1]
    assert int(low) * MINUTE <= gap <= int(high) * MINUTE, gap


# --- quorum arithmetic (runner.quorum against reference cau.md §5.2) --------------------


@then(
    parsers.re(
        r"losing (?P<count>one|two) nodes?(?P<how> one after the other| at once)? "
        r"the cluster survives: (?P<outcome>yes|no|50/50)"
    )
)
def cluster_survival_is(quorum_case: tuple[int, bool], count: str, how: str, outcome: str) -> None:
    """Dynamic quorum: sequential losses are judged from the survivors, simultaneous ones not."""
    from runner.quorum import cluster_survival

    nodes, witness = quorum_case
    failures = 1 if count == "one" else 2
    got = cluster_survival(nodes, witness, failures, simultaneous=(how or "").strip() == "at once")
    assert got.value == outcome, (nodes, witness, failures, how, got)


@then(
    parsers.re(
        r"losing (?P<count>one|two) nodes?(?: at once)? the storage pool survives: "
        r"(?P<outcome>yes|no)"
    )
)
def pool_survival_is(quorum_case: tuple[int, bool], count: str, outcome: str) -> None:
    """Pool quorum: drives vote, no dynamic adjustment, at most two fault domains down."""
    from runner.quorum import pool_survives_loss

    nodes, witness = quorum_case
    lost = 1 if count == "one" else 2
    assert pool_survives_loss(nodes, witness, lost) is (outcome == "yes"), (nodes, witness, lost)
