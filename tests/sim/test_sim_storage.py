"""Storage Spaces Direct in the world: health states, repair jobs, refusal to suspend, loss.

These tests pin the model of an OS without storage maintenance mode on pause (Windows Server
2019 / HCI 20H2: ``maintenance_mode=False``): data falls behind only while a node is powered
off. The maintenance-mode model is tested in ``test_sim_storage_maintenance.py``."""

from __future__ import annotations

import pytest
from sim_driver import fault, kinds, make_scenario, make_world, wait_until

from runner.errors import StorageDegraded
from runner.types import (
    FailbackMode,
    HealthStatus,
    NodeState,
    OperationalStatus,
    Resiliency,
    StorageJobState,
    WitnessType,
)
from simulator.model import FaultSpec, VolumeSpec
from simulator.storage import REPAIR_START_DELAY
from simulator.world import SimulatedCluster

pytestmark = pytest.mark.storage

BOOT = 8 * 60.0


def restarted_world(faults: tuple[FaultSpec, ...] = ()) -> tuple[SimulatedCluster, float]:
    """node1 suspended and restarted (no VMs); returns the world and the restart time."""
    world = make_world(make_scenario(4, vms_per_node=0, faults=faults, maintenance_mode=False))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    return world, world.clock.now()


def test_volumes_degraded_while_node_down() -> None:
    """While a node is down, volumes are Warning + (Incomplete, Degraded) and stay online."""
    world, _ = restarted_world()
    (disk,) = world.transport.observe().virtual_disks
    assert disk.health is HealthStatus.WARNING
    assert disk.operational == (OperationalStatus.INCOMPLETE, OperationalStatus.DEGRADED)


def test_repair_job_lifecycle_and_health_states() -> None:
    """On return a Suspended repair job appears, then runs at repair_mb_s and disappears."""
    world, restarted = restarted_world()
    dirty_mb = 40 * BOOT
    world.clock.advance_to(restarted + BOOT)
    view = world.transport.observe()
    assert view.node("node1").state is NodeState.PAUSED
    (job,) = view.storage_jobs
    assert (job.name, job.state, job.percent_complete) == (
        "vol01-Repair",
        StorageJobState.SUSPENDED,
        0,
    )
    assert job.bytes_total == int(dirty_mb * 1024 * 1024)
    (disk,) = view.virtual_disks
    assert (disk.health, disk.operational) == (
        HealthStatus.WARNING,
        (OperationalStatus.IN_SERVICE,),
    )
    repair_seconds = dirty_mb / 400
    # observe() itself takes OBSERVE_SECONDS: land exactly half way through the repair
    world.clock.advance_to(restarted + BOOT + REPAIR_START_DELAY + repair_seconds / 2 - 0.5)
    (job,) = world.transport.observe().storage_jobs
    assert job.state is StorageJobState.RUNNING
    assert job.percent_complete == 50
    world.clock.advance_to(restarted + BOOT + REPAIR_START_DELAY + repair_seconds)
    view = world.transport.observe()
    assert view.storage_jobs == ()
    assert view.storage_healthy
    (done,) = kinds(world, "repair-completed")
    assert done[0] == pytest.approx(restarted + BOOT + REPAIR_START_DELAY + repair_seconds)


def test_repair_rate_is_shared_between_jobs() -> None:
    """Two volumes with equal dirty data each repair at half the rate."""
    from dataclasses import replace

    sc = make_scenario(4, vms_per_node=0, maintenance_mode=False)
    assert sc.cluster.storage is not None
    vols = (
        *sc.cluster.storage.volumes,
        VolumeSpec(name="vol02", resiliency=Resiliency.TWO_WAY_MIRROR, write_mb_s=40),
    )
    sc = replace(sc, cluster=replace(sc.cluster, storage=replace(sc.cluster.storage, volumes=vols)))
    world = make_world(sc)
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    start = world.clock.now()
    wait_until(world, lambda v: v.storage_healthy, step=1)
    times = [t for t, *_ in kinds(world, "repair-completed")]
    assert times == [pytest.approx(start + BOOT + REPAIR_START_DELAY + 2 * 40 * BOOT / 400)] * 2


