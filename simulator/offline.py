"""The offline update in the simulated world: a cluster that can be stopped and started,
each node's cluster service, saved VMs, virtual disks taken offline, and the node-level
observation.

Owns: ``OfflineCluster`` — the ground truth of the guide's fast offline update: whether the
cluster is stopped, each node's cluster service startup type (Automatic, Disabled …) and
whether it runs (``SimNode.in_cluster``), the run lock's claims on the nodes while the
cluster database is offline (``simulator.lock_claims``), and the operations the transport
maps its offline calls onto (save and start VMs, disks offline and online, Stop-Cluster,
the service's startup type, Start-Cluster / Start-ClusterNode); plus ``host_view`` and
``storage_view``, and the judge of the offline invariants (``simulator.oracle_offline``).

Theory of operation:
- Stop-Cluster empties the membership and stops the pool on purpose (``ClusterQuorum.stop``,
  ``Storage.stop_pool``): nothing counts as lost. Every node's cluster service stops; the
  cluster answers no cluster cmdlet (``observe`` raises ``ClusterUnreachable``) until it
  is started. VMs still running when it stops are turned off hard (the judge notes it).
- A node's service runs only while the cluster runs and it was started: a node that boots
  while the cluster is stopped, or with its service Disabled, does not join. (Simplified:
  a node booting with its service Automatic while the cluster is stopped does not form a
  cluster on its own — the guide's step 5 prevents that case anyway.)
- Start-Cluster starts the service on every node that is up and not Disabled; the cluster
  forms when they hold a majority of the configured votes (else the command fails and
  nothing changes), the pool forms from their drives, roles that went down start again
  (saved VMs wait for ``start_vms``). A node that comes later joins with
  Start-ClusterNode once its service is not Disabled.

Must not: import the world (``simulator.world_port`` only), decide anything for the runner,
or draw random numbers.
"""

from __future__ import annotations

from runner.errors import ClusterUnreachable, RemoteCommandFailed
from runner.offline_types import (
    HostsView,
    HostView,
    ServiceStartup,
    ServiceState,
    StorageView,
    VolumeView,
)
from runner.types import HealthStatus, OperationalStatus
from simulator.lock_claims import NodeClaims
from simulator.oracle_offline import OfflineJudge
from simulator.world_port import OfflineWorld

__all__ = ["OfflineCluster"]


class OfflineCluster:
    """The offline-update side of one simulated cluster (see module docstring)."""

    def __init__(self, world: OfflineWorld) -> None:
        self.world = world
        self.stopped = False
        names = tuple(world.nodes)
        self.startup: dict[str, ServiceStartup] = dict.fromkeys(names, ServiceStartup.AUTOMATIC)
        self.claims = NodeClaims(names, lambda: float(world.env.now))
        self.judge = OfflineJudge(world, self)

    def _now(self) -> float:
        return float(self.world.env.now)

    def answering(self) -> dict[str, bool]:
        """Which nodes answer on their own endpoint now."""
        return {name: sim.up for name, sim in self.world.nodes.items()}

    def _running(self, command: str) -> None:
        if self.stopped:
            raise ClusterUnreachable(f"{command}: the cluster is stopped")
        if not self.world.quorum.has_quorum:
            raise ClusterUnreachable(f"{command}: the cluster has no quorum")

    # -- observation -----------------------------------------------------------------------
    def host_view(self, node: str) -> HostView:
        sim = self.world.nodes.get(node)
        if sim is None or not sim.up:
            return HostView(name=node, reachable=False)
        return HostView(
            name=node,
            reachable=True,
            boot_id=sim.boot_id,
            os_build=sim.os_build,
            service_state=ServiceState.RUNNING if sim.in_cluster else ServiceState.STOPPED,
            service_startup=self.startup[node],
        )

    def hosts_view(self, views: tuple[HostView, ...]) -> HostsView:
        return HostsView(taken_at=self._now(), hosts=views)

    def storage_view(self) -> StorageView:
        """Get-StoragePool and Get-Volume (a cluster without S2D: no pool to worry about)."""
        self._running("Get-StoragePool")
        storage = self.world.storage
        if storage is None:
            return StorageView(
                taken_at=self._now(), pool_health=HealthStatus.HEALTHY, pool_read_only=False
            )
        health, read_only = storage.pool_state()
        volumes = tuple(
            VolumeView(
                name=d.name,
                health=HealthStatus.UNKNOWN
                if OperationalStatus.DETACHED in d.operational
                else d.health,
            )
            for d in storage.disk_views()
        )
        return StorageView(
            taken_at=self._now(), pool_health=health, pool_read_only=read_only, volumes=volumes
        )

    # -- the operations ----------------------------------------------------------------------
    def save_vms(self, vms: tuple[str, ...]) -> None:
        self._running("Stop-ClusterGroup")
        saved = [vm for vm in vms if self.world.workloads.save(vm)]
        if saved:
            self.world.record("vms-saved", None, ", ".join(saved))

    def start_vms(self, vms: tuple[str, ...]) -> None:
        self._running("Start-ClusterGroup")
        self.world.workloads.start_saved(vms)

    def set_disks(self, online: bool) -> None:
        self._running("Start-ClusterResource" if online else "Stop-ClusterResource")
        storage = self.world.storage
        if storage is None:
            return
        stuck = storage.set_detached(not online)
        self.world.record("virtual-disks", None, "online" if online else "offline")
        if online and stuck:
            raise RemoteCommandFailed(
                "Start-ClusterResource",
                f"the storage pool cannot bring {', '.join(stuck)} online yet",
            )

    def stop_cluster(self) -> None:
        """Stop-Cluster (idempotent)."""
        if self.stopped:
            return
        running = [vm.name for vm in self.world.workloads.vms if vm.online]
        if running:
            self.judge.hard_stop("the cluster stopped", running)
        self.world.workloads.all_lost()
        self.world.quorum.stop()
        if self.world.storage is not None:
            self.world.storage.stop_pool()
        self.stopped = True
        for name, sim in self.world.nodes.items():
            sim.in_cluster = False
            self.world.node_changed(name)
        self.world.record("cluster-stopped", None, "")

    def set_service(self, node: str, startup: ServiceStartup) -> None:
        self.world.reachable(node, "Set-Service")
        self.startup[node] = startup
        self.world.truth.act(node, "service")
        self.world.record("cluster-service", node, startup.value)

    def start_cluster(self, node: str) -> bool:
        """Start-Cluster on ``node`` (Start-ClusterNode when the cluster runs); True when
        the cluster formed now."""
        sim = self.world.reachable(node, "Start-Cluster")
        if self.startup[node] is ServiceStartup.DISABLED:
            raise RemoteCommandFailed("Start-Cluster", f"the cluster service of {node} is Disabled")
        if not self.stopped:
            if not sim.in_cluster:
                sim.in_cluster = True
                self.world.join_cluster(node)
                self.world.record("node-joined", node, "Start-ClusterNode")
            return False
        members = [
            name
            for name, other in self.world.nodes.items()
            if other.up and self.startup[name] is not ServiceStartup.DISABLED
        ]
        formed = self.world.quorum.start(members)
        self.judge.start_attempt(members, formed)
        if not formed:
            raise RemoteCommandFailed(
                "Start-Cluster", f"the cluster cannot form with quorum from {', '.join(members)}"
            )
        self.stopped = False
        for name in members:
            self.world.nodes[name].in_cluster = True
        if self.world.storage is not None:
            self.world.storage.start_pool(members)
        for name in self.world.nodes:
            self.world.node_changed(name)
        self.world.workloads.retry_pending()
        self.world.record("cluster-started", node, ", ".join(members))
        return True
