"""Node steps that run detached work (scripts, scans, installs) and the shared step helpers.

Owns: the pure decisions of PRE_SCRIPT/POST_SCRIPT, SCAN, INSTALL and RESCAN — start the
work, poll it until done or its deadline, and turn its result into an ``Advance`` — plus the
helpers, poll cadences, per-step timeouts and loop bounds every step decision uses.
``runner.steps`` dispatches to these.

Rules kept here: an update that already succeeded is never installed again (a re-offer is
an update loop, which fails the node without a retry); an update without a result did not
install; a re-scan that still reports a restart pending restarts the node again; at most
``MAX_INSTALL_PASSES`` install → restart → re-scan passes per attempt.

Must not: do I/O, read a clock (``run.now`` is the time), or mutate its inputs.
"""

from __future__ import annotations

from runner.actions import Action, Advance, Poll, StartInstall, StartScan, StartScript
from runner.lifecycle import NodeStep, Outcome
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.types import (
    ClusterView,
    NodeState,
    NodeView,
    UpdateInfo,
    UpdateResult,
    WorkKind,
    WorkProgress,
    WorkState,
)

__all__ = [
    "BACK_STATES",
    "FRESH_VIEW_SECONDS",
    "MAX_COMMAND_FAILURES",
    "MAX_INSTALL_PASSES",
    "POLL_ACTIVE_SECONDS",
    "POLL_REBOOT_SECONDS",
    "UNREACHABLE_LIMIT_SECONDS",
    "UPDATE_LOOP_ERROR",
    "adv",
    "blind",
    "install_step",
    "late",
    "minutes",
    "node_view",
    "rescan_step",
    "scan_step",
    "script_step",
    "step_timeout",
    "unreachable_too_long",
    "view_too_old",
]

POLL_ACTIVE_SECONDS = 15.0  # draining, installing, scripts, resync
POLL_REBOOT_SECONDS = 30.0
MAX_INSTALL_PASSES = 10  # install → restart → re-scan loops on one node (update-loop guard)
# No observation for this long: stop waiting for the cluster (steps fail, the run ends
# ClusterUnreachable). Shorter outages never fail a node (issue 3: management disconnects).
UNREACHABLE_LIMIT_SECONDS = 60 * 60.0
FRESH_VIEW_SECONDS = 5.0  # a guard's view must be this recent (one observe round trip)
UPDATE_LOOP_ERROR = "update loop detected"  # a node failed so is not retried
MAX_COMMAND_FAILURES = 3  # refused suspend/resume/restart commands before the step fails

BACK_STATES = (NodeState.PAUSED, NodeState.UP)  # a node that is back from a restart


def step_timeout(step: NodeStep, profile: Profile) -> float | None:
    """Seconds a step may last before it fails (``None``: bounded by other rules)."""
    minutes = {
        NodeStep.PRE_SCRIPT: profile.script_timeout_minutes,
        NodeStep.POST_SCRIPT: profile.script_timeout_minutes,
        NodeStep.SCAN: profile.install_timeout_minutes,
        NodeStep.RESCAN: profile.install_timeout_minutes,
        NodeStep.STORAGE_WAIT: profile.wait_for_storage_repair_timeout_minutes,
        NodeStep.DRAIN: profile.drain_timeout_minutes,
        NodeStep.INSTALL: profile.install_timeout_minutes,
        NodeStep.REBOOT: profile.reboot_timeout_minutes,
        NodeStep.RESUME: profile.drain_timeout_minutes,
        NodeStep.RESYNC: profile.wait_for_storage_repair_timeout_minutes,
        NodeStep.RECOVER: max(profile.drain_timeout_minutes, profile.reboot_timeout_minutes),
    }.get(step)
    return None if minutes is None else minutes * 60.0


def node_view(view: ClusterView, name: str) -> NodeView:
    """The node as observed; a node missing from the view (evicted) is Unknown, unreachable."""
    try:
        return view.node(name)
    except KeyError:
        return NodeView(name=name, state=NodeState.UNKNOWN, reachable=False)


def blind(run: RunProgress) -> bool:
    """The cluster stopped answering, but not for long enough to give up: no step may
    conclude a failure from a deadline it could not watch (a management outage is not a
    failed node — work on the nodes goes on)."""
    since = run.unreachable_since
    if not run.stale or since is None:
        return False
    return run.now - since < UNREACHABLE_LIMIT_SECONDS


