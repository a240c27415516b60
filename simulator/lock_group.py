"""The run lock in the simulated cluster database: a cluster group that exists or does not.

Owns: ``RunLockGroup`` — the simulated twin of what ``runner/winrm/scripts/lock-*.ps1`` do on
a real cluster with the cluster group ``pycau-run-lock``, with the same semantics:

- ``create`` is create-if-absent: it succeeds only when no lock exists (on a real cluster,
  ``Add-ClusterGroup`` of an existing name fails, and the cluster database serializes the
  creations, so of two racing coordinators exactly one wins);
- ``take_over`` replaces one named holder and nobody else (compare-and-swap);
- ``renew`` refreshes the heartbeat of the holder only, ``RunLocked`` for anyone else;
- ``release`` frees the lock of the holder only;
- ``request_stop`` writes a stop request (``pycau stop``) next to the lock, for its holder's
  run only; ``renew`` hands it back to the holder; it dies with the lock (release, take-over);
- ``fenced`` is the check every fenced command makes on the cluster before acting: a
  coordinator that no longer holds the lock is refused (``RunLocked``), no effect;
- ``publish_state`` keeps the run state the holder publishes (``runner.cluster_state``),
  fenced; ``published`` is the last one. It outlives the lock, as the cluster parameters of
  ``publish-run-state.ps1`` do on a real cluster.

Heartbeats are kept in the world's simulated seconds ("the cluster's own time"), so a
holder's age is measured by the cluster, never by the coordinators' clocks.

Must not: decide who may take a lock over (``runner.lease`` does), spend simulated time (the
transport spends the round trip), or read the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from runner.errors import RunLocked
from runner.stop_orders import StopOrder
from runner.types import LockHolder

__all__ = ["RunLockGroup"]


class RunLockGroup:
    """The cluster's run lock; ``now`` is the cluster's clock (simulated seconds)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._holder: LockHolder | None = None
        self._heartbeat = 0.0
        self._stop: StopOrder | None = None  # a stop request for the holder's run
        self.published: str | None = None  # the run state last published (publish_state)
        self.history: list[tuple[float, str, str]] = []  # (time, what, run id) for tests

    def read(self) -> LockHolder | None:
        """The holder with its heartbeat age, or ``None`` when unlocked."""
        if self._holder is None:
            return None
        age = round(max(self._now() - self._heartbeat, 0.0), 3)
        return replace(self._holder, heartbeat_age_seconds=age)

    def _write(self, holder: LockHolder, what: str) -> None:
        self._holder = replace(holder, heartbeat_age_seconds=0.0)
        self._stop = None
        self._heartbeat = self._now()
        self.history.append((self._now(), what, holder.run_id))

    def create(self, holder: LockHolder) -> LockHolder | None:
        current = self.read()
        if current is not None:
            return current
        self._write(holder, "created")
        return None

    def take_over(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        current = self.read()
        if current is None:  # freed meanwhile: taking it is creating it
            self._write(holder, "created")
            return None
        if not current.same_coordinator(previous):
            return current
        self._write(holder, "taken-over")
        return None

    def renew(self, holder: LockHolder) -> StopOrder | None:
        self.fenced(holder)
        self._heartbeat = self._now()
        return self._stop

    def request_stop(self, order: StopOrder) -> LockHolder | None:
        """Write ``order`` for the holder's run (when it names that run or none); the
        holder then, or ``None`` when unlocked (nothing written)."""
        current = self.read()
        if current is None:
            return None
        if order.run_id in ("", current.run_id) and self._stop is None:
            self._stop = replace(order, run_id=current.run_id)
            self.history.append((self._now(), "stop-requested", current.run_id))
        return current

    def adopt(self, holder: LockHolder) -> None:
        """Start-Cluster after an offline window: the holder of the nodes' claims (who may
        have taken the run over while the cluster was stopped) holds the lock again."""
        if self._holder is None or not self._holder.same_coordinator(holder):
            self._write(holder, "taken-over")
        self._heartbeat = self._now()  # the cluster's clock runs again: a fresh heartbeat

    def release(self, holder: LockHolder) -> None:
        if self._holder is not None and self._holder.same_coordinator(holder):
            self._holder = None
            self._stop = None
            self.history.append((self._now(), "released", holder.run_id))

    def fenced(self, holder: LockHolder | None) -> None:
        """Refuse a command of ``holder`` unless it holds the lock (``None``: unfenced)."""
        if holder is None:
            return
        current = self._holder  # who holds it is enough: its heartbeat age is not needed
        if current is None or not current.same_coordinator(holder):
            owner = "nobody" if current is None else current.describe()
            raise RunLocked(
                "" if current is None else current.run_id,
                f"the run lock is not held by run {holder.run_id} any more (held by {owner}); "
                "the command was refused",
            )

    def publish_state(self, holder: LockHolder, state: str) -> None:
        """Keep ``state`` as the published run state; ``RunLocked`` unless ``holder`` holds
        the lock (no effect)."""
        self.fenced(holder)
        self.published = state
