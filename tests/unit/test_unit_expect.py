"""The expectation check: a report against a scenario's expect block, in sentences."""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

from simulator.expect import check_expectation, describe_expectation
from simulator.model import Expect
from simulator.oracle import INVARIANTS as ORACLE_INVARIANTS

INVARIANTS = (
    "quorum",
    "storage-redundancy",
    "resync-before-next",
    "workload-availability",
    "max-nodes-out",
    "nodes-resumed",
    "failure-budget",
    "termination",
    "report-truth",
    "redundancy-margin",
)


def report(status: str = "Succeeded", error_id: str | None = None, **nodes: str) -> dict[str, Any]:
    return {
        "status": status,
        "error_id": error_id,
        "error": None if error_id is None else "2 nodes failed; MaxFailedNodes is 1",
        "nodes": [{"name": n, "status": s, "error": None} for n, s in nodes.items()],
        "simulation": {
            "invariants": {name: {"holds": True, "violations": []} for name in INVARIANTS}
        },
    }


def test_oracle_checks_the_invariants_design_names() -> None:
    """The oracle judges DESIGN.md's invariants in its table's order."""
    assert ORACLE_INVARIANTS == INVARIANTS


def test_matching_report_holds() -> None:
    """Status, error id, node statuses and invariants all as expected: no mismatches."""
    expect = Expect(
        status="Failed",
        error_id="MaxFailedNodesExceeded",
        nodes=MappingProxyType({"node1": "Failed", "node3": "Canceled"}),
    )
    got = report("Failed", "MaxFailedNodesExceeded", node1="Failed", node3="Canceled")
    assert check_expectation(expect, got) == []


def test_default_expectation_is_succeeded_with_every_invariant() -> None:
    """The default Expect wants Succeeded and holds on a clean successful report."""
    assert check_expectation(Expect(), report(node1="Succeeded")) == []
    assert check_expectation(Expect(), report("PartiallyFailed")) == [
        "run status: expected Succeeded, got PartiallyFailed"
    ]


def test_status_mismatch_names_the_reason() -> None:
    """A wrong run status shows the report's error id and error text."""
    got = report("Failed", "MaxFailedNodesExceeded")
    assert check_expectation(Expect(), got) == [
        "run status: expected Succeeded, got Failed "
        "(MaxFailedNodesExceeded: 2 nodes failed; MaxFailedNodes is 1)"
    ]


def test_error_id_mismatch() -> None:
    """A different (or missing) error id is a mismatch."""
    expect = Expect(status="Failed", error_id="MaxFailedNodesExceeded")
    assert check_expectation(expect, report("Failed", "QuorumAtRisk")) == [
        "run error_id: expected MaxFailedNodesExceeded, got QuorumAtRisk"
    ]
    assert check_expectation(expect, report("Failed")) == [
        "run error_id: expected MaxFailedNodesExceeded, got no error id"
    ]


def test_node_mismatch_and_missing_node() -> None:
    """Each node that differs or is absent is one line, with the node's error."""
    got = report(node1="Succeeded", node2="Succeeded")
    got["nodes"][1]["error"] = None
    expect = Expect(nodes=MappingProxyType({"node2": "Failed", "node9": "Succeeded"}))
    assert check_expectation(expect, got) == [
        "node node2: expected Failed, got Succeeded",
        "node node9: expected Succeeded, but the report has no such node",
    ]
    got["nodes"][0]["status"] = "Failed"
    got["nodes"][0]["error"] = "install failed with 0x80240022"
    expect = Expect(nodes=MappingProxyType({"node1": "Succeeded"}))
    assert check_expectation(expect, got) == [
        "node node1: expected Succeeded, got Failed (install failed with 0x80240022)"
    ]


def test_violated_invariant_shows_first_violation_and_count() -> None:
    """A violated invariant names its first violation's time and detail."""
    got = report()
    got["simulation"]["invariants"]["max-nodes-out"] = {
        "holds": False,
        "violations": [
            {"time": 1830.5, "detail": "node1 and node2 out at once"},
            {"time": 1900.0, "detail": "node1 and node3 out at once"},
        ],
    }
    assert check_expectation(Expect(), got) == [
        "invariant max-nodes-out: violated at 1830.5 s: node1 and node2 out at once (and 1 more)"
    ]


def test_invariants_not_checked_when_not_expected() -> None:
    """invariants_hold False ignores verdicts; a report without verdicts fails otherwise."""
    got = report()
    got["simulation"]["invariants"]["quorum"]["holds"] = False
    assert check_expectation(Expect(invariants_hold=False), got) == []
    bare = copy.deepcopy(report())
    del bare["simulation"]
    assert check_expectation(Expect(), bare) == [
        "invariants: expected every invariant to hold, but the report has no verdicts"
    ]


def test_none_fields_are_not_checked() -> None:
    """status None and error_id None check nothing."""
    expect = Expect(status=None, error_id=None)
    assert check_expectation(expect, report("Canceled", "StopAfterExceeded")) == []


def test_describe_expectation() -> None:
    """One line summarising what is expected."""
    expect = Expect(status="PartiallyFailed", nodes=MappingProxyType({"node2": "Failed"}))
    assert (
        describe_expectation(expect)
        == "status PartiallyFailed, node2 Failed, every invariant holds"
    )
    assert describe_expectation(Expect(status=None, invariants_hold=False)) == "nothing"
