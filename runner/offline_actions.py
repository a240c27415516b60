"""Actions of the fast offline update: what ``offline_decisions.decide_offline`` asks for.

Owns: one frozen value type per cluster-wide act of the offline run — look (wait, then
observe the cluster, the nodes one by one, or the storage pool), save and start VMs, take
the virtual disks offline and online, stop and start the cluster, set a node's cluster
service startup type — and the bookkeeping acts that move the run along (enter a step,
mark a node's service restored, close the run). Node work reuses ``runner.actions``
(``StartInstall``, ``StartScan``, ``Poll``, ``Restart``, ``Advance``), and so do the
run-level ``WarnAfter``, ``StopAfter`` and ``Finish``.

Must not: do anything — ``runner.offline_acts`` performs actions; this module only names
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.actions import (
    Advance,
    Finish,
    Poll,
    Restart,
    StartInstall,
    StartScan,
    StopAfter,
    WarnAfter,
)
from runner.offline_lifecycle import OfflineStep
from runner.offline_types import ServiceStartup

__all__ = [
    "CloseRun",
    "EnterStep",
    "Look",
    "OfflineAction",
    "Restored",
    "SaveVms",
    "SetDisks",
    "SetService",
    "StartCluster",
    "StartVms",
    "StopCluster",
]

CLUSTER, HOSTS, STORAGE = "cluster", "hosts", "storage"


@dataclass(frozen=True, slots=True, kw_only=True)
class Look:
    """Let ``seconds`` pass, then observe ``what`` (``cluster``, ``hosts``, ``storage``)."""

    seconds: float
    what: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveVms:
    """Step 2: save the running VMs (their memory to disk), to start them again later."""

    vms: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StartVms:
    """Step 10's end: start the VMs this run saved."""

    vms: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SetDisks:
    """Steps 3 and 10: every virtual disk offline (``online=False``) or online again."""

    online: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StopCluster:
    """Step 4: Stop-Cluster (the run lock's claims go to the nodes first)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StartCluster:
    """Step 9 (Start-Cluster on ``node``), or a late node's join (Start-ClusterNode)."""

    node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetService:
    """Steps 5 and 8: the cluster service's startup type on ``node``."""

    node: str
    startup: ServiceStartup


@dataclass(frozen=True, slots=True, kw_only=True)
class Restored:
    """``node``'s cluster service is seen Automatic again: nothing of it is left to undo."""

    node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnterStep:
    """End the current cluster-wide step and begin ``step``; ``saved``/``votes``/``witness``
    record what the run is about to change and the quorum it must restore. ``note`` is a
    warning to emit (the run goes on)."""

    step: OfflineStep
    saved: tuple[str, ...] | None = None
    votes: tuple[tuple[str, int], ...] | None = None
    witness: bool | None = None
    note: str = ""
    cluster_started: bool = False  # the cluster answers with quorum again
    disks_online: bool = False  # every virtual disk is online again
    storage_healthy: bool = False  # ... and healthy
    vms_started: bool = False  # the saved VMs were started (``not_started``: not in time)
    not_started: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseRun:
    """The run must end early: remember why (the first reason wins) and undo what it did."""

    error_id: str
    detail: str
    event_id: int | None = None


OfflineAction = (
    Look
    | SaveVms
    | StartVms
    | SetDisks
    | StopCluster
    | StartCluster
    | SetService
    | Restored
    | EnterStep
    | CloseRun
    | StartInstall
    | StartScan
    | Poll
    | Restart
    | Advance
    | WarnAfter
    | StopAfter
    | Finish
)
