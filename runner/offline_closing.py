"""Closing the update window of a fast offline update: steps 8 to 10 — pure decisions.

Owns: the decisions of ``ENABLE_SERVICE`` (the cluster service back to Automatic on every
node the run disabled that answers), ``START_CLUSTER`` (Start-Cluster, only when the nodes
that are back hold a majority of the votes), ``STORAGE_WAIT`` (until the pool is healthy),
``DISKS_ONLINE`` (until Get-VirtualDisk and Get-Volume say healthy), ``START_VMS`` and
``DONE``, each ``(looks, run, off, nodes, profile) -> action``; and the return of a node
that did not come back in time but answers while the run goes on (its service Automatic,
then Start-ClusterNode). A closing run runs these same steps: they undo.

Must not: do I/O, read a clock (``run.now`` is the time), or mutate its inputs.
"""

from __future__ import annotations

from runner.actions import Finish
from runner.offline_actions import (
    CLUSTER,
    HOSTS,
    STORAGE,
    CloseRun,
    EnterStep,
    OfflineAction,
    Restored,
    SetDisks,
    SetService,
    StartCluster,
    StartVms,
)
from runner.offline_lifecycle import OfflineProgress, OfflineStep
from runner.offline_node_steps import Looks, host_of, wait_for
from runner.offline_plan import can_form
from runner.offline_rules import (
    Nodes,
    detached,
    fail,
    healthy,
    issue,
    newer,
    step_late,
    vms_online,
)
from runner.offline_types import ServiceStartup, ServiceState
from runner.profile import ResolvedProfile
from runner.progress import RunProgress
from runner.step_rules import MAX_COMMAND_FAILURES

__all__ = [
    "disks_online_step",
    "done_step",
    "enable_service_step",
    "start_cluster_step",
    "start_vms_step",
    "storage_wait_step",
]


def _late_nodes(looks: Looks, off: OfflineProgress) -> OfflineAction | None:
    """A node that did not come back in time but answers now: its cluster service back to
    Automatic and, once the cluster runs, the node joins (Start-ClusterNode)."""
    for name in off.missing:
        if name not in off.disabled_on:
            continue
        host = host_of(looks, name)
        if not host.reachable or (not newer(looks.hosts_at, off) and off.issued):
            continue
        if host.service_startup is ServiceStartup.DISABLED:
            return SetService(node=name, startup=ServiceStartup.AUTOMATIC)
        if off.cluster_stopped or host.service_state is ServiceState.RUNNING:
            return Restored(node=name)
        return StartCluster(node=name)
    return None


def _hosts_too(off: OfflineProgress, what: tuple[str, ...]) -> tuple[str, ...]:
    """Look at the nodes too while a lost node may come back."""
    late = any(name in off.disabled_on for name in off.missing)
    return (*what, HOSTS) if late and HOSTS not in what else what


def enable_service_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 8: the cluster service back to Automatic on every node this run disabled that
    answers (a node that never came back keeps it Disabled: the report says so)."""
    if looks.hosts_at < off.entered_at:
        return wait_for((HOSTS,), 0.0)
    pending = []
    for name in off.disabled_on:
        host = host_of(looks, name)
        if not host.reachable:
            continue
        if name not in off.asked:
            return SetService(node=name, startup=ServiceStartup.AUTOMATIC)
        if newer(looks.hosts_at, off) and host.service_startup is not ServiceStartup.DISABLED:
            return Restored(node=name)
        pending.append(name)
    if not pending:
        return EnterStep(step=OfflineStep.START_CLUSTER)
    if not newer(looks.hosts_at, off):
        return wait_for((HOSTS,))
    if step_late(run, off) or off.failures >= MAX_COMMAND_FAILURES:
        note = f"the cluster service of {', '.join(pending)} could not be set back to Automatic"
        return EnterStep(step=OfflineStep.START_CLUSTER, note=note)
    return SetService(node=pending[0], startup=ServiceStartup.AUTOMATIC)


def start_cluster_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 9: Start-Cluster — only when the nodes that are back hold a majority of the
    votes, so the cluster forms with quorum; done when it answers with quorum."""
    if not off.cluster_stopped:
        return EnterStep(step=OfflineStep.STORAGE_WAIT)
    if looks.hosts_at < off.entered_at:
        return wait_for((HOSTS,), 0.0)
    assert looks.hosts is not None
    up = [
        h.name
        for h in looks.hosts.hosts
        if h.reachable and h.service_startup is not ServiceStartup.DISABLED
    ]
    if not off.issued:
        if not can_form(off.votes, off.witness, up):
            detail = (
                f"only {len(up)} of {len(off.votes)} node(s) can start their cluster service, "
                "too few votes to form the cluster with quorum; set the cluster service of the "
                "others to Automatic and run Start-Cluster once they are back"
            )
            if off.closing:
                return EnterStep(step=OfflineStep.DONE, note=detail)
            return CloseRun(error_id="QuorumNotPossible", detail=detail)
        return issue(run, off, StartCluster(node=up[0]))
    view = looks.view
    if looks.cluster_answers and newer(looks.cluster_at, off) and view and view.has_quorum:
        return EnterStep(step=OfflineStep.STORAGE_WAIT, cluster_started=True)
    if step_late(run, off):
        return fail(off, "ClusterDidNotStart", "the cluster did not start with quorum")
    return wait_for((CLUSTER, HOSTS))


