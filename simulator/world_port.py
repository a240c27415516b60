"""What a subsystem of the simulated world may read of it, and which events it may raise.

Owns: the ``typing.Protocol``s through which the world's subsystems reach the world and each
other — ``WorldPort`` (the common reads and signals), ``FaultTargets`` (what a fault may
change), ``GroundTruth`` (what the oracle and its report-truth ledger may read),
``ClusterOperations`` (what the transport maps its calls onto) — and the narrow views of
one subsystem that another uses (``Evidence``, ``FaultQueries``, ``UpdateWork`` …).

Theory of operation: ``simulator.world.SimulatedCluster`` implements the four world
protocols and its subsystems the narrow views; the world hands itself to each subsystem it
builds, and mypy checks the fit at that call. A
subsystem imports this module, never ``simulator.world`` nor a sibling subsystem for its
type, so the simulator's imports form no circle (``tests/unit/test_architecture.py``). Each
protocol lists only the members its consumers use: a subsystem needing more of the world
makes the dependency visible here first.

Reads are the world's ground truth (time, nodes, quorum, the scenario and profile). Signals
are what a subsystem tells the world so that the others see it: a node's state changed, a
script started, the storage pool lost quorum, a volume went offline.

Must not: hold state or behaviour, or import a simulator module other than the leaves it
names (``clock``, ``cluster_versions``, ``lock_claims``, ``lock_group``, ``membership``,
``model``, ``nodes``, ``violation``, ``wsman_config``, ``world_port_modes`` — the views
only one run mode's subsystem uses, re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from runner.plugins import PluginName, PluginSpec
from runner.profile import Profile
from runner.run_option_types import NodeSite
from runner.types import (
    BootType,
    ClusterView,
    FailbackMode,
    ValidationReport,
    WitnessType,
    WorkHandle,
    WorkProgress,
)
from simulator.agent_registry import AgentRegistry
from simulator.clock import SimClock, SimEnvironment
from simulator.cluster_versions import ClusterVersions
from simulator.lock_group import RunLockGroup
from simulator.membership import ClusterQuorum
from simulator.model import Scenario, UpdateSpec
from simulator.nodes import SimNode
from simulator.storage_views import RepairJob
from simulator.world_port_modes import (
    Consents,
    OfflineOperations,
    OfflineStorage,
    OfflineVerdicts,
    PostUpgradeSteps,
    SavedWorkloads,
    VmHosting,
    VmRecord,
)
from simulator.wsman_config import WsmanConfig

__all__ = [
    "ClusterOperations",
    "DomainsAway",
    "DriveFailures",
    "Evidence",
    "FaultQueries",
    "FaultTargets",
    "GroundTruth",
    "ManagementLink",
    "MigrationPace",
    "MixedMigrations",
    "NodeSettings",
    "OfflineOperations",
    "OfflineStorage",
    "OfflineVerdicts",
    "OfflineWorld",
    "PostUpgradeSteps",
    "SavedWorkloads",
    "UpdateRecord",
    "UpdateTruth",
    "UpdateWork",
    "UpgradeWorld",
    "ValidationWork",
    "VmRecord",
    "WorldPort",
]


# -- views of one subsystem that others use --------------------------------------------------
class Evidence(Protocol):
    """Report-truth's ledger hooks (``simulator.report_truth.TruthLedger``)."""

    def act(self, node: str, kind: str) -> None: ...
    def trouble(
        self, node: str | None, kind: str, detail: str = "", *, lasting: bool = False
    ) -> None: ...
    def over(self, node: str | None, kind: str) -> None: ...
    def drain(self, node: str, *, started: bool) -> None: ...
    def work_started(self, node: str, kind: str, seconds: float) -> None: ...
    def storage_ready(self, ready: bool) -> None: ...


