"""Storage Spaces Direct in the simulated world: volumes, fault domains, repair jobs, pool.

Owns: ``Storage`` — which fault domains (nodes, or racks/chassis: ``cluster.fault_domains``;
a node away owes its share of its domain's copy) are unavailable, the data written while a
node was away, the per-volume repair jobs that copy it back, the health/operational status
each volume shows (reference cau.md §5.3), the pool quorum (by drives, whatever the
domains: 50 %+1 of them, cau.md), the cached ``VirtualDiskView`` tuple. The records
(``SimVolume``, ``RepairJob``) and their views live in ``simulator.storage_views``.

Theory of operation:
- A node that is Down makes its fault domain unavailable. Volumes then show Warning +
  (Incomplete, Degraded) and stay online while unavailable domains ≤ their fault tolerance;
  beyond it (or when the pool loses quorum) they go offline: Unhealthy + (No redundancy,
  Detached) — recorded by the oracle as a ``storage-redundancy`` violation whoever caused it.
- When the node boots again (even Paused) each volume has ``write_mb_s × seconds away`` MB to
  repair: a ``<volume>-Repair`` job appears Suspended, runs after ``REPAIR_START_DELAY``
  seconds, and volumes show Warning + InService until it completes and disappears.
- Storage maintenance mode (``simulator.storage_maintenance``: Windows Server 2022 / HCI
  21H2 and later, or the scenario's ``maintenance_mode``): the runner's suspend puts the
  node's drives into it (``pause``), which makes its fault domain unavailable from that
  moment — for the volumes' status, their fault tolerance and the writes that fall behind —
  though the node stays in the pool; a restart meanwhile changes nothing of that, and its
  boot repairs nothing. The resume (``resume``) ends it: each volume then has
  ``write_mb_s × seconds from suspend to resume`` MB to repair, and the job runs at once.
- The offline update: a volume taken offline by the runner is *detached* (Unknown +
  Detached: written to by nobody, so a node away meanwhile owes it no repair); Stop-Cluster
  stops the pool (``stop_pool``: nothing counts as lost while it is stopped) and
  Start-Cluster forms it again from the members' drives (``start_pool``), read-only for
  ``POOL_START_SECONDS`` while it comes online.
- A job copies only while every node it repairs onto is present (else it shows Suspended).
  Running jobs share ``repair_mb_s`` equally. Progress is settled only when something
  changes and the next completion is computed analytically (no ticking process); a stale
  wake-up is ignored through a generation counter. Percentages are computed on observe.

Must not: know about VMs, updates or the runner; the world tells it when nodes go and come.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from runner.types import HealthStatus, StorageJobView, VirtualDiskView
from simulator.membership import PoolQuorum
from simulator.model import StorageSpec
from simulator.storage_maintenance import maintenance_on_pause
from simulator.storage_views import RepairJob, SimVolume, disk_view, job_views
from simulator.world_port import WorldPort

__all__ = ["POOL_START_SECONDS", "REPAIR_START_DELAY", "RepairJob", "SimVolume", "Storage"]

REPAIR_START_DELAY = 30.0
POOL_START_SECONDS = 90.0  # after Start-Cluster the pool is read-only while it comes online


class Storage:
    def __init__(self, world: WorldPort, spec: StorageSpec, up: list[str]) -> None:
        self.world = world
        self.env = world.env
        self.repair_mb_s = float(spec.repair_mb_s)
        self.maintenance_mode = spec.maintenance_mode  # None: by each node's OS build
        self.drives_per_node = spec.drives_per_node
        self.volumes = {v.name: SimVolume(spec=v) for v in spec.volumes}
        names = world.scenario.cluster.node_names
        self.pool = PoolQuorum(dict.fromkeys(names, spec.drives_per_node), up=up)
        self.away: dict[str, float] = {n: 0.0 for n in names if n not in up}
        self.held: dict[str, float] = {}  # nodes in storage maintenance mode, since when
        self.left: dict[str, bool] = {}  # held nodes the runner moved on from (``moved_on``)
        self.jobs: dict[str, RepairJob] = {}
        self.repair_jobs_created = 0
        self.stall_until = 0.0  # resync-stall faults hold the repair until then
        self.space_settle_s = float(spec.space_settle_minutes) * 60.0
        self.space_degraded_until = 0.0  # Suspend-ClusterNode refuses until then (5987)
        self._settled_at = 0.0
        self.pool_stopped = False  # Stop-Cluster
        self.starting_until = 0.0
        self.detached_at = 0.0
        self._generation = 0
        self._disks: tuple[VirtualDiskView, ...] | None = None
        for volume in self.volumes.values():
            self._check_offline(volume, by_runner=False)
        world.truth.storage_ready(self.ready())

    # -- queries ---------------------------------------------------------------------------
    def healthy(self, *, ignoring: str | None = None) -> bool:
        """What Suspend-ClusterNode checks: all volumes Healthy/OK and no repair job.
        ``ignoring``: a node suspended again while its own drives are in maintenance mode,
        or whose rack/chassis mates are away (those copies are its own domain's)."""
        mates = self.world.scenario.cluster.domain_mates(ignoring) if ignoring else ()
        away = [n for n in self.away if not (n in self.held if n == ignoring else n in mates)]
        return not self.jobs and not away and not any(v.offline for v in self.volumes.values())

    def ready(self) -> bool:
        """Report-truth's evidence of storage that keeps a next node waiting: healthy but
        for the held domain of the node in flight. A node the runner left in maintenance
        mode (it touched another node meanwhile: ``moved_on``) blocks every next node."""
        away = [n for n in self.away if n not in self.held or n in self.left]
        return not self.jobs and not away and not any(v.offline for v in self.volumes.values())

    def moved_on(self, node: str) -> None:
        """The runner acted on ``node``: any other node still held was left in maintenance."""
        left = [n for n in self.held if n != node and n not in self.left]
        if left:
            self.left.update(dict.fromkeys(left, True))
            self.world.truth.storage_ready(self.ready())

    def space_degraded(self, *, ignoring: str | None = None) -> bool:
        """What Suspend-ClusterNode refuses with 5987: storage not healthy (``ignoring`` as
        in ``healthy``), or a repair job finished less than ``space_settle_minutes`` ago
        (the clustered-space state lags)."""
        healthy = self.healthy(ignoring=ignoring)
        return not healthy or float(self.env.now) < self.space_degraded_until

    def degraded_by_others(self, node: str) -> list[str]:
        """Reasons storage is not healthy that come from another fault domain than ``node``'s."""
        # A rebuild after a failed drive (no source node) blocks every node.
        mates = self.world.scenario.cluster.domain_mates(node)
        reasons = [
            f"{j.name} running"
            for j in self.jobs.values()
            if j.rebuild or set(j.sources) - {*mates}
        ]
        reasons += [f"{n} unavailable" for n in self.away if n not in mates]
        reasons += [f"{v.name} offline" for v in self.volumes.values() if v.offline]
        return reasons

    def disk_views(self) -> tuple[VirtualDiskView, ...]:
        if self._disks is None:
            away, jobs = bool(self.away), self.jobs
            self._disks = tuple(disk_view(v, away, jobs.get(v.name)) for v in self.volumes.values())
        return self._disks

    def job_views(self) -> tuple[StorageJobView, ...]:
        if not self.jobs:
            return ()
        elapsed = max(0.0, float(self.env.now) - max(self._settled_at, self.stall_until))
        return job_views(self.jobs, self._running(), self.repair_mb_s * elapsed)

    # -- fault domains ---------------------------------------------------------------------
    def domain_down(self, node: str, *, graceful: bool, by_runner: bool) -> None:
        if self.pool_stopped:
            return
        self._settle()
        self.away.setdefault(node, float(self.env.now))  # held: behind since the suspend
        had_pool = self.pool.has_quorum
        if not self.pool.leave([node], owner_moves_first=graceful) and had_pool:
            self.world.pool_lost(node, by_runner=by_runner)
        for volume in self.volumes.values():
            self._check_offline(volume, by_runner=by_runner)
        self._disks = None
        self._reschedule()  # repairs onto this node pause until it is back
        self.world.truth.storage_ready(self.ready())

    def domain_up(self, node: str) -> None:
        if self.pool_stopped:
            return
        self._settle()
        # In maintenance mode the domain stays unavailable until the resume.
        since = None if node in self.held else self.away.pop(node, None)
        had_pool = self.pool.has_quorum
        if self.pool.join(node) and not had_pool:
            self.world.record("pool-quorum-regained", node, "")
        self._returned(node, since, REPAIR_START_DELAY)

    def pause(self, node: str, os_build: str) -> bool:
        """The runner suspended ``node``: its drives enter storage maintenance mode when
        the rule (``simulator.storage_maintenance``) says so; whether they are in it."""
        if node in self.held or not maintenance_on_pause(self.maintenance_mode, os_build):
            return node in self.held
        self._settle()
        now = float(self.env.now)
        self.held[node] = now
        self.away.setdefault(node, now)
        self.world.record("storage-maintenance", node, "enabled")
        for volume in self.volumes.values():
            self._check_offline(volume, by_runner=True)
        self._disks = None
        self._reschedule()  # repairs onto this node pause until it is back
        self.world.truth.storage_ready(self.ready())
        return True

    def resume(self, node: str) -> None:
        """The runner resumed ``node``: maintenance mode ends and its repair jobs start now
        (if it is powered on; a node resumed while down repairs when it boots)."""
        self.left.pop(node, None)
        if self.held.pop(node, None) is None:
            return
        self._settle()
        self.world.record("storage-maintenance", node, "disabled")
        since = self.away.pop(node, None) if self.world.nodes[node].up else None
        self._returned(node, since, 0.0)

    def _returned(self, node: str, since: float | None, delay: float) -> None:
        """``node``'s domain is available again after ``since``: repair what it missed."""
        now, share = float(self.env.now), len(self.world.scenario.cluster.domain_mates(node))
        for volume in self.volumes.values():  # a domain's copy is spread over its nodes
            dirty = volume.spec.write_mb_s * (now - since) / share if since is not None else 0.0
            dirty = 0.0 if volume.detached else dirty  # nothing was written to it
            if dirty > 0:
                self._add_repair(volume.name, node, dirty, delay=delay)
            if volume.offline and self._online_possible(volume):
                volume.offline = False
                self.world.record("volume-online", None, volume.name)
        self._disks = None
        self._reschedule()
        self.world.truth.storage_ready(self.ready())

    def drive_failed(self, node: str) -> int:
        """A capacity drive of ``node`` fails (disk-failure): every volume loses the copies it
        kept there, a rebuild job restores them elsewhere. Returns how many jobs started."""
        self._settle()
        domains = len(self.world.scenario.cluster.nodes) * max(1, self.drives_per_node)
        started = 0
        for volume in self.volumes.values():
            if volume.offline:
                continue
            copies = {1: 2, 2: 3}[volume.spec.resiliency.fault_tolerance]
            lost_mb = float(volume.spec.size_gb) * 1024.0 * copies / domains
            self._add_repair(volume.name, node, lost_mb, rebuild=True)
            started += 1
        self._disks = None
        self._reschedule()
        self.world.truth.storage_ready(self.ready())
        return started

    # -- the offline update ------------------------------------------------------------------
    def set_detached(self, detached: bool) -> list[str]:
        """Every volume offline (``True``) or online again; the volumes that cannot come online
        (the pool is not writable, too many fault domains away) stay detached, and are
        returned. Writes resume now: a node still away owes repair from now on."""
        self._settle()
        stuck: list[str] = []
        now = float(self.env.now)
        ready = self.pool.has_quorum and now >= self.starting_until and not self.pool_stopped
        for volume in self.volumes.values():
            if detached:
                volume.detached = True
            elif volume.detached and ready and self._online_possible(volume):
                volume.detached = False
            elif volume.detached:
                stuck.append(volume.name)
        if detached:
            self.detached_at = now
        else:  # the time the volumes were detached is no time away: nothing was written
            gap = now - self.detached_at
            self.away = {
                n: (t + gap if t < self.detached_at else now) for n, t in self.away.items()
            }
        self._disks = None
        self.world.truth.storage_ready(self.ready())
        return stuck

    def stop_pool(self) -> None:
        """Stop-Cluster: the pool goes offline on purpose; nothing is lost."""
        self._settle()
        self.pool.stop()
        self.pool_stopped = True
        self._disks = None
        self._reschedule()

    def start_pool(self, members: list[str]) -> None:
        """Start-Cluster: the pool forms from ``members``' drives; the others are away from
        now on. It is read-only for ``POOL_START_SECONDS``."""
        self._settle()
        now = float(self.env.now)
        self.pool_stopped = False
        self.pool.start(members)
        self.away = {n: self.away.get(n, now) for n in self.world.nodes if n not in members}
        self.starting_until = now + POOL_START_SECONDS
        for volume in self.volumes.values():
            self._check_offline(volume, by_runner=True)
        self._disks = None
        self._reschedule()
        self.world.truth.storage_ready(self.ready())

    def pool_state(self) -> tuple[HealthStatus, bool]:
        """(HealthStatus, read-only) of the pool as Get-StoragePool shows it."""
        if not self.pool.has_quorum:
            return HealthStatus.UNHEALTHY, True
        if float(self.env.now) < self.starting_until:
            return HealthStatus.UNKNOWN, True
        if self.away or self.jobs:
            return HealthStatus.WARNING, False
        return HealthStatus.HEALTHY, False

    def move_pool_owner(self, node: str) -> None:
        """A drain moves the pool resource off ``node``."""
        active = [n for n, sim in self.world.nodes.items() if sim.active]
        self.pool.move_owner(node, active)

    def domains_away(self) -> list[str]:
        """The fault domains with a node away (a volume lost one copy in each), in order."""
        return list(dict.fromkeys(map(self.world.scenario.cluster.fault_domain, self.away)))

    def _online_possible(self, volume: SimVolume) -> bool:
        tolerance = volume.spec.resiliency.fault_tolerance
        return self.pool.has_quorum and len(self.domains_away()) <= tolerance

    def _check_offline(self, volume: SimVolume, *, by_runner: bool) -> None:
        if volume.offline or volume.detached or self._online_possible(volume):
            return
        volume.offline = True
        self._disks = None
        why = (
            "pool lost quorum"
            if not self.pool.has_quorum
            else (
                f"{len(self.domains_away())} fault domains unavailable "
                f"({', '.join(self.domains_away())}), "
                f"{volume.spec.resiliency.value} tolerates {volume.spec.resiliency.fault_tolerance}"
            )
        )
        self.world.volume_offline(volume.name, why, by_runner=by_runner)

    # -- repair ----------------------------------------------------------------------------
    def _add_repair(
        self,
        volume: str,
        node: str,
        dirty_mb: float,
        *,
        rebuild: bool = False,
        delay: float = REPAIR_START_DELAY,
    ) -> None:
        job = self.jobs.get(volume)
        if job is None:
            # A rebuild copies between the drives still present: it waits for no node.
            sources = [] if rebuild else [node]
            job = RepairJob(volume=volume, total_mb=dirty_mb, sources=sources, rebuild=rebuild)
            job.since = float(self.env.now)
            self.jobs[volume] = job
            self.repair_jobs_created += 1
            self.world.record("repair-job", None, f"{job.name} {dirty_mb:.0f} MB")
            if delay > 0:
                self.env.process(self._start_later(job, delay))
            else:
                job.ready = True
            stall = self.world.faults.resync_stall(volume)
            if stall > 0:
                self.stall(stall * 60.0)
        else:
            job.total_mb += dirty_mb
            job.rebuild = job.rebuild or rebuild
            if not rebuild and node not in job.sources:
                job.sources.append(node)

    def _start_later(self, job: RepairJob, delay: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(delay)
        if self.jobs.get(job.volume) is job and not job.ready:
            self._settle()
            job.ready = True
            self._reschedule()

    def _running(self) -> list[RepairJob]:
        """Jobs copying data now: started, and every node they repair onto is present."""
        away = self.away.keys()
        return [j for j in self.jobs.values() if j.ready and away.isdisjoint(j.sources)]

    def _settle(self) -> None:
        """Bring running jobs' progress up to now. Called before anything that changes the
        set of running jobs, so the share was constant over the settled interval."""
        now = float(self.env.now)
        start = max(self._settled_at, self.stall_until)
        running = self._running()
        if running and now > start:
            share = self.repair_mb_s * (now - start) / len(running)
            for job in running:
                job.done_mb = min(job.total_mb, job.done_mb + share)
        self._settled_at = now

    def _reschedule(self) -> None:
        self._generation += 1
        running = self._running()
        if not running:
            return
        first = min(running, key=lambda j: j.total_mb - j.done_mb)
        wait = (first.total_mb - first.done_mb) * len(running) / self.repair_mb_s
        wait += max(0.0, self.stall_until - float(self.env.now))
        self.env.process(self._wake(self._generation, first, wait))

    def _wake(self, generation: int, first: RepairJob, wait: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(wait)
        if generation != self._generation:
            return
        self._settle()
        first.done_mb = first.total_mb
        for job in self._running():
            if job.total_mb - job.done_mb <= 1e-6 * max(1.0, job.total_mb):
                del self.jobs[job.volume]
                self.world.record("repair-completed", None, job.name)
                self.space_degraded_until = float(self.env.now) + self.space_settle_s
        self._disks = None
        self._reschedule()
        self.world.truth.storage_ready(self.ready())

    def stall(self, seconds: float) -> None:
        """Hold every repair for ``seconds`` from now (resync-stall)."""
        self._settle()
        self.stall_until = max(self.stall_until, float(self.env.now) + seconds)
        self._reschedule()
