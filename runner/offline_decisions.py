"""The pure decision core of a fast offline update: ``decide_offline(looks, run, off, nodes,
profile) -> action``.

Owns: given what the run has seen (``Looks``), its ``RunProgress``, its ``OfflineProgress``
and every node's ``NodeProgress`` (in run order), the one next thing to do — the run-level
rules (WarnAfter/StopAfter, a closing run's next undo) and, per cluster-wide step, the one
function that decides it (``STEP_DECISIONS``); the window's node work is
``runner.offline_node_steps``'.

Theory of operation: the engine (``runner.offline_engine``) looks, decides, acts,
checkpoints and loops, as the rolling engine does. A cluster-wide command is issued once and
then looked for: its effect shows in a later observation (the VMs Offline, the disks
Detached, the service Stopped or Disabled on every node, the cluster answering with quorum,
the pool healthy); an observation older than the command proves nothing, so a command is
re-issued only on a newer view that still shows it undone (every one is idempotent). A step
whose effect does not show by its deadline fails the run, which then closes: it undoes
what it did, newest first (``runner.offline_lifecycle.closing_next``). A node that is back
from a lost restart while the run still goes on gets its cluster service back and joins.

Must not: do I/O, read a clock (``run.now`` is the time), mutate its inputs, or compute a
profile default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from runner.actions import StopAfter, WarnAfter
from runner.lifecycle import NodeStep, Outcome
from runner.offline_actions import (
    CLUSTER,
    HOSTS,
    CloseRun,
    EnterStep,
    OfflineAction,
    SaveVms,
    SetDisks,
    SetService,
    StopCluster,
)
from runner.offline_closing import (
    disks_online_step,
    done_step,
    enable_service_step,
    start_cluster_step,
    start_vms_step,
    storage_wait_step,
)
from runner.offline_lifecycle import OfflineProgress, OfflineStep, closing_next
from runner.offline_node_steps import (
    Looks,
    host_of,
    install_step,
    rescan_step,
    restart_step,
    wait_for,
)
from runner.offline_rules import (
    Nodes,
    detached,
    fail,
    issue,
    newer,
    role_state,
    step_late,
    vms_online,
)
from runner.offline_types import ServiceStartup, ServiceState
from runner.profile import ResolvedProfile
from runner.progress import RunProgress
from runner.step_rules import MAX_COMMAND_FAILURES, adv
from runner.timing import past_stop_after, past_warn_after
from runner.types import RoleState, WitnessType

__all__ = ["STEP_DECISIONS", "Decision", "decide_offline"]

Decision = Callable[[Looks, RunProgress, OfflineProgress, Nodes, ResolvedProfile], OfflineAction]
StepWork = Callable[
    [Looks, RunProgress, OfflineProgress, Nodes, ResolvedProfile], OfflineAction | None
]
# Steps a closing run still runs (the others are skipped to ``closing_next``).
_CLOSING_STEPS = frozenset(
    {
        OfflineStep.INSTALL,
        OfflineStep.RESTART,
        OfflineStep.ENABLE_SERVICE,
        OfflineStep.START_CLUSTER,
        OfflineStep.STORAGE_WAIT,
        OfflineStep.DISKS_ONLINE,
        OfflineStep.START_VMS,
        OfflineStep.DONE,
    }
)


# -- steps before the window -----------------------------------------------------------


def begin_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 1 is the plan (shown and confirmed before the run starts); here the run writes
    down what it is about to change and the quorum it will have to restore."""
    view = looks.view
    if view is None or off.closing:
        return EnterStep(step=OfflineStep.DONE)
    running = tuple(
        r.name for r in view.roles if r.kind == "VirtualMachine" and r.state is RoleState.ONLINE
    )
    witness = view.witness.type is not WitnessType.NONE and view.witness.online
    votes = tuple((n.name, n.node_weight) for n in view.nodes)
    return EnterStep(step=OfflineStep.SAVE_VMS, saved=running, votes=votes, witness=witness)


def save_vms_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 2: save every VM that runs; they are started again in step 10."""
    if not off.saved:
        return EnterStep(step=OfflineStep.DISKS_OFFLINE)
    if not off.issued:
        return issue(run, off, SaveVms(vms=off.saved))
    if not newer(looks.cluster_at, off):
        return wait_for((CLUSTER,))
    _, running = vms_online(looks, off.saved)
    still = [vm for vm in running if role_state(looks, vm) is not RoleState.OFFLINE]
    if not still:
        return EnterStep(step=OfflineStep.DISKS_OFFLINE)
    if step_late(run, off):
        return fail(off, "OfflineStepFailed", f"{len(still)} VM(s) not saved in time")
    return wait_for((CLUSTER,))


def disks_offline_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 3: every virtual disk offline (a cluster without S2D has none to take)."""
    view = looks.view
    if view is None or not view.s2d_enabled or not view.virtual_disks:
        return EnterStep(step=OfflineStep.STOP_CLUSTER)
    if not off.issued:
        return issue(run, off, SetDisks(online=False))
    if not newer(looks.cluster_at, off):
        return wait_for((CLUSTER,))
    _, attached = detached(looks)
    if not attached:
        return EnterStep(step=OfflineStep.STOP_CLUSTER)
    if step_late(run, off):
        return fail(off, "OfflineStepFailed", f"{', '.join(attached)} did not go offline")
    return wait_for((CLUSTER,))


