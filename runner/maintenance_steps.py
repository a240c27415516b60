"""Maintenance steps of the node in flight: the decisions that take a node out of service
and bring it back — WAITING, STORAGE_WAIT, DRAIN, REBOOT, RESUME, RESYNC and RECOVER.

Owns: one pure function per step, ``(view, run, node, profile) -> Action``, each saying how
the step ends (an ``Advance``) or what to ask of the cluster next (suspend, restart, resume,
wait). ``runner.decisions`` dispatches to them by ``NodeStep``; the detached-work steps
(scripts, scans, installs) are the sibling ``runner.work_steps``.

Rules kept here: disruptive acts (suspend, restart) are chosen only on a fresh view after the
``runner.safety`` guards pass; a restart is confirmed only by a changed boot id; a node the
run paused is resumed before the node is given up, unless it cannot be reached (then it is
left as is and reported Failed); no deadline fails a step while the cluster is silent
(``runner.timing.blind``).

Must not: do I/O, read a clock (``run.now`` is the time), mutate its inputs, or import
``runner.work_steps`` (shared helpers live in ``runner.step_rules`` and ``runner.timing``).
"""

from __future__ import annotations

from runner.actions import Action, Restart, Resume, Suspend, Wait
from runner.domain_guard import storage_guard
from runner.known_issues import os_version_label
from runner.lifecycle import NodeStep, Outcome
from runner.mixed_mode import drain_risk, failback_mode
from runner.option_rules import suspend_retries_over, wants_soft_restart
from runner.plugin_steps import plugins_pending
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.safety import (
    maintenance_risk,
    quorum_risk,
    restart_risk,
    storage_ready,
    storage_risk,
)
from runner.step_rules import BACK_STATES, MAX_COMMAND_FAILURES, UPDATE_LOOP_ERROR, adv, node_view
from runner.timing import (
    POLL_ACTIVE_SECONDS,
    POLL_REBOOT_SECONDS,
    blind,
    in_minutes,
    late,
    step_timeout,
    unreachable_too_long,
    view_too_old,
)
from runner.types import ClusterView, DrainStatus, FailbackMode, NodeState

__all__ = [
    "drain_step",
    "reboot_step",
    "recover_step",
    "resume_step",
    "resync_step",
    "storage_wait_step",
    "waiting_step",
]


def waiting_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """WAITING: start the node — unless the run is stopping, it has nothing to install, it
    is not online, or taking it out would risk quorum (the run is canceled, CAU 1018)."""
    if run.stopping:
        return adv(node, Outcome.STOP)
    # The scan before the run found nothing for this node: CAU leaves it alone (no drain,
    # no restart) and reports it Succeeded with no updates.
    if node.initial_offer is not None and not node.initial_offer:
        return adv(node, Outcome.SKIP, detail="no applicable updates")
    if run.stale:
        return Wait(seconds=POLL_ACTIVE_SECONDS, reason="cluster unreachable")
    if view_too_old(run):
        return Wait(seconds=0.0, reason="observe before starting the node")
    nv = node_view(view, node.name)
    # A node that is not Up at its turn was taken out by someone else or crashed; updating
    # it would hide that, so it counts against MaxFailedNodes instead.
    if nv.state is not NodeState.UP or not nv.reachable:
        return adv(node, Outcome.FAILED, error=f"{node.name} is not online ({nv.state.value})")
    # Losing quorum is a property of the cluster, not of this node: no later node could go
    # either, so CAU cancels the run (1018) rather than fail one node and try the next.
    risk = quorum_risk(view, node.name)
    if risk:
        return adv(
            node, Outcome.CANCEL, error=risk, event_id=1018, detail=risk, cancel_run="QuorumAtRisk"
        )
    return adv(node, Outcome.OK)


