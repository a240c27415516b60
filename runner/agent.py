"""The self-updating agent (``pycau agent``): wait for a firing, run it once among several.

Owns: ``Agent`` — the policy of one agent process against one cluster:

- **firings** come from the profile's schedule (``runner.schedule``) on the cluster's
  calendar (an injected ``calendar``: the cluster's time as ``pycau schedule`` states it);
  a firing is **due** from its time until ``GRACE_SECONDS`` later (an agent restarted, a
  cron or systemd timer started late, or a run of another firing still holding the cluster
  do not lose it); older, it is missed, as CAU's role misses a firing it was down for: the
  agent says so and waits for the next one;
- each firing has one **run id** (``firing_run_id``: the same on every agent), so agents
  recognise the run of a firing whoever started it, and a firing already run (its run id
  is the cluster's published run, ``AgentPorts.already_ran``) is never run twice;
- **exactly one runs a firing**: each due agent tries the cluster's atomic run lock
  (``ClusterTransport.create_run_lock``); the winner checks again, under the lock, that the
  firing was not run meanwhile, then runs it (``AgentPorts.start_run``);
- **the others watch the holder's lease**: every ``WATCH_SECONDS`` they read the lock; when
  it is freed the firing is over (or, when another run held the cluster, they try again
  while the firing is due); when the holder is gone by ``runner.lease``'s rules (heartbeat
  silent for ``LOCK_STALE_SECONDS``, or a dead process on this host) they take its run
  over (``AgentPorts.take_over``: from the run state published in the cluster, the same
  rules as ``pycau resume``) — of several, the lock's compare-and-swap lets one win and
  the others go on watching the winner;
- **presence**: the agent writes its entry (``AgentPresence``) into the cluster's registry
  at least every ``PRESENCE_SECONDS`` while it waits or watches, and once before it runs.

**Transport errors** while serving (waiting, watching, starting a firing) are waited out
with a bounded back-off and the agent keeps serving (``serve``); ``--once`` exits 3 on one,
as ``pycau run`` does, for its timer to try again.

Waits go through the injected ``Clock`` in slices of at most ``PRESENCE_SECONDS`` (no busy
loop; the CLI's clock makes them interruptible by Ctrl-C and SIGTERM); a watcher's waits
through ``watch_clock`` when one is given (the CLI paces watchers against pycau's twin).

Must not: read the wall clock or sleep except through the injected ``Clock``; print (it
``say``s through its ports); decide anything inside a run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from runner.agent_types import PRESENCE_SECONDS, AgentPresence
from runner.errors import AuthenticationFailed, TransportError
from runner.lease import LOCK_STALE_SECONDS, RunLease
from runner.schedule import Schedule
from runner.transport import Clock, ClusterTransport
from runner.types import LockHolder

__all__ = [
    "BACKOFF_MAX_SECONDS",
    "BACKOFF_SECONDS",
    "GRACE_SECONDS",
    "WATCH_SECONDS",
    "Agent",
    "AgentIdentity",
    "AgentPorts",
    "Firing",
    "firing_run_id",
    "in_schedule_time",
    "next_firing",
]

GRACE_SECONDS = 3600.0  # a firing stays due for an hour; older, it is missed
WATCH_SECONDS = PRESENCE_SECONDS  # how often a watcher reads the holder's lease
EXIT_MISSED = 3  # the firing could not run: the cluster was held by another run past grace
BACKOFF_SECONDS = 30.0  # a serving agent's first wait after a transport error, then doubled
BACKOFF_MAX_SECONDS = 900.0  # ... to at most 15 minutes between tries


def firing_run_id(cluster: str, at: datetime) -> str:
    """The run id of the firing at ``at`` on ``cluster`` (the same on every agent)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"pycau-agent:{cluster.lower()}:{at.isoformat()}"))


def in_schedule_time(schedule: Schedule, moment: datetime) -> datetime:
    """``moment`` (aware, in the cluster's zone) in ``schedule``'s kind of time: the local
    wall time for a schedule in the cluster's local time, else its zone's."""
    if schedule.start.tzinfo is None:
        return moment.replace(tzinfo=None)
    return moment.astimezone(schedule.start.tzinfo)