def stop_cluster_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 4: Stop-Cluster; done when no node that answers runs its cluster service."""
    if not off.issued:
        return issue(run, off, StopCluster())
    if not newer(looks.hosts_at, off):
        return wait_for((HOSTS,))
    assert looks.hosts is not None
    running = [
        h.name
        for h in looks.hosts.hosts
        if h.reachable and h.service_state is not ServiceState.STOPPED
    ]
    if not running:
        return EnterStep(step=OfflineStep.DISABLE_SERVICE)
    if step_late(run, off):
        return fail(off, "OfflineStepFailed", f"the cluster service still runs on {running}")
    return wait_for((HOSTS,))


def disable_service_step(
    looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
) -> OfflineAction:
    """Step 5: the cluster service Disabled on every node, so it cannot start while the
    node is updated and restarted; a node that does not answer is not updated."""
    if looks.hosts_at < off.entered_at:
        return wait_for((HOSTS,), 0.0)
    waiting = [n for n in nodes.values() if n.step is NodeStep.WAITING]
    for node in waiting:
        host = host_of(looks, node.name)
        if not host.reachable:
            why = f"{node.name} did not answer when the cluster was stopped: not updated"
            return adv(node, Outcome.FAILED, error=why)
        if node.name not in off.asked:
            return SetService(node=node.name, startup=ServiceStartup.DISABLED)
    if not newer(looks.hosts_at, off):
        return wait_for((HOSTS,))
    for node in waiting:
        host = host_of(looks, node.name)
        if host.service_startup is ServiceStartup.DISABLED:
            offer = tuple(u for u in node.initial_offer or () if u.id not in node.succeeded_ids)
            if offer:
                return adv(node, Outcome.OK, offered=offer)
            return adv(node, Outcome.SKIP, detail="nothing to install")
    if waiting:
        if step_late(run, off) or off.failures >= MAX_COMMAND_FAILURES:
            node = waiting[0]
            return adv(node, Outcome.FAILED, error="its cluster service could not be disabled")
        return SetService(node=waiting[0].name, startup=ServiceStartup.DISABLED)
    return EnterStep(step=OfflineStep.INSTALL)


# -- the window ------------------------------------------------------------------------


def _window_next(off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile) -> OfflineAction:
    steps = {n.step for n in nodes.values()}
    if NodeStep.INSTALL in steps:
        return EnterStep(step=OfflineStep.INSTALL)
    if NodeStep.REBOOT in steps:
        return EnterStep(step=OfflineStep.RESTART)
    if NodeStep.RESCAN in steps and not off.closing:
        return EnterStep(step=OfflineStep.RESCAN)
    failed = sum(1 for n in nodes.values() if n.step is NodeStep.FAILED)
    if failed > profile.max_failed_nodes and not off.closing:
        limit = profile.max_failed_nodes
        detail = f"{failed} node(s) failed; MaxFailedNodes is {limit}"
        return CloseRun(error_id="MaxFailedNodesExceeded", detail=detail, event_id=1019)
    return EnterStep(step=OfflineStep.ENABLE_SERVICE)


def _window(step_fn: StepWork) -> Decision:
    """A window step: its node work, then the next step once no node is left in it."""

    def decide(
        looks: Looks, run: RunProgress, off: OfflineProgress, nodes: Nodes, profile: ResolvedProfile
    ) -> OfflineAction:
        action = step_fn(looks, run, off, nodes, profile)
        return action if action is not None else _window_next(off, nodes, profile)

    decide.__doc__ = step_fn.__doc__
    return decide


STEP_DECISIONS: Mapping[OfflineStep, Decision] = MappingProxyType(
    {
        OfflineStep.BEGIN: begin_step,
        OfflineStep.SAVE_VMS: save_vms_step,
        OfflineStep.DISKS_OFFLINE: disks_offline_step,
        OfflineStep.STOP_CLUSTER: stop_cluster_step,
        OfflineStep.DISABLE_SERVICE: disable_service_step,
        OfflineStep.INSTALL: _window(install_step),
        OfflineStep.RESTART: _window(restart_step),
        OfflineStep.RESCAN: _window(rescan_step),
        OfflineStep.ENABLE_SERVICE: enable_service_step,
        OfflineStep.START_CLUSTER: start_cluster_step,
        OfflineStep.STORAGE_WAIT: storage_wait_step,
        OfflineStep.DISKS_ONLINE: disks_online_step,
        OfflineStep.START_VMS: start_vms_step,
        OfflineStep.DONE: done_step,
    }
)


def decide_offline(
    looks: Looks,
    run: RunProgress,
    off: OfflineProgress,
    nodes: Nodes,
    profile: ResolvedProfile,
) -> OfflineAction:
    """The next action of the offline run: StopAfter/WarnAfter while it is not closing, a
    closing run's next undo, else the current step's decision."""
    if not off.closing and off.step is not OfflineStep.DONE:
        if past_stop_after(run, profile):
            return StopAfter()
        if not run.warned and past_warn_after(run, profile):
            return WarnAfter()
    if off.closing and off.step not in _CLOSING_STEPS:
        steps = {n.step for n in nodes.values()}
        installing = any(
            n.step is NodeStep.INSTALL and n.handle is not None for n in nodes.values()
        )
        step = closing_next(off, installing, NodeStep.REBOOT in steps)
        if step is not off.step:
            return EnterStep(step=step)
    return STEP_DECISIONS[off.step](looks, run, off, nodes, profile)