def storage_wait_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """STORAGE_WAIT: suspend (drain; forced with force_pause_and_drain) the node once storage
    is healthy and no resync runs, and quorum survives it; wait while a repair runs, fail
    the attempt at the storage-repair timeout (Azure Stack HCI: never take a node out while
    volumes are degraded); a suspend refused with 5987 is retried under the suspend options,
    then the node fails and the run moves on."""
    nv = node_view(view, node.name)
    # The suspend went through — or its answer was lost but the node is Paused now (the
    # call's effect is judged by the cluster, never by the transport's error).
    if node.suspend_issued or (node.suspend_attempted and nv.state is NodeState.PAUSED):
        return adv(node, Outcome.OK)
    if run.stopping:
        return adv(node, Outcome.STOP)
    # Once Suspend-ClusterNode was refused with 5987, CAU's suspend retries bound the step
    # (not attempts of MaxRetriesPerNode): when they are over the run moves on (CAU 1016).
    over = suspend_retries_over(run, node, profile)
    if over:
        return adv(node, Outcome.GIVE_UP, error=over, event_id=1016, detail=over)
    # Before that, the deadline is checked before the cluster's state: a repair that never
    # ends must fail this attempt (bounded wait), even while every view still says "wait".
    if not node.storage_refusals and late(run, node):
        why = node.last_refusal or maintenance_risk(view, node.name) or "suspend not accepted"
        limit = in_minutes(step_timeout(NodeStep.STORAGE_WAIT, profile))
        return adv(node, Outcome.FAILED, error=f"storage not ready within {limit} minutes: {why}")
    if run.stale:
        return Wait(seconds=POLL_ACTIVE_SECONDS, reason="cluster unreachable")
    if nv.state not in (NodeState.UP, NodeState.PAUSED) or not nv.reachable:
        return adv(node, Outcome.FAILED, error=f"{node.name} is {nv.state.value}")
    if node.command_failures >= MAX_COMMAND_FAILURES:
        return adv(node, Outcome.FAILED, error=f"suspend refused: {node.last_refusal}")
    # Suspend is the first disruptive act: it must rest on a view taken just now.
    if view_too_old(run):
        return Wait(seconds=0.0, reason="observe before suspending")
    # Storage that is resyncing or degraded recovers with time (the guide: wait for the
    # storage jobs to finish before the next server), so it is waited for, not failed.
    waiting_for = storage_guard(view, run, node.name)
    if waiting_for:
        return Wait(seconds=POLL_ACTIVE_SECONDS, reason=waiting_for)
    risk = quorum_risk(view, node.name)
    if risk:
        return adv(
            node, Outcome.CANCEL, error=risk, event_id=1018, detail=risk, cancel_run="QuorumAtRisk"
        )
    # Mixed mode: never ask for a drain the cluster could only fail (runner.mixed_mode).
    stuck = drain_risk(view, node.name)
    if stuck:
        return adv(node, Outcome.FAILED, error=stuck)
    return Suspend(node=node.name, force=profile.forced_drain)


def drain_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """DRAIN: wait for the suspend's drain to complete (CAU 1008) on a view taken after
    this suspend; a failed drain, a node that went away, or the drain timeout fails the
    attempt (CAU 1016)."""
    nv = node_view(view, node.name)
    # DrainStatus keeps the last drain's result until the next drain starts, so only a view
    # taken after this suspend may conclude anything from it.
    fresh = not run.stale and run.view_at >= node.entered_at
    if node.drain_failed or (fresh and nv.drain_status is DrainStatus.FAILED):
        why = node.error or f"drain of {node.name} failed"
        return adv(node, Outcome.FAILED, error=why, event_id=1016, detail=why)
    if run.stopping:
        return adv(node, Outcome.STOP)
    if fresh:
        if nv.state is NodeState.PAUSED and nv.drain_status is DrainStatus.COMPLETED:
            return adv(node, Outcome.OK, event_id=1008, detail="drained; in maintenance")
        if nv.state not in BACK_STATES:
            why = f"{node.name} went {nv.state.value} while draining"
            return adv(node, Outcome.FAILED, error=why, event_id=1016, detail=why)
    if late(run, node):
        limit = in_minutes(step_timeout(NodeStep.DRAIN, profile))
        why = f"drain did not complete within {limit} minutes"
        return adv(node, Outcome.FAILED, error=why, event_id=1016, detail=why)
    return Wait(seconds=POLL_ACTIVE_SECONDS, reason="draining")


