"""CredSSP for the run (profile enable_credssp): enabled before any node, always disabled."""

from __future__ import annotations

import pytest
from fake_cluster import FakeClock, FakeCluster, run_on

from runner.credssp import DISABLE_ATTEMPTS, DISABLE_RETRY_SECONDS
from runner.profile import Profile
from runner.report import RunEvent
from runner.types import FailbackMode

PROFILE = Profile(enable_credssp=True)


def _kinds(events: list[RunEvent]) -> list[str]:
    return [e.kind for e in events if "credssp" in e.kind]


def test_without_the_option_credssp_is_never_touched() -> None:
    """The default profile never calls set_credssp."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, _ = run_on(cluster, clock)
    assert report.status == "Succeeded"
    assert not cluster.log("set_credssp")


def test_enabled_before_the_first_node_and_disabled_after_the_last() -> None:
    """On before any suspend or install, off after the last resume; the cluster ends off."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, events = run_on(cluster, clock, PROFILE)
    assert report.status == "Succeeded"
    (on_at, _), (off_at, _) = cluster.log("set_credssp")
    assert [n for _, n in cluster.log("set_credssp")] == ["on", "off"]
    touched = [t for t, c, _ in cluster.calls if c in ("suspend_node", "start_install")]
    assert on_at <= min(touched)
    assert off_at >= max(t for t, _ in cluster.log("resume_node"))
    assert _kinds(events) == ["credssp-enabled", "credssp-disabled"]
    assert cluster.credssp is False


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
    assert [n for _, n in cluster.log("set_credssp")] == ["on", "off"]
    assert cluster.credssp is False
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
    assert [n for _, n in cluster.log("set_credssp")] == ["on", "off"]
    assert cluster.credssp is False


def test_a_refused_disable_is_retried() -> None:
    """One refusal: the second try disables it, after the retry pause; no warning."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_refusals=1)
    report, events = run_on(cluster, clock, PROFILE)
    offs = [t for t, n in cluster.log("set_credssp") if n == "off"]
    assert len(offs) == 2
    assert offs[1] - offs[0] >= DISABLE_RETRY_SECONDS
    assert cluster.credssp is False
    assert not [e for e in events if e.kind == "warning"]
    assert report.status == "Succeeded"


def test_still_enabled_after_every_try_warns_naming_the_known_issue() -> None:
    """Refused on every try: bounded tries, then a warning naming credssp-left-enabled."""
    clock = FakeClock()
    cluster = FakeCluster(clock, credssp_refusals=DISABLE_ATTEMPTS + 5)
    report, events = run_on(cluster, clock, PROFILE)
    assert len([n for _, n in cluster.log("set_credssp") if n == "off"]) == DISABLE_ATTEMPTS
    assert cluster.credssp is True
    warnings = [e.detail for e in events if e.kind == "warning"]
    assert any("credssp-left-enabled" in w for w in warnings)
    assert "credssp-disabled" not in _kinds(events)
    assert report.status == "Succeeded"
