"""The run lease: one coordinator per cluster, refused with its holder named, taken over only
from a holder that is gone, renewed while the run waits, and a lost lease stops the run."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from fake_cluster import STARTED, FakeClock, FakeCluster

from runner.errors import RunLocked
from runner.lease import LOCK_STALE_SECONDS, RENEW_SECONDS, RunLease
from runner.profile import Profile
from runner.report import RunEvent
from runner.types import LockHolder
from runner.updating_run import run_updating_run

FIRST = LockHolder(run_id="run-1", coordinator="mgmt1", pid=101, started_at="2026-01-13T02:00:00Z")
SECOND = LockHolder(run_id="run-2", coordinator="mgmt2", pid=202, started_at="2026-01-13T02:05:00Z")


def _acquire(
    cluster: FakeCluster, clock: FakeClock, holder: LockHolder, **kwargs: object
) -> RunLease:
    return RunLease.acquire(cluster, clock, holder, cluster="hci01", **kwargs)  # type: ignore[arg-type]


def test_a_free_lock_is_taken_and_fences_later_commands() -> None:
    """The first coordinator gets the lock; the cluster knows its holder."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    lease = _acquire(cluster, clock, FIRST)
    assert lease.taken_over is None
    assert cluster.read_run_lock() == FIRST
    assert cluster.fence == FIRST


def test_a_second_coordinator_is_refused_naming_the_holder_and_changes_nothing() -> None:
    """RunLocked (CAU event 1015) names run id, host, process and start; the lock stays."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _acquire(cluster, clock, FIRST)
    clock.sleep(30)
    with pytest.raises(RunLocked) as refused:
        _acquire(cluster, clock, SECOND)
    text = str(refused.value)
    for part in ("1015", "run-1", "mgmt1", "process 101", "2026-01-13T02:00:00Z", "30 s old"):
        assert part in text
    assert "alive" in text
    assert refused.value.owner == "run-1"
    assert cluster.read_run_lock() == replace(FIRST, heartbeat_age_seconds=30.0)
    assert not cluster.log("take_over_run_lock")


def test_force_recovery_never_takes_a_live_holder_over() -> None:
    """A fresh heartbeat refuses even --force-recovery, and says when it could."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _acquire(cluster, clock, FIRST)
    with pytest.raises(RunLocked, match="may not take it over before 900 s of silence"):
        _acquire(cluster, clock, SECOND, force_recovery=True)
    assert not cluster.log("take_over_run_lock")


def test_a_stale_lock_says_so_and_needs_force_recovery() -> None:
    """A heartbeat silent for LOCK_STALE_SECONDS: refused without force (the message says
    stale), taken over with it; the lease remembers whose lock it took."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _acquire(cluster, clock, FIRST)
    clock.sleep(LOCK_STALE_SECONDS + 1)
    with pytest.raises(RunLocked, match="stale"):
        _acquire(cluster, clock, SECOND)
    lease = _acquire(cluster, clock, SECOND, force_recovery=True)
    assert lease.taken_over is not None
    assert lease.taken_over.run_id == "run-1"
    held = cluster.read_run_lock()
    assert held is not None
    assert held.same_coordinator(SECOND)


def test_a_holder_known_gone_is_taken_over_at_once_with_force_only() -> None:
    """holder_gone (a dead process on this host) lets --force-recovery take over at once."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _acquire(cluster, clock, FIRST)
    with pytest.raises(RunLocked):
        _acquire(cluster, clock, SECOND, holder_gone=lambda h: True)
    lease = _acquire(
        cluster, clock, SECOND, force_recovery=True, holder_gone=FIRST.same_coordinator
    )
    assert lease.taken_over is not None


def test_the_take_over_is_a_compare_and_swap() -> None:
    """Two forced coordinators taking over the same dead holder: one wins, one is refused."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _acquire(cluster, clock, FIRST)
    third = LockHolder(run_id="run-3", coordinator="mgmt3", pid=303, started_at="x")
    previous = cluster.read_run_lock()
    assert previous is not None
    assert cluster.take_over_run_lock(SECOND, previous) is None
    loser = cluster.take_over_run_lock(third, previous)
    assert loser is not None
    assert loser.same_coordinator(SECOND)


def _run(cluster: FakeCluster, clock: FakeClock, lease: RunLease) -> tuple[object, list[RunEvent]]:
    events: list[RunEvent] = []
    profile = Profile().resolved(tuple(cluster.nodes))
    report = run_updating_run(
        cluster, clock, profile, run_id="run-1", started_at=STARTED, listener=events.append,
        lease=lease,
    )  # fmt: skip
    return report, events


def test_the_engine_renews_while_it_waits_and_frees_the_lock_at_the_end() -> None:
    """Renewals about every RENEW_SECONDS of the run, then the lock is free again."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    lease = _acquire(cluster, clock, FIRST)
    report, _ = _run(cluster, clock, lease)
    assert report.status == "Succeeded"  # type: ignore[attr-defined]
    renewals = [t for t, _ in cluster.log("renew_run_lock")]
    assert len(renewals) >= clock.t // RENEW_SECONDS - 2
    gaps = [b - a for a, b in itertools.pairwise(renewals)]
    assert all(gap >= RENEW_SECONDS for gap in gaps)
    assert max(gaps) < RENEW_SECONDS + 121  # the longest single wait is a 120 s backoff
    assert cluster.read_run_lock() is None
    assert cluster.log("release_run_lock") == [(clock.t, "run-1")]


class _TakenOver(FakeCluster):
    """Another coordinator takes the lock over by force the moment node2 is suspended."""

    def suspend_node(self, node: str) -> None:
        super().suspend_node(node)
        if node == "node2":
            current = self.run_lock.read()
            assert current is not None
            self.run_lock.take_over(SECOND, current)


def test_a_lost_lease_stops_the_run_at_once_and_touches_nothing_more() -> None:
    """After the take-over the first coordinator's next command is refused by the cluster:
    the run ends Failed (RunLockLost, event 1015), acts no more and does not free the lock."""
    clock = FakeClock()
    cluster = _TakenOver(clock)
    lease = _acquire(cluster, clock, FIRST)
    report, events = _run(cluster, clock, lease)
    assert (report.status, report.error_id) == ("Failed", "RunLockLost")  # type: ignore[attr-defined]
    taken = max(t for t, n in cluster.log("suspend_node") if n == "node2")
    acts = ("suspend_node", "resume_node", "restart_node", "start_install", "set_credssp")
    after = [(t, c, n) for t, c, n in cluster.calls if c in acts and t > taken]
    assert len(after) <= 1  # the one command the cluster refused
    assert not cluster.log("release_run_lock")
    held = cluster.read_run_lock()
    assert held is not None
    assert held.same_coordinator(SECOND)
    assert any(e.event_id == 1015 for e in events)
