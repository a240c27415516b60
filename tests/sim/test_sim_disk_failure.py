"""The disk-failure fault in the world: volumes degrade, a rebuild runs, suspend waits."""

from __future__ import annotations

import pytest
from sim_driver import fault, kinds, make_scenario, make_world, wait_until

from runner.errors import InputError, StorageDegraded
from runner.types import HealthStatus, OperationalStatus
from simulator.world import SimulatedCluster

pytestmark = pytest.mark.failures


def world_with_drive_failure(at_minute: float = 1) -> SimulatedCluster:
    return make_world(
        make_scenario(4, faults=(fault("disk-failure", node="node3", at_minute=at_minute),))
    )


def test_drive_failure_degrades_volumes_and_starts_a_rebuild() -> None:
    """At at_minute every volume shows Warning + Degraded and a repair job is listed."""
    world = world_with_drive_failure(1)
    before = world.transport.observe()
    assert before.storage_healthy
    world.clock.sleep(61)
    view = world.transport.observe()
    disk = view.virtual_disks[0]
    assert disk.health is HealthStatus.WARNING
    assert OperationalStatus.DEGRADED in disk.operational
    assert [j.name for j in view.storage_jobs] == ["vol01-Repair"]
    assert world.faults.fired == {"disk-failure": 1}
    assert any("node3" in e[3] for e in kinds(world, "fault"))


def test_suspend_is_refused_until_the_rebuild_finishes() -> None:
    """No node (not even the one with the failed drive) may be suspended during the rebuild."""
    world = world_with_drive_failure(0)
    world.clock.sleep(1)
    for name in ("node1", "node3"):
        with pytest.raises(StorageDegraded):
            world.transport.suspend_node(name)
    view = wait_until(world, lambda v: v.storage_healthy, step=30)
    assert not view.storage_jobs
    assert kinds(world, "repair-completed")
    world.transport.suspend_node("node1")  # healthy again: accepted
    assert world.storage is not None
    assert world.storage.repair_jobs_created == 1


def test_drive_failure_on_san_cluster_changes_nothing() -> None:
    """Without S2D the fault fires but no volume or job appears."""
    sc = make_scenario(
        4, resiliency=None, faults=(fault("disk-failure", node="node2", at_minute=0),)
    )
    world = make_world(sc)
    world.clock.sleep(1)
    view = world.transport.observe()
    assert (view.virtual_disks, view.storage_jobs) == ((), ())
    assert world.faults.fired == {"disk-failure": 1}


def test_drive_failure_needs_a_known_node() -> None:
    """A disk-failure fault without a node is InputError at its node field."""
    with pytest.raises(InputError) as caught:
        make_world(make_scenario(4, faults=(fault("disk-failure", at_minute=1),)))
    assert caught.value.path == "$.faults[0].node"
