"""The self-updating agent's policy with an injected clock: when a firing is due, exactly one
agent runs it, the others watch its lease and take the run over when its holder is gone,
waits go in slices and never busy-loop, and every agent is visible in the cluster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fake_cluster import FakeClock

from runner.agent import (
    BACKOFF_MAX_SECONDS,
    BACKOFF_SECONDS,
    GRACE_SECONDS,
    WATCH_SECONDS,
    Agent,
    AgentIdentity,
    Firing,
    firing_run_id,
)
from runner.agent_types import PRESENCE_SECONDS, AgentPresence
from runner.errors import AuthenticationFailed, ClusterUnreachable
from runner.lease import LOCK_STALE_SECONDS, RunLease
from runner.schedule import parse_schedule
from runner.types import LockHolder
from simulator.agent_registry import AgentRegistry
from simulator.lock_group import RunLockGroup

# 2026-01-13 is a Tuesday: the schedule fires every Tuesday at 03:00 UTC.
T0 = datetime(2026, 1, 13, 3, 0, tzinfo=UTC)
SCHEDULE = parse_schedule({"start_date": "2026-01-01T03:00:00+00:00", "days_of_week": "Tuesday"})


class Cluster:
    """The run lock and the registry of agents, on the clock's time (the cluster's)."""

    def __init__(self, clock: FakeClock) -> None:
        self.lock = RunLockGroup(clock.now)
        self.agents = AgentRegistry(clock.now)

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        return self.lock.create(holder)

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        return self.lock.take_over(holder, previous)

    def renew_run_lock(self, holder: LockHolder) -> None:
        self.lock.renew(holder)

    def release_run_lock(self, holder: LockHolder) -> None:
        self.lock.release(holder)

    def read_run_lock(self) -> LockHolder | None:
        return self.lock.read()

    def publish_agent_presence(self, presence: AgentPresence) -> None:
        self.agents.publish(presence)

    def withdraw_agent_presence(self, host: str, pid: int) -> None:
        self.agents.withdraw(host, pid)

    def read_agent_presences(self) -> tuple[AgentPresence, ...]:
        return self.agents.read()


@dataclass
class Ports:
    """Records what the agent asked of its caller."""

    ran: list[str] = field(default_factory=list)
    taken: list[LockHolder] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    published: set[str] = field(default_factory=set)  # run ids the cluster's record names
    take_over_result: Callable[[LockHolder], int | None] = lambda holder: 0

    def start_run(self, lease: RunLease, firing: Firing) -> int:
        assert lease.holder.run_id == firing.run_id
        self.ran.append(firing.run_id)
        self.published.add(firing.run_id)
        lease.release()
        return 0

    def take_over(self, holder: LockHolder, firing: Firing) -> int | None:
        self.taken.append(holder)
        return self.take_over_result(holder)

    def already_ran(self, run_id: str) -> bool:
        return run_id in self.published

    def say(self, line: str) -> None:
        self.said.append(line)


def agent(
    clock: FakeClock, cluster: Cluster, ports: Ports, *, start: datetime = T0, pid: int = 1
) -> Agent:
    return Agent(
        transport=cluster,  # type: ignore[arg-type]
        clock=clock,
        calendar=lambda: start + timedelta(seconds=clock.now()),
        schedule=SCHEDULE,
        cluster="hci01",
        identity=AgentIdentity(host="mgmt", pid=pid, started_at="2026-01-13T02:00:00+00:00"),
        ports=ports,
    )


def test_a_due_firing_is_run_under_the_lock_with_the_firings_run_id() -> None:
    """--once at the firing: the agent takes the lock in the firing's run id and runs it."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    assert agent(clock, cluster, ports, start=T0 + timedelta(minutes=5)).once() == 0
    assert ports.ran == [firing_run_id("hci01", T0)]
    assert cluster.read_run_lock() is None  # released at the end of the run
    (presence,) = cluster.read_agent_presences()
    assert (presence.state, presence.next_firing) == ("running", T0.isoformat())


def test_every_agent_gives_a_firing_the_same_run_id_and_each_firing_its_own() -> None:
    """The run id is the cluster's and the firing's: agents recognise each other's run."""
    assert firing_run_id("HCI01", T0) == firing_run_id("hci01", T0)
    assert firing_run_id("hci01", T0) != firing_run_id("hci01", T0 + timedelta(days=7))


def test_no_firing_due_exits_0_naming_the_next_and_touches_no_lock() -> None:
    """Between firings --once says when the next one is and changes nothing but presence."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    assert agent(clock, cluster, ports, start=T0 - timedelta(hours=1)).once() == 0
    assert ports.ran == []
    assert cluster.lock.history == []
    assert ports.said[-1] == f"no firing due now; next firing {T0.isoformat()}"


def test_a_firing_older_than_the_grace_window_is_missed_not_run() -> None:
    """Two hours late (grace: one hour) the firing is reported missed; nothing runs."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    late = T0 + timedelta(seconds=GRACE_SECONDS + 3600)
    assert agent(clock, cluster, ports, start=late).once() == 0
    assert ports.ran == []
    assert any("was missed" in line for line in ports.said)


