"""Work steps of the node in flight: the decisions of the steps that run detached work on
the node — PRE_SCRIPT/POST_SCRIPT, SCAN, INSTALL and RESCAN.

Owns: one pure function per step, ``(view, run, node, profile) -> Action``: start the work,
poll it until it is done or its deadline passes, and turn its result into an ``Advance``.
``runner.decisions`` dispatches to them by ``NodeStep``; the maintenance steps are the
sibling ``runner.maintenance_steps``.

Rules kept here: an update that already succeeded is never installed again (a re-offer is
an update loop, which fails the node without a retry); an update without a result did not
install; an install whose effect is unknown is followed by a re-scan, never a blind second
install; a re-scan that still reports a restart pending restarts the node again, and so
does a retry's scan that reports one with nothing left to install (an install that went
ahead unseen); a retry's scan that offers again an update that reported Succeeded, its
restart paid, is the same update loop as at the re-scan; at most ``MAX_INSTALL_PASSES``
install → restart → re-scan passes per attempt.

Must not: do I/O, read a clock (``run.now`` is the time), mutate its inputs, or import
``runner.maintenance_steps`` (shared helpers live in ``runner.step_rules``/``runner.timing``).
"""

from __future__ import annotations

from runner.actions import Action, Poll, StartInstall, StartScript
from runner.lifecycle import Outcome
from runner.option_rules import reboot_after_install
from runner.plugin_steps import after_plugin, install_group, scan_action
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.readiness import FEATURE
from runner.step_rules import BACK_STATES, MAX_INSTALL_PASSES, UPDATE_LOOP_ERROR, adv, node_view
from runner.timing import POLL_ACTIVE_SECONDS, late
from runner.types import (
    ClusterView,
    UpdateInfo,
    UpdateResult,
    WorkKind,
    WorkProgress,
    WorkState,
)

__all__ = [
    "FEATURE_UNCHECKED",
    "install_step",
    "post_script_step",
    "pre_script_step",
    "rescan_step",
    "scan_step",
]


# The run's error id when skip_update_checks meets a feature update (see scan_step).
FEATURE_UNCHECKED = "FeatureUpdateNotChecked"


def _work(run: RunProgress, node: NodeProgress, start: Action, what: str) -> Action | WorkProgress:
    """Start detached work, poll it until done; the finished progress, or the next action."""
    if node.handle is None:
        if late(run, node):
            return adv(node, Outcome.FAILED, error=f"{what} on {node.name} could not be started")
        return start
    return _polled(run, node, what)


def _polled(run: RunProgress, node: NodeProgress, what: str) -> Action | WorkProgress:
    """``_work`` once the work was started (``node.handle`` set): poll, or its progress."""
    assert node.handle is not None
    work = node.work
    # Detached work outlives any one WinRM call (an install may take an hour): it is
    # started once and polled; only the step's deadline ends a wait for it.
    if work is None or work.state is WorkState.RUNNING:
        if late(run, node):
            return adv(
                node,
                Outcome.FAILED,
                error=f"{what} on {node.name} did not finish in time",
            )
        return Poll(handle=node.handle, seconds=POLL_ACTIVE_SECONDS)
    return work


def _script_step(run: RunProgress, node: NodeProgress, script: str, which: str) -> Action:
    if run.stopping:
        return adv(node, Outcome.STOP)
    if not script:  # no script configured: the phase is absent, not skipped
        return adv(node, Outcome.OK)
    what = f"{which}-update script"
    done = _work(run, node, StartScript(node=node.name, script=script, which=which), what)
    if not isinstance(done, WorkProgress):
        return done
    # CAU fails the node on a script that throws or exits non-zero (a pre-update script
    # saying "not now" must stop the node before it is drained).
    if done.state is WorkState.SUCCEEDED and done.exit_code in (0, None):
        return adv(node, Outcome.OK)
    reason = f"{what} failed (exit code {done.exit_code})"
    return adv(node, Outcome.FAILED, error=f"{reason}: {done.error}" if done.error else reason)


def pre_script_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """PRE_SCRIPT: the profile's pre-update script on the node (CAU PreUpdateScript)."""
    return _script_step(run, node, profile.pre_update_script, "pre")


def post_script_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """POST_SCRIPT: the profile's post-update script on the node (CAU PostUpdateScript)."""
    return _script_step(run, node, profile.post_update_script, "post")


