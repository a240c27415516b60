"""Clustered roles (VMs) of the simulated world: placement, live migration, drain, failback.

Owns: ``SimVm`` and ``Workloads`` — VM ownership and memory, the drain that Suspend-
ClusterNode -Drain starts, failback on resume, failover after a host is lost, VM downtime,
the live-migration counter, and the cached ``RoleView`` tuple.

Theory of operation:
- Placement is memory-aware and deterministic: among active nodes (Up, not Paused) but the
  source, the most free memory wins, ties by node order; memory is reserved on the target
  while a migration runs (``simulator.placement`` finds it without scanning the cluster).
- A drain moves the node's running VMs in name order through at most
  ``max_parallel_migrations`` concurrent live migrations; each takes ``memory_gb * 1024 /
  migration_mb_s`` seconds (the VM's own draw: ``simulator.variability``). A VM that refuses
  (``movable: false`` or a ``drain-failure`` fault) or fits nowhere stays; the drain then
  ends ``Failed`` (the node stays Paused) once every other VM was tried, else ``Completed``.
  A forced drain (Suspend-ClusterNode -ForceDrain) stops what could not move and fails it
  over (``host_lost``: restarted elsewhere after ``FAILOVER_DELAY``), ending ``Completed``.
- Failback: ``immediate`` live-migrates the VMs drained from the node back to it (same
  concurrency); ``none`` leaves them; ``policy`` follows each group's failback policy: only
  VMs in ``auto_failback`` go back, after ``POLICY_FAILBACK_DELAY`` s. Windows groups default
  to "prevent failback", so by default ``policy`` moves nothing back, as an admin sees.
- A saved VM (the offline update's Save-VM) is offline and waits for no host: only
  ``start_saved`` starts it again, on its own host when that is active. A host lost under
  running VMs (crash, restart without drain) takes them down; they restart elsewhere after
  ``FAILOVER_DELAY`` s, or wait for a host with room. Losing cluster quorum or the pool
  stops every VM until both are back. Mixed mode: ``simulator.mixed_mode`` says where a VM
  may go.

Must not: decide anything about quorum, storage or updates; it asks the world.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from runner.types import DrainStatus, FailbackMode, RoleState, RoleView
from simulator.mixed_mode import drain_refusal, failback_refusal, may_receive, vm_config_version
from simulator.model import VmSpec
from simulator.placement import Hosts, Placement, in_index_order
from simulator.saved_vms import SavedVms
from simulator.world_port import WorldPort

__all__ = [
    "FAILOVER_DELAY",
    "MIGRATION_RETRIES",
    "POLICY_FAILBACK_DELAY",
    "DrainJob",
    "SimVm",
    "Workloads",
]

FAILOVER_DELAY = 60.0
POLICY_FAILBACK_DELAY = 60.0
MIGRATION_RETRIES = 3


@dataclass(slots=True)
class SimVm:
    spec: VmSpec
    index: int
    owner: str
    online: bool = True
    origin: str | None = None  # host it was drained from, for failback
    migrating_to: str | None = None
    token: int = 0  # bumped to invalidate a migration in flight
    down_since: float | None = None
    downtime: float = 0.0
    waiting: bool = False  # offline and listed in ``Workloads.pending``
    saved: bool = False  # saved on purpose (offline update): started only by start_saved
    config_version: str = ""  # Hyper-V configuration version ("" = not judged)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def memory(self) -> float:
        return float(self.spec.memory_gb)


@dataclass(slots=True)
class DrainJob:
    node: str
    queue: deque[SimVm]
    refuse: str | None
    force: bool = False  # -ForceDrain: what cannot move is stopped and failed over
    failed: list[str] = field(default_factory=list)
    retries: dict[str, int] = field(default_factory=dict)
    workers: int = 0
    active: bool = True


Proc = Generator[Any, Any, Any]


class Workloads(SavedVms[SimVm]):
    def __init__(self, world: WorldPort) -> None:
        self.world = world
        self.env = world.env
        spec = world.scenario.cluster
        self.migration_mb_s = float(spec.migration_mb_s)
        self.parallel = max(1, int(spec.max_parallel_migrations))
        self.placement = Placement({n.name: float(n.memory_gb) for n in spec.nodes})
        level = spec.functional_level
        self.vms = [
            SimVm(spec=v, index=i, owner=v.owner, config_version=vm_config_version(v, level))
            for i, v in enumerate(spec.vms)
        ]
        self.by_name = {vm.name: vm for vm in self.vms}
        # Each node's VMs by what ties them to it, so a node's VMs need no cluster scan.
        self._owned: Hosts[SimVm] = Hosts(spec.node_names)
        self._incoming: Hosts[SimVm] = Hosts(spec.node_names)  # migrating to the node
        self._drained: Hosts[SimVm] = Hosts(spec.node_names)  # drained from it (failback)
        for vm in self.vms:
            self.placement.take(vm.owner, vm.memory)
            self._owned.file(vm.index, vm, vm.owner, was=None)
        self.drains: dict[str, DrainJob] = {}
        self.pending: list[SimVm] = []
        self.live_migrations = 0
        self.migration_factor = 1.0  # slow-migration faults scale durations
        self.auto_failback: dict[str, bool] = {}  # VM name → its group allows failback
        self._views = [self._view(vm) for vm in self.vms]
        self._tuple: tuple[RoleView, ...] | None = None

    # -- views -----------------------------------------------------------------------------
    def _view(self, vm: SimVm) -> RoleView:
        state = RoleState.ONLINE if vm.online else RoleState.OFFLINE
        return RoleView(name=vm.name, owner=vm.owner, state=state, memory_gb=vm.memory)

    def changed(self, vm: SimVm) -> None:
        self._views[vm.index] = self._view(vm)
        self._tuple = None

    def role_views(self) -> tuple[RoleView, ...]:
        if self._tuple is None:
            self._tuple = tuple(self._views)
        return self._tuple

    def running_on(self, node: str) -> list[SimVm]:
        return [vm for vm in in_index_order(self._owned.under(node)) if vm.online]

    def downtime_seconds(self) -> float:
        now = float(self.env.now)
        return sum(
            vm.downtime + (now - vm.down_since if vm.down_since is not None else 0.0)
            for vm in self.vms
        )

    # -- placement and migration -------------------------------------------------------------
    def free(self, node: str) -> float:
        return self.placement.free(node)

    def place(self, vm: SimVm, exclude: str | None, *, live_from: str | None = None) -> str | None:
        """The best node for ``vm`` (not ``exclude``; a live migration from ``live_from``)."""
        if not self.world.can_run_roles():
            return None
        fits = may_receive(self.world.nodes, vm.config_version, live_from)
        return self.placement.best(vm.memory, exclude, fits)

    def _refused(self, node: str, why: str | None) -> bool:  # the runner's act asked for it
        return self.world.mixed.noted(float(self.env.now), node, why, self.world.record)

    def _own(self, vm: SimVm, node: str) -> None:
        self._owned.file(vm.index, vm, node, was=vm.owner)
        vm.owner = node

    def _target(self, vm: SimVm, node: str | None) -> None:
        self._incoming.file(vm.index, vm, node, was=vm.migrating_to)
        vm.migrating_to = node

    def _origin(self, vm: SimVm, node: str | None) -> None:
        self._drained.file(vm.index, vm, node, was=vm.origin)
        vm.origin = node

    def _migrate(self, vm: SimVm, target: str) -> Proc:
        vm.token += 1
        token = vm.token
        self._target(vm, target)
        self.placement.take(target, vm.memory)
        rate = vm.spec.migration_mb_s or self.migration_mb_s  # a VM's drawn throughput
        seconds = vm.memory * 1024.0 / rate * self.migration_factor
        yield self.env.timeout(seconds)
        if vm.token != token:  # aborted: source or target went away, reservation released
            return False
        self._target(vm, None)
        if not self.world.nodes[target].up or not self.world.can_run_roles():
            self.placement.release(target, vm.memory)
            return False
        self.placement.release(vm.owner, vm.memory)
        self.world.record("live-migration", target, f"{vm.name} from {vm.owner}")
        self._own(vm, target)
        self.live_migrations += 1
        self.changed(vm)
        return True

    def _abort_migration(self, vm: SimVm) -> None:
        if vm.migrating_to is not None:
            self.placement.release(vm.migrating_to, vm.memory)
            self._target(vm, None)
        vm.token += 1

    # -- drain -----------------------------------------------------------------------------
    def start_drain(self, node: str, *, refuse_one: bool, force: bool = False) -> None:
        """Drain ``node`` (Paused); ``refuse_one``: drain-failure fault; ``force``: -ForceDrain."""
        # A paused node takes no roles: migrations into it stop, and migrations out of it
        # (a failback still running) stop so the drain places those VMs itself.
        for vm in in_index_order(self._incoming.under(node), self._owned.under(node)):
            if vm.migrating_to == node or (vm.owner == node and vm.migrating_to is not None):
                self._abort_migration(vm)
        vms = sorted(self.running_on(node), key=lambda v: v.name)
        refuse = vms[0].name if (refuse_one and vms) else None
        job = DrainJob(node=node, queue=deque(vms), refuse=refuse, force=force)
        if refuse_one and not vms:
            job.failed.append("a role refused to move")
        self.drains[node] = job
        self.world.truth.drain(node, started=True)
        self.world.nodes[node].drain_status = DrainStatus.IN_PROGRESS
        job.workers = min(self.parallel, len(vms))
        if job.workers == 0:
            self._finish_drain(job)
        for _ in range(job.workers):
            self.env.process(self._drain_worker(job))

    def _drain_worker(self, job: DrainJob) -> Proc:
        while job.active and job.queue:
            vm = job.queue.popleft()
            if not vm.online or vm.owner != job.node or vm.migrating_to is not None:
                continue
            if not vm.spec.movable or vm.name == job.refuse:
                job.failed.append(f"{vm.name}: live migration refused")
                continue
            target = self.place(vm, exclude=job.node, live_from=job.node)
            if target is None:
                if self._refused(job.node, drain_refusal(self.world.nodes, vm.name, job.node)):
                    job.failed.append(f"{vm.name}: no node at its host's version or newer")
                else:
                    job.failed.append(f"{vm.name}: no node has {vm.memory:g} GB free")
                continue
            moved = yield from self._migrate(vm, target)
            if moved:
                self._origin(vm, job.node)
            elif job.active and vm.online and vm.owner == job.node:
                # The target went away mid-migration: place the VM again, a few times.
                job.retries[vm.name] = job.retries.get(vm.name, 0) + 1
                if job.retries[vm.name] < MIGRATION_RETRIES:
                    job.queue.append(vm)
                else:
                    job.failed.append(f"{vm.name}: live migration to {target} failed")
        job.workers -= 1
        if job.workers == 0:
            self._finish_drain(job)

    def _finish_drain(self, job: DrainJob) -> None:
        if not job.active:
            return
        job.active = False
        self.world.truth.drain(job.node, started=False)
        node = self.world.nodes[job.node]
        if job.failed and job.force:  # -ForceDrain: what could not move is stopped, failed over
            self.world.record("forced-failover", job.node, "; ".join(job.failed))
            self.world.forced_failover(job.node, [vm.name for vm in self.host_lost(job.node)])
            job.failed = []
        if job.failed:
            self.world.truth.trouble(job.node, "drain-failed", "; ".join(job.failed))
            node.drain_status = DrainStatus.FAILED
            self.world.record("drain-failed", job.node, "; ".join(job.failed))
        else:
            node.drain_status = DrainStatus.COMPLETED
            self.world.record("drain-completed", job.node, "")
        self.world.node_changed(job.node)

    def abort_drain(self, node: str, *, failed: bool = True) -> None:
        """Stop a running drain; it ends Failed (host lost) unless the node was resumed."""
        job = self.drains.get(node)
        if job is not None and job.active:
            job.active = False
            job.queue.clear()
            self.world.truth.drain(node, started=False)
            if failed:
                self.world.truth.trouble(node, "drain-failed", "the drain was interrupted")
                self.world.nodes[node].drain_status = DrainStatus.FAILED
                self.world.record("drain-failed", node, "the drain was interrupted")
                self.world.node_changed(node)

    # -- failback --------------------------------------------------------------------------
    def failback(self, node: str, mode: FailbackMode) -> None:
        if mode is FailbackMode.IMMEDIATE:
            self.env.process(self._failback(node, 0.0, policy=False))
            return
        if mode is FailbackMode.POLICY:
            self.env.process(self._failback(node, POLICY_FAILBACK_DELAY, policy=True))
        for vm in in_index_order(self._drained.under(node)):  # the rest stay where they are
            if vm.origin == node and not (mode is FailbackMode.POLICY and self._allows(vm)):
                self._origin(vm, None)

    def _allows(self, vm: SimVm) -> bool:
        return self.auto_failback.get(vm.name, False)

    def _failback(self, node: str, delay: float, *, policy: bool) -> Proc:
        if delay > 0:
            yield self.env.timeout(delay)
        drained = in_index_order(self._drained.under(node))
        back = [vm for vm in drained if vm.origin == node and (self._allows(vm) or not policy)]
        queue = deque(sorted(back, key=lambda v: v.name))
        for _ in range(min(self.parallel, len(queue))):
            self.env.process(self._failback_worker(node, queue))

    def _failback_worker(self, node: str, queue: deque[SimVm]) -> Proc:
        while queue:
            vm = queue.popleft()
            if vm.origin != node:
                continue
            self._origin(vm, None)
            host = self.world.nodes[node]
            if not host.active or not vm.online or vm.migrating_to is not None:
                continue
            if vm.owner == node or self.free(node) < vm.memory:
                continue
            if self._refused(node, failback_refusal(self.world.nodes, vm.name, vm.owner, node)):
                continue
            yield from self._migrate(vm, node)

    # -- losing hosts ----------------------------------------------------------------------
    def host_lost(self, node: str) -> list[SimVm]:
        """``node`` went down: its running VMs go down, migrations to/from it abort."""
        self.abort_drain(node)
        lost: list[SimVm] = []
        now = float(self.env.now)
        for vm in in_index_order(self._incoming.under(node), self._owned.under(node)):
            if vm.migrating_to == node:
                self._abort_migration(vm)
            if vm.owner == node and vm.online:
                self._abort_migration(vm)
                vm.online = False
                vm.down_since = now
                lost.append(vm)
                self.changed(vm)
        if lost:
            self.env.process(self._failover(lost))
        return lost

    def all_lost(self) -> None:
        """Quorum or the pool is gone: every role offline until both are back (no VM-volume map)."""
        now = float(self.env.now)
        for node in self.drains:
            self.abort_drain(node)
        for vm in self.vms:
            self._abort_migration(vm)
            if vm.online:
                vm.online = False
                vm.down_since = now
                self.changed(vm)
            self._wait(vm)

    def _failover(self, vms: list[SimVm]) -> Proc:
        yield self.env.timeout(FAILOVER_DELAY)
        for vm in sorted(vms, key=lambda v: v.name):
            if not vm.online:
                self._wait(vm)
        self.retry_pending()

    def failover_now(self) -> None:
        """Place every offline VM at once (roles of nodes that were down before the run)."""
        for vm in self.vms:
            if not vm.online:
                self._wait(vm)
        self.retry_pending()

    def _wait(self, vm: SimVm) -> None:
        if not vm.waiting and not vm.saved:
            vm.waiting = True
            self.pending.append(vm)

    def retry_pending(self) -> None:
        """Start waiting VMs on any active node with room (a node returned or resumed)."""
        if not self.pending or not self.world.can_run_roles():
            return
        waiting, self.pending = self.pending, []
        now = float(self.env.now)
        for vm in sorted(waiting, key=lambda v: v.name):
            vm.waiting = False
            if vm.online:
                continue
            # A VM whose own host is active again restarts there (its memory is counted).
            target = vm.owner if self.world.nodes[vm.owner].active else self.place(vm, None)
            if target is None:
                self._wait(vm)
                continue
            self.placement.release(vm.owner, vm.memory)
            self.placement.take(target, vm.memory)
            self._own(vm, target)
            vm.online = True
            if vm.down_since is not None:
                vm.downtime += now - vm.down_since
            vm.down_since = None
            self.changed(vm)
            self.world.record("role-online", target, f"{vm.name} restarted after failover")
