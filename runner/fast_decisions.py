"""The pure decision core of the fast policy: ``decide_fast`` — several nodes in flight.

Owns: the next action of a fast run: the run-level rules of ``runner.decisions`` (StopAfter,
WarnAfter, MaxFailedNodes, an unreachable cluster), then for the nodes of the wave in flight
the classic per-node step rules (``decide_step``), with the fast policy's changes
(``_fast_step``): an offer ``runner.fast_steps.stageable`` allows is installed before the
drain (SCAN ─stage→ STAGE; none owes a restart: no drain at all), a node never drained
stages what its re-scan offers and passes RESUME with nothing to resume (no event). Polls
overdue come first (another node's acts must not let a work's deadline pass unpolled), then
the first node (run order) that has something to do; when every one of them waits,
``WaitAll`` lets the shortest of their waits pass (bounded: each wait is a step's, under its
deadline). When no node is in flight the next wave begins, of the nodes
``runner.capacity.admit`` finds safe to take out together (re-judged on the view of that
moment, at most ``max_nodes_out``).

MaxFailedNodes is judged every turn: once more nodes failed than it allows, the run is
canceled (CAU 1019) and the nodes in flight are brought to a safe state as StopAfter does
(none is suspended or restarted any more; a drained one is resumed).

Staging ahead: while a wave is in flight, as many of the next nodes as the wave has begin
their steps before the drain (``StageAhead``): scan and staged install; each holds there
(no drain, no restart) until its wave begins. Never with a pre-update script.

Fairness: a turn serves one node (the engine acts on it), polls or looks at the cluster;
Advances take no time and come first; otherwise the need waiting longest goes next — the
overdue polls, an act (each since its node was last served: polled, acted on), a look a
node waits for (since the view was taken) — so neither an act, a poll nor a look starves
while the coordinator is saturated (64 nodes' polls of half a second each).

Theory of operation: a wave is all out together, and the next wave begins only when every
node of this one is done (updated, failed or stopped), so the run takes no node out the plan
did not show in that wave, and the plan's waves are the run's unless the cluster changed.

Must not: do I/O, read a clock, mutate its inputs, or know how the engine performs actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from runner.actions import (
    Action,
    Advance,
    CancelRun,
    Finish,
    Poll,
    StopAfter,
    Wait,
    WarnAfter,
)
from runner.capacity import admit
from runner.capacity_types import CapacityFacts
from runner.decisions import decide_step
from runner.fast_actions import BeginWave, StageAhead, WaitAll
from runner.fast_steps import never_out, stageable
from runner.lifecycle import NodeStep, Outcome
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

FastAction = Action | BeginWave | StageAhead | WaitAll
_RESUMED = 1009  # CAU: the node left maintenance


def _fast_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """The classic step's action, staged where the fast policy allows (module docstring)."""
    action = decide_step(view, run, node, profile)
    if not isinstance(action, Advance):
        return action
    scanned = node.step is NodeStep.SCAN and action.outcome is Outcome.OK
    if scanned and action.offered and stageable(action.offered, profile):
        return replace(action, outcome=Outcome.STAGE)
    if node.step is NodeStep.RESUME and never_out(node) and action.event_id == _RESUMED:
        # installed without a drain: nothing to resume, no resync owed by this node
        return replace(action, outcome=Outcome.SKIP, event_id=None, detail="")
    if node.step is NodeStep.RESCAN and never_out(node):
        if action.outcome is Outcome.MORE:  # stage it too; a restart owed drains the node
            return replace(action, outcome=Outcome.STAGE)
        if action.outcome is Outcome.RESTART:
            return replace(action, outcome=Outcome.STAGE, offered=())
    return action


def _held(node: NodeProgress, action: Action) -> bool:
    """A node staged ahead of its wave goes no further than its staged install."""
    if not isinstance(action, Advance):
        return False
    into_drain = node.step is NodeStep.SCAN and action.outcome is Outcome.OK
    staged = node.step is NodeStep.STAGE and action.outcome in (Outcome.OK, Outcome.NO_DRAIN)
    return into_drain or staged


