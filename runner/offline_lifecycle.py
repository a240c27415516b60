"""The fast offline update as data: its cluster-wide steps, its progress, and the node moves.

Owns: ``OfflineStep`` (the guide's ten steps as the run's cluster-wide steps), ``NEXT`` (the
order they follow), ``OfflineProgress`` (what a coordinator knows of its offline run
between two turns — journaled with the ``RunState`` as its ``mode_state``), the node moves
of the update window (``NODE_TRANSITIONS``), the timeouts of the cluster-wide steps and
the report sections built from a finished progress (``cluster_timing``, ``offline_section``).

Theory of operation (guide "Perform a fast, offline update of all servers in a cluster")::

    BEGIN → SAVE_VMS → DISKS_OFFLINE → STOP_CLUSTER → DISABLE_SERVICE
          → INSTALL ⇄ RESTART ⇄ RESCAN (every node at once; a re-scan that finds updates
            which became applicable after the restart installs and restarts again)
          → ENABLE_SERVICE → START_CLUSTER → STORAGE_WAIT → DISKS_ONLINE → START_VMS → DONE

A run that must end early (an operator's stop, StopAfter, a step that failed) is
*closing*: it starts nothing new and runs only the steps that undo what it did, from the
progress' record of it (``saved``, ``disks_offline``, ``cluster_stopped``,
``disabled_on``): installs already running finish, restarts owed are made, the cluster
service is set back to Automatic, the cluster started, the disks brought online, the saved
VMs started. ``closing_next`` says which step that is.

Node steps in the window (``runner.lifecycle.NodeStep`` values)::

    WAITING ─ok→ INSTALL ─restart→ REBOOT ─ok→ RESCAN ─more→ INSTALL …  RESCAN ─ok→ DONE
    WAITING ─skip→ DONE (nothing offered)   INSTALL ─ok→ RESCAN (nothing needs a restart)
    INSTALL ─more→ INSTALL (an unanswered start: the re-scan says what is left to install)
    INSTALL/REBOOT/RESCAN ─failed→ FAILED   REBOOT ─lost→ FAILED (never came back)
    WAITING/INSTALL ─stop→ STOPPED (the run closes before the node's install started)
    WAITING ─failed→ FAILED (unreachable when the cluster was stopped: not updated)

Must not: do I/O, read a clock, or decide anything (``runner.offline_decisions`` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from runner.errors import IllegalTransition
from runner.lifecycle import NodeStep, Outcome

__all__ = [
    "CLUSTER_COMMAND_SECONDS",
    "NEXT",
    "NODE_TRANSITIONS",
    "VM_ACTION",
    "OfflineProgress",
    "OfflineStep",
    "closing_next",
    "cluster_timing",
    "node_advance",
    "offline_section",
]

# How long a cluster-wide command step (disks offline/online, Stop-Cluster, the service's
# startup type) may take before it counts as failed; VMs take the profile's drain timeout,
# installs its install timeout, restarts and Start-Cluster its reboot timeout, the pool and
# the disks its storage-repair timeout.
CLUSTER_COMMAND_SECONDS = 10 * 60.0
# What step 2 does with a running VM: save it (its memory goes to disk and it resumes where
# it was); the guide assumes no VM must stay up during the offline update.
VM_ACTION = "save"


class OfflineStep(StrEnum):
    BEGIN = "begin"
    SAVE_VMS = "save_vms"
    DISKS_OFFLINE = "disks_offline"
    STOP_CLUSTER = "stop_cluster"
    DISABLE_SERVICE = "disable_service"
    INSTALL = "install"
    RESTART = "restart"
    RESCAN = "rescan"
    ENABLE_SERVICE = "enable_service"
    START_CLUSTER = "start_cluster"
    STORAGE_WAIT = "storage_wait"
    DISKS_ONLINE = "disks_online"
    START_VMS = "start_vms"
    DONE = "done"


# The straight order; the window's loop (RESCAN → INSTALL) is decided from the nodes.
NEXT: Mapping[OfflineStep, OfflineStep] = {
    OfflineStep.BEGIN: OfflineStep.SAVE_VMS,
    OfflineStep.SAVE_VMS: OfflineStep.DISKS_OFFLINE,
    OfflineStep.DISKS_OFFLINE: OfflineStep.STOP_CLUSTER,
    OfflineStep.STOP_CLUSTER: OfflineStep.DISABLE_SERVICE,
    OfflineStep.DISABLE_SERVICE: OfflineStep.INSTALL,
    OfflineStep.INSTALL: OfflineStep.RESTART,
    OfflineStep.RESTART: OfflineStep.RESCAN,
    OfflineStep.RESCAN: OfflineStep.ENABLE_SERVICE,
    OfflineStep.ENABLE_SERVICE: OfflineStep.START_CLUSTER,
    OfflineStep.START_CLUSTER: OfflineStep.STORAGE_WAIT,
    OfflineStep.STORAGE_WAIT: OfflineStep.DISKS_ONLINE,
    OfflineStep.DISKS_ONLINE: OfflineStep.START_VMS,
    OfflineStep.START_VMS: OfflineStep.DONE,
}

S, O = NodeStep, Outcome  # noqa: E741 - short names keep the table readable
NODE_TRANSITIONS: Mapping[tuple[NodeStep, Outcome], NodeStep] = {
    (S.WAITING, O.OK): S.INSTALL,
    (S.WAITING, O.SKIP): S.DONE,
    (S.WAITING, O.FAILED): S.FAILED,
    (S.WAITING, O.STOP): S.STOPPED,
    (S.INSTALL, O.RESTART): S.REBOOT,
    (S.INSTALL, O.OK): S.RESCAN,
    (S.INSTALL, O.FAILED): S.FAILED,
    (S.INSTALL, O.MORE): S.INSTALL,  # an unanswered start: install what is still offered
    (S.INSTALL, O.STOP): S.STOPPED,
    (S.REBOOT, O.OK): S.RESCAN,
    (S.REBOOT, O.SKIP): S.DONE,  # the run is closing, or the node's pass failed: no re-scan
    (S.REBOOT, O.FAILED): S.FAILED,
    (S.REBOOT, O.LOST): S.FAILED,
    (S.RESCAN, O.MORE): S.INSTALL,
    (S.RESCAN, O.RESTART): S.REBOOT,
    (S.RESCAN, O.OK): S.DONE,
    (S.RESCAN, O.FAILED): S.FAILED,
}
del S, O


def node_advance(step: NodeStep, outcome: Outcome) -> NodeStep:
    """The node's step after ``step`` ends with ``outcome``; ``IllegalTransition`` if none."""
    try:
        return NODE_TRANSITIONS[(step, outcome)]
    except KeyError:
        raise IllegalTransition(step, outcome) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class OfflineProgress:
    """The offline run's cluster-wide state (see module docstring). Times are seconds since
    run start. What the run changed is kept until it is undone, so a resumed coordinator
    (or a closing run) knows exactly what is left to restore."""

    step: OfflineStep = OfflineStep.BEGIN
    entered_at: float = 0.0
    deadline: float | None = None
    issued: bool = False  # the step's cluster-wide command was accepted
    issued_at: float = 0.0
    failures: int = 0  # commands of this step the cluster refused
    closing: bool = False  # ending early: only the undoing steps remain
    planned_downtime_s: float = 0.0
    # reboot_mode / attempt_soft_reboot with CauEnableSoftReboot as seen at the start (the
    # cluster property cannot be read while the cluster is stopped)
    soft_restart: bool = False
    # the cluster as the last view before the stop showed it (quorum math in the window)
    votes: tuple[tuple[str, int], ...] = ()
    witness: bool = False
    # what this run changed and has not undone yet
    saved: tuple[str, ...] = ()  # VMs saved, to start again
    disks_offline: bool = False
    cluster_stopped: bool = False
    disabled_on: tuple[str, ...] = ()  # nodes whose cluster service is Disabled by this run
    # the report
    vms_saved: tuple[str, ...] = ()  # every VM the run saved
    vms_not_started: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # nodes that did not come back from their restart
    poll_due: tuple[str, ...] = ()  # nodes whose work is still to be polled this round
    asked: tuple[str, ...] = ()  # nodes a per-node command of this step went to
    spans: tuple[tuple[str, float, float], ...] = ()  # closed cluster steps
    open_since: float | None = None  # the current step's start, once it did something
    downtime_start: float | None = None
    downtime_end: float | None = None
    storage_healthy_at: float | None = None
    start_cluster_at: float | None = None

    @property
    def in_window(self) -> bool:
        """The cluster is stopped by this run (or being stopped)."""
        return self.cluster_stopped


