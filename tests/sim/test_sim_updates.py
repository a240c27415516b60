"""Windows Update and scripts in the world: scans, installs, multi-pass offers, reboots."""

from __future__ import annotations

import pytest
from sim_driver import CU, make_scenario, make_world, wait_until, wait_work

from runner.errors import ClusterUnreachable, NodeUnreachable, RemoteCommandFailed
from runner.types import NodeState, WorkProgress, WorkState
from simulator.model import ScriptSpec, UpdateSpec
from simulator.windows_update import SCAN_SECONDS
from simulator.world import SimulatedCluster

A = UpdateSpec(id="KB1", title="servicing stack", install_minutes=5, restart=True)
B = UpdateSpec(id="KB2", title="cumulative", install_minutes=10, restart=False, after="KB1")
C = UpdateSpec(id="KB3", title="dotnet", install_minutes=5, restart=True, after="KB2")
FW = UpdateSpec(id="FW1", title="BIOS", kind="firmware", install_minutes=5)


def world_with(*updates: UpdateSpec, **kw: object) -> SimulatedCluster:
    return make_world(make_scenario(3, resiliency=None, vms_per_node=0, updates=updates), **kw)


def offered(world: SimulatedCluster, node: str = "node1") -> list[str]:
    return [u.id for u in wait_work(world, world.transport.start_scan(node)).offered]


def install(world: SimulatedCluster, *ids: str, node: str = "node1") -> WorkProgress:
    return wait_work(world, world.transport.start_install(node, ids))


def reboot(world: SimulatedCluster, node: str = "node1", soft: bool = False) -> float:
    boot = world.transport.observe().node(node).boot_id
    world.transport.restart_node(node, soft=soft)
    started = world.clock.now()
    wait_until(
        world,
        lambda v: v.node(node).boot_id != boot and v.node(node).state is not NodeState.DOWN,
        step=1,
    )
    return world.clock.now() - started


def test_scan_takes_a_minute() -> None:
    """A scan reports Running until SCAN_SECONDS have passed, then the offered updates."""
    world = world_with(CU)
    handle = world.transport.start_scan("node1")
    assert world.transport.poll_work(handle).state is WorkState.RUNNING
    world.clock.sleep(SCAN_SECONDS)
    progress = world.transport.poll_work(handle)
    assert progress.state is WorkState.SUCCEEDED
    assert [u.id for u in progress.offered] == [CU.id]


def test_multi_pass_offers_follow_installs_and_restarts() -> None:
    """KB2 (after KB1, which needs a restart) appears only after the restart; KB3 right after."""
    world = world_with(A, B, C)
    assert offered(world) == ["KB1"]
    result = install(world, "KB1")
    assert result.restart_required
    assert [r.result for r in result.results] == ["Succeeded"]
    assert offered(world) == []  # KB1 is staged, not in effect before the restart
    reboot(world)
    assert offered(world) == ["KB2"]
    assert install(world, "KB2").restart_required is False
    assert offered(world) == ["KB3"]  # KB2 needs no restart: KB3 applies at once


def test_update_targeting_nodes() -> None:
    """An update listing nodes is offered only to them."""
    only2 = UpdateSpec(id="KB9", title="driver", nodes=("node2",))
    world = world_with(only2)
    assert offered(world, "node1") == []
    assert offered(world, "node2") == ["KB9"]


def test_install_takes_install_minutes_in_sequence() -> None:
    """Installing two updates takes the sum of their install_minutes."""
    world = world_with(A, FW)
    handle = world.transport.start_install("node1", ("KB1", "FW1"))
    start = world.clock.now()
    world.clock.sleep(10 * 60 - 1.5)
    assert world.transport.poll_work(handle).state is WorkState.RUNNING
    world.clock.sleep(1.0)
    assert world.transport.poll_work(handle).state is WorkState.SUCCEEDED
    (finished,) = [t for t, kind, *_ in world.timeline if kind == "install-finished"]
    assert finished - start == pytest.approx(600.0)