def storage_wait_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 10, first part: give the cluster time until the storage pool is healthy."""
    if not off.disks_offline:
        return EnterStep(step=OfflineStep.DISKS_ONLINE)
    if action := _late_nodes(looks, off):
        return action
    storage = looks.storage
    if storage is None or looks.storage_at < off.entered_at:
        return wait_for(_hosts_too(off, (STORAGE,)), 0.0)
    if storage.pool_healthy:
        return EnterStep(step=OfflineStep.DISKS_ONLINE)
    gone = [name for name in off.missing if not host_of(looks, name).reachable]
    if gone and not storage.pool_read_only:
        note = (
            f"the storage pool is {storage.pool_health.value}: {', '.join(gone)} did not come back"
        )
        return EnterStep(step=OfflineStep.DISKS_ONLINE, note=note)
    if step_late(run, off):
        if not storage.pool_read_only:
            note = (
                f"the storage pool is still {storage.pool_health.value}; bringing the disks online"
            )
            return EnterStep(step=OfflineStep.DISKS_ONLINE, note=note)
        return fail(off, "StoragePoolNotHealthy", "the storage pool did not come online")
    return wait_for(_hosts_too(off, (STORAGE,)))


def disks_online_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 10: the virtual disks online again; wait until Get-VirtualDisk and Get-Volume
    report them healthy (with a node missing, online is what S2D can give)."""
    if not off.disks_offline:
        return EnterStep(step=OfflineStep.START_VMS)
    if action := _late_nodes(looks, off):
        return action
    if not off.issued:
        return issue(run, off, SetDisks(online=True))
    look = _hosts_too(off, (CLUSTER, STORAGE))
    if not (newer(looks.cluster_at, off) and newer(looks.storage_at, off)):
        return wait_for(look)
    offline_disks, _ = detached(looks)
    view, storage = looks.view, looks.storage
    assert view is not None
    assert storage is not None
    sick = [d.name for d in view.virtual_disks if not d.healthy]
    sick += [v.name for v in storage.volumes if v.name not in sick and not healthy(v.health)]
    gone = any(not host_of(looks, name).reachable for name in off.missing)
    if not offline_disks and (not sick or gone):
        well = not sick
        return EnterStep(step=OfflineStep.START_VMS, disks_online=True, storage_healthy=well)
    if step_late(run, off):
        if not offline_disks:
            note = f"{', '.join(sick)} online but not healthy"
            return EnterStep(step=OfflineStep.START_VMS, disks_online=True, note=note)
        return fail(off, "DisksNotOnline", f"{', '.join(offline_disks)} did not come online")
    if offline_disks and off.failures and newer(looks.cluster_at, off):
        return SetDisks(online=True)  # refused while the pool was not ready: ask again
    return wait_for(look)


def start_vms_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 10's end: start the VMs that ran before the run saved them."""
    if not off.saved:
        return EnterStep(step=OfflineStep.DONE)
    if action := _late_nodes(looks, off):
        return action
    if not off.issued:
        return issue(run, off, StartVms(vms=off.saved))
    if not newer(looks.cluster_at, off):
        return wait_for(_hosts_too(off, (CLUSTER,)))
    _, down = vms_online(looks, off.saved)
    if not down:
        return EnterStep(step=OfflineStep.DONE, vms_started=True)
    if step_late(run, off):
        return EnterStep(step=OfflineStep.DONE, vms_started=True, not_started=tuple(down))
    if off.failures and off.failures < MAX_COMMAND_FAILURES:
        return StartVms(vms=tuple(down))
    return wait_for(_hosts_too(off, (CLUSTER,)))


def done_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Everything is back: the run finishes."""
    return Finish()
