"""Fault injection in the world: each foundation fault type, and bad fault input."""

from __future__ import annotations

import pytest
from sim_driver import (
    CU,
    fault,
    kinds,
    make_scenario,
    make_world,
    update_node,
    wait_until,
    wait_work,
)

from runner.errors import ClusterUnreachable, InputError
from runner.types import DrainStatus, NodeState, RoleState, WorkState
from simulator.faults import FAULT_TYPES
from simulator.model import FaultSpec, ScriptSpec
from simulator.world import SimulatedCluster

pytestmark = pytest.mark.failures


def world_with(*faults: FaultSpec, **profile: object) -> SimulatedCluster:
    sc = make_scenario(4, resiliency=None, faults=faults, scripts=ScriptSpec())
    return make_world(sc, **profile)


def test_registry_knows_every_type() -> None:
    """The registry holds the foundation's five types and the later ones, keyed by name."""
    assert sorted(FAULT_TYPES) == [
        "agents-down",
        "boot-hang",
        "coordinator-crash",
        "coordinator-host-crash",
        "disk-failure",
        "drain-failure",
        "install-failure",
        "management-disconnect",
        "node-crash",
        "resync-stall",
        "script-failure",
        "slow-migration",
        "stop-request",
        "update-rollback",
        "witness-offline",
    ]


def test_unknown_fault_type_is_input_error() -> None:
    """An unknown fault type raises InputError naming the JSON path of the fault."""
    with pytest.raises(InputError) as caught:
        world_with(fault("meteor-strike", node="node1"))
    assert caught.value.path == "$.faults[0].type"
    assert "meteor-strike" in caught.value.message


def test_fault_naming_unknown_node_is_input_error() -> None:
    """A fault on a node the cluster does not have raises InputError at its node field."""
    with pytest.raises(InputError) as caught:
        world_with(fault("boot-hang", node="node9"))
    assert caught.value.path == "$.faults[0].node"


def test_install_failure_fails_the_first_attempts() -> None:
    """install-failure attempts 2: the first two installs fail with the hresult, then succeed."""
    world = world_with(fault("install-failure", node="node2", attempts=2, hresult="0x80240022"))
    results = []
    for _ in range(3):
        progress = wait_work(world, world.transport.start_install("node2", (CU.id,)))
        results.append((progress.state, progress.results[0].result, progress.results[0].hresult))
    assert results == [
        (WorkState.FAILED, "Failed", "0x80240022"),
        (WorkState.FAILED, "Failed", "0x80240022"),
        (WorkState.SUCCEEDED, "Succeeded", ""),
    ]
    assert world.faults.fired == {"install-failure": 2}


def test_install_failure_only_on_its_node() -> None:
    """An install-failure fault on node2 leaves node1's install alone."""
    world = world_with(fault("install-failure", node="node2"))
    progress = wait_work(world, world.transport.start_install("node1", (CU.id,)))
    assert progress.state is WorkState.SUCCEEDED


def test_boot_hang_keeps_the_node_down() -> None:
    """boot-hang: the node never comes back from its next restart; its boot id never changes."""
    world = world_with(fault("boot-hang", node="node3"))
    assert update_node(world, "node1") == "Succeeded"
    world.transport.suspend_node("node3")
    wait_until(world, lambda v: v.node("node3").drain_status is DrainStatus.COMPLETED)
    world.transport.restart_node("node3")
    world.clock.sleep(24 * 3600)
    view = world.transport.observe()
    assert view.node("node3").state is NodeState.DOWN
    assert view.node("node3").boot_id == "node3-boot1"
    assert world.nodes["node1"].boot_count == 2  # node1 restarted normally


def test_drain_failure_fails_first_drain_only() -> None:
    """drain-failure: a VM refuses to move on the first drain; a second drain completes."""
    world = world_with(fault("drain-failure", node="node1"))
    world.transport.suspend_node("node1")
    view = wait_until(world, lambda v: v.node("node1").drain_status is not DrainStatus.IN_PROGRESS)
    assert view.node("node1").drain_status is DrainStatus.FAILED
    assert len(view.roles_on("node1")) == 1
    world.transport.suspend_node("node1")  # Suspend-ClusterNode -Drain again
    view = wait_until(world, lambda v: v.node("node1").drain_status is not DrainStatus.IN_PROGRESS)
    assert view.node("node1").drain_status is DrainStatus.COMPLETED
    assert view.roles_on("node1") == ()


