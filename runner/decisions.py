"""The pure decision core of a CAU rolling run: ``decide(view, progress, profile) -> Action``.

Owns: given the latest ``ClusterView``, the run's ``RunProgress`` and the resolved
``Profile``, the one next thing to do — run-level rules (WarnAfter/StopAfter, MaxFailedNodes,
which node is next) and, for the node in flight, how its current lifecycle step ends or what
to ask of the cluster (see ``runner.lifecycle`` for the table of steps). Also the default
node order and a node's final SummaryStatus.

Theory of operation: the engine observes, calls ``decide``, performs the action, records
what it learnt in new progress snapshots, and loops. ``decide`` never waits: a step still in
progress answers ``Wait``/``Poll`` and its deadline (set by the engine from the profile on
entering the step) turns an endless wait into a failed attempt. Disruptive acts (suspend,
restart) are only chosen on a fresh view after the guards of ``runner.safety`` pass.

Must not: do I/O, read a clock (``progress.now`` is the time), mutate its inputs, or do
O(roles) work outside the once-per-node guards (node order, restart check).
"""

from __future__ import annotations

import re
from collections import Counter

from runner.actions import Action, BeginNode, CancelRun, Finish, StopAfter, WarnAfter
from runner.lifecycle import NodeStep
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.steps import decide_step
from runner.types import ClusterView, NodeState, SummaryStatus
from runner.work_steps import (
    MAX_INSTALL_PASSES,
    POLL_ACTIVE_SECONDS,
    POLL_REBOOT_SECONDS,
    UNREACHABLE_LIMIT_SECONDS,
    step_timeout,
    unreachable_too_long,
)

__all__ = [
    "MAX_INSTALL_PASSES",
    "POLL_ACTIVE_SECONDS",
    "POLL_REBOOT_SECONDS",
    "UNREACHABLE_LIMIT_SECONDS",
    "decide",
    "max_failed_nodes",
    "node_order",
    "node_status",
    "step_timeout",
]


def max_failed_nodes(profile: Profile, node_count: int) -> int:
    """MaxFailedNodes, CAU's default (⌊N/3⌋) when the profile was not resolved."""
    return node_count // 3 if profile.max_failed_nodes is None else profile.max_failed_nodes


def _natural(name: str) -> tuple[str | int, ...]:
    """node2 before node10."""
    return tuple(int(p) if i % 2 else p.lower() for i, p in enumerate(re.split(r"(\d+)", name)))


def node_order(view: ClusterView, profile: Profile) -> tuple[str, ...]:
    """Profile ``node_order`` first, then fewest clustered roles first (ties by name);
    nodes not Up at the start go last, giving them the most time to come back."""
    roles = Counter(r.owner for r in view.roles)
    names = [n.name for n in view.nodes]
    default = sorted(names, key=lambda n: (roles.get(n, 0), _natural(n), n))
    present = set(names)
    listed = [n for n in profile.node_order if n in present]
    chosen = set(listed)
    order = listed + [n for n in default if n not in chosen]
    up = {n.name for n in view.nodes if n.state is NodeState.UP}
    return tuple([n for n in order if n in up] + [n for n in order if n not in up])


def node_status(node: NodeProgress) -> SummaryStatus:
    """CAU's SummaryStatus of a node whose lifecycle has ended (reference §4.2).

    PartiallyFailed means mixed update results at the end (some succeeded, some failed); a
    node whose process failed otherwise (drain, restart, script, never came back) is Failed
    even if its updates installed.
    """
    ok = any(r.result == "Succeeded" for r in node.results)
    bad = any(r.result != "Succeeded" for r in node.results)
    mixed = SummaryStatus.PARTIALLY_FAILED if ok and bad else None
    if node.step is NodeStep.DONE:
        return SummaryStatus.PARTIALLY_FAILED if bad else SummaryStatus.SUCCEEDED
    if node.step is NodeStep.FAILED:
        return mixed or SummaryStatus.FAILED
    if node.step is NodeStep.STOPPED:
        if node.updated and not bad:
            return SummaryStatus.SUCCEEDED
        untouched = not (node.results or node.error or node.suspend_issued or node.paused_by_us)
        if node.attempt == 0 or untouched:  # stopped before the node was disrupted
            return SummaryStatus.CANCELED
        return mixed or SummaryStatus.FAILED
    return SummaryStatus.CANCELED


def decide(view: ClusterView, progress: RunProgress, profile: Profile) -> Action:
    """The next action of the run."""
    now = progress.now
    cur = progress.current
    ending = progress.stopping or progress.cancel_error_id is not None
    busy = cur is not None or bool(progress.remaining)
    if not ending and busy:
        if profile.stop_after_minutes is not None and now >= profile.stop_after_minutes * 60:
            return StopAfter()
        if (
            not progress.warned
            and profile.warn_after_minutes is not None
            and now >= profile.warn_after_minutes * 60
        ):
            return WarnAfter()
    if cur is not None:
        return decide_step(view, progress, cur, profile)
    if ending:
        return Finish()
    limit = max_failed_nodes(profile, len(view.nodes))
    if progress.failed_nodes > limit:
        return CancelRun(
            error_id="MaxFailedNodesExceeded",
            detail=f"{progress.failed_nodes} node(s) failed; MaxFailedNodes is {limit}",
            event_id=1019,
        )
    if unreachable_too_long(progress):
        return CancelRun(error_id="ClusterUnreachable", detail="the cluster does not answer")
    if progress.remaining:
        return BeginNode(node=progress.remaining[0])
    return Finish()