def test_already_installed_update_is_not_installed_twice() -> None:
    """Asking again for an installed update reports Succeeded without installing it again."""
    world = world_with(CU)
    install(world, CU.id)
    again = install(world, CU.id)
    assert [r.result for r in again.results] == ["Succeeded"]
    assert world.updates.nodes["node1"].install_counts == {CU.id: 1}


def test_not_yet_applicable_update_fails_not_applicable() -> None:
    """An update whose prerequisite is missing fails with WU_E_NOT_APPLICABLE."""
    world = world_with(A, B)
    result = install(world, "KB2")
    assert result.state is WorkState.FAILED
    assert result.results[0].hresult == "0x80240017"


def test_unknown_update_is_refused() -> None:
    """start_install with an update the node does not know raises RemoteCommandFailed."""
    world = world_with(CU)
    with pytest.raises(RemoteCommandFailed):
        world.transport.start_install("node1", ("KB0000000",))


def test_restart_confirms_by_boot_id_and_applies_build() -> None:
    """A full restart takes boot_minutes; the boot id changes and the OS build moves on."""
    world = world_with(CU)
    install(world, CU.id)
    before = world.transport.observe().node("node1")
    assert reboot(world) == pytest.approx(8 * 60, abs=1.5)
    after = world.transport.observe().node("node1")
    assert (before.boot_id, after.boot_id) == ("node1-boot1", "node1-boot2")
    assert (before.os_build, after.os_build) == ("20348.2031", "20348.2032")


def test_soft_reboot_is_quick_unless_firmware_is_pending() -> None:
    """A soft restart takes soft_boot_minutes, but a pending firmware update forces a full one."""
    world = world_with(CU, FW)
    install(world, CU.id)
    assert reboot(world, soft=True) == pytest.approx(2 * 60, abs=1.5)
    install(world, "FW1")
    assert reboot(world, soft=True) == pytest.approx(8 * 60, abs=1.5)
    assert [d for _, k, _, d in world.timeline if k == "restart"][1].startswith("FullBoot")


def test_down_node_is_unreachable_and_its_install_is_interrupted() -> None:
    """While restarting, node calls raise NodeUnreachable; work that ran is reported Failed."""
    world = world_with(CU)
    handle = world.transport.start_install("node1", (CU.id,))
    world.transport.restart_node("node1")
    with pytest.raises(NodeUnreachable):
        world.transport.poll_work(handle)
    with pytest.raises(NodeUnreachable):
        world.transport.start_scan("node1")
    world.clock.sleep(8 * 60)
    progress = world.transport.poll_work(handle)
    assert progress.state is WorkState.FAILED
    assert "interrupted" in progress.error


def test_install_goes_on_while_management_is_down() -> None:
    """With the management network down calls fail, yet the install finishes on the node."""
    world = world_with(CU)
    handle = world.transport.start_install("node1", (CU.id,))
    world.transport.management_down = True
    with pytest.raises(ClusterUnreachable):
        world.transport.observe()
    world.clock.sleep(15 * 60)
    world.transport.management_down = False
    assert world.transport.poll_work(handle).state is WorkState.SUCCEEDED


def test_scripts_take_their_minutes_and_succeed() -> None:
    """Pre/post scripts run pre_minutes/post_minutes (told apart by the profile's paths)."""
    sc = make_scenario(3, resiliency=None, scripts=ScriptSpec(pre_minutes=2, post_minutes=5))
    world = make_world(sc, pre_update_script="C:\\pre.ps1", post_update_script="C:\\post.ps1")
    for path, minutes in (("C:\\pre.ps1", 2), ("C:\\post.ps1", 5)):
        handle = world.transport.start_script("node1", path)
        start = world.clock.now()
        progress = wait_work(world, handle, step=1)
        assert progress.exit_code == 0
        assert progress.state is WorkState.SUCCEEDED
        assert world.clock.now() - start == pytest.approx(minutes * 60, abs=1)
