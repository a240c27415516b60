"""Value types of the transport contract, in CAU and failover-cluster vocabulary.

Owns: the frozen snapshot types a transport returns (``ClusterView`` and its parts), the
run lock's ``LockHolder``, and the enumerations with the numeric codes real
Windows PowerShell 5.1 emits (reference cau.md §5), so a WinRM parser can map codes here.

The work types (updates, handles and progress of detached work) live in
``runner.work_types`` and are re-exported here.

Must not: do I/O, know about SimPy, WinRM or the runner's decisions. Everything here is
immutable (``frozen=True, slots=True, kw_only=True``) and tuples stand where lists would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from runner.work_types import (  # part of the contract: ``runner.types`` is its import path
    UpdateInfo,
    UpdateResult,
    ValidationReport,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)

__all__ = [
    "BootType",
    "ClusterView",
    "DrainStatus",
    "FailbackMode",
    "HealthStatus",
    "LockHolder",
    "NodeState",
    "NodeView",
    "OperationalStatus",
    "Resiliency",
    "RoleState",
    "RoleView",
    "StorageJobState",
    "StorageJobView",
    "SummaryStatus",
    "UpdateInfo",
    "UpdateResult",
    "ValidationReport",
    "VirtualDiskView",
    "WitnessType",
    "WitnessView",
    "WorkHandle",
    "WorkKind",
    "WorkProgress",
    "WorkState",
]


class NodeState(StrEnum):
    """CLUSTER_NODE_STATE: Up 0, Down 1, Paused 2, Joining 3, Unknown -1."""

    UP = "Up"
    DOWN = "Down"
    PAUSED = "Paused"
    JOINING = "Joining"
    UNKNOWN = "Unknown"

    @classmethod
    def from_code(cls, code: int) -> NodeState:
        return _NODE_STATE_CODES.get(code, cls.UNKNOWN)


_NODE_STATE_CODES = {0: NodeState.UP, 1: NodeState.DOWN, 2: NodeState.PAUSED, 3: NodeState.JOINING}


class DrainStatus(StrEnum):
    """NodeDrainStatus: NotInitiated 0, InProgress 1, Completed 2, Failed 3."""

    NOT_INITIATED = "NotInitiated"
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"

    @classmethod
    def from_code(cls, code: int) -> DrainStatus:
        return (cls.NOT_INITIATED, cls.IN_PROGRESS, cls.COMPLETED, cls.FAILED)[code]


class HealthStatus(StrEnum):
    """MSFT_VirtualDisk HealthStatus: Healthy 0, Warning 1, Unhealthy 2, Unknown 5."""

    HEALTHY = "Healthy"
    WARNING = "Warning"
    UNHEALTHY = "Unhealthy"
    UNKNOWN = "Unknown"

    @classmethod
    def from_code(cls, code: int) -> HealthStatus:
        return {0: cls.HEALTHY, 1: cls.WARNING, 2: cls.UNHEALTHY}.get(code, cls.UNKNOWN)


class OperationalStatus(IntEnum):
    """MSFT_VirtualDisk OperationalStatus codes (a disk reports a tuple of them)."""

    UNKNOWN = 0
    OTHER = 1
    OK = 2
    DEGRADED = 3
    STRESSED = 4
    PREDICTIVE_FAILURE = 5
    ERROR = 6
    NON_RECOVERABLE_ERROR = 7
    STARTING = 8
    STOPPING = 9
    STOPPED = 10
    IN_SERVICE = 11
    NO_CONTACT = 12
    LOST_COMMUNICATION = 13
    ABORTED = 14
    DORMANT = 15
    SUPPORTING_ENTITY_IN_ERROR = 16
    COMPLETED = 17
    POWER_MODE = 18
    RELOCATING = 19
    DETACHED = 0xD002
    INCOMPLETE = 0xD003
    NO_REDUNDANCY = 0xD00D  # "No redundancy": shown when data is lost; Unhealthy

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title().replace(" ", "")


class StorageJobState(IntEnum):
    """MSFT_StorageJob JobState codes."""

    NEW = 2
    STARTING = 3
    RUNNING = 4
    SUSPENDED = 5
    SHUTTING_DOWN = 6
    COMPLETED = 7
    TERMINATED = 8
    KILLED = 9
    EXCEPTION = 10
    SERVICE = 11
    QUERY_PENDING = 12


class Resiliency(StrEnum):
    """Storage Spaces Direct resiliency settings and their fault tolerance (reference §5.3)."""

    TWO_WAY_MIRROR = "two-way-mirror"
    THREE_WAY_MIRROR = "three-way-mirror"
    DUAL_PARITY = "dual-parity"
    SINGLE_PARITY = "single-parity"

    @property
    def fault_tolerance(self) -> int:
        return 1 if self in (Resiliency.TWO_WAY_MIRROR, Resiliency.SINGLE_PARITY) else 2

    @property
    def min_fault_domains(self) -> int:
        return {"two-way-mirror": 2, "three-way-mirror": 3, "dual-parity": 4, "single-parity": 3}[
            self.value
        ]


class WitnessType(StrEnum):
    NONE = "none"
    CLOUD = "cloud"
    FILE_SHARE = "file-share"
    DISK = "disk"


class RoleState(StrEnum):
    """Cluster group state, reduced to what the runner needs."""

    ONLINE = "Online"
    OFFLINE = "Offline"
    FAILED = "Failed"
    PENDING = "Pending"


class SummaryStatus(StrEnum):
    """CAU SummaryStatus for nodes and runs."""

    SUCCEEDED = "Succeeded"
    PARTIALLY_FAILED = "PartiallyFailed"
    FAILED = "Failed"
    CANCELED = "Canceled"


class FailbackMode(StrEnum):
    """Resume-ClusterNode -Failback; profile files spell them immediate | policy | none."""

    IMMEDIATE = "immediate"
    POLICY = "policy"
    NONE = "none"

    @property
    def cau_name(self) -> str:
        return {"immediate": "Immediate", "policy": "Policy", "none": "NoFailback"}[self.value]


class BootType(StrEnum):
    """How a node restarted, as the node answered (CAU's NodeRebootResult.BootType).

    ``UNKNOWN``: a soft restart was asked for and the node's answer was lost, so whether it
    restarted fully or softly is not known (a full restart asked for is always full).
    """

    FULL = "FullBoot"
    SOFT = "SoftBoot"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeView:
    """One cluster node as Get-ClusterNode (plus LastBootUpTime and OS build) shows it."""

    name: str
    state: NodeState
    drain_status: DrainStatus = DrainStatus.NOT_INITIATED
    node_weight: int = 1
    dynamic_weight: int = 1
    boot_id: str = ""
    os_build: str = ""
    reachable: bool = True
    # The Azure Stack HCI version the node runs ("21H2"; ``runner.versions``), "" when it is
    # not an Azure Stack HCI node or its version is not known.
    version: str = ""
    # Its drives are in storage maintenance mode (its storage scale unit shows "In
    # Maintenance Mode"): Windows Server 2022 / HCI 21H2+ enter it at pause, leave at resume.
    storage_maintenance: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessView:
    type: WitnessType = WitnessType.NONE
    online: bool = False
    dynamic_weight: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleView:
    """A clustered role (group); for VMs ``memory_gb`` is the VM's assigned memory."""

    name: str
    owner: str
    state: RoleState = RoleState.ONLINE
    kind: str = "VirtualMachine"
    memory_gb: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualDiskView:
    """Get-VirtualDisk projected: health, operational status tuple, resiliency."""

    name: str
    resiliency: Resiliency
    health: HealthStatus = HealthStatus.HEALTHY
    operational: tuple[OperationalStatus, ...] = (OperationalStatus.OK,)
    size_gb: float = 0.0

    @property
    def healthy(self) -> bool:
        return self.health is HealthStatus.HEALTHY and OperationalStatus.OK in self.operational


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageJobView:
    """Get-StorageJob row; an empty job list means resync has finished."""

    name: str
    volume: str
    state: StorageJobState
    percent_complete: int = 0
    bytes_processed: int = 0
    bytes_total: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterView:
    """One observation of the whole cluster, taken in one round trip.

    ``has_quorum`` is the cluster's own word (it is running); ``s2d_enabled`` tells whether
    the pool-quorum and resync rules apply. ``taken_at`` is the transport clock's seconds.
    """

    cluster: str
    taken_at: float
    nodes: tuple[NodeView, ...]
    witness: WitnessView = field(default_factory=WitnessView)
    has_quorum: bool = True
    s2d_enabled: bool = False
    roles: tuple[RoleView, ...] = ()
    virtual_disks: tuple[VirtualDiskView, ...] = ()
    storage_jobs: tuple[StorageJobView, ...] = ()
    # Management product of the cluster, as found (e.g. "System Center Virtual Machine
    # Manager 2019"); "" = none known. Feature-update readiness reads it (known issue).
    managed_by: str = ""
    # Get-Cluster's ClusterFunctionalLevel and the S2D pool's Version as the cluster answers
    # them (0 = not known; no pool without S2D). ``runner.versions`` holds the figures a
    # simulated cluster reports for each OS version.
    functional_level: int = 0
    storage_pool_version: int = 0
    # The cluster's CauEnableSoftReboot private property is 1 (reboot_mode cluster-property
    # and orchestrator-default read it; cau.md §6.1).
    soft_reboot_property: bool = False

    def node(self, name: str) -> NodeView:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def roles_on(self, name: str) -> tuple[RoleView, ...]:
        return tuple(r for r in self.roles if r.owner == name)

    @property
    def storage_healthy(self) -> bool:
        """All volumes Healthy/OK and no repair job listed (Get-StorageJob empty)."""
        return not self.storage_jobs and all(d.healthy for d in self.virtual_disks)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockHolder:
    """Who holds a cluster's run lock: one coordinator process of one run.

    ``started_at`` is the run's start (ISO-8601 UTC); ``heartbeat_age_seconds`` is how long
    ago, in the cluster's own time, the holder last renewed the lock (0 for a holder being
    written). Two holders are the same coordinator when run id, host and process id agree.
    """

    run_id: str
    coordinator: str
    pid: int
    started_at: str
    heartbeat_age_seconds: float = 0.0

    def same_coordinator(self, other: LockHolder) -> bool:
        key = (other.run_id, other.coordinator, other.pid)
        return (self.run_id, self.coordinator, self.pid) == key

    def describe(self) -> str:
        """``run R (coordinator HOST, process PID, started T)`` for messages."""
        return (
            f"run {self.run_id} (coordinator {self.coordinator}, process {self.pid}, "
            f"started {self.started_at})"
        )
