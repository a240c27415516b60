"""The run lock's claims on the nodes while the cluster is stopped (the offline update).

Owns: ``NodeClaims`` — one claim per node naming the run lock's holder, with a heartbeat in
the world's seconds: the simulated twin of what ``runner/winrm/scripts/offline-claim.ps1``
keeps in each node's registry. Stop-Cluster takes the cluster database (and with it the
run-lock group of ``simulator.lock_group``) offline; until Start-Cluster the lock lives in
these claims, with the same semantics the transports give the lock methods then:

- ``read``: the first claim (node order) with its heartbeat's age;
- ``create``: refused (the first claim is returned) when a claim names another coordinator;
  else written on every node that answers;
- ``take_over``: refused when a claim names a third coordinator; else written everywhere;
- ``renew``: ``RunLocked`` when a claim names another coordinator; else a fresh heartbeat;
- ``release``: the holder's claims removed;
- ``fenced``: a command on a node is refused (``RunLocked``) when that node's claim names
  another coordinator.

A node that is down cannot be read or written: it keeps its claim until it is back. A claim
of the coordinator the lock was taken over from (``superseded``) is the new holder's: a
renewal or a fenced command rewrites it (the node was down during the take-over).

Must not: decide who may take the lock over (``runner.lease`` does), spend simulated time
(the transport does), or read the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from runner.errors import RunLocked
from runner.types import LockHolder

__all__ = ["NodeClaims"]


class NodeClaims:
    """Per-node claims of the run lock; ``up`` says which nodes answer now."""

    def __init__(self, names: tuple[str, ...], now: Callable[[], float]) -> None:
        self._names = names
        self._now = now
        self._claims: dict[str, tuple[LockHolder, float]] = {}

    def _answering(self, up: Mapping[str, bool]) -> list[str]:
        return [n for n in self._names if up.get(n, False)]

    def read_node(self, node: str) -> LockHolder | None:
        """The claim on ``node`` with its heartbeat's age (``None``: no claim)."""
        claim = self._claims.get(node)
        if claim is None:
            return None
        age = round(max(self._now() - claim[1], 0.0), 3)
        return replace(claim[0], heartbeat_age_seconds=age)

    def write_node(self, node: str, holder: LockHolder) -> None:
        self._claims[node] = (replace(holder, heartbeat_age_seconds=0.0), self._now())

    def clear_node(self, node: str, holder: LockHolder | None = None) -> None:
        """Remove ``node``'s claim (only ``holder``'s, when given)."""
        claim = self._claims.get(node)
        if claim is not None and (holder is None or claim[0].same_coordinator(holder)):
            del self._claims[node]

    def read(self, up: Mapping[str, bool]) -> LockHolder | None:
        for node in self._answering(up):
            holder = self.read_node(node)
            if holder is not None:
                return holder
        return None

    def _other(self, up: Mapping[str, bool], *allowed: LockHolder) -> LockHolder | None:
        for node in self._answering(up):
            holder = self.read_node(node)
            if holder is not None and not any(holder.same_coordinator(a) for a in allowed):
                return holder
        return None

    def create(self, holder: LockHolder, up: Mapping[str, bool]) -> LockHolder | None:
        other = self._other(up, holder)
        if other is not None:
            return other
        for node in self._answering(up):
            self.write_node(node, holder)
        return None

    def take_over(
        self, holder: LockHolder, previous: LockHolder, up: Mapping[str, bool]
    ) -> LockHolder | None:
        other = self._other(up, holder, previous)
        if other is not None:
            return other
        for node in self._answering(up):
            self.write_node(node, holder)
        return None

    def renew(
        self, holder: LockHolder, up: Mapping[str, bool], superseded: LockHolder | None = None
    ) -> None:
        other = self._other(up, holder, *([superseded] if superseded is not None else []))
        if other is not None:
            raise RunLocked(other.run_id, f"the run lock's claims name {other.describe()}")
        for node in self._answering(up):
            if node in self._claims:
                self.write_node(node, holder)

    def release(self, holder: LockHolder, up: Mapping[str, bool]) -> None:
        for node in self._answering(up):
            self.clear_node(node, holder)

    def fenced(
        self, node: str, fence: LockHolder | None, superseded: LockHolder | None = None
    ) -> None:
        """Refuse a command of ``fence`` on ``node`` when its claim names another holder
        (a claim of ``superseded`` becomes ``fence``'s)."""
        claim = self._claims.get(node)
        if fence is None or claim is None or claim[0].same_coordinator(fence):
            return
        if superseded is not None and claim[0].same_coordinator(superseded):
            self.write_node(node, fence)
            return
        raise RunLocked(
            claim[0].run_id,
            f"{node} is claimed by {claim[0].describe()}, not run {fence.run_id}; "
            "the command was refused",
        )

    def holders(self) -> dict[str, LockHolder]:
        """Every claim left, by node (for the oracle and tests)."""
        return {node: claim[0] for node, claim in self._claims.items()}