def next_firing(schedule: Schedule, moment: datetime) -> datetime | None:
    """The first firing of ``schedule`` after ``moment`` (aware; ``None``: none in a year)."""
    now = in_schedule_time(schedule, moment)
    return next((at for at in schedule.firings(now) if at > now), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Firing:
    """One firing of the schedule and the run id its run carries."""

    at: datetime
    run_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentIdentity:
    """Who this agent is: host, process id and when it started (ISO 8601)."""

    host: str
    pid: int
    started_at: str


class AgentPorts(Protocol):
    """What the agent does through its caller (the CLI wires a session to these)."""

    def start_run(self, lease: RunLease, firing: Firing) -> int:
        """Run ``firing`` under ``lease`` (held); the exit status of ``pycau run``."""
        ...

    def take_over(self, holder: LockHolder, firing: Firing) -> int | None:
        """Take over the run ``holder`` holds and run it to its end: its exit status, or
        ``None`` when it could not be taken over (another agent was first, or the run
        cannot be continued from the cluster's state; the port said why)."""
        ...

    def already_ran(self, run_id: str) -> bool:
        """Whether run ``run_id`` was started on the cluster (its published run)."""
        ...

    def say(self, line: str) -> None:
        """Tell the operator one line."""
        ...


class Agent:
    """One agent against one cluster (see the module docstring)."""

    def __init__(
        self,
        *,
        transport: ClusterTransport,
        clock: Clock,
        calendar: Callable[[], datetime],
        schedule: Schedule,
        cluster: str,
        identity: AgentIdentity,
        ports: AgentPorts,
        holder_gone: Callable[[LockHolder], bool] | None = None,
        watch_clock: Clock | None = None,
    ) -> None:
        self.transport = transport
        self.clock = clock
        self.watch_clock = watch_clock or clock  # the watcher's waits (see the CLI's twin)
        self.calendar = calendar
        self.schedule = schedule
        self.cluster = cluster
        self.identity = identity
        self.ports = ports
        self.holder_gone = holder_gone
        self.presence_failures = 0  # presence writes the cluster refused or did not answer
        self._handled: datetime | None = None  # the last firing handled
        self._no_take_over: str | None = None  # a run that cannot be taken over (said once)

    # -- the calendar ------------------------------------------------------------------
    def comparable(self, moment: datetime) -> datetime:
        return in_schedule_time(self.schedule, moment)

    def now(self) -> datetime:
        """The cluster's calendar now, in the schedule's kind of time."""
        return self.comparable(self.calendar())

    def firing(self, at: datetime) -> Firing:
        return Firing(at=at, run_id=firing_run_id(self.cluster, at))

    def due(self, now: datetime) -> datetime | None:
        """The latest firing due at ``now`` (at most ``GRACE_SECONDS`` old) not yet handled."""
        latest = None
        for at in self.schedule.firings(now - timedelta(seconds=GRACE_SECONDS)):
            if at > self.comparable(now):
                break
            latest = at
        if latest is None or (self._handled is not None and latest <= self._handled):
            return None
        return latest

    def next_after(self, now: datetime) -> datetime | None:
        """The first firing after ``now`` (``None``: none within a year)."""
        return next_firing(self.schedule, now)

    def missed(self, now: datetime) -> datetime | None:
        """The latest firing older than the grace window and newer than a day, for the
        operator's information (``None``: none)."""
        latest = None
        grace = timedelta(seconds=GRACE_SECONDS)
        for at in self.schedule.firings(now - timedelta(days=1)):
            if at > self.comparable(now) - grace:
                break
            latest = at
        return latest

    # -- presence ----------------------------------------------------------------------
    def present(self, state: str, at: datetime | None, run_id: str = "") -> None:
        """Write this agent's entry; a failure is counted, never fatal (presence only
        informs ``pycau status``)."""
        presence = AgentPresence(
            host=self.identity.host, pid=self.identity.pid,
            started_at=self.identity.started_at, state=state,
            next_firing=at.isoformat() if at is not None else "", run_id=run_id,
        )  # fmt: skip
        try:
            self.transport.publish_agent_presence(presence)
        except TransportError:
            self.presence_failures += 1

    def withdraw(self) -> None:
        """Remove this agent's entry (when it ends); a failure leaves it to go stale."""
        try:
            self.transport.withdraw_agent_presence(self.identity.host, self.identity.pid)
        except TransportError:
            self.presence_failures += 1

    # -- waiting -----------------------------------------------------------------------
    def wait_until(self, at: datetime) -> None:
        """Wait on the clock until the cluster's calendar reaches ``at``, rewriting the
        presence at every slice (at most ``PRESENCE_SECONDS``)."""
        while True:
            left = (at - self.now()).total_seconds()
            if left <= 0:
                return
            self.present("waiting", at)
            self.clock.sleep(min(left, PRESENCE_SECONDS))

    # -- one firing ----------------------------------------------------------------------
    def handle(self, at: datetime) -> int:
        """Run the firing at ``at``, or watch whoever runs it; its exit status."""
        firing = self.firing(at)
        self._handled = at
        while True:
            current = self.transport.read_run_lock()
            running = current is not None and current.run_id == firing.run_id
            if not running and self.ports.already_ran(firing.run_id):
                self.ports.say(f"firing {at.isoformat()}: run {firing.run_id} already ran")
                return 0
            if current is None:
                if (self.now() - at).total_seconds() > GRACE_SECONDS:
                    self.ports.say(
                        f"firing {at.isoformat()} missed: the cluster was held by another "
                        f"run for more than {GRACE_SECONDS / 60:.0f} min after it"
                    )
                    return EXIT_MISSED
                holder = LockHolder(
                    run_id=firing.run_id, coordinator=self.identity.host,
                    pid=self.identity.pid, started_at=self.calendar().isoformat(),
                )  # fmt: skip
                current = self.transport.create_run_lock(holder)
                if current is None:
                    return self._run(RunLease(self.transport, self.clock, holder), firing)
            code = self.watch(current, firing)
            if code is not None:
                return code

    def _run(self, lease: RunLease, firing: Firing) -> int:
        """Run ``firing`` under ``lease`` unless it ran meanwhile (checked under the lock)."""
        at = firing.at.isoformat()
        if self.ports.already_ran(firing.run_id):
            lease.release()
            self.ports.say(f"firing {at}: run {firing.run_id} already ran")
            return 0
        self.present("running", firing.at, firing.run_id)
        self.ports.say(f"firing {at}: this agent runs {firing.run_id}")
        return self.ports.start_run(lease, firing)

    def watch(self, holder: LockHolder, firing: Firing) -> int | None:
        """Watch ``holder``'s lease until the lock is freed (``None``: try the firing
        again) or its coordinator is gone and this agent took its run over (the run's
        exit status)."""
        ours = "this firing's run" if holder.run_id == firing.run_id else "another run"
        self.ports.say(f"the run lock is held by {holder.describe()} ({ours}); watching its lease")
        watched = holder
        while True:
            self.present("watching", firing.at, watched.run_id)
            self.watch_clock.sleep(WATCH_SECONDS)
            current = self.transport.read_run_lock()
            if current is None:
                self.ports.say(f"run {watched.run_id} released the run lock")
                return None
            if not current.same_coordinator(watched):
                self.ports.say(f"the run lock is now held by {current.describe()}")
                watched = current
                continue
            stale = current.heartbeat_age_seconds >= LOCK_STALE_SECONDS
            dead = self.holder_gone is not None and self.holder_gone(current)
            if not (stale or dead) or self._no_take_over == current.run_id:
                continue
            why = (
                f"its heartbeat is {current.heartbeat_age_seconds:.0f} s old"
                if stale
                else "its process is gone"
            )
            self.ports.say(f"{current.describe()}: {why}; taking its run over")
            code = self.ports.take_over(current, firing)
            if code is not None:
                return code
            if self.transport.read_run_lock() == current:
                self._no_take_over = current.run_id  # cannot be continued from here

    # -- the two ways to run -----------------------------------------------------------
    def once(self) -> int:
        """Handle the firing due now, if any; exit status (0 when none was due)."""
        now = self.now()
        at = self.due(now)
        if at is None:
            upcoming = self.next_after(now)
            missed = self.missed(now)
            if missed is not None:
                self.ports.say(f"firing {missed.isoformat()} was missed (older than the grace "
                               f"window of {GRACE_SECONDS / 60:.0f} min)")  # fmt: skip
            self.present("waiting", upcoming)
            self.ports.say(
                f"no firing due now; next firing {upcoming.isoformat()}"
                if upcoming is not None
                else "no firing due now, and none within a year"
            )
            return 0
        return self.handle(at)

    def serve(self, *, rounds: int | None = None) -> None:
        """Wait for each firing and handle it, forever (``rounds``: that many firings,
        for tests). Returns only when ``rounds`` are done or the schedule ends. A transport
        error outside a run (the cluster or the network did not answer) is said and waited
        out — ``BACKOFF_SECONDS``, doubling to at most ``BACKOFF_MAX_SECONDS`` — and the
        agent goes on (a firing stays due within its grace window; a run already made is
        never made again: ``already_ran``); refused credentials end it
        (``AuthenticationFailed``)."""
        done = failures = 0
        while rounds is None or done < rounds:
            handled = self._handled
            try:
                finished = self._serve_round()
            except AuthenticationFailed:
                raise  # no wait cures refused credentials: exit 3 for the operator
            except TransportError as exc:
                failures += 1
                self._handled = handled  # the firing being handled stays due (grace)
                pause = min(BACKOFF_SECONDS * 2 ** min(failures - 1, 10), BACKOFF_MAX_SECONDS)
                self.ports.say(
                    f"the cluster did not answer ({exc}); trying again in {pause:.0f} s "
                    f"({failures} failure(s) in a row)"
                )
                self.clock.sleep(pause)
                continue
            failures = 0
            if finished is None:
                return
            done += finished

    def _serve_round(self) -> int | None:
        """Wait for the next firing (0) or handle the one due (1); ``None``: the schedule
        fires no more."""
        now = self.now()
        at = self.due(now)
        if at is None:
            upcoming = self.next_after(now)
            if upcoming is None:
                self.ports.say("the schedule fires no more within a year")
                return None
            self.ports.say(f"next firing {upcoming.isoformat()} ({self.schedule.zone_label})")
            self.wait_until(upcoming)
            return 0
        code = self.handle(at)
        self.ports.say(f"firing {at.isoformat()} handled (exit status {code})")
        return 1
