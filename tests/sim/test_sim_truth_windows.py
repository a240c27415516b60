"""simulator.truth_windows: report-truth's rules for several nodes in flight."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.truth_windows import budget_exceeded_at, first_touch, rescan


@dataclass(frozen=True)
class T:
    time: float
    node: str | None
    kind: str
    detail: str = ""


ACTS = [(3.0, "scan", False), (80.0, "install", False), (600.0, "scan", False)]


def test_a_scan_after_a_good_install_is_its_rescan() -> None:
    """Install then scan with nothing between, no restart owed: the same attempt."""
    assert rescan(ACTS, [], "node1", 2, owing=set())
    assert not rescan(ACTS, [], "node1", 0, owing=set())


def test_a_failed_install_or_an_owed_restart_makes_the_scan_a_new_attempt() -> None:
    """A failed install between them, or a restart owed at the scan: a retry's scan."""
    failed = [T(500.0, "node1", "install-failed")]
    assert not rescan(ACTS, failed, "node1", 2, owing=set())
    assert not rescan(ACTS, [], "node1", 2, owing={("node1", 600.0)})
    assert rescan(ACTS, [T(500.0, "node2", "install-failed")], "node1", 2, owing=set())


def test_a_scan_after_an_install_command_that_never_arrived_is_the_same_attempt() -> None:
    """The install's answer was lost (refused as unreachable): the runner re-scans."""
    acts = [(3.0, "scan", False), (600.0, "scan", False)]
    lost = [T(80.0, "node1", "unreachable", "Install-WindowsUpdate")]
    assert rescan(acts, lost, "node1", 1, owing=set())


def test_first_touch_skips_the_preflight() -> None:
    """The first act at or after the run's first act; the final time when none."""
    assert first_touch(ACTS, 50.0, 900.0) == 80.0
    assert first_touch([], 50.0, 900.0) == 900.0


def test_the_budget_is_exceeded_when_one_node_more_than_allowed_failed() -> None:
    """MaxFailedNodes 1: the second Failed or PartiallyFailed node's final time."""
    report = {
        "profile": {"max_failed_nodes": 1},
        "nodes": [
            {"name": "a", "status": "Failed"},
            {"name": "b", "status": "Succeeded"},
            {"name": "c", "status": "PartiallyFailed"},
        ],
    }
    finals = {"a": 100.0, "b": 50.0, "c": 300.0}
    assert budget_exceeded_at(report, finals, 900.0) == 300.0
    report["profile"] = {"max_failed_nodes": 2}
    assert budget_exceeded_at(report, finals, 900.0) is None