def _in_flight(
    view: ClusterView,
    progress: RunProgress,
    nodes: Mapping[str, NodeProgress],
    profile: ResolvedProfile,
) -> FastAction | None:
    """A step that ends (an Advance) first; then the most neglected: the polls that are
    overdue (a work's deadline must never pass unpolled) or the act of the node served
    longest ago; else the wait for all; None: nothing to do (no node flies, or every
    node staged ahead holds)."""
    waits: list[Wait] = []
    polls: list[Poll] = []
    acts: list[Action] = []
    ahead = [n for n in progress.staged if n not in progress.in_flight]
    for name in (*progress.in_flight, *ahead):
        node = nodes[name]
        if node.terminal:
            continue
        action = _fast_step(view, progress, node, profile)
        if name in ahead and _held(node, action):
            continue
        if isinstance(action, Wait):
            waits.append(action)
        elif isinstance(action, Poll):
            polls.append(action)
        else:
            acts.append(action)
    overdue = tuple(p for p in polls if _overdue(progress, nodes[p.handle.node], p))
    # A node's step that ends (an Advance: no command, no time) comes first: a node of the
    # wave found Down fails before its wave-mate is suspended, so MaxFailedNodes is judged
    # on every failure the run already knows. Then the most neglected need is served (the
    # module docstring's fairness): the overdue polls, the act of the node served
    # longest ago, or a look at the cluster that a node waits for (a view too old).
    ends = [a for a in acts if isinstance(a, Advance)]
    if ends:
        return ends[0]
    now = progress.now
    needs: list[tuple[float, int, FastAction]] = []
    if overdue:
        neglect = max(now - _last_served(nodes[p.handle.node]) for p in overdue)
        needs.append((neglect, 0, WaitAll(seconds=0.0, polls=overdue, observe=False,
                                          reason="polls overdue")))  # fmt: skip
    if acts:
        first = min(acts, key=lambda a: _last_served(nodes[_node_of(a)]))
        needs.append((now - _last_served(nodes[_node_of(first)]), 1, first))
    looks = [w for w in waits if w.seconds <= 0.0]
    if looks and (overdue or acts):
        look = WaitAll(seconds=0.0, polls=overdue, observe=True, reason=looks[0].reason)
        needs.append((now - progress.view_at, 2, look))
    if needs:
        return max(needs, key=lambda need: (need[0], -need[1]))[2]
    if not waits and not polls:
        return None
    seconds = min([w.seconds for w in waits] + [p.seconds for p in polls])
    reason = waits[0].reason if waits else "polling the work in flight"
    return WaitAll(seconds=seconds, polls=tuple(polls), observe=bool(waits), reason=reason)


def _node_of(action: Action) -> str:
    """The node a node's action is for."""
    name = getattr(action, "node", None)
    assert isinstance(name, str), action
    return name


def _last_served(node: NodeProgress) -> float:
    """When the engine last served the node: polled its work or acted on it (its step's
    beginning counts: the act that began it)."""
    return max(node.polled_at, node.entered_at)


def _overdue(progress: RunProgress, node: NodeProgress, poll: Poll) -> bool:
    """The node was last served (``_last_served``: polled, acted on, or its step began) more
    than two of its poll intervals ago. A work never polled counts too: else, while other
    nodes' polls are overdue turn after turn, it would never be polled before its deadline."""
    return progress.now - _last_served(node) > 2 * poll.seconds


def _stage_ahead(
    progress: RunProgress, nodes: Mapping[str, NodeProgress], profile: ResolvedProfile
) -> StageAhead | None:
    """The next node to begin ahead of its wave, if staging ahead may go on."""
    if not progress.in_flight or profile.pre_update_script:
        return None
    ahead = [n for n in progress.staged if n not in progress.in_flight]
    if len(ahead) >= len(progress.in_flight):
        return None
    for name in progress.remaining:
        node = nodes[name]
        offer = node.initial_offer
        if name in progress.staged or node.terminal:
            continue
        if offer and not stageable(offer, profile):
            return None  # its updates install after the drain: nothing to gain ahead
        return StageAhead(node=name)
    return None


def decide_fast(
    view: ClusterView,
    progress: RunProgress,
    profile: ResolvedProfile,
    nodes: Mapping[str, NodeProgress],
    facts: CapacityFacts,
) -> FastAction:
    """The next action of a fast run (see module docstring)."""
    ending = progress.stopping or progress.cancel_error_id is not None
    flying = any(not nodes[n].terminal for n in (*progress.in_flight, *progress.staged))
    if not ending and (flying or progress.remaining):
        if past_stop_after(progress, profile):
            return StopAfter()
        if not progress.warned and past_warn_after(progress, profile):
            return WarnAfter()
    limit = profile.max_failed_nodes
    if not ending and progress.failed_nodes > limit:  # at once, even with a wave in flight
        return CancelRun(
            error_id="MaxFailedNodesExceeded",
            detail=f"{progress.failed_nodes} node(s) failed; MaxFailedNodes is {limit}",
            event_id=1019,
        )
    if not ending and (ahead := _stage_ahead(progress, nodes, profile)) is not None:
        return ahead
    wave = any(not nodes[n].terminal for n in progress.in_flight)
    # Between waves the next wave begins at once: nodes staged ahead go on within it.
    action = _in_flight(view, progress, nodes, profile) if wave or ending else None
    if action is not None:
        return action
    if ending:
        return Finish()
    if unreachable_too_long(progress):
        return CancelRun(error_id="ClusterUnreachable", detail="the cluster does not answer")
    left = tuple(n for n in progress.remaining if not nodes[n].terminal)
    if not left:
        return Finish()
    if progress.stale:  # a wave is sized on a view of the cluster as it is
        return Wait(seconds=POLL_ACTIVE_SECONDS, reason="cluster unreachable")
    admission = admit(view, profile, facts, (), left)
    return BeginWave(nodes=admission.nodes, limited_by=admission.limited_by)