def _still_needed(offer: tuple[UpdateInfo, ...], node: NodeProgress) -> tuple[UpdateInfo, ...]:
    """What an offer still asks for: an update that already succeeded is never reinstalled."""
    done = set(node.succeeded_ids)
    return tuple(u for u in offer if u.id not in done)


def _rolled_back(offer: tuple[UpdateInfo, ...], node: NodeProgress) -> str:
    """The update-loop error when a retry's scan offers again an update that reported
    Succeeded and whose restart has been paid (it was rolled back at boot, as a re-scan
    finds it: ``rescan_step``); "" when there is none. With a restart still owed the re-offer
    is not judged: the restart comes first, and the re-scan after it judges."""
    if node.restart_pending:
        return ""
    done = set(node.succeeded_ids)
    looped = sorted(u.id for u in offer if u.id in done)
    if not looped:
        return ""
    return f"{UPDATE_LOOP_ERROR}: {', '.join(looped)} offered again after it reported Succeeded"


def scan_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """SCAN: the updates this attempt installs (the preview's offer on the first attempt,
    a fresh scan on a retry or without the preview: skip_update_checks), never one that
    already succeeded."""
    if run.stopping:
        return adv(node, Outcome.STOP)
    # The first attempt installs what the scan before the run showed (what the plan and
    # the change board saw); a retry scans again, as the offer may have changed.
    if node.attempt == 1 and node.initial_offer is not None:
        offer = _still_needed(node.initial_offer, node)
    else:
        done = _work(run, node, scan_action(node.name, profile), "scan")
        if not isinstance(done, WorkProgress):
            return done
        if done.state is WorkState.FAILED:
            return adv(node, Outcome.FAILED, error=f"scan failed: {done.error or done.hresult}")
        rolled_back = _rolled_back(done.offered, node)
        if rolled_back:
            return adv(node, Outcome.FAILED, error=rolled_back)
        offer = _still_needed(done.offered, node)
        if not offer and done.restart_required and not node.restart_pending:
            # Windows says a restart is pending and nothing is left to install: an install
            # went ahead unseen (its answer lost, or its deadline passed while it ran on).
            # The node restarts (drained) so that what it installed takes effect.
            note = "a restart is pending with nothing left to install: the node restarts"
            return adv(node, Outcome.OK, offered=(), note=note, restart_owed=True)
        features = sorted(u.id for u in offer if u.kind == FEATURE)
        if profile.skip_update_checks and features:
            # The feature update's readiness checks need every node's offer before the run
            # (one and the same feature update everywhere), which skip_update_checks skipped.
            why = (
                f"{node.name} is offered the feature update {', '.join(features)}, whose "
                "readiness checks need the update scan before the run that skip_update_checks "
                "skips; the run stops before the node is drained: run without skip_update_checks"
            )
            return adv(node, Outcome.CANCEL, error=why, cancel_run=FEATURE_UNCHECKED)
    if not offer and node.restart_pending:
        # Installed in an earlier attempt but never restarted: the node still needs one.
        return adv(node, Outcome.OK, offered=())
    if not offer:
        return adv(node, Outcome.SKIP, detail="nothing left to install")
    return adv(node, Outcome.OK, offered=offer)


def _install_results(group: tuple[UpdateInfo, ...], work: WorkProgress) -> tuple[UpdateResult, ...]:
    """One result per update installed; an update without a result did not install."""
    by_id = {r.id: r for r in work.results}
    out = []
    for update in group:
        result = by_id.get(update.id)
        # Missing from the agent's answer (the install was cut short): reporting it
        # Succeeded would be a lie, and a retry will offer it again if it did not install.
        if result is None:
            result = UpdateResult(
                id=update.id,
                title=update.title,
                result="Failed",
                hresult=work.hresult,
                plugin=update.plugin,
            )
        out.append(result)
    return tuple(out)