class FaultQueries(Protocol):
    """Whether an attempt fails, asked of ``simulator.faults.FaultBook`` when it is made."""

    def install_failure(self, node: str, attempt: int) -> tuple[str, str | None] | None: ...
    def script_failure(self, node: str, script: str, attempt: int) -> bool: ...
    def resync_stall(self, volume: str) -> float: ...
    def update_rollback(self, node: str, update: str) -> bool: ...


class MixedMigrations(Protocol):
    """Live migrations a mixed-version cluster refused (``simulator.mixed_mode``)."""

    def refused(self, time: float, detail: str) -> None: ...
    def noted(
        self,
        time: float,
        node: str,
        why: str | None,
        record: Callable[[str, str | None, str], None],
    ) -> bool: ...
    def section(self) -> dict[str, Any]: ...


class ManagementLink(Protocol):
    """The transport's management network (``management-disconnect`` cuts it)."""

    management_down: bool


class MigrationPace(Protocol):
    """Live-migration speed of the workloads (``slow-migration`` scales it)."""

    migration_factor: float


class DriveFailures(Protocol):
    """S2D storage as a ``disk-failure`` fault reaches it."""

    def drive_failed(self, node: str) -> int: ...


class DomainsAway(Protocol):
    """S2D fault domains unavailable now: node → since when (seconds); the repair jobs."""

    @property
    def away(self) -> Mapping[str, float]: ...
    @property
    def jobs(self) -> Mapping[str, RepairJob]: ...


class UpdateRecord(Protocol):
    """One node's Windows Update state, as the oracle reads it."""

    @property
    def staged(self) -> Sequence[str]: ...
    @property
    def install_counts(self) -> Mapping[str, int]: ...


class UpdateTruth(Protocol):
    """What Windows Update did on each node (``simulator.windows_update``), read-only."""

    @property
    def nodes(self) -> Mapping[str, UpdateRecord]: ...
    def applicable(self, node: str) -> list[UpdateSpec]: ...
    def offered_to(self, node: str, plugins: tuple[PluginName, ...]) -> list[UpdateSpec]: ...


class UpdateWork(Protocol):
    """Detached work on the nodes, as the transport starts and polls it."""

    def start_scan(
        self,
        node: str,
        plugins: tuple[PluginSpec, ...],
        serially: bool,
        stop_on_failure: bool,
    ) -> WorkHandle: ...
    def start_install(
        self, node: str, update_ids: tuple[str, ...], plugin: PluginSpec
    ) -> WorkHandle: ...
    def start_script(self, node: str, path: str) -> WorkHandle: ...
    def poll(self, handle: WorkHandle) -> WorkProgress: ...


class NodeSettings(Protocol):
    """Firewall rule groups and sites of the nodes (``simulator.node_options``)."""

    def enable_rules(self, node: str) -> bool: ...
    def rules_enabled(self, node: str) -> bool: ...
    def sites(self) -> tuple[NodeSite, ...]: ...


class ValidationWork(Protocol):
    """Test-Cluster runs (``simulator.cluster_validation``), as the transport reaches them."""

    @property
    def latest(self) -> ValidationReport | None: ...
    def start(self) -> WorkHandle: ...
    def poll(self, handle: WorkHandle) -> WorkProgress: ...


# -- the world, as its subsystems see it --------------------------------------------------------
class WorldPort(Protocol):
    """Reads every subsystem may make, and the signals it may raise."""

    @property
    def env(self) -> SimEnvironment: ...
    @property
    def scenario(self) -> Scenario: ...
    @property
    def profile(self) -> Profile: ...
    @property
    def nodes(self) -> Mapping[str, SimNode]: ...
    @property
    def quorum(self) -> ClusterQuorum: ...
    @property
    def witness_type(self) -> WitnessType: ...
    @property
    def truth(self) -> Evidence: ...
    @property
    def faults(self) -> FaultQueries: ...
    @property
    def mixed(self) -> MixedMigrations: ...
    def can_run_roles(self) -> bool:
        """Roles may run: cluster quorum and (with S2D) the storage pool are there."""
        ...

    # -- signals ---------------------------------------------------------------------------
    def record(self, kind: str, node: str | None, detail: str) -> None:
        """An entry of the ground-truth timeline."""
        ...

    def node_changed(self, node: str) -> None:
        """``node``'s state or drain status changed: its view must be rebuilt."""
        ...

    def script_started(self, node: str, kind: str) -> None: ...
    def pool_lost(self, node: str, *, by_runner: bool) -> None: ...
    def volume_offline(self, volume: str, why: str, *, by_runner: bool) -> None: ...
    def forced_failover(self, node: str, vms: list[str]) -> None:
        """A forced drain stopped ``vms`` on ``node`` and moved them (consented downtime)."""
        ...