def reboot_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """REBOOT: restart the node only on a fresh view that passes every guard (restart,
    maintenance, quorum), then confirm it by a changed boot id (CAU 1011); a node silent
    past the reboot timeout is lost (1012), one back with the same boot id failed."""
    nv = node_view(view, node.name)
    limit = in_minutes(profile.reboot_timeout_s)
    if not node.restart_issued:
        # Before the restart: nothing has happened to the node's services yet, so a
        # stopping run skips the restart (the node is resumed in RECOVER, never left Paused).
        if run.stopping or run.cancel_error_id is not None:
            return adv(node, Outcome.STOP)
        if late(run, node) or node.command_failures >= MAX_COMMAND_FAILURES:
            refusals = node.command_failures >= MAX_COMMAND_FAILURES and node.last_refusal
            refused = f": {node.last_refusal}" if refusals else ""
            return adv(node, Outcome.FAILED, error=f"{node.name} could not be restarted{refused}")
        if run.stale:
            return Wait(seconds=POLL_ACTIVE_SECONDS, reason="cluster unreachable")
        if view_too_old(run):
            return Wait(seconds=0.0, reason="observe before restarting")
        # The rolling-mode promise: never restart a node that still runs a clustered role
        # (its drain may have been undone behind our back, e.g. a role failed back).
        risk = restart_risk(view, node.name)
        if risk:
            return adv(node, Outcome.FAILED, error=f"not restarting: {risk}")
        # Storage may have degraded since the suspend (a disk failed elsewhere): a restart
        # now would take a second fault domain of some volume away, so wait, bounded.
        waiting_for = storage_guard(view, run, node.name)
        if waiting_for:
            if late(run, node):
                return adv(node, Outcome.FAILED, error=f"not restarting: {waiting_for}")
            return Wait(seconds=POLL_ACTIVE_SECONDS, reason=waiting_for)
        quorum = quorum_risk(view, node.name)
        if quorum:
            return adv(
                node,
                Outcome.FAILED,
                error=quorum,
                event_id=1018,
                detail=quorum,
                cancel_run="QuorumAtRisk",
            )
        # Firmware (and drivers flagged so) need the hardware reset that a soft restart
        # (kernel soft reboot) skips, so such an install always gets a full restart.
        soft = wants_soft_restart(profile, view) and not node.firmware_pending
        return Restart(node=node.name, soft=soft, boot_id_before=nv.boot_id)
    # After the restart: only a changed boot id proves it happened. A node that answers
    # again with the same boot id may never have gone down (the command was lost), and a
    # silent node may still be booting, so neither is taken as done.
    if not run.stale:
        changed = bool(nv.boot_id) and nv.boot_id != node.boot_id_before
        if changed and nv.reachable and nv.state in BACK_STATES:
            # A failed update fails the attempt after its restart — unless other plug-ins'
            # updates still wait for their turn (separate_reboots): they install first.
            failed = node.attempt_failed and not plugins_pending(node)
            outcome = Outcome.FAILED if failed else Outcome.OK
            # The build as observed, never as an update's title says (known issue).
            build = f"; runs OS build {os_version_label(nv.os_build)}" if nv.os_build else ""
            detail = f"restarted; boot id changed{build}"
            return adv(node, outcome, event_id=1011, detail=detail)
    # The node's fate is unknown (the cluster itself is silent): LOST leaves it as is,
    # never resumed blind — CAU's 1012.
    if unreachable_too_long(run) or (run.stale and run.stopping):
        why = f"the cluster stopped answering while {node.name} restarted; left as is"
        return adv(node, Outcome.LOST, error=why, event_id=1012, detail=why)
    if run.now >= node.restart_at + profile.reboot_timeout_s and not blind(run):
        if nv.reachable and nv.state in BACK_STATES:
            why = f"restart not confirmed within {limit} minutes: boot id unchanged"
            return adv(node, Outcome.FAILED, error=why, event_id=1012, detail=why)
        why = f"{node.name} did not come back within {limit} minutes of its restart"
        return adv(node, Outcome.LOST, error=why, event_id=1012, detail=why)
    return Wait(seconds=POLL_REBOOT_SECONDS, reason="restarting")


