"""What the offline update's step decisions share: the step's clock, the freshness of a look,
a failed step, a command issued at most so often, and what the last cluster view says of
the VMs and the virtual disks.

Owns: ``step_late`` (the cluster-wide step's deadline passed while the run could watch),
``newer`` (a look taken after the step's command), ``fail`` (close the run — or, closing
already, give the step up: ``after_closing``), ``issue`` (the step's command, unless it was
refused too often or never accepted in time), ``vms_online``, ``role_state``, ``detached``
and ``healthy``. ``runner.offline_decisions`` and ``runner.offline_closing`` are siblings
that share these.

Must not: do I/O, read a clock, or decide a step.
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.offline_actions import CloseRun, EnterStep, OfflineAction
from runner.offline_lifecycle import OfflineProgress, OfflineStep
from runner.offline_node_steps import Looks
from runner.progress import NodeProgress, RunProgress
from runner.step_rules import MAX_COMMAND_FAILURES
from runner.timing import blind
from runner.types import HealthStatus, OperationalStatus, RoleState

__all__ = [
    "Nodes",
    "after_closing",
    "detached",
    "fail",
    "healthy",
    "issue",
    "newer",
    "role_state",
    "step_late",
    "vms_online",
]

Nodes = Mapping[str, NodeProgress]


def step_late(run: RunProgress, off: OfflineProgress) -> bool:
    """The step's deadline passed and the run could watch it pass."""
    return off.deadline is not None and run.now >= off.deadline and not blind(run)


def newer(at: float, off: OfflineProgress) -> bool:
    """A look taken at ``at`` shows the step's command's effect (it is newer)."""
    return off.issued and at > off.issued_at


def fail(off: OfflineProgress, error_id: str, detail: str) -> OfflineAction:
    """A step failed: close the run — or, already closing, give the step up."""
    if off.closing:
        return EnterStep(step=after_closing(off), note=detail)
    return CloseRun(error_id=error_id, detail=detail)


def issue(run: RunProgress, off: OfflineProgress, action: OfflineAction) -> OfflineAction:
    """The step's command — unless the cluster refused it too often or the step ran out of
    time before it was ever accepted."""
    if off.failures >= MAX_COMMAND_FAILURES or step_late(run, off):
        what = type(action).__name__
        return fail(off, "OfflineStepFailed", f"{what} was refused {off.failures} time(s)")
    return action


def after_closing(off: OfflineProgress) -> OfflineStep:
    """The undo after the current one (a closing step given up moves on)."""
    order = (
        OfflineStep.ENABLE_SERVICE,
        OfflineStep.START_CLUSTER,
        OfflineStep.STORAGE_WAIT,
        OfflineStep.DISKS_ONLINE,
        OfflineStep.START_VMS,
        OfflineStep.DONE,
    )
    later = order[order.index(off.step) + 1 :] if off.step in order else order
    if off.step in (OfflineStep.START_CLUSTER, OfflineStep.STORAGE_WAIT):
        return OfflineStep.DONE  # no cluster or no pool: the disks and VMs cannot follow
    return later[0] if later else OfflineStep.DONE


def healthy(health: HealthStatus) -> bool:
    return health is HealthStatus.HEALTHY


def vms_online(looks: Looks, vms: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(online, not online) among ``vms`` in the last cluster view."""
    view = looks.view
    states = {r.name: r.state for r in view.roles} if view is not None else {}
    online = [vm for vm in vms if states.get(vm) is RoleState.ONLINE]
    return online, [vm for vm in vms if vm not in online]


def role_state(looks: Looks, name: str) -> RoleState | None:
    view = looks.view
    for role in view.roles if view is not None else ():
        if role.name == name:
            return role.state
    return None


def detached(looks: Looks) -> tuple[list[str], list[str]]:
    """(detached, attached) virtual disks of the last cluster view."""
    disks = looks.view.virtual_disks if looks.view is not None else ()
    off = [d.name for d in disks if OperationalStatus.DETACHED in d.operational]
    return off, [d.name for d in disks if d.name not in off]
