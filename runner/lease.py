"""The run lease: one coordinator per cluster, held in the cluster database, with a heartbeat.

Owns: ``RunLease`` — taking the cluster's run lock for one coordinator of one run
(``acquire``), the rules of taking it over (``--force-recovery``, CAU's ``-ForceRecovery``),
renewing its heartbeat while the run lives (``renew_if_due``) and freeing it at the end
(``release``); and the refusal text an operator reads (CAU event 1015).

Theory of operation: the lock itself is the transport's (``ClusterTransport.create_run_lock``
and friends): on a real cluster a cluster group whose creation fails when it exists, so of two
coordinators racing for it exactly one wins, and every later command the winner sends is
fenced with its holder — a coordinator that lost the lock has its commands refused by the
cluster. This module holds the policy around it:

- a held lock refuses a new coordinator, naming the holder (run id, host, process, start)
  and its heartbeat's age — measured in the cluster's own time, so no two clocks are
  compared;
- ``force_recovery`` takes over only a holder that is gone: its heartbeat is older than
  ``LOCK_STALE_SECONDS`` (it renews every ``RENEW_SECONDS``), or the caller knows its process
  is dead (``holder_gone``: the CLI checks a holder on its own host by process id). A live
  holder is never taken over, even when forced: two coordinators would drive one cluster;
- a stop request (``pycau stop`` from any machine) comes back with a renewal and is kept
  in ``stop_order``; the engine stops at its next safe point (``runner.run_control``);
- the take-over is a compare-and-swap of that one holder: of two forced coordinators, one
  wins and the other is refused.

Must not: read a clock other than the injected ``Clock``, sleep, or decide anything about the
run (the engine stops acting when the lease is lost).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from runner.errors import RunLocked, TransportError
from runner.stop_orders import StopOrder
from runner.transport import Clock, ClusterTransport
from runner.types import LockHolder

__all__ = [
    "LOCK_STALE_SECONDS",
    "RENEW_SECONDS",
    "LeasedClock",
    "RunLease",
    "holder_is_gone",
    "refusal",
]

# The holder renews at least every RENEW_SECONDS of its run; a heartbeat silent for
# LOCK_STALE_SECONDS (15 renewals missed) means its coordinator is gone.
RENEW_SECONDS = 60.0
LOCK_STALE_SECONDS = 900.0


def refusal(cluster: str, holder: LockHolder, *, forced: bool) -> str:
    """Why a new coordinator may not start, in one paragraph (CAU event 1015)."""
    age = holder.heartbeat_age_seconds
    head = f"CAU event 1015: the cluster {cluster} is locked by {holder.describe()}"
    if age >= LOCK_STALE_SECONDS:
        return (
            f"{head}; its heartbeat is stale ({age:.0f} s old, limit {LOCK_STALE_SECONDS:.0f} "
            "s): its coordinator looks gone. Take the lock over with --force-recovery "
            "(pycau resume RUN_ID --force-recovery to continue that run)."
        )
    tail = (
        f"its heartbeat is {age:.0f} s old, so its coordinator is alive"
        if not forced
        else f"its heartbeat is only {age:.0f} s old, so its coordinator is alive and "
        f"--force-recovery may not take it over before {LOCK_STALE_SECONDS:.0f} s of silence"
    )
    return f"{head}; {tail}. Wait for that run to end, or stop it first."


def holder_is_gone(
    holder: LockHolder, holder_gone: Callable[[LockHolder], bool] | None = None
) -> bool:
    """Whether force recovery may take ``holder``'s lock over: its heartbeat is stale, or
    the caller knows its process is dead (``holder_gone``)."""
    stale = holder.heartbeat_age_seconds >= LOCK_STALE_SECONDS
    return stale or (holder_gone is not None and holder_gone(holder))


class RunLease:
    """The run lock held by ``holder`` through ``transport`` (see module docstring)."""

    def __init__(self, transport: ClusterTransport, clock: Clock, holder: LockHolder) -> None:
        self.transport = transport
        self.clock = clock
        self.holder = holder
        self.taken_over: LockHolder | None = None  # whose lock force recovery took over
        self.lost: str | None = None  # why the lease was lost (then nothing may act)
        self.renew_failures = 0
        self.stop_order: StopOrder | None = None  # a stop request a renewal brought back
        self._renewed_at = clock.now()

    @classmethod
    def acquire(
        cls,
        transport: ClusterTransport,
        clock: Clock,
        holder: LockHolder,
        *,
        cluster: str,
        force_recovery: bool = False,
        holder_gone: Callable[[LockHolder], bool] | None = None,
    ) -> RunLease:
        """Take the lock for ``holder``; ``RunLocked`` (nothing changed) when refused.

        Transport errors propagate: the lock state is then unknown, and the caller must not
        start (nothing was touched but, perhaps, the lock itself, whose heartbeat goes stale).
        """
        current = transport.create_run_lock(holder)
        lease = cls(transport, clock, holder)
        if current is None:
            return lease
        if not (force_recovery and holder_is_gone(current, holder_gone)):
            raise RunLocked(current.run_id, refusal(cluster, current, forced=force_recovery))
        after = transport.take_over_run_lock(holder, current)
        if after is not None:
            raise RunLocked(
                after.run_id,
                f"CAU event 1015: the run lock of {cluster} was taken by {after.describe()} "
                "while this coordinator was taking it over; nothing was changed",
            )
        lease.taken_over = current
        return lease

    def renew_if_due(self) -> None:
        """Refresh the heartbeat when ``RENEW_SECONDS`` passed since the last renewal.

        ``RunLocked``: the lease is lost (``lost`` says why) — the caller must stop acting.
        A transport error is counted and tried again at the next call: a heartbeat that
        cannot be written for ``LOCK_STALE_SECONDS`` lets another coordinator take over, and
        from then on the cluster refuses this one's fenced commands.
        """
        if self.lost is not None:
            raise RunLocked(self.holder.run_id, self.lost)
        now = self.clock.now()
        if now - self._renewed_at < RENEW_SECONDS:
            return
        try:
            order = self.transport.renew_run_lock(self.holder)
        except TransportError:
            self.renew_failures += 1
            return
        except RunLocked as exc:
            self.lose(str(exc))
            raise
        self._renewed_at = now
        if order is not None and self.stop_order is None:
            self.stop_order = order

    def lose(self, why: str) -> None:
        """Remember that another coordinator holds the lock now."""
        if self.lost is None:
            self.lost = why

    def release(self) -> str | None:
        """Free the lock (not when lost); why it could not be freed, or ``None``."""
        if self.lost is not None:
            return None
        try:
            self.transport.release_run_lock(self.holder)
        except TransportError as exc:
            return str(exc)
        return None


class LeasedClock:
    """The run's ``Clock``: every wait renews the lease when due, so a run keeps its lock
    alive through long scans, installs and restarts. A lost lease is remembered
    (``lease.lost``), never raised from a wait: the engine checks it before it acts."""

    def __init__(self, clock: Clock, lease: RunLease) -> None:
        self.inner = clock
        self.lease = lease

    def now(self) -> float:
        return self.inner.now()

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)
        with contextlib.suppress(RunLocked):  # lease.lost says so; the engine stops next turn
            self.lease.renew_if_due()
