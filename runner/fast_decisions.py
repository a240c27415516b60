"""The pure decision core of the fast policy: ``decide_fast`` — several nodes in flight.

Owns: the next action of a fast run: the run-level rules of ``runner.decisions`` (StopAfter,
WarnAfter, MaxFailedNodes, an unreachable cluster), then for the nodes of the wave in flight
the classic per-node step rules (``decide_step``, unchanged): the first node (run order) that
has something to do gets it; when every one of them waits, ``WaitAll`` lets the shortest of
their waits pass (bounded: each wait is a step's, under its deadline). When no node is in
flight the next wave begins, of the nodes ``runner.capacity.admit`` finds safe to take out
together (re-judged on the view of that moment, at most ``max_nodes_out``).

Theory of operation: a wave is all out together, and the next wave begins only when every
node of this one is done (updated, failed or stopped), so the run takes no node out the plan
did not show in that wave, and the plan's waves are the run's unless the cluster changed.

Must not: do I/O, read a clock, mutate its inputs, or know how the engine performs actions.
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.actions import Action, CancelRun, Finish, Poll, StopAfter, Wait, WarnAfter
from runner.capacity import admit
from runner.capacity_types import CapacityFacts
from runner.decisions import decide_step
from runner.fast_actions import BeginWave, WaitAll
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.timing import (
    POLL_ACTIVE_SECONDS,
    past_stop_after,
    past_warn_after,
    unreachable_too_long,
)
from runner.types import ClusterView

__all__ = ["FastAction", "decide_fast"]

FastAction = Action | BeginWave | WaitAll


def _in_flight(view: ClusterView, progress: RunProgress, nodes: Mapping[str, NodeProgress],
               profile: ResolvedProfile) -> FastAction | None:  # fmt: skip
    """The first node's action that is not a wait, else the wait for all; None: none flies."""
    waits: list[Wait] = []
    polls: list[Poll] = []
    for name in progress.in_flight:
        node = nodes[name]
        if node.terminal:
            continue
        action = decide_step(view, progress, node, profile)
        if isinstance(action, Wait):
            waits.append(action)
        elif isinstance(action, Poll):
            polls.append(action)
        else:
            return action
    if not waits and not polls:
        return None
    seconds = min([w.seconds for w in waits] + [p.seconds for p in polls])
    reason = waits[0].reason if waits else "polling the work in flight"
    return WaitAll(seconds=seconds, polls=tuple(polls), observe=bool(waits), reason=reason)


def decide_fast(
    view: ClusterView,
    progress: RunProgress,
    profile: ResolvedProfile,
    nodes: Mapping[str, NodeProgress],
    facts: CapacityFacts,
) -> FastAction:
    """The next action of a fast run (see module docstring)."""
    ending = progress.stopping or progress.cancel_error_id is not None
    flying = any(not nodes[name].terminal for name in progress.in_flight)
    if not ending and (flying or progress.remaining):
        if past_stop_after(progress, profile):
            return StopAfter()
        if not progress.warned and past_warn_after(progress, profile):
            return WarnAfter()
    action = _in_flight(view, progress, nodes, profile)
    if action is not None:
        return action
    if ending:
        return Finish()
    limit = profile.max_failed_nodes
    if progress.failed_nodes > limit:
        return CancelRun(
            error_id="MaxFailedNodesExceeded",
            detail=f"{progress.failed_nodes} node(s) failed; MaxFailedNodes is {limit}",
            event_id=1019,
        )
    if unreachable_too_long(progress):
        return CancelRun(error_id="ClusterUnreachable", detail="the cluster does not answer")
    if not progress.remaining:
        return Finish()
    if progress.stale:  # a wave is sized on a view of the cluster as it is
        return Wait(seconds=POLL_ACTIVE_SECONDS, reason="cluster unreachable")
    admission = admit(view, profile, facts, (), progress.remaining)
    return BeginWave(nodes=admission.nodes, limited_by=admission.limited_by)
