"""The narrow views of the world that only one run mode's subsystem uses: the offline
update's (``simulator.offline``) and the post-installation steps' (``simulator.post_upgrade``).

Owns: the ``typing.Protocol``s ``OfflineStorage``, ``VmRecord``, ``SavedWorkloads``,
``OfflineVerdicts``, ``OfflineOperations``, ``VmState``, ``VmHosting``, ``Consents`` and
``PostUpgradeSteps``; ``simulator.world_port`` re-exports them beside the world protocols
(``OfflineWorld``, ``UpgradeWorld``) that name them.

Must not: hold state or behaviour, or import ``simulator.world_port`` (it imports this
module) or a simulator module other than the leaves ``lock_claims`` and ``violation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from runner.offline_types import HostsView, HostView, ServiceStartup, StorageView
from runner.post_types import VmVersions
from runner.types import HealthStatus, VirtualDiskView
from simulator.lock_claims import NodeClaims
from simulator.violation import Violation

__all__ = [
    "Consents",
    "OfflineOperations",
    "OfflineStorage",
    "OfflineVerdicts",
    "PostUpgradeSteps",
    "SavedWorkloads",
    "VmHosting",
    "VmRecord",
    "VmState",
]


# -- the fast offline update (``simulator.offline``) ------------------------------------------
class OfflineStorage(Protocol):
    """S2D storage as the offline update (``simulator.offline``) reaches it."""

    @property
    def away(self) -> Mapping[str, float]: ...
    def set_detached(self, detached: bool) -> list[str]: ...
    def stop_pool(self) -> None: ...
    def start_pool(self, members: list[str]) -> None: ...
    def pool_state(self) -> tuple[HealthStatus, bool]: ...
    def disk_views(self) -> tuple[VirtualDiskView, ...]: ...


class VmRecord(Protocol):
    """One VM as the offline update and its judge read it."""

    @property
    def name(self) -> str: ...
    @property
    def online(self) -> bool: ...


class SavedWorkloads(Protocol):
    """The workloads as the offline update saves, stops and starts them."""

    @property
    def vms(self) -> Sequence[VmRecord]: ...
    def save(self, name: str) -> bool: ...
    def start_saved(self, names: tuple[str, ...]) -> None: ...
    def all_lost(self) -> None: ...
    def retry_pending(self) -> None: ...


class OfflineVerdicts(Protocol):
    """The offline update's judge (``simulator.oracle_offline``), as the oracle calls it."""

    def hard_stop(self, why: str, vms: list[str]) -> None: ...
    def verdicts(self, report: Mapping[str, Any]) -> dict[str, dict[str, Any]]: ...


class OfflineOperations(Protocol):
    """The offline update's operations on the world (``simulator.offline.OfflineCluster``),
    as the transport and the oracle reach them."""

    @property
    def stopped(self) -> bool: ...
    @property
    def judge(self) -> OfflineVerdicts: ...
    @property
    def claims(self) -> NodeClaims: ...
    def answering(self) -> dict[str, bool]: ...
    def host_view(self, node: str) -> HostView: ...
    def hosts_view(self, views: tuple[HostView, ...]) -> HostsView: ...
    def storage_view(self) -> StorageView: ...
    def save_vms(self, vms: tuple[str, ...]) -> None: ...
    def start_vms(self, vms: tuple[str, ...]) -> None: ...
    def set_disks(self, online: bool) -> None: ...
    def stop_cluster(self) -> None: ...
    def set_service(self, node: str, startup: ServiceStartup) -> None: ...
    def start_cluster(self, node: str) -> bool: ...


# -- the post-installation steps (``simulator.post_upgrade``) --------------------------------
class VmState(Protocol):
    """One VM of ``simulator.workloads`` (``SimVm``) as the post-installation steps use it."""

    owner: str
    online: bool
    config_version: str
    down_since: float | None
    downtime: float

    @property
    def name(self) -> str: ...


class VmHosting(Protocol):
    """The VMs of ``simulator.workloads`` and the signal that one changed state."""

    @property
    def vms(self) -> Sequence[VmState]: ...
    def changed(self, vm: Any) -> None: ...


class Consents(Protocol):
    """The oracle's list of consented downtime (``workload-availability``)."""

    consented: list[dict[str, Any]]


class PostUpgradeSteps(Protocol):
    """``simulator.post_upgrade.PostUpgrade``: what the transport and the oracle call."""

    def raise_functional_level(self) -> None: ...
    def raise_pool(self) -> None: ...
    def vm_versions(self) -> VmVersions: ...
    def stop_vm(self, name: str) -> None: ...
    def update_vm_version(self, name: str) -> str: ...
    def start_vm(self, name: str) -> None: ...
    def section(self) -> dict[str, Any]: ...
    def truth(self, report: Mapping[str, Any]) -> list[Violation]: ...
