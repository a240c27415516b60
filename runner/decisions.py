"""The pure decision core of a CAU rolling run: ``decide(view, progress, profile) -> Action``.

Owns: given the latest ``ClusterView``, the run's ``RunProgress`` and the run's
``ResolvedProfile``, the one next thing to do — the run-level rules (WarnAfter/StopAfter,
MaxFailedNodes, an unreachable cluster, which node is next) and, for the node in flight, the
step table ``STEP_DECISIONS`` that hands its current ``NodeStep`` to the one function that
decides it (``runner.maintenance_steps`` or ``runner.work_steps``). Also the default node
order and a node's final SummaryStatus.

Theory of operation: the engine observes, calls ``decide``, performs the action, records
what it learnt in new progress snapshots, and loops. ``decide`` never waits: a step still in
progress answers ``Wait``/``Poll`` and its deadline (set by the engine from
``runner.timing.step_timeout`` on entering the step) turns an endless wait into a failed
attempt. Disruptive acts (suspend, restart) are only chosen on a fresh view after the guards
of ``runner.safety`` pass. ``tests/unit/test_unit_run_decisions.py`` holds the run-level
rules to their CAU meaning; the step tests live beside each step family.

Must not: do I/O, read a clock (``progress.now`` is the time), mutate its inputs, compute
a profile default (``Profile.resolved`` does, once), or do O(roles) work outside the
once-per-node guards (node order, restart check).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType

from runner import fast_steps
from runner import maintenance_steps as maintenance
from runner import work_steps as work
from runner.actions import Action, BeginNode, CancelRun, Finish, StopAfter, WarnAfter
from runner.lifecycle import NodeStep
from runner.profile import Profile, ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.timing import past_stop_after, past_warn_after, unreachable_too_long
from runner.types import ClusterView, NodeState, SummaryStatus

__all__ = ["STEP_DECISIONS", "StepDecision", "decide", "decide_step", "node_order", "node_status"]

StepDecision = Callable[[ClusterView, RunProgress, NodeProgress, ResolvedProfile], Action]

#: The one function that decides each running step of the node in flight. Terminal steps
#: (DONE, SKIPPED, FAILED, STOPPED) have none: the engine never asks about them.
STEP_DECISIONS: Mapping[NodeStep, StepDecision] = MappingProxyType(
    {
        NodeStep.WAITING: maintenance.waiting_step,
        NodeStep.PRE_SCRIPT: work.pre_script_step,
        NodeStep.SCAN: work.scan_step,
        NodeStep.STORAGE_WAIT: maintenance.storage_wait_step,
        NodeStep.DRAIN: maintenance.drain_step,
        NodeStep.INSTALL: work.install_step,
        NodeStep.REBOOT: maintenance.reboot_step,
        NodeStep.RESCAN: work.rescan_step,
        NodeStep.RESUME: maintenance.resume_step,
        NodeStep.RESYNC: maintenance.resync_step,
        NodeStep.POST_SCRIPT: work.post_script_step,
        NodeStep.RECOVER: maintenance.recover_step,
        NodeStep.STAGE: fast_steps.stage_step,  # only a fast run enters it
    }
)


def decide_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """What to do for ``node`` in its current step; ``ValueError`` for a terminal step
    (asking about one is the engine's bug)."""
    decision = STEP_DECISIONS.get(node.step)
    if decision is None:
        raise ValueError(f"node {node.name} is already {node.step.value}")
    return decision(view, run, node, profile)


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
        out = node.suspend_issued or node.suspend_attempted or node.paused_by_us
        staged = node.attempt == 1 and not (node.error or node.attempt_failed or out or bad)
        # stopped before the node was disrupted (fast: its updates staged, never drained)
        if node.attempt == 0 or untouched or staged:
            return SummaryStatus.CANCELED
        return mixed or SummaryStatus.FAILED
    return SummaryStatus.CANCELED


def decide(view: ClusterView, progress: RunProgress, profile: ResolvedProfile) -> Action:
    """The next action of the run: StopAfter/WarnAfter while work remains, the step of the
    node in flight, the end of an ending run, the MaxFailedNodes cancel (CAU 1019), the
    unreachable-cluster cancel, the next node, or the end."""
    cur = progress.current
    ending = progress.stopping or progress.cancel_error_id is not None
    busy = cur is not None or bool(progress.remaining)
    if not ending and busy:
        if past_stop_after(progress, profile):
            return StopAfter()
        if not progress.warned and past_warn_after(progress, profile):
            return WarnAfter()
    if cur is not None:
        return decide_step(view, progress, cur, profile)
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
    if progress.remaining:
        return BeginNode(node=progress.remaining[0])
    return Finish()