def closing_next(progress: OfflineProgress, any_installing: bool, any_reboot: bool) -> OfflineStep:
    """The next step of a closing run: the first undo that is still owed."""
    if any_installing:
        return OfflineStep.INSTALL
    if any_reboot:
        return OfflineStep.RESTART
    if progress.disabled_on:
        return OfflineStep.ENABLE_SERVICE
    if progress.cluster_stopped:
        return OfflineStep.START_CLUSTER
    if progress.disks_offline:
        return OfflineStep.STORAGE_WAIT
    if progress.saved:
        return OfflineStep.START_VMS
    return OfflineStep.DONE


def _span(start: float | None, end: float | None) -> list[float] | None:
    if start is None or end is None:
        return None
    return [round(start, 3), round(end, 3)]


def cluster_timing(progress: OfflineProgress) -> dict[str, Any]:
    """The report's ``cluster_timing``: the planned and the real downtime, the time from
    Start-Cluster to healthy storage, and each cluster-wide step's [start, end] (a step
    that ran more than once, e.g. install in a second pass, spans its first start to its
    last end)."""
    steps: dict[str, list[float]] = {}
    for name, start, end in progress.spans:
        if name in steps:
            steps[name][1] = round(end, 3)
        else:
            steps[name] = [round(start, 3), round(end, 3)]
    down = _span(progress.downtime_start, progress.downtime_end)
    storage = None
    if progress.start_cluster_at is not None and progress.storage_healthy_at is not None:
        storage = round(progress.storage_healthy_at - progress.start_cluster_at, 3)
    return {
        "planned_downtime_seconds": round(progress.planned_downtime_s, 3),
        "downtime": down,
        "downtime_seconds": round(down[1] - down[0], 3) if down is not None else None,
        "storage_healthy_seconds": storage,
        "steps": steps,
    }


def offline_section(progress: OfflineProgress) -> dict[str, Any]:
    """The report's ``offline``: what the run did with the VMs, and the nodes whose cluster
    service it could not set back to Automatic (they did not come back)."""
    return {
        "vm_action": VM_ACTION,
        "vms_saved": list(progress.vms_saved),
        "vms_not_started": list(progress.vms_not_started),
        "service_left_disabled": list(progress.disabled_on),
    }
