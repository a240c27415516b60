"""What proves a known issue's ``Handling`` (``runner.known_issues``) from a run's report.

Owns: ``prove(report, issue)`` — the behaviour each handling names, checked on the report of
a run with the issue active — and ``EFFECTS``, per issue that pycau mitigates or detects,
the events and effects that show it did (a new entry of the catalogue needs one here):
- mitigated automatically: the run Succeeded, every invariant holds, and ``EFFECTS[id]``;
- refused with guidance: the run Failed with the entry's ``error_id`` before any node was
  touched, and its error carries the entry's ``guidance``;
- detected and reported: ``EFFECTS[id]`` finds the detection in the report.

Must not: read the catalogue's handling as evidence (``bdd_steps_known_issues`` compares it
with the scenario's claim; this module checks the behaviour), or reach into the world.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from bdd_checks import (
    MINUTE,
    Report,
    assert_every_invariant_judged,
    events,
    span,
    suspended_nodes,
    update_order,
)

from runner.known_issues import Handling, KnownIssue

__all__ = ["EFFECTS", "assert_untouched", "prove", "prove_refused"]


def _phase_starts(report: Report, name: str, which: str) -> int:
    return sum(
        1 for e in events(report, node_name=name, kind="phase-start") if e.get("phase") == which
    )


def _lost_management(report: Report) -> None:
    """The management network really went down; still no node failed, and no node was
    installed or restarted twice (one install pass, one restart each)."""
    assert report["simulation"]["counters"]["faults_fired"].get("management-disconnect")
    for entry in report["nodes"]:
        name = entry["name"]
        assert entry["error"] is None, entry
        assert _phase_starts(report, name, "install") == 1, name
        assert len(events(report, event_id=1010, node_name=name)) == entry["restarts"] == 1


def _needs_sync(report: Report) -> None:
    """Each restart left a sync the node waited for (at least a minute of resync), and the
    next node was drained only after the previous node's resync ended."""
    order = update_order(report)
    assert report["simulation"]["counters"]["repair_jobs"] >= len(order) > 1
    for earlier, later in itertools.pairwise(order):
        resync = span(report, earlier, "resync")
        assert resync[1] - resync[0] >= MINUTE, (earlier, resync)
        assert resync[1] <= span(report, later, "drain")[0] + 1e-6, (earlier, later)


def _never_completes(report: Report) -> None:
    """A warning names the issue and the passing validation report; no node phase before it."""
    (warning,) = [
        e
        for e in events(report, kind="warning")
        if "known issue readiness-check-never-completes" in e["detail"]
    ]
    assert "says it passed" in warning["detail"], warning
    assert events(report, kind="validation"), "Test-Cluster never started"
    phases = events(report, kind="phase-start")
    assert phases
    assert all(e["time"] >= warning["time"] for e in phases)


def _second_restart(report: Report) -> None:
    """Every node was restarted twice, both confirmed before it was resumed."""
    for entry in report["nodes"]:
        name = entry["name"]
        restarted = [e["time"] for e in events(report, event_id=1011, node_name=name)]
        resumed = [e["time"] for e in events(report, event_id=1009, node_name=name)]
        assert len(restarted) == entry["restarts"] == 2, (name, restarted)
        assert resumed, name
        assert max(restarted) <= resumed[-1], (name, restarted, resumed)


def _credssp_retried(report: Report) -> None:
    """The disable was refused at first, retried, and CredSSP is off at the end."""
    (disabled,) = events(report, kind="credssp-disabled")
    attempt = re.search(r"\(attempt (\d+)\)$", disabled["detail"])
    assert attempt is not None, disabled
    assert int(attempt.group(1)) >= 2, disabled
    assert report["simulation"]["credssp"]["enabled_at_end"] is False


def _version_mismatch(report: Report) -> None:
    """For the admin: each node's feature update title names one version, and its confirmed
    restart (1011) the build and version the node really runs — the mismatch is in the report."""
    for entry in report["nodes"]:
        titles = [u["title"] for u in entry["updates"]]
        offered = {m.group(1) for t in titles if (m := re.search(r"version (\w+)", t))}
        restarts = events(report, event_id=1011, node_name=entry["name"])
        assert offered, entry["name"]
        assert restarts, entry["name"]
        runs = re.search(r"runs OS build [\d.]+ \(version (\w+)\)", restarts[-1]["detail"])
        assert runs is not None, restarts[-1]
        assert runs.group(1) not in offered, (offered, runs.group(1))


def _sessions_expired(report: Report) -> None:
    """The twin's endpoint expired every session during the run and refused requests of the
    expired ones (with NTLM); the run went on to its end all the same."""
    seen = report["simulation"]["session_expiry"]
    assert seen["expiries"] >= 1, seen
    assert seen["shells_ended"] >= seen["expiries"], seen
    assert seen["refused"] >= 1, seen


def _credssp_read(report: Report) -> None:
    """The role was read on every node and found on; the run changed it nowhere and it is
    still on at the end, as found (the run used it, never assumed it off)."""
    (found,) = events(report, kind="credssp-already-enabled")
    assert "read, not assumed" in found["detail"], found
    section = report["simulation"]["credssp"]
    assert section == {"enabled_at_end": True, "calls": 0, "enabled_before_run": True}, section


EFFECTS: dict[str, Callable[[Report], None]] = {
    "lost-management-connectivity": _lost_management,
    "storage-needs-sync": _needs_sync,
    "readiness-check-never-completes": _never_completes,
    "storage-replica-second-restart": _second_restart,
    "credssp-left-enabled": _credssp_retried,
    "os-version-naming-mismatch": _version_mismatch,
    "session-expiry": _sessions_expired,
    "credssp-already-enabled": _credssp_read,
}


def assert_untouched(report: Report) -> None:
    """Refused before any node: none drained or restarted, every node Canceled, 0 attempts."""
    assert suspended_nodes(report) == []
    assert not events(report, event_id=1010)
    assert not events(report, kind="phase-start")
    assert [(n["status"], n["attempts"]) for n in report["nodes"]] == [("Canceled", 0)] * len(
        report["nodes"]
    )


def prove_refused(report: Report, issue: KnownIssue) -> None:
    """Refused up front with the entry's error id, and its error gives the entry's guidance."""
    assert issue.error_id, f"{issue.id} names no refusal"
    assert issue.guidance, f"{issue.id} names no guidance"
    assert (report["status"], report["error_id"]) == ("Failed", issue.error_id), (
        report["status"],
        report["error_id"],
    )
    assert issue.guidance in (report["error"] or ""), (issue.guidance, report["error"])
    assert_untouched(report)


def prove(report: Report, issue: KnownIssue) -> None:
    """The behaviour ``issue.handling`` names, on the report of a run with the issue active."""
    if issue.handling is Handling.REFUSED_WITH_GUIDANCE:
        prove_refused(report, issue)
        return
    effects = EFFECTS.get(issue.id)
    assert effects is not None, f"no proof of how pycau handles {issue.id}: add it to EFFECTS"
    if issue.handling is Handling.MITIGATED_AUTOMATICALLY:
        assert report["status"] == "Succeeded", (report["status"], report["error"])
        verdicts = report["simulation"]["invariants"]
        assert_every_invariant_judged(report)
        assert all(v["holds"] for v in verdicts.values()), verdicts
    effects(report)
