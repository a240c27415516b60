"""Actions of the fast policy: what ``runner.fast_decisions.decide_fast`` asks for beyond the
classic actions of the nodes in flight.

Owns: ``BeginWave`` (the next nodes go out together, as ``runner.capacity`` admitted them),
``StageAhead`` (a node begins its steps before the drain while the wave before it runs) and
``WaitAll`` (every node in flight waits: let the shortest of their waits pass, then poll
each one's detached work and observe).

Must not: do anything — the fast engine performs them; this module only names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.actions import Poll

__all__ = ["BeginWave", "StageAhead", "WaitAll"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginWave:
    """The nodes ``nodes`` (run order) go out together as the next wave."""

    nodes: tuple[str, ...]
    limited_by: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StageAhead:
    """``node`` begins its steps before the drain (scan, staged install) ahead of its wave."""

    node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitAll:
    """Let ``seconds`` pass, then poll each of ``polls`` (no wait of its own) and observe
    the cluster when ``observe`` (some node waited for the cluster, not for its work)."""

    seconds: float
    polls: tuple[Poll, ...] = ()
    observe: bool = True
    reason: str = ""
