"""Oracle attribution: a volume lost to injected faults during a legitimate runner restart is
a fault loss; a loss the runner began or set up on degraded storage is a violation."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sim_driver import holds, make_scenario, make_world

from runner.types import Resiliency
from simulator.transport import COMMAND_SECONDS
from simulator.world import SimulatedCluster


def three_way() -> SimulatedCluster:
    return make_world(make_scenario(8, vms_per_node=0, resiliency=Resiliency.THREE_WAY_MIRROR))


def storage_verdict(world: SimulatedCluster) -> tuple[bool, list[dict[str, object]]]:
    section = world.finish({"status": "Succeeded", "nodes": [], "events": []})
    return holds(section)["storage-redundancy"], section["fault_losses"]


def test_crashes_during_a_legitimate_restart_are_a_fault_loss() -> None:
    """Runner restarts node1 on healthy storage; two crashes then take the volume offline."""
    world = three_way()
    world.transport.restart_node("node1")
    world.crash("node2", 3600.0)
    world.crash("node3", 3600.0)
    ok, losses = storage_verdict(world)
    assert ok
    assert losses
    assert losses[0]["invariant"] == "storage-redundancy"
    assert "node1, node2, node3" in str(losses[0]["detail"])


def test_restart_while_a_crashed_node_is_away_then_a_crash_is_the_runners() -> None:
    """Runner restarts node1 while node2 is already down; node3's crash then loses the volume."""
    world = three_way()
    world.crash("node2", 3600.0)
    world.transport.restart_node("node1")
    world.crash("node3", 3600.0)
    ok, losses = storage_verdict(world)
    assert not ok
    assert losses == []
    detail = world.oracle.violations[-1].detail
    assert "runner took node1 down on degraded storage" in detail


def test_a_loss_that_begins_at_a_runner_restart_is_the_runners() -> None:
    """Two crashes leave a three-way mirror at its tolerance; the runner's restart tips it."""
    world = three_way()
    world.crash("node2", 3600.0)
    world.crash("node3", 3600.0)
    world.transport.restart_node("node1")
    ok, _ = storage_verdict(world)
    assert not ok


def test_fault_only_losses_are_recorded_not_violations() -> None:
    """Three crashes and no runner action: the loss is the faults' alone."""
    world = three_way()
    for node in ("node2", "node3", "node4"):
        world.crash(node, 600.0)
    ok, losses = storage_verdict(world)
    assert ok
    assert len(losses) == 1  # one volume in the driver's scenario


def crash_in(world: SimulatedCluster, node: str, after: float) -> None:
    def later() -> Generator[Any, Any, None]:
        yield world.env.timeout(after)
        world.crash(node, 3600.0)

    world.env.process(later())


def test_a_crash_while_the_restart_command_is_in_flight_is_a_fault_loss() -> None:
    """node2 crashes after the runner issued node1's restart (healthy view): not its fault."""
    world = make_world(make_scenario(4, vms_per_node=0))
    crash_in(world, "node2", COMMAND_SECONDS / 2)
    world.transport.restart_node("node1")
    section = world.finish({"status": "Succeeded", "nodes": [], "events": []})
    assert holds(section)["resync-before-next"]
    assert holds(section)["storage-redundancy"]
    kinds = [loss["invariant"] for loss in section["fault_losses"]]
    assert kinds == ["resync-before-next", "storage-redundancy"]


def test_a_restart_issued_after_the_crash_is_still_a_violation() -> None:
    """node2 crashed before the runner issued node1's restart: the runner is blamed."""
    world = make_world(make_scenario(4, vms_per_node=0))
    crash_in(world, "node2", 0.0)
    world.clock.sleep(0.1)
    world.transport.restart_node("node1")
    section = world.finish({"status": "Succeeded", "nodes": [], "events": []})
    assert not holds(section)["resync-before-next"]
    assert not holds(section)["storage-redundancy"]


def drive_fails_in(world: SimulatedCluster, node: str, after: float) -> None:
    def later() -> Generator[Any, Any, None]:
        yield world.env.timeout(after)
        assert world.storage is not None
        world.storage.drive_failed(node)

    world.env.process(later())


def test_a_drive_failing_while_the_restart_command_is_in_flight_is_a_fault_loss() -> None:
    """node2's drive fails (a rebuild starts) after the runner issued node1's restart on a
    healthy view: the restart on rebuilding storage is the fault's, not the runner's."""
    world = make_world(make_scenario(4, vms_per_node=0))
    drive_fails_in(world, "node2", COMMAND_SECONDS / 2)
    world.transport.restart_node("node1")
    section = world.finish({"status": "Succeeded", "nodes": [], "events": []})
    assert holds(section)["resync-before-next"]
    losses = [loss["detail"] for loss in section["fault_losses"]]
    assert any("in flight when storage degraded: vol" in str(d) for d in losses)


def test_a_restart_issued_after_the_drive_failed_is_still_a_violation() -> None:
    """node2's drive failed before the runner issued node1's restart: the runner is blamed."""
    world = make_world(make_scenario(4, vms_per_node=0))
    drive_fails_in(world, "node2", 0.0)
    world.clock.sleep(0.1)
    world.transport.restart_node("node1")
    section = world.finish({"status": "Succeeded", "nodes": [], "events": []})
    assert not holds(section)["resync-before-next"]
