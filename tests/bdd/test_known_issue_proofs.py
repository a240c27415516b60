"""The known-issue handling proofs check behaviour: a report showing another behaviour fails."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from bdd_checks import INVARIANTS
from bdd_known_issue_proofs import prove

from runner.known_issues import known_issue


def report(status: str, error_id: str | None = None, error: str | None = None) -> dict[str, Any]:
    """A two-node report of a run that touched no node (every node Canceled)."""
    return {
        "status": status,
        "error_id": error_id,
        "error": error,
        "nodes": [
            {
                "name": n,
                "status": "Canceled",
                "attempts": 0,
                "restarts": 0,
                "updates": [],
                "timing": {},
            }
            for n in ("node1", "node2")
        ],
        "events": [],
        "simulation": {
            "invariants": {name: {"holds": True, "violations": []} for name in INVARIANTS},
            "counters": {"faults_fired": {}, "repair_jobs": 0},
        },
    }


def test_a_refusal_with_the_entry_s_id_and_guidance_proves_refused_with_guidance() -> None:
    """The refusal proof passes on a real refusal: Failed, the error id, the guidance."""
    issue = known_issue("vmm-2019-managed")
    prove(report("Failed", issue.error_id, f"managed by VMM 2019; {issue.guidance}"), issue)


@pytest.mark.parametrize(
    "change",
    [
        {"status": "Succeeded", "error_id": None},
        {"error_id": "MixedFeatureUpdateOffers"},
        {"error": "managed by VMM 2019"},  # no guidance
    ],
)
def test_a_run_that_was_not_refused_with_guidance_fails_the_proof(change: dict[str, Any]) -> None:
    """A run that went ahead, another error id, or a refusal without guidance is no proof."""
    issue = known_issue("vmm-2019-managed")
    forged = report("Failed", issue.error_id, f"managed by VMM 2019; {issue.guidance}")
    forged.update(change)
    with pytest.raises(AssertionError):
        prove(forged, issue)


def test_a_refusal_that_touched_a_node_fails_the_proof() -> None:
    """A refusal after a node was drained is not a refusal before any node was touched."""
    issue = known_issue("mixed-patch-levels")
    forged = report("Failed", issue.error_id, issue.guidance)
    forged["events"].append({"time": 5.0, "kind": "node-maintenance-entered",
                             "node": "node1", "detail": "", "event_id": 1008})  # fmt: skip
    with pytest.raises(AssertionError):
        prove(forged, issue)


def test_a_mitigation_needs_success_invariants_and_its_effects() -> None:
    """A mitigated issue's proof fails on a refused run, on a broken invariant, and on a
    successful run without the mitigation's effects (the outage never happened)."""
    issue = known_issue("lost-management-connectivity")
    with pytest.raises(AssertionError):
        prove(report("Failed", "ClusterUnreachable", "the cluster does not answer"), issue)
    succeeded = report("Succeeded")
    broken = copy.deepcopy(succeeded)
    broken["simulation"]["invariants"]["report-truth"]["holds"] = False
    for forged in (succeeded, broken):
        with pytest.raises(AssertionError):
            prove(forged, issue)


def test_a_detection_must_be_in_the_report() -> None:
    """Detected and reported: a report without the restart event stating the build fails."""
    issue = known_issue("os-version-naming-mismatch")
    with pytest.raises(AssertionError):
        prove(report("Succeeded"), issue)