def test_suspend_refused_while_repair_runs() -> None:
    """Suspend-ClusterNode raises StorageDegraded (no effect) while a repair job exists."""
    world, restarted = restarted_world()
    world.clock.advance_to(restarted + BOOT + 5)
    with pytest.raises(StorageDegraded) as caught:
        world.transport.suspend_node("node2")
    assert caught.value.code == 5987
    assert world.transport.observe().node("node2").state is NodeState.UP
    assert kinds(world, "suspended") == [kinds(world, "suspended")[0]]


def test_suspend_refused_while_a_node_is_down() -> None:
    """Suspend is refused while a volume is degraded because another node is down."""
    world, _ = restarted_world()
    with pytest.raises(StorageDegraded):
        world.transport.suspend_node("node2")


def test_two_nodes_down_with_two_way_mirror_take_the_volume_offline_as_a_fault_loss() -> None:
    """Two fault domains away on a two-way mirror take the volume offline; the crash hit
    while the runner's restart was legitimate, so it is a fault loss, not a violation."""
    world, _ = restarted_world(faults=(fault("node-crash", node="node3", at_minute=3),))
    world.clock.sleep(200)
    (disk,) = world.transport.observe().virtual_disks
    assert disk.health is HealthStatus.UNHEALTHY
    assert OperationalStatus.NO_REDUNDANCY in disk.operational
    assert world.oracle.violations == []
    assert [v.invariant for v in world.oracle.fault_losses] == ["storage-redundancy"]


def test_three_way_mirror_tolerates_two_nodes_down() -> None:
    """A three-way mirror stays online with two fault domains away (5 nodes keep quorum)."""
    world = make_world(
        make_scenario(
            5,
            vms_per_node=0,
            resiliency=Resiliency.THREE_WAY_MIRROR,
            faults=(fault("node-crash", node="node3", at_minute=3),),
        )
    )
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    world.clock.sleep(200)
    (disk,) = world.transport.observe().virtual_disks
    assert disk.health is HealthStatus.WARNING
    assert world.oracle.violations == []


def test_volume_comes_back_when_domains_return() -> None:
    """An offline volume returns online (with repair) once enough fault domains are back."""
    world, _ = restarted_world(
        faults=(fault("node-crash", node="node3", at_minute=3, down_minutes=5),)
    )
    view = wait_until(world, lambda v: v.storage_healthy, step=10)
    assert view.virtual_disks[0].health is HealthStatus.HEALTHY
    assert kinds(world, "volume-online")


def test_san_cluster_has_no_s2d() -> None:
    """Without storage the view has no disks or jobs and suspend is never refused for it."""
    world = make_world(make_scenario(4, resiliency=None, witness=WitnessType.DISK))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    world.clock.sleep(BOOT + 1)
    view = world.transport.observe()
    assert (view.s2d_enabled, view.virtual_disks, view.storage_jobs) == (False, (), ())
    world.transport.resume_node("node1", FailbackMode.NONE)
    world.transport.suspend_node("node2")
    assert world.transport.observe().node("node2").state is NodeState.PAUSED


def test_repair_pauses_while_its_node_is_away_again() -> None:
    """A repair onto a node that restarts again shows Suspended and resumes, with more data."""
    world, first = restarted_world()
    ready = first + BOOT + REPAIR_START_DELAY
    world.clock.advance_to(ready + 9)
    world.transport.restart_node("node1")  # acts at ready + 10: 4,000 MB copied so far
    world.clock.advance_to(ready + 10 + BOOT - 1)
    (job,) = world.transport.observe().storage_jobs
    assert (job.state, job.percent_complete) == (StorageJobState.SUSPENDED, 20)
    wait_until(world, lambda v: v.storage_healthy, step=1)
    (done,) = kinds(world, "repair-completed")
    remaining_mb = 2 * 40 * BOOT - 4000
    assert done[0] == pytest.approx(ready + 10 + BOOT + remaining_mb / 400)