def test_node_crash_with_return() -> None:
    """node-crash at minute 10 for 5 minutes: Down at 600 s, back Up at 900 s, new boot id."""
    world = world_with(fault("node-crash", node="node2", at_minute=10, down_minutes=5))
    world.clock.advance_to(600)
    view = world.transport.observe()
    assert view.node("node2").state is NodeState.DOWN
    assert view.has_quorum
    world.clock.advance_to(900)
    node2 = world.transport.observe().node("node2")
    assert (node2.state, node2.boot_id) == (NodeState.UP, "node2-boot2")
    assert [e[0] for e in kinds(world, "crash")] == [600.0]


def test_node_crash_at_start_is_already_in_effect() -> None:
    """node-crash at_minute 0 without down_minutes: Down from the start, roles elsewhere."""
    world = world_with(fault("node-crash", node="node4", at_minute=0))
    view = world.transport.observe()
    assert view.node("node4").state is NodeState.DOWN
    assert view.roles_on("node4") == ()
    assert all(r.state is RoleState.ONLINE for r in view.roles)
    world.clock.sleep(3600)
    assert world.transport.observe().node("node4").state is NodeState.DOWN


def test_script_failure_exit_code() -> None:
    """script-failure on pre, attempts 1: the first pre-script run exits 1, the next 0."""
    world = world_with(
        fault("script-failure", node="node1", script="pre", attempts=1),
        pre_update_script="C:\\pre.ps1",
        post_update_script="C:\\post.ps1",
    )
    codes = [
        wait_work(world, world.transport.start_script("node1", path)).exit_code
        for path in ("C:\\pre.ps1", "C:\\post.ps1", "C:\\pre.ps1")
    ]
    assert codes == [1, 0, 0]


def test_script_failure_needs_pre_or_post() -> None:
    """A script-failure fault whose script is neither pre nor post is rejected."""
    with pytest.raises(InputError) as caught:
        world_with(fault("script-failure", node="node1", script="during"))
    assert caught.value.path == "$.faults[0].script"


def test_management_disconnect_blocks_calls_while_work_goes_on() -> None:
    """management-disconnect: calls raise ClusterUnreachable for its minutes; work goes on."""
    world = world_with(fault("management-disconnect", at_minute=1, params={"minutes": 20}))
    handle = world.transport.start_install("node1", (CU.id,))
    world.clock.advance_to(120)
    with pytest.raises(ClusterUnreachable):
        world.transport.poll_work(handle)
    world.clock.advance_to(21 * 60)
    assert world.transport.poll_work(handle).state is WorkState.SUCCEEDED


def test_witness_offline_and_back() -> None:
    """witness-offline: the witness shows offline for its minutes; quorum holds."""
    world = world_with(fault("witness-offline", at_minute=5, params={"minutes": 10}))
    world.clock.advance_to(6 * 60)
    view = world.transport.observe()
    assert (view.witness.online, view.has_quorum) == (False, True)
    world.clock.advance_to(16 * 60)
    assert world.transport.observe().witness.online


def test_slow_migration_scales_drain_time() -> None:
    """slow-migration factor 3 makes each live migration three times as long."""
    world = world_with(fault("slow-migration", params={"factor": 3}))
    world.transport.suspend_node("node1")
    start = world.clock.now()
    wait_until(world, lambda v: v.node("node1").drain_status is DrainStatus.COMPLETED, step=1)
    (done,) = kinds(world, "drain-completed")
    assert done[0] - start == pytest.approx(3 * 16 * 1024 / 1000)  # two VMs, in parallel


def test_resync_stall_delays_the_repair() -> None:
    """resync-stall: the first repair job holds still for its minutes before copying
    (on an OS without storage maintenance mode: the repair starts 30 s after the boot)."""
    sc = make_scenario(
        4,
        vms_per_node=0,
        faults=(fault("resync-stall", params={"minutes": 10}),),
        maintenance_mode=False,
    )
    world = make_world(sc)
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    start = world.clock.now()
    wait_until(world, lambda v: v.storage_healthy, step=5)
    (done,) = kinds(world, "repair-completed")
    assert done[0] - start == pytest.approx(8 * 60 + 10 * 60 + 40 * 8 * 60 / 400)


def test_update_rollback_offers_the_update_again() -> None:
    """update-rollback: the installed update is rolled back at boot and offered again."""
    world = world_with(fault("update-rollback", node="node1"))
    assert update_node(world, "node1") == "Succeeded"  # the driver re-scans and re-installs
    counts = world.updates.nodes["node1"].install_counts
    assert counts == {CU.id: 2}
    assert world.nodes["node1"].boot_count == 3
