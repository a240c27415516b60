"""The update window of a fast offline update: every node installs, restarts and re-scans
at the same time, while the cluster is stopped — pure decisions over the nodes' progress.

Owns: ``Looks`` (the observations an offline decision reads: the cluster, the nodes one by
one, the storage pool, and how recent each is) and one function per window step —
``install_step``, ``restart_step``, ``rescan_step`` — each ``(looks, run, off, nodes,
profile) -> Action`` over all nodes at once: start what is not started (one start per
turn), conclude what finished, fail what ran out of time, poll what is due, else wait.

Rules kept here (those of ``runner.work_steps``, over many nodes): an update that already
succeeded is never installed again (offered again after a restart, it is an update loop,
which fails the node); an update without a result did not install; an install whose start
had an unknown effect is followed by a re-scan, never a blind second install; a restart is
issued only on a fresh node-level view (its boot id before), never twice, and counts only
when the boot id changed; a node not back within ``reboot_timeout_minutes`` is lost; at
most ``MAX_INSTALL_PASSES`` install → restart → re-scan passes. A closing run starts no
install and no re-scan, but waits for the installs that run and restarts the nodes that
owe one.

Must not: do I/O, read a clock (``run.now`` is the time), or mutate its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from runner.actions import Poll, Restart, StartInstall, StartScan
from runner.lifecycle import NodeStep, Outcome
from runner.offline_actions import Look, OfflineAction
from runner.offline_lifecycle import OfflineProgress
from runner.offline_types import HostsView, HostView, StorageView
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.step_rules import MAX_COMMAND_FAILURES, MAX_INSTALL_PASSES, UPDATE_LOOP_ERROR, adv
from runner.timing import FRESH_VIEW_SECONDS, POLL_ACTIVE_SECONDS, late
from runner.types import ClusterView, UpdateResult, WorkKind, WorkProgress, WorkState

__all__ = ["Looks", "host_of", "install_step", "rescan_step", "restart_step", "wait_for"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Looks:
    """What the offline run has seen: the last cluster view (kept while the cluster is
    stopped), whether the last look at the cluster answered, the last node-level and
    storage views, and when each was taken (seconds since run start; -1: never)."""

    view: ClusterView | None = None
    cluster_answers: bool = False
    cluster_at: float = -1.0
    hosts: HostsView | None = None
    hosts_at: float = -1.0
    storage: StorageView | None = None
    storage_at: float = -1.0


def host_of(looks: Looks, name: str) -> HostView:
    """The node as its own endpoint last answered (not asked yet: unreachable)."""
    if looks.hosts is not None:
        try:
            return looks.hosts.host(name)
        except KeyError:
            pass
    return HostView(name=name, reachable=False)


def wait_for(what: tuple[str, ...], seconds: float = POLL_ACTIVE_SECONDS) -> Look:
    """Let ``seconds`` pass, then observe ``what``."""
    return Look(seconds=seconds, what=what)


def _in(nodes: Mapping[str, NodeProgress], step: NodeStep) -> list[NodeProgress]:
    return [node for node in nodes.values() if node.step is step]


def _polls(
    run: RunProgress, off: OfflineProgress, working: list[NodeProgress]
) -> OfflineAction | None:
    """A poll of the first node whose running work is due this round; ``None`` when every
    due node was polled (then the caller waits)."""
    for node in working:
        running = node.work is None or node.work.state is WorkState.RUNNING
        if node.handle is not None and running and node.name in off.poll_due:
            return Poll(handle=node.handle, seconds=0.0)
    return None


def _install_results(node: NodeProgress, work: WorkProgress) -> tuple[UpdateResult, ...]:
    """One result per offered update; an update without a result did not install."""
    by_id = {r.id: r for r in work.results}
    return tuple(
        by_id.get(u.id)
        or UpdateResult(id=u.id, title=u.title, result="Failed", hresult=work.hresult)
        for u in node.offered
    )


def _unknown_install(node: NodeProgress) -> OfflineAction:
    """``start_install`` had an unknown effect: the re-scan tells what it did."""
    work = node.work
    if node.handle is None or node.handle.kind is not WorkKind.SCAN:
        return StartScan(node=node.name)
    assert work is not None
    assert work.state is not WorkState.RUNNING
    if work.state is WorkState.FAILED:
        return adv(node, Outcome.FAILED, error=f"re-scan failed: {work.error or work.hresult}")
    now = {u.id for u in work.offered}
    gone = tuple(
        UpdateResult(
            id=u.id, title=u.title, result="Succeeded", restart_required=u.restart_required
        )
        for u in node.offered
        if u.id not in now
    )
    still = tuple(u for u in node.offered if u.id in now)
    if still:  # install what is still offered (an update gone from the offer installed)
        return adv(node, Outcome.MORE, offered=still, results=gone)
    restart = any(r.restart_required for r in gone)
    note = "the unanswered install went ahead: the scan no longer offers its updates"
    return adv(node, Outcome.RESTART if restart else Outcome.OK, results=gone, note=note)


def install_step(
    looks: Looks,
    run: RunProgress,
    off: OfflineProgress,
    nodes: Mapping[str, NodeProgress],
    profile: ResolvedProfile,
) -> OfflineAction | None:
    """Step 6: install on every node at the same time; ``None`` once no node installs."""
    installing = _in(nodes, NodeStep.INSTALL)
    if not installing:
        return None
    for node in installing:
        if node.handle is None and not node.install_unknown:
            if off.closing:
                return adv(node, Outcome.STOP, note="the run is closing: not installed")
            if late(run, node):
                return adv(node, Outcome.FAILED, error="the install could not be started")
            return StartInstall(node=node.name, update_ids=tuple(u.id for u in node.offered))
    for node in installing:
        work = node.work
        finished = work is not None and work.state is not WorkState.RUNNING
        if node.install_unknown and (node.handle is None or finished):
            return _unknown_install(node)
        if finished and work is not None and not node.install_unknown:
            return _installed(node, work)
        if late(run, node):
            return adv(
                node, Outcome.FAILED, error=f"the install on {node.name} did not finish in time"
            )
    return _polls(run, off, installing) or wait_for(())


def _installed(node: NodeProgress, work: WorkProgress) -> OfflineAction:
    results = _install_results(node, work)
    failed = [r for r in results if r.result != "Succeeded"]
    error = ""
    if failed:
        listed = ", ".join(f"{r.id} ({r.hresult or 'no result'})" for r in failed)
        error = f"{len(failed)} update(s) failed: {listed}"
    restart = work.restart_required or any(
        r.restart_required for r in results if r.result == "Succeeded"
    )
    if restart:  # the updates that did install still need their restart
        return adv(node, Outcome.RESTART, results=results, error=error)
    if failed:
        return adv(node, Outcome.FAILED, results=results, error=error)
    return adv(node, Outcome.OK, results=results)


def restart_step(
    looks: Looks,
    run: RunProgress,
    off: OfflineProgress,
    nodes: Mapping[str, NodeProgress],
    profile: ResolvedProfile,
) -> OfflineAction | None:
    """Step 7: restart every node that owes a restart, together; ``None`` once all are
    back (or lost)."""
    rebooting = _in(nodes, NodeStep.REBOOT)
    if not rebooting:
        return None
    fresh = run.now - looks.hosts_at <= FRESH_VIEW_SECONDS
    for node in rebooting:
        if node.restart_issued:
            continue
        if node.command_failures >= MAX_COMMAND_FAILURES:
            return adv(node, Outcome.FAILED, error=f"the restart of {node.name} was refused")
        if not fresh:
            return wait_for(("hosts",), 0.0)
        host = host_of(looks, node.name)
        if not host.reachable:
            if late(run, node):
                return adv(
                    node, Outcome.FAILED, error=f"{node.name} did not answer before its restart"
                )
            continue
        soft = off.soft_restart and not node.firmware_pending
        return Restart(node=node.name, soft=soft, boot_id_before=host.boot_id)
    for node in rebooting:
        if not node.restart_issued:
            continue
        host = host_of(looks, node.name)
        back = host.reachable and host.boot_id not in ("", node.boot_id_before)
        if back and looks.hosts_at > node.restart_at:
            skip = off.closing or node.attempt_failed
            detail = f"restarted; OS build {host.os_build}" if host.os_build else "restarted"
            return adv(node, Outcome.SKIP if skip else Outcome.OK, event_id=1011, detail=detail)
        if late(run, node):
            minutes = f"{profile.reboot_timeout_minutes:g}"
            why = f"{node.name} did not come back from its restart within {minutes} min"
            return adv(node, Outcome.LOST, event_id=1012, detail=why, error=why)
    pending = [n for n in rebooting if not n.restart_issued]
    return wait_for(("hosts",), POLL_ACTIVE_SECONDS if pending else 30.0)


def rescan_step(
    looks: Looks,
    run: RunProgress,
    off: OfflineProgress,
    nodes: Mapping[str, NodeProgress],
    profile: ResolvedProfile,
) -> OfflineAction | None:
    """After the restart: a scan on every restarted node finds the updates that became
    applicable; ``None`` once no node re-scans."""
    scanning = _in(nodes, NodeStep.RESCAN)
    if not scanning:
        return None
    for node in scanning:
        if off.closing:
            return adv(node, Outcome.OK, note="the run is closing: no re-scan")
        if node.passes >= MAX_INSTALL_PASSES:
            return adv(node, Outcome.OK, note=f"update loop: stopped after {node.passes} passes")
        if node.handle is None:
            if late(run, node):
                return adv(node, Outcome.FAILED, error="the re-scan could not be started")
            return StartScan(node=node.name)
    for node in scanning:
        work = node.work
        if work is not None and work.state is not WorkState.RUNNING:
            return _rescanned(node, work)
        if late(run, node):
            return adv(
                node, Outcome.FAILED, error=f"the re-scan of {node.name} did not finish in time"
            )
    return _polls(run, off, scanning) or wait_for(())


def _rescanned(node: NodeProgress, work: WorkProgress) -> OfflineAction:
    if work.state is WorkState.FAILED:
        return adv(node, Outcome.FAILED, error=f"re-scan failed: {work.error or work.hresult}")
    succeeded = set(node.succeeded_ids)
    tried = set(node.attempt_tried)
    looped = sorted(u.id for u in work.offered if u.id in succeeded)
    if looped:
        why = f"{UPDATE_LOOP_ERROR}: {', '.join(looped)} offered again after it reported Succeeded"
        return adv(node, Outcome.FAILED, error=why)
    new = tuple(u for u in work.offered if u.id not in tried)
    if new:
        return adv(node, Outcome.MORE, offered=new)
    if work.restart_required:
        if node.restarts > MAX_INSTALL_PASSES:
            why = f"a restart is still pending after {node.restarts} restarts"
            return adv(node, Outcome.FAILED, error=why)
        return adv(node, Outcome.RESTART, note="a restart is still pending after the restart")
    return adv(node, Outcome.OK)