def _after_unknown_install(
    run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """``start_install`` failed with its effect unknown: re-scan and install only what is
    still offered (an update the scan no longer offers was installed by the lost call)."""
    scan = scan_action(node.name, profile)
    done = _work(run, node, scan, "re-scan after an unanswered install")
    if not isinstance(done, WorkProgress):
        return done
    if done.state is WorkState.FAILED:
        return adv(node, Outcome.FAILED, error=f"re-scan failed: {done.error or done.hresult}")
    offered_now = {u.id for u in done.offered}
    still = tuple(u for u in node.offered if u.id in offered_now)
    gone = tuple(
        UpdateResult(
            id=u.id,
            title=u.title,
            result="Succeeded",
            restart_required=u.restart_required,
            plugin=u.plugin,
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
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """INSTALL the offered updates as detached work; one result per update; restart when
    any installed update (or the install itself) asks for one, or the profile forces a
    restart (force_pause_drain_and_reboot) and the node has not restarted yet."""
    if run.stopping and (node.work is None or node.work.state is WorkState.RUNNING):
        # StopAfter: do not wait for the install; the node is resumed and the run ends.
        note = "stopping while the install runs on; it is not waited for" if node.handle else ""
        return adv(node, Outcome.STOP, note=note)
    nv = node_view(view, node.name)
    # A node that went down mid-install (a crash, not our restart) leaves the install's
    # result unknowable: the attempt fails and a retry re-scans.
    if node.handle is not None and not run.stale and nv.state not in BACK_STATES:
        why = f"{node.name} went {nv.state.value} while installing"
        return adv(node, Outcome.FAILED, error=why)
    # Nothing to install in this pass, but an earlier install still owes its restart.
    if node.handle is None and not node.offered:
        return adv(node, Outcome.RESTART if node.restart_pending else Outcome.OK)
    if node.passes > MAX_INSTALL_PASSES:
        return adv(node, Outcome.FAILED, error=f"no install finished in {node.passes} passes")
    # A lost answer to start_install: installing blind again could install twice (and
    # restart twice); the re-scan tells what the lost call did.
    if node.install_unknown or (node.handle is not None and node.handle.kind is WorkKind.SCAN):
        return _after_unknown_install(run, node, profile)
    # A running install is polled many times: only its start and its end need the group.
    polled = _polled(run, node, "install") if node.handle is not None else None
    if polled is not None and not isinstance(polled, WorkProgress):
        return polled
    # One plug-in at a time, in the profile's order (installs are sequential per plug-in).
    spec, group, rest = install_group(node.offered, profile)
    if polled is None:
        start = StartInstall(node=node.name, update_ids=tuple(u.id for u in group), plugin=spec)
        started = _work(run, node, start, "install")
        assert not isinstance(started, WorkProgress)  # not started yet: the start, or a failure
        return started
    done = polled
    results = _install_results(group, done)
    failed = [r for r in results if r.result != "Succeeded"]
    error = ""
    if failed:
        listed = ", ".join(f"{r.id} ({r.hresult or 'no result'})" for r in failed)
        error = f"{len(failed)} update(s) failed: {listed}"
    if run.stopping:
        return adv(node, Outcome.STOP, results=results, error=error)
    # A failed update does not cancel the restart the others need: the node restarts
    # first, then its failed attempt is retried (or given up) from a clean boot.
    installed = [r for r in results if r.result == "Succeeded"]
    restart = done.restart_required or any(r.restart_required for r in installed)
    if rest:
        return after_plugin(node, profile, spec, results, rest, restart=restart, error=error)
    earlier_failed = False
    if len(profile.plugin) > 1:
        # The last plug-in of the pass: earlier plug-ins' restarts and failures count too.
        restart = restart or node.restart_pending
        earlier_failed = node.attempt_failed
        error = error or (node.error if earlier_failed else "")
        tried = set(node.attempt_tried)
        installed += [r for r in node.results if r.id in tried and r.result == "Succeeded"]
    # force_pause_drain_and_reboot: a node that has not restarted in this attempt restarts
    # after its install (its last plug-in's) although no update asks for it
    # (restart_issued: one was issued).
    forced = bool(installed) and reboot_after_install(profile) and not node.restart_issued
    restart = restart or forced
    if restart:
        return adv(node, Outcome.RESTART, results=results, error=error)
    if failed or earlier_failed:
        return adv(node, Outcome.FAILED, results=results, error=error)
    return adv(node, Outcome.OK, results=results)


def rescan_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """RESCAN after a restart: install what is newly offered, restart again while a restart
    is still pending, fail the node on an update loop."""
    if run.stopping:
        return adv(node, Outcome.STOP)
    # Updates that become applicable only after a restart are CAU's re-scan loop; the bound
    # ends a loop that never converges without failing an updated node.
    if node.passes >= MAX_INSTALL_PASSES:
        return adv(node, Outcome.OK, note=f"update loop: stopped after {node.passes} passes")
    done = _work(run, node, scan_action(node.name, profile), "re-scan")
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