def unreachable_too_long(run: RunProgress) -> bool:
    since = run.unreachable_since
    return run.stale and since is not None and run.now - since >= UNREACHABLE_LIMIT_SECONDS


def late(run: RunProgress, node: NodeProgress) -> bool:
    """The step's deadline has passed and we could watch it pass."""
    return node.deadline is not None and run.now >= node.deadline and not blind(run)


def view_too_old(run: RunProgress) -> bool:
    """A disruptive act needs a view taken just now, not one from before the last wait."""
    return run.now - run.view_at > FRESH_VIEW_SECONDS


def minutes(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds / 60:g}"


def adv(
    node: NodeProgress,
    outcome: Outcome,
    *,
    error: str = "",
    event_id: int | None = None,
    detail: str = "",
    note: str = "",
    offered: tuple[UpdateInfo, ...] | None = None,
    results: tuple[UpdateResult, ...] = (),
    cancel_run: str | None = None,
) -> Advance:
    return Advance(
        node=node.name,
        outcome=outcome,
        error=error,
        event_id=event_id,
        detail=detail,
        note=note,
        offered=offered,
        results=results,
        cancel_run=cancel_run,
    )


def _work(run: RunProgress, node: NodeProgress, start: Action, what: str) -> Action | WorkProgress:
    """Start detached work, poll it until done; the finished progress, or the next action."""
    if node.handle is None:
        if late(run, node):
            return adv(node, Outcome.FAILED, error=f"{what} on {node.name} could not be started")
        return start
    work = node.work
    if work is None or work.state is WorkState.RUNNING:
        if late(run, node):
            return adv(
                node,
                Outcome.FAILED,
                error=f"{what} on {node.name} did not finish in time",
            )
        return Poll(handle=node.handle, seconds=POLL_ACTIVE_SECONDS)
    return work


def script_step(run: RunProgress, node: NodeProgress, script: str, which: str) -> Action:
    if run.stopping:
        return adv(node, Outcome.STOP)
    if not script:
        return adv(node, Outcome.OK)
    what = f"{which}-update script"
    done = _work(run, node, StartScript(node=node.name, script=script, which=which), what)
    if not isinstance(done, WorkProgress):
        return done
    if done.state is WorkState.SUCCEEDED and done.exit_code in (0, None):
        return adv(node, Outcome.OK)
    reason = f"{what} failed (exit code {done.exit_code})"
    return adv(node, Outcome.FAILED, error=f"{reason}: {done.error}" if done.error else reason)


def _still_needed(offer: tuple[UpdateInfo, ...], node: NodeProgress) -> tuple[UpdateInfo, ...]:
    """What an offer still asks for: an update that already succeeded is never reinstalled."""
    done = set(node.succeeded_ids)
    return tuple(u for u in offer if u.id not in done)


def scan_step(run: RunProgress, node: NodeProgress) -> Action:
    if run.stopping:
        return adv(node, Outcome.STOP)
    if node.attempt == 1 and node.initial_offer is not None:
        offer = _still_needed(node.initial_offer, node)
    else:
        done = _work(run, node, StartScan(node=node.name), "scan")
        if not isinstance(done, WorkProgress):
            return done
        if done.state is WorkState.FAILED:
            return adv(node, Outcome.FAILED, error=f"scan failed: {done.error or done.hresult}")
        offer = _still_needed(done.offered, node)
    if not offer and node.restart_pending:
        # Installed in an earlier attempt but never restarted: the node still needs one.
        return adv(node, Outcome.OK, offered=())
    if not offer:
        return adv(node, Outcome.SKIP, detail="nothing left to install")
    return adv(node, Outcome.OK, offered=offer)


def _install_results(node: NodeProgress, work: WorkProgress) -> tuple[UpdateResult, ...]:
    """One result per offered update; an update without a result did not install."""
    by_id = {r.id: r for r in work.results}
    out = []
    for update in node.offered:
        result = by_id.get(update.id)
        if result is None:
            result = UpdateResult(
                id=update.id,
                title=update.title,
                result="Failed",
                hresult=work.hresult,
            )
        out.append(result)
    return tuple(out)