def resume_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """RESUME: resume the node with the profile's failback (CAU 1009); the drain
    timeout bounds it (1017)."""
    nv = node_view(view, node.name)
    # Without Storage Spaces Direct there is nothing to resync: SKIP goes straight past
    # RESYNC to the post-update script.
    if not run.stale and nv.state is NodeState.UP:
        outcome = Outcome.OK if view.s2d_enabled else Outcome.SKIP
        return adv(node, outcome, event_id=1009, detail="resumed; out of maintenance")
    gave_up = run.stopping and run.stale  # ending, and the cluster does not answer
    if late(run, node) or gave_up or node.command_failures >= MAX_COMMAND_FAILURES:
        why = f"{node.name} could not be resumed"
        return adv(node, Outcome.FAILED, error=why, event_id=1017, detail=why)
    # One Resume per step: a second would only repeat the failback; a refused one comes
    # back through command_failures, which bounds the retries.
    if not node.resume_issued and not run.stale:
        mode, note = failback_mode(view, node.name, profile.failback_mode, after_failure=False)
        return Resume(node=node.name, failback=mode, note=note)
    return Wait(seconds=POLL_ACTIVE_SECONDS, reason="resuming")


def resync_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """RESYNC: after resume on Storage Spaces Direct, wait for storage to be healthy again
    before the next node; at the storage-repair timeout the node is done with a note (the
    next node's STORAGE_WAIT still waits), never restarted twice into a degraded pool."""
    nv = node_view(view, node.name)
    if not run.stale and nv.state is not NodeState.UP and (run.stopping or late(run, node)):
        # It went away after it was resumed (a crash): it is not reported Succeeded while
        # it is out of service; nothing left to install, so no retry.
        why = f"{node.name} went {nv.state.value} after it was resumed; left as is"
        return adv(node, Outcome.FAILED, error=why)
    if run.stopping:
        return adv(node, Outcome.STOP)
    if not run.stale and storage_ready(view):
        return adv(node, Outcome.OK)
    # The node itself is updated and back in service; storage that stays degraded is the
    # next node's problem, whose STORAGE_WAIT will not suspend it until storage is healthy.
    if late(run, node):
        limit = in_minutes(step_timeout(NodeStep.RESYNC, profile))
        return adv(
            node,
            Outcome.OK,
            note=f"storage still not healthy {limit} minutes after resume; the next node waits",
        )
    return Wait(seconds=POLL_ACTIVE_SECONDS, reason=storage_risk(view) or "resync")


def recover_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """After a failed attempt: resume the node if the run paused it, then retry or give up."""
    event_id: int | None = None
    detail = ""
    # A node the run paused must never be left Paused by a failed attempt: resume it
    # first (waiting for it to come back if it is down), and only then retry or give up.
    if node.paused_by_us:
        nv = node_view(view, node.name)
        if run.stale or nv.state is not NodeState.UP:
            if late(run, node) or node.command_failures >= MAX_COMMAND_FAILURES:
                why = f"{node.name} is {nv.state.value} and could not be resumed; left as is"
                return adv(node, Outcome.FAILED, error=node.error or why, event_id=1017, detail=why)
            resumable = not run.stale and nv.state is NodeState.PAUSED and nv.reachable
            if not resumable and (run.stopping or run.cancel_error_id is not None):
                # The run is ending and the node cannot be resumed now: leave it as is; it
                # is reported Failed (never Paused and Succeeded).
                return adv(node, Outcome.STOP, error=f"{node.name} left {nv.state.value}")
            if resumable:
                if not node.resume_issued:
                    # After a failed drain a retry drains the node again: failing back the
                    # roles that did move would only move them twice.
                    failback = FailbackMode.NONE if node.drain_failed else profile.failback_mode
                    failback, note = failback_mode(view, node.name, failback, after_failure=True)
                    return Resume(node=node.name, failback=failback, note=note)
                return Wait(seconds=POLL_ACTIVE_SECONDS, reason="resuming")
            return Wait(seconds=POLL_REBOOT_SECONDS, reason=f"waiting for {node.name} to return")
        event_id, detail = 1009, "resumed after a failed attempt"
    if run.stopping or run.cancel_error_id is not None:
        return adv(node, Outcome.STOP, event_id=event_id, detail=detail)
    # CAU's MaxRetriesPerNode counts attempts, the first included; an update loop would
    # loop again on every retry, so it gives up at once.
    looping = node.error.startswith(UPDATE_LOOP_ERROR)
    if node.attempt < profile.max_retries_per_node and not looping:
        return adv(node, Outcome.RETRY, event_id=event_id, detail=detail)
    return adv(node, Outcome.GIVE_UP, event_id=event_id, detail=detail)
