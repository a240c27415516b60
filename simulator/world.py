"""The simulated cluster: builds a SimPy world from a scenario and wires its subsystems.

Owns: ``build_world`` and ``SimulatedCluster`` — node power transitions (restart, crash,
boot, hang) and their consequences across quorum (``simulator.membership``), workloads
(``simulator.workloads``), storage (``simulator.storage``) and updates
(``simulator.windows_update``); the runner-facing operations the transport calls
(suspend, resume, restart, observe); the ground-truth ``timeline``; and ``finish``.

Subsystems see the world only through the protocols of ``simulator.world_port``
(``WorldPort``, ``FaultTargets``, ``GroundTruth``, ``ClusterOperations``), which this class
implements; none of them imports this module.

Theory of operation: nothing ticks. Every change is an event: a transport call, a fault,
a migration or repair completion, a boot. The runner's ``Clock.sleep`` (``world.clock``)
advances the environment, so background work progresses exactly as far as the runner waits.
Views are cached and rebuilt only after a change (a node's view only when that node or
the votes changed: ``simulator.node_views``). Nothing in the world draws random
numbers: durations and rates a scenario gives as distributions are drawn for the seed
before the world is built (``simulator.variability.realize``), so the same scenario and
seed give the same timeline event for event.

Must not: import the runner beyond its public contract (``runner.types``, ``runner.errors``,
``runner.transport``, ``runner.profile``), read the wall clock, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from runner.errors import ClusterUnreachable, NodeUnreachable, RemoteCommandFailed, StorageDegraded
from runner.profile import Profile
from runner.types import BootType, ClusterView, DrainStatus, FailbackMode, WitnessType, WitnessView
from simulator.agent_registry import AgentRegistry
from simulator.bounds import termination_bound_seconds
from simulator.bounds_fast import policy_lower_bound_seconds
from simulator.clock import SimClock, SimEnvironment
from simulator.cluster_validation import ClusterValidation
from simulator.cluster_versions import ClusterVersions
from simulator.coordinator_role import CoordinatorRole
from simulator.fault_stop import StopRequested  # noqa: F401  (registers the stop-request fault)
from simulator.faults import FaultBook
from simulator.faults_coordinator import AgentsDown  # noqa: F401  (registers its faults)
from simulator.issue_switches import apply_known_issues, managed_by
from simulator.lock_group import RunLockGroup
from simulator.membership import ClusterQuorum
from simulator.mixed_mode import MixedModeLedger
from simulator.model import Scenario
from simulator.node_options import NodeOptions
from simulator.node_views import NodeViews
from simulator.nodes import DownCause, SimNode, bump_build
from simulator.offline import OfflineCluster
from simulator.oracle import Oracle
from simulator.oracle_margin import MarginJudge
from simulator.post_upgrade import PostUpgrade
from simulator.storage import Storage
from simulator.transport import SimTransport
from simulator.variability import realize
from simulator.windows_update import WindowsUpdate
from simulator.workloads import Workloads
from simulator.wsman_config import WsmanConfig

__all__ = ["SimulatedCluster", "build_world"]

ERROR_CLUSTER_NODE_EVACUATION_IN_PROGRESS = 0x174A


def build_world(scenario: Scenario, seed: int, profile: Profile) -> SimulatedCluster:
    """A fresh world at simulated time 0.0; ``profile`` is already ``.resolved()``."""
    return SimulatedCluster(scenario, seed, profile)


class SimulatedCluster:
    """One simulated cluster; ``transport`` and ``clock`` are what the runner gets."""

    def __init__(self, scenario: Scenario, seed: int, profile: Profile) -> None:
        # The seed's draws of every distribution, then the known issues' conditions.
        self.scenario = scenario = apply_known_issues(realize(scenario, seed))
        self.managed_by = managed_by(scenario)
        self.seed = seed
        self.profile = profile
        self.env = SimEnvironment()
        self.clock = SimClock(self.env)
        self.timeline: list[tuple[float, str, str | None, str]] = []
        spec = scenario.cluster
        self.nodes: dict[str, SimNode] = {
            n.name: SimNode(
                spec=n,
                up=n.online,
                os_build=n.os_build,
                down_cause=None if n.online else DownCause.OFFLINE,
                down_since=None if n.online else 0.0,
                channel_restart_pending=n.channel_restart_pending,
            )
            for n in spec.nodes
        }
        self.versions = ClusterVersions(spec)
        self.mixed = MixedModeLedger()  # mixed-mode-migration: refusals the runner caused
        self.mixed.versions_now(n.version for n in self.nodes.values())
        up = [name for name, node in self.nodes.items() if node.up]
        self.witness_type = spec.witness
        self.quorum = ClusterQuorum(
            {n.name: n.vote for n in spec.nodes},
            witness=spec.witness is not WitnessType.NONE,
            members=up,
        )
        self.oracle = Oracle(self, MarginJudge(self))
        self.truth = self.oracle.truth  # subsystems record report-truth's evidence here
        self.workloads = Workloads(self)
        self.storage = Storage(self, spec.storage, up) if spec.storage is not None else None
        self.updates = WindowsUpdate(self)
        self.faults = FaultBook(self, scenario.faults)
        self.validation = ClusterValidation(self)
        self.node_options = NodeOptions(self)  # firewall rule groups, sites (run options)
        self.post = PostUpgrade(self)  # functional level, pool, VM versions (post steps)
        self.run_lock = RunLockGroup(self.clock.now)  # the cluster group pycau-run-lock
        self.agents = AgentRegistry(self.clock.now)  # pycau agent's presence (PycauAgents)
        self.coordinator = CoordinatorRole(self)  # CAU's self-updating role (if the scenario's)
        self.transport = SimTransport(self)
        self.observations = 0
        self.drain_attempts = dict.fromkeys(self.nodes, 0)
        self.wsman = WsmanConfig(tuple(self.nodes), scenario.known_issues, self.record)
        self._views = NodeViews(self.nodes, self.quorum)
        for name in self.nodes:
            if name not in up:
                self.truth.trouble(name, "offline", "down before the run", lasting=True)
                self.workloads.host_lost(name)
        self.workloads.failover_now()  # roles of nodes down at the start run elsewhere
        self.faults.arm()
        self.offline = OfflineCluster(self)  # Stop-/Start-Cluster, ClusSvc (offline update)

    # -- bookkeeping -----------------------------------------------------------------------
    def record(self, kind: str, node: str | None, detail: str) -> None:
        self.timeline.append((float(self.env.now), kind, node, detail))

    def node_changed(self, node: str) -> None:
        self._views.changed(node)

    def script_started(self, node: str, kind: str) -> None:
        self.oracle.script_started(node, kind)
        self.record("script-started", node, kind)

    # -- observation -----------------------------------------------------------------------
    def observe(self) -> ClusterView:
        self.observations += 1
        if not any(n.up for n in self.nodes.values()) or self.offline.stopped:
            raise ClusterUnreachable("no cluster node answers (or the cluster is stopped)")
        storage = self.storage
        return ClusterView(
            cluster=self.scenario.cluster.name,
            taken_at=float(self.env.now),
            nodes=self._views.views(),
            witness=WitnessView(
                type=self.witness_type,
                online=self.quorum.witness_online,
                dynamic_weight=self.quorum.witness_weight,
            ),
            has_quorum=self.quorum.has_quorum,
            s2d_enabled=storage is not None,
            roles=self.workloads.role_views(),
            virtual_disks=storage.disk_views() if storage is not None else (),
            storage_jobs=storage.job_views() if storage is not None else (),
            managed_by=self.managed_by,
            functional_level=self.versions.functional_level_code,
            storage_pool_version=self.versions.pool_code,
            soft_reboot_property=self.scenario.cluster.cau_enable_soft_reboot,
        )

    # -- runner operations (the transport calls these after its latency) ---------------------
    def reachable(self, node: str, command: str) -> SimNode:
        sim = self.nodes.get(node)
        if sim is None:
            raise RemoteCommandFailed(command, f"no node named {node} in the cluster")
        self.oracle.touched(node)
        if self.storage is not None and self.storage.held:
            self.storage.moved_on(node)  # report-truth: a node left in maintenance mode
        if not sim.up:
            self.truth.trouble(node, "unreachable", command)
            raise NodeUnreachable(node)
        return sim

    def _cluster_command(self, node: str, command: str) -> SimNode:
        sim = self.reachable(node, command)
        if not self.quorum.has_quorum:
            raise ClusterUnreachable("the cluster has no quorum")
        return sim

    def suspend(self, node: str, *, force: bool = False) -> None:
        sim = self._cluster_command(node, "Suspend-ClusterNode")
        if self.storage is not None and self.storage.space_degraded(ignoring=node):
            self.truth.trouble(node, "suspend-refused", "storage degraded")
            raise StorageDegraded("Suspend-ClusterNode")
        if sim.paused and sim.drain_status is DrainStatus.IN_PROGRESS:
            self.truth.trouble(node, "suspend-refused", "a drain is in progress")
            raise RemoteCommandFailed(
                "Suspend-ClusterNode",
                "a drain is already in progress",
                ERROR_CLUSTER_NODE_EVACUATION_IN_PROGRESS,
            )
        self.drain_attempts[node] += 1
        refuse = self.faults.drain_failure(node, self.drain_attempts[node])
        newly = not sim.paused
        sim.paused = True
        self.oracle.suspended(node, newly_paused=newly)
        self.truth.act(node, "suspend")
        self.record("suspended", node, f"drain attempt {self.drain_attempts[node]}")
        if self.storage is not None:
            self.storage.move_pool_owner(node)
            sim.storage_maintenance = self.storage.pause(node, sim.os_build)  # where it applies
        self.workloads.start_drain(node, refuse_one=refuse, force=force)
        self.node_changed(node)

    def resume(self, node: str, failback: FailbackMode) -> None:
        sim = self._cluster_command(node, "Resume-ClusterNode")
        self.truth.act(node, "resume")
        if not sim.paused:
            return
        self.workloads.abort_drain(node, failed=False)
        sim.paused = False
        sim.drain_status = DrainStatus.NOT_INITIATED
        self.oracle.resumed(node)
        self.record("resumed", node, f"failback {failback.value}")
        if self.storage is not None:
            self.storage.resume(node)  # maintenance mode ends: repair jobs start now
            sim.storage_maintenance = False
        self.workloads.failback(node, failback)
        self.workloads.retry_pending()
        self.node_changed(node)

    def restart(self, node: str, *, soft: bool) -> BootType:
        """Restart ``node``; the boot type it does (soft only when asked and allowed)."""
        sim = self.reachable(node, "Restart-Computer")
        self.node_options.check_restart(node)  # a firewall blocking Remote Shutdown refuses
        boot = BootType.SOFT if soft and not self.updates.firmware_pending(node) else BootType.FULL
        hang = self.faults.boot_hang(node)
        running = sorted(vm.name for vm in self.workloads.running_on(node))
        degraded = self.storage.degraded_by_others(node) if self.storage is not None else []
        self.oracle.restarting(node, running, degraded)
        self.truth.act(node, "restart")
        self.truth.restarted(node, boot)
        if hang:
            self.truth.trouble(node, "boot-hang", lasting=True)
        self.record("restart", node, f"{boot.value} from {sim.boot_id}")
        sim.last_boot_type = boot
        sim.restart_by_runner = True
        self._go_down(
            node, DownCause.HANG if hang else DownCause.RESTART, graceful=True, by_runner=True
        )
        if not hang:
            self.env.process(
                self._boot_after(node, sim.power_token, sim.boot_seconds(boot is BootType.SOFT))
            )
        return boot

    # -- power transitions -----------------------------------------------------------------
    def crash(self, node: str, down_seconds: float | None, *, at_start: bool = False) -> bool:
        """A fault takes ``node`` down; it boots again after ``down_seconds`` (None: never).

        ``at_start``: the node was already down when the run began — the cluster went
        through that loss earlier, so quorum and pool treat it as a sequential departure.
        """
        sim = self.nodes[node]
        if not sim.up:
            return False
        self.record(
            "crash", node, "stays down" if down_seconds is None else f"down for {down_seconds:g} s"
        )
        sim.restart_by_runner = False
        self.truth.trouble(node, "crashed", lasting=True)
        self._go_down(node, DownCause.CRASH, graceful=at_start, by_runner=False)
        if at_start:
            self.workloads.failover_now()
        if down_seconds is not None:
            sim.last_boot_type = BootType.FULL
            self.env.process(self._boot_after(node, sim.power_token, down_seconds))
        return True

    def _go_down(self, node: str, cause: str, *, graceful: bool, by_runner: bool) -> None:
        sim = self.nodes[node]
        sim.up = False
        sim.down_cause = cause
        sim.down_since = float(self.env.now)
        sim.power_token += 1
        self.updates.node_down(node)
        lost = self.workloads.host_lost(node)
        if lost:
            self.record("roles-down", node, f"{len(lost)} VM(s) went down")
        had = self.quorum.has_quorum
        if not self.quorum.leave([node], graceful=graceful) and had:
            self.record("quorum-lost", node, "cluster")
            self.truth.trouble(None, "quorum-lost", "cluster", lasting=True)
            self.oracle.quorum_lost("the cluster", node, by_runner=by_runner)
            self.workloads.all_lost()
        if self.storage is not None:
            self.storage.domain_down(node, graceful=graceful, by_runner=by_runner)
        self.node_changed(node)
        self._views.weights_moved()  # quorum rebalanced the votes

    def _boot_after(self, node: str, token: int, seconds: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(seconds)
        sim = self.nodes[node]
        if sim.power_token == token and not sim.up:
            self._come_up(node)

    def _come_up(self, node: str) -> None:
        sim = self.nodes[node]
        sim.up = True
        sim.boot_count += 1
        self.truth.booted(node)
        sim.down_cause = None
        sim.down_since = None
        sim.channel_restart_pending = False  # a preview channel opted into is in effect now
        effective = self.updates.node_booted(node)
        if effective:  # a feature update brings its own build; others bump the revision
            built = self.updates.nodes[node].new_build
            sim.os_build = built or bump_build(sim.os_build, effective)
            self.mixed.versions_now(n.version for n in self.nodes.values())
        self.record(
            "booted", node, f"{sim.boot_id} {sim.os_build}" + (" Paused" if sim.paused else "")
        )
        if not sim.in_cluster:  # its cluster service does not start (simulator.offline)
            self.node_changed(node)
            return
        self.join_cluster(node)

    def join_cluster(self, node: str) -> None:
        """``node``'s cluster service runs: it joins the membership, the pool and the roles."""
        sim = self.nodes[node]
        had = self.quorum.has_quorum
        if self.quorum.join(node) and not had:
            self.truth.over(None, "quorum-lost")
            self.record("quorum-regained", node, "cluster")
        if self.storage is not None:
            self.storage.domain_up(node)
        self.oracle.back_up(node, paused=sim.paused)
        self.workloads.retry_pending()
        self.node_changed(node)
        self._views.weights_moved()  # quorum rebalanced the votes

    def can_run_roles(self) -> bool:
        """Roles run only while the cluster has quorum and the S2D pool (if any) is online."""
        pool_ok = self.storage is None or self.storage.pool.has_quorum
        return self.quorum.has_quorum and pool_ok

    def forced_failover(self, node: str, vms: list[str]) -> None:
        """A forced drain (-ForceDrain) stopped ``vms`` on ``node``: consented downtime."""
        self.oracle.forced_failover(node, vms)

    def pool_lost(self, node: str, *, by_runner: bool) -> None:
        self.record("quorum-lost", node, "storage pool")
        self.truth.trouble(None, "quorum-lost", "storage pool", lasting=True)
        self.oracle.quorum_lost("the storage pool", node, by_runner=by_runner)
        self.workloads.all_lost()

    def volume_offline(self, volume: str, why: str, *, by_runner: bool) -> None:
        self.record("volume-offline", None, f"{volume}: {why}")
        self.oracle.volume_offline(volume, why, by_runner=by_runner)

    def set_witness_online(self, online: bool) -> None:
        had = self.quorum.has_quorum
        if online:
            self.truth.over(None, "witness-offline")
        else:
            self.truth.trouble(None, "witness-offline", lasting=True)
        if not self.quorum.set_witness_online(online) and had:
            self.truth.trouble(None, "quorum-lost", "witness went offline", lasting=True)
            self.record("quorum-lost", None, "witness went offline")
            self.workloads.all_lost()
        self.record("witness", None, "online" if online else "offline")
        self.workloads.retry_pending()
        self._views.weights_moved()

    # -- the end ---------------------------------------------------------------------------
    def lower_bound(self) -> float:
        return policy_lower_bound_seconds(self.scenario, self.profile)

    def termination_bound(self) -> float:
        return termination_bound_seconds(self.scenario, self.profile)

    def finish(self, report: dict[str, Any]) -> dict[str, Any]:
        """The report's ``simulation`` section (without ``wall``)."""
        storage = self.storage
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "invariants": self.oracle.finish(report) | self.coordinator.section(),
            "fault_losses": self.oracle.fault_loss_section(),
            # whether the run left CredSSP enabled; only when the run set it at all
            **self.wsman.section(sum(1 for entry in self.timeline if entry[1] == "credssp")),
            "lower_bound_seconds": round(self.lower_bound(), 3),
            "counters": {
                "live_migrations": self.workloads.live_migrations,
                "vm_downtime_seconds": round(self.workloads.downtime_seconds(), 3),
                "observations": self.observations,
                "events": self.env.scheduled_events,
                "repair_jobs": storage.repair_jobs_created if storage is not None else 0,
                "faults_fired": dict(sorted(self.faults.fired.items())),
            },
        }