def _after_unknown_install(run: RunProgress, node: NodeProgress) -> Action:
    """``start_install`` failed with its effect unknown: re-scan and install only what is
    still offered (an update the scan no longer offers was installed by the lost call)."""
    done = _work(run, node, StartScan(node=node.name), "re-scan after an unanswered install")
    if not isinstance(done, WorkProgress):
        return done
    if done.state is WorkState.FAILED:
        return adv(node, Outcome.FAILED, error=f"re-scan failed: {done.error or done.hresult}")
    offered_now = {u.id for u in done.offered}
    still = tuple(u for u in node.offered if u.id in offered_now)
    gone = tuple(
        UpdateResult(
            id=u.id, title=u.title, result="Succeeded", restart_required=u.restart_required
        )
        for u in node.offered
        if u.id not in offered_now
    )
    if still:
        return adv(node, Outcome.MORE, offered=still, results=gone)
    restart = any(r.restart_required for r in gone)
    note = "the unanswered install went ahead: the scan no longer offers its updates"
    return adv(node, Outcome.RESTART if restart else Outcome.OK, results=gone, note=note)


def install_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: Profile
) -> Action:
    if run.stopping and (node.work is None or node.work.state is WorkState.RUNNING):
        # StopAfter: do not wait for the install; the node is resumed and the run ends.
        note = "stopping while the install runs on; it is not waited for" if node.handle else ""
        return adv(node, Outcome.STOP, note=note)
    nv = node_view(view, node.name)
    if node.handle is not None and not run.stale and nv.state not in BACK_STATES:
        why = f"{node.name} went {nv.state.value} while installing"
        return adv(node, Outcome.FAILED, error=why)
    if node.handle is None and not node.offered:
        return adv(node, Outcome.RESTART if node.restart_pending else Outcome.OK)
    if node.passes > MAX_INSTALL_PASSES:
        return adv(node, Outcome.FAILED, error=f"no install finished in {node.passes} passes")
    if node.install_unknown or (node.handle is not None and node.handle.kind is WorkKind.SCAN):
        return _after_unknown_install(run, node)
    ids = tuple(u.id for u in node.offered)
    done = _work(run, node, StartInstall(node=node.name, update_ids=ids), "install")
    if not isinstance(done, WorkProgress):
        return done
    results = _install_results(node, done)
    failed = [r for r in results if r.result != "Succeeded"]
    error = ""
    if failed:
        listed = ", ".join(f"{r.id} ({r.hresult or 'no result'})" for r in failed)
        error = f"{len(failed)} update(s) failed: {listed}"
    if run.stopping:
        return adv(node, Outcome.STOP, results=results, error=error)
    restart = done.restart_required or any(
        r.restart_required for r in results if r.result == "Succeeded"
    )
    if restart:
        return adv(node, Outcome.RESTART, results=results, error=error)
    if failed:
        return adv(node, Outcome.FAILED, results=results, error=error)
    return adv(node, Outcome.OK, results=results)


def rescan_step(run: RunProgress, node: NodeProgress) -> Action:
    if run.stopping:
        return adv(node, Outcome.STOP)
    if node.passes >= MAX_INSTALL_PASSES:
        return adv(node, Outcome.OK, note=f"update loop: stopped after {node.passes} passes")
    done = _work(run, node, StartScan(node=node.name), "re-scan")
    if not isinstance(done, WorkProgress):
        return done
    if done.state is WorkState.FAILED:
        return adv(node, Outcome.FAILED, error=f"re-scan failed: {done.error or done.hresult}")
    tried = set(node.attempt_tried)
    succeeded = set(node.succeeded_ids)
    new = tuple(u for u in done.offered if u.id not in tried and u.id not in succeeded)
    looped = sorted(u.id for u in done.offered if u.id in succeeded)
    if looped:
        # ansible's win_updates rule: an update offered again after it reported Succeeded
        # is rolled back at boot; installing it again loops, so the node fails, no retry.
        listed = ", ".join(looped)
        why = f"{UPDATE_LOOP_ERROR}: {listed} offered again after it reported Succeeded"
        return adv(node, Outcome.FAILED, error=why)
    if new:
        return adv(node, Outcome.MORE, offered=new)
    if done.restart_required:
        # Still pending after the restart (Storage Replica after a feature update needs a
        # second one, known issue): restart again before resuming and the post-update steps.
        if node.restarts > MAX_INSTALL_PASSES:
            return adv(
                node,
                Outcome.FAILED,
                error=f"a restart is still pending after {node.restarts} restarts",
            )
        note = "a restart is still pending after the restart; restarting again"
        return adv(node, Outcome.RESTART, note=note)
    return adv(node, Outcome.OK)
