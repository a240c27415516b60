"""CredSSP for the run (profile enable_credssp): read on every node, enabled where it is off
before any node is touched, disabled again on exactly those nodes whatever the outcome; a
refused enable refuses the run and leaves nothing half enabled."""

from __future__ import annotations

import pytest
from fake_cluster import FakeClock, FakeCluster, run_on

from runner.credssp import DISABLE_ATTEMPTS, DISABLE_RETRY_SECONDS, ENABLE_FAILED
from runner.profile import Profile
from runner.report import RunEvent
from runner.types import FailbackMode

PROFILE = Profile(enable_credssp=True)
NODES = ("node1", "node2", "node3")


def _kinds(events: list[RunEvent]) -> list[str]:
    return [e.kind for e in events if "credssp" in e.kind]


def _sets(cluster: FakeCluster, what: str | None = None) -> list[str]:
    """The set_credssp calls as "node on|off", optionally only the ons or the offs."""
    calls = [n for _, n in cluster.log("set_credssp")]
    return [c for c in calls if what is None or c.endswith(f" {what}")]


def test_without_the_option_credssp_is_never_touched() -> None:
    """The default profile never reads nor sets CredSSP."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, _ = run_on(cluster, clock)
    assert report.status == "Succeeded"
    assert not cluster.log("set_credssp")
    assert not cluster.log("credssp_enabled")


def test_enabled_before_the_first_node_and_disabled_after_the_last() -> None:
    """Read on every node, then on before any suspend or install, off after the last resume;
    every node ends off."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, events = run_on(cluster, clock, PROFILE)
    assert report.status == "Succeeded"
    assert [n for _, n in cluster.log("credssp_enabled")] == list(NODES)
    assert _sets(cluster) == [f"{n} on" for n in NODES] + [f"{n} off" for n in NODES]
    ons = [t for t, n in cluster.log("set_credssp") if n.endswith(" on")]
    offs = [t for t, n in cluster.log("set_credssp") if n.endswith(" off")]
    touched = [t for t, c, _ in cluster.calls if c in ("suspend_node", "start_install")]
    assert max(ons) <= min(touched)
    assert min(offs) >= max(t for t, _ in cluster.log("resume_node"))
    assert _kinds(events) == ["credssp-enabled", "credssp-disabled"]
    assert not any(cluster.credssp.values())


@pytest.mark.parametrize(
    ("profile", "status", "error_id"),
    [
        (Profile(enable_credssp=True, max_failed_nodes=0), "Failed", "MaxFailedNodesExceeded"),
        (Profile(enable_credssp=True, stop_after_minutes=5), "Canceled", "StopAfterExceeded"),
    ],
)
def test_disabled_whatever_the_outcome(profile: Profile, status: str, error_id: str) -> None:
    """A failed or stopped run disables CredSSP too, before its final event."""
    clock = FakeClock()
    cluster = FakeCluster(clock, install_failures={("node1", "KB1"): 64})
    report, events = run_on(cluster, clock, profile)
    assert (report.status, report.error_id) == (status, error_id)
    assert _sets(cluster, "off") == [f"{n} off" for n in NODES]
    assert not any(cluster.credssp.values())
    assert _kinds(events) == ["credssp-enabled", "credssp-disabled"]
    assert events[-1].event_id in (1005, 1006, 1007)


class _Crashing(FakeCluster):
    def resume_node(self, node: str, failback: FailbackMode) -> None:
        raise RuntimeError("a bug in the middle of the run")


def test_disabled_when_the_run_raises() -> None:
    """An unexpected exception in the loop still disables CredSSP on its way out."""
    clock = FakeClock()
    cluster = _Crashing(clock)
    with pytest.raises(RuntimeError):
        run_on(cluster, clock, PROFILE)
    assert _sets(cluster, "off") == [f"{n} off" for n in NODES]
    assert not any(cluster.credssp.values())


def test_a_refused_disable_is_retried() -> None:
    """One refusal: the second try disables that node, after the retry pause; no warning."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_refusals=1)
    report, events = run_on(cluster, clock, PROFILE)
    offs = [t for t, n in cluster.log("set_credssp") if n == "node1 off"]
    assert len(offs) == 2
    assert offs[1] - offs[0] >= DISABLE_RETRY_SECONDS
    assert not any(cluster.credssp.values())
    assert not [e for e in events if e.kind == "warning"]
    assert report.status == "Succeeded"


def test_still_enabled_after_every_try_warns_naming_the_known_issue() -> None:
    """Refused on every try: bounded tries, then a warning naming credssp-left-enabled."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_refusals=3 * DISABLE_ATTEMPTS + 5)
    report, events = run_on(cluster, clock, PROFILE)
    assert len(_sets(cluster, "off")) == 3 * DISABLE_ATTEMPTS
    assert all(cluster.credssp.values())
    warnings = [e.detail for e in events if e.kind == "warning"]
    assert any("credssp-left-enabled" in w and "node1" in w for w in warnings)
    assert "credssp-disabled" not in _kinds(events)
    assert report.status == "Succeeded"


def test_already_enabled_is_read_not_assumed_and_left_as_found() -> None:
    """Known issue credssp-already-enabled: nodes found on are neither enabled again nor
    disabled at the end (a warning says so); only what pycau enabled is disabled."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_on=("node1", "node2"))
    report, events = run_on(cluster, clock, PROFILE)
    assert report.status == "Succeeded"
    assert _sets(cluster) == ["node3 on", "node3 off"]
    assert cluster.credssp == {"node1": True, "node2": True, "node3": False}
    found = [e.detail for e in events if e.kind == "credssp-already-enabled"]
    assert found == [
        "CredSSP server role already enabled on node1, node2 (read, not assumed); left as "
        "found at the end"
    ]
    assert any(e.kind == "warning" and "left enabled on node1, node2" in e.detail for e in events)


def test_a_refused_enable_refuses_the_run_and_leaves_nothing_half_enabled() -> None:
    """Known issue credssp-delegation-refused: enabling on node2 is denied — node1, enabled
    already, is disabled again, no node is touched, and the error names the permission."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_denied=("node2",))
    report, _ = run_on(cluster, clock, PROFILE)
    assert (report.status, report.error_id) == ("Failed", ENABLE_FAILED)
    assert report.error is not None
    assert "node2" in report.error
    assert "local Administrators group on node2" in report.error
    assert "disabled again on node1" in report.error
    assert _sets(cluster) == ["node1 on", "node2 on", "node1 off"]
    assert not any(cluster.credssp.values())
    assert not cluster.log("suspend_node")
    assert not cluster.log("start_install")
    assert {n.status for n in report.nodes} == {"Canceled"}