def test_a_firing_already_run_is_not_run_again() -> None:
    """A second agent arriving after the run ended finds its run id published: no rerun."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    ports.published.add(firing_run_id("hci01", T0))
    assert agent(clock, cluster, ports).once() == 0
    assert ports.ran == []
    assert cluster.lock.history == []


def test_a_run_published_between_the_check_and_the_lock_is_not_run_again() -> None:
    """The check is repeated under the lock: a run that ended meanwhile is not rerun."""
    clock = FakeClock()
    cluster = Cluster(clock)
    answers = iter([False, True])

    class Racing(Ports):
        def already_ran(self, run_id: str) -> bool:
            return next(answers)

    ports = Racing()
    assert agent(clock, cluster, ports).once() == 0
    assert ports.ran == []
    assert [what for _, what, _ in cluster.lock.history] == ["created", "released"]


def _held_by_another_agent(cluster: Cluster) -> LockHolder:
    holder = LockHolder(
        run_id=firing_run_id("hci01", T0), coordinator="mgmt2", pid=2, started_at="x"
    )
    assert cluster.create_run_lock(holder) is None
    return holder


def test_a_watcher_takes_over_only_after_the_holders_heartbeat_expires() -> None:
    """The holder renews for a while, then dies: the watcher waits LOCK_STALE_SECONDS of
    silence, then takes the run over (never while the heartbeat is fresh)."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    holder = _held_by_another_agent(cluster)
    renewals = iter(range(10))
    inner = clock.sleep

    def sleep(seconds: float) -> None:  # the holder renews during the first 10 watches
        inner(seconds)
        if next(renewals, None) is not None:
            cluster.renew_run_lock(holder)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert agent(clock, cluster, ports).once() == 0
    assert len(ports.taken) == 1
    assert ports.taken[0].same_coordinator(holder)
    assert ports.taken[0].heartbeat_age_seconds >= LOCK_STALE_SECONDS
    assert clock.now() >= 10 * WATCH_SECONDS + LOCK_STALE_SECONDS
    assert ports.ran == []
    assert any("watching its lease" in line for line in ports.said)


def test_a_watcher_whose_holder_finishes_does_not_run_the_firing_again() -> None:
    """The holder releases the lock after publishing the firing's run: the watcher ends."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    holder = _held_by_another_agent(cluster)
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        inner(seconds)
        if clock.now() >= 5 * WATCH_SECONDS and cluster.read_run_lock() is not None:
            ports.published.add(holder.run_id)
            cluster.release_run_lock(holder)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert agent(clock, cluster, ports).once() == 0
    assert ports.ran == []
    assert ports.taken == []
    (presence,) = cluster.read_agent_presences()
    assert (presence.state, presence.run_id) == ("watching", holder.run_id)


def test_a_watcher_that_loses_the_take_over_race_watches_the_winner() -> None:
    """When another agent took the run over first, the watcher follows the new holder."""
    clock = FakeClock()
    cluster = Cluster(clock)
    holder = _held_by_another_agent(cluster)
    winner = LockHolder(run_id=holder.run_id, coordinator="mgmt3", pid=3, started_at="y")

    def lose(current: LockHolder) -> int | None:
        cluster.take_over_run_lock(winner, current)  # the other agent was first
        return None

    ports = Ports(take_over_result=lose)
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        inner(seconds)
        held = cluster.read_run_lock()
        if held is not None and held.same_coordinator(winner):
            cluster.renew_run_lock(winner)
            if clock.now() > 2 * LOCK_STALE_SECONDS:
                ports.published.add(winner.run_id)
                cluster.release_run_lock(winner)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert agent(clock, cluster, ports).once() == 0
    assert len(ports.taken) == 1
    assert any("now held by run" in line and "mgmt3" in line for line in ports.said)


def test_the_wait_for_a_firing_goes_in_presence_slices_without_busy_looping() -> None:
    """Three hours before the firing: 180 sleeps of PRESENCE_SECONDS, presence rewritten
    each time, then the run — and not one sleep of zero length."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    slept: list[float] = []
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        inner(seconds)

    clock.sleep = sleep  # type: ignore[method-assign]
    agent(clock, cluster, ports, start=T0 - timedelta(hours=3)).serve(rounds=1)
    assert slept == [PRESENCE_SECONDS] * 180
    assert ports.ran == [firing_run_id("hci01", T0)]
    assert any(line.startswith(f"next firing {T0.isoformat()}") for line in ports.said)


