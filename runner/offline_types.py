"""Value types of the fast offline update's part of the transport contract.

Owns: what a transport answers while the whole cluster is being taken down and brought back
(the guide's "Perform a fast, offline update of all servers in a cluster"): the cluster
service of a node (``ServiceStartup``, ``ServiceState`` with the numeric codes Windows
PowerShell 5.1 emits), the node-level observation made on each node's own endpoint while
the cluster is stopped and cannot answer cluster cmdlets (``HostView``, ``HostsView``), and
the storage pool with its volumes as ``Get-StoragePool`` and ``Get-Volume`` show them
(``StorageView``, ``VolumeView``).

Must not: do I/O, know about SimPy, WinRM or the runner's decisions. Everything here is
immutable (``frozen=True, slots=True, kw_only=True``) and tuples stand where lists would.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from runner.types import HealthStatus

__all__ = [
    "HostView",
    "HostsView",
    "ServiceStartup",
    "ServiceState",
    "StorageView",
    "VolumeView",
]


class ServiceStartup(StrEnum):
    """The cluster service's startup type (System.ServiceProcess.ServiceStartMode):
    Automatic 2, Manual 3, Disabled 4."""

    AUTOMATIC = "Automatic"
    MANUAL = "Manual"
    DISABLED = "Disabled"

    @property
    def code(self) -> int:
        return {"Automatic": 2, "Manual": 3, "Disabled": 4}[self.value]

    @classmethod
    def from_code(cls, code: int) -> ServiceStartup:
        """Boot 0 and System 1 never apply to ClusSvc; an unknown code reads as Manual."""
        return {2: cls.AUTOMATIC, 4: cls.DISABLED}.get(code, cls.MANUAL)


class ServiceState(StrEnum):
    """The cluster service's status (ServiceControllerStatus): Stopped 1, Running 4; the
    pending and paused codes (2, 3, 5, 6, 7) read as Pending."""

    STOPPED = "Stopped"
    RUNNING = "Running"
    PENDING = "Pending"

    @property
    def code(self) -> int:
        return {"Stopped": 1, "Running": 4, "Pending": 2}[self.value]

    @classmethod
    def from_code(cls, code: int) -> ServiceState:
        return {1: cls.STOPPED, 4: cls.RUNNING}.get(code, cls.PENDING)


@dataclass(frozen=True, slots=True, kw_only=True)
class HostView:
    """One node as its own endpoint shows it (no cluster cmdlet): whether it answered, its
    boot id (LastBootUpTime) and OS build, and its cluster service (ClusSvc)."""

    name: str
    reachable: bool
    boot_id: str = ""
    os_build: str = ""
    service_state: ServiceState = ServiceState.STOPPED
    service_startup: ServiceStartup = ServiceStartup.AUTOMATIC


@dataclass(frozen=True, slots=True, kw_only=True)
class HostsView:
    """The node-level observation of a cluster whose cluster service may be stopped; one
    ``HostView`` per node asked, in the order asked. ``taken_at`` is the transport clock's."""

    taken_at: float
    hosts: tuple[HostView, ...]

    def host(self, name: str) -> HostView:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumeView:
    """One volume as Get-Volume shows it: HealthStatus Healthy 0, Warning 1, Unhealthy 2."""

    name: str
    health: HealthStatus = HealthStatus.HEALTHY


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageView:
    """The Storage Spaces Direct pool (Get-StoragePool -IsPrimordial $false) and its
    volumes (Get-Volume). ``pool_read_only``: the pool is not writable (it lost quorum, or
    it is still starting after Start-Cluster)."""

    taken_at: float
    pool_health: HealthStatus
    pool_read_only: bool
    volumes: tuple[VolumeView, ...] = ()

    @property
    def pool_healthy(self) -> bool:
        """What the guide's "make sure the storage pool is healthy" asks for."""
        return self.pool_health is HealthStatus.HEALTHY and not self.pool_read_only

    @property
    def volumes_healthy(self) -> bool:
        return all(v.health is HealthStatus.HEALTHY for v in self.volumes)