class OfflineWorld(WorldPort, Protocol):
    """What the offline update's subsystem reads and changes besides the common reads."""

    @property
    def storage(self) -> OfflineStorage | None: ...
    @property
    def workloads(self) -> SavedWorkloads: ...
    def reachable(self, node: str, command: str) -> SimNode: ...
    def join_cluster(self, node: str) -> None: ...


class FaultTargets(WorldPort, Protocol):
    """What a fault may change: the world's operations and the documented knobs."""

    @property
    def transport(self) -> ManagementLink: ...
    @property
    def workloads(self) -> MigrationPace: ...
    @property
    def storage(self) -> DriveFailures | None: ...
    @property
    def run_lock(self) -> RunLockGroup: ...  # a stop request is written next to it
    @property
    def offline(self) -> OfflineOperations: ...  # while stopped, the lock group is offline
    def crash(self, node: str, down_seconds: float | None, *, at_start: bool = False) -> bool: ...
    def set_witness_online(self, online: bool) -> None: ...


class GroundTruth(WorldPort, Protocol):
    """What the oracle and the report-truth ledger read besides the common reads."""

    @property
    def storage(self) -> DomainsAway | None: ...
    @property
    def updates(self) -> UpdateTruth: ...
    @property
    def offline(self) -> OfflineOperations: ...
    @property
    def post(self) -> PostUpgradeSteps: ...
    def termination_bound(self) -> float: ...


class RoleWorld(WorldPort, Protocol):
    """What the self-updating role (``simulator.coordinator_role``) reads besides the
    common reads: the ground-truth timeline (its drains, restarts and moves)."""

    @property
    def timeline(self) -> Sequence[tuple[float, str, str | None, str]]: ...


class ClusterOperations(Protocol):
    """What ``simulator.transport.SimTransport`` maps each transport call onto."""

    @property
    def clock(self) -> SimClock: ...
    @property
    def scenario(self) -> Scenario: ...  # the twin answers `pycau snapshot` from it
    @property
    def truth(self) -> Evidence: ...
    @property
    def run_lock(self) -> RunLockGroup: ...
    @property
    def agents(self) -> AgentRegistry: ...  # pycau agent's presence
    @property
    def updates(self) -> UpdateWork: ...
    @property
    def validation(self) -> ValidationWork: ...
    @property
    def offline(self) -> OfflineOperations: ...
    def observe(self) -> ClusterView: ...
    def reachable(self, node: str, command: str) -> SimNode: ...
    def suspend(self, node: str, *, force: bool = False) -> None: ...
    def resume(self, node: str, failback: FailbackMode) -> None: ...
    def restart(self, node: str, *, soft: bool) -> BootType: ...
    @property
    def wsman(self) -> WsmanConfig: ...  # CredSSP, after ``reachable``
    @property
    def node_options(self) -> NodeSettings: ...
    @property
    def post(self) -> PostUpgradeSteps: ...


class UpgradeWorld(WorldPort, Protocol):
    """What the post-installation steps reach: the cluster-wide versions, the VMs, the S2D
    pool (``None``: none), and the oracle's consented downtime."""

    @property
    def versions(self) -> ClusterVersions: ...
    @property
    def workloads(self) -> VmHosting: ...
    @property
    def oracle(self) -> Consents: ...
    @property
    def storage(self) -> object | None: ...