def test_serving_handles_each_firing_once_and_waits_for_the_next() -> None:
    """Two rounds: this week's firing, then next week's, each run once."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    agent(clock, cluster, ports).serve(rounds=2)
    assert ports.ran == [
        firing_run_id("hci01", T0),
        firing_run_id("hci01", T0 + timedelta(days=7)),
    ]


def test_presence_ages_in_the_clusters_time_and_goes_stale() -> None:
    """An entry not rewritten for PRESENCE_STALE_SECONDS is stale, unless its agent runs."""
    clock = FakeClock()
    registry = AgentRegistry(clock.now)
    registry.publish(
        AgentPresence(host="mgmt", pid=1, started_at="s", state="waiting", next_firing="n")
    )
    clock.sleep(899)
    (fresh,) = registry.read()
    assert not fresh.stale()
    clock.sleep(1)
    (old,) = registry.read()
    assert old.last_seen_age_seconds == 900
    assert old.stale()
    assert not old.stale(running=True)
    registry.withdraw("mgmt", 1)
    assert registry.read() == ()


def test_an_agent_arriving_while_the_firings_run_is_in_progress_watches_it() -> None:
    """The firing's run is published and holds the lock: the late agent watches its lease
    (to take it over if it dies) instead of leaving because it "already ran"."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    holder = _held_by_another_agent(cluster)
    ports.published.add(holder.run_id)
    assert agent(clock, cluster, ports).once() == 0
    assert len(ports.taken) == 1  # it never renewed: taken over once stale
    assert ports.taken[0].heartbeat_age_seconds >= LOCK_STALE_SECONDS


def test_a_firing_held_off_past_the_grace_window_by_another_run_exits_3() -> None:
    """Another run (not a firing's) holds the cluster for two hours: when it frees the lock
    the firing is past its grace window; the agent says it was missed, exit 3, no run."""
    clock = FakeClock()
    cluster, ports = Cluster(clock), Ports()
    other = LockHolder(run_id="manual-run", coordinator="mgmt2", pid=2, started_at="x")
    assert cluster.create_run_lock(other) is None
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        inner(seconds)
        if cluster.read_run_lock() is not None:
            if clock.now() < 2 * 3600:
                cluster.renew_run_lock(other)
            else:
                cluster.release_run_lock(other)

    clock.sleep = sleep  # type: ignore[method-assign]
    assert agent(clock, cluster, ports).once() == 3
    assert ports.ran == []
    assert ports.taken == []
    assert any("(another run); watching its lease" in line for line in ports.said)
    assert any("missed: the cluster was held by another run" in line for line in ports.said)


class _Blinking(Cluster):
    """The cluster's lock does not answer its first ``misses`` reads (a network blip)."""

    def __init__(self, clock: FakeClock, misses: int, error: type[Exception]) -> None:
        super().__init__(clock)
        self.misses, self.error = misses, error

    def read_run_lock(self) -> LockHolder | None:
        if self.misses:
            self.misses -= 1
            raise self.error("127.0.0.1: connection refused")
        return super().read_run_lock()


def test_a_serving_agent_waits_out_transport_errors_with_a_bounded_back_off() -> None:
    """Three failed looks at the due firing's lock: the serving agent says each, waits 30,
    60, then 120 s of the injected clock, and then runs the firing once — it does not exit."""
    clock = FakeClock()
    cluster, ports = _Blinking(clock, 3, ClusterUnreachable), Ports()
    slept: list[float] = []
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        inner(seconds)

    clock.sleep = sleep  # type: ignore[method-assign]
    agent(clock, cluster, ports).serve(rounds=1)
    assert slept == [BACKOFF_SECONDS, 2 * BACKOFF_SECONDS, 4 * BACKOFF_SECONDS]
    assert ports.ran == [firing_run_id("hci01", T0)]
    blips = [line for line in ports.said if "did not answer" in line]
    assert len(blips) == 3
    assert "trying again in 120 s (3 failure(s) in a row)" in blips[-1]


def test_the_back_off_is_bounded_and_refused_credentials_end_the_agent() -> None:
    """Failures in a row wait at most BACKOFF_MAX_SECONDS each and the count starts again
    after a round that worked; the firing they held past its grace window is not run late
    (next week's is); AuthenticationFailed is not retried."""
    clock = FakeClock()
    cluster, ports = _Blinking(clock, 12, ClusterUnreachable), Ports()
    slept: list[float] = []
    inner = clock.sleep

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        inner(seconds)

    clock.sleep = sleep  # type: ignore[method-assign]
    agent(clock, cluster, ports).serve(rounds=1)
    backoff = [min(BACKOFF_SECONDS * 2**n, BACKOFF_MAX_SECONDS) for n in range(8)]
    assert backoff[-3:] == [BACKOFF_MAX_SECONDS] * 3
    assert slept[:8] == backoff  # 3630 s: past the firing's grace window
    assert max(slept) == BACKOFF_MAX_SECONDS
    assert slept[-4:] == backoff[:4]  # next week: the back-off starts again from 30 s
    # the firing held past its grace window is not run late: the agent runs next week's
    assert ports.ran == [firing_run_id("hci01", T0 + timedelta(days=7))]
    refused = _Blinking(FakeClock(), 1, AuthenticationFailed)
    with pytest.raises(AuthenticationFailed):
        agent(FakeClock(), refused, Ports()).serve(rounds=1)
