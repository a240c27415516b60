"""Storage maintenance mode in the world: degraded writes from suspend to resume, repair at
resume, the OS builds that have it, the scenario switch, and what it means for suspend and
the oracle."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sim_driver import fault, kinds, make_scenario, make_world, wait_until

from runner.errors import StorageDegraded
from runner.types import FailbackMode, HealthStatus, NodeState, OperationalStatus, StorageJobState
from simulator.model import NodeSpec, Scenario
from simulator.storage import REPAIR_START_DELAY
from simulator.storage_maintenance import MAINTENANCE_MODE_BUILD, maintenance_on_pause
from simulator.transport import COMMAND_SECONDS
from simulator.world import SimulatedCluster

pytestmark = pytest.mark.storage

BOOT = 8 * 60.0
WRITE = 40.0  # MB/s, make_scenario's default
REPAIR = 400.0


def with_builds(scenario: Scenario, build: str) -> Scenario:
    nodes = tuple(replace(n, os_build=build) for n in scenario.cluster.nodes)
    return replace(scenario, cluster=replace(scenario.cluster, nodes=nodes))


def paused_world(build: str = "20348.2031", forced: bool | None = None) -> SimulatedCluster:
    """node1 suspended at t=1 (no VMs) on nodes running ``build``."""
    scenario = with_builds(make_scenario(4, vms_per_node=0, maintenance_mode=forced), build)
    world = make_world(scenario)
    world.transport.suspend_node("node1")
    return world


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        ("14393.6351", False),  # Windows Server 2016
        ("17763.5122", False),  # Windows Server 2019
        ("17784.1827", False),  # Azure Stack HCI 20H2
        ("20348.2031", True),  # Windows Server 2022 and Azure Stack HCI 21H2
        ("20349.1129", True),  # Azure Stack HCI 22H2
        ("25398.469", True),  # Azure Stack HCI 23H2
        ("26100.1742", True),  # Windows Server 2025
        ("", False),  # no build known: the older model
        ("vNext", False),
    ],
)
def test_maintenance_mode_follows_the_os_build(build: str, expected: bool) -> None:
    """Build 20348 (WS2022 / HCI 21H2) and later pause into storage maintenance mode."""
    assert MAINTENANCE_MODE_BUILD == 20348
    assert maintenance_on_pause(None, build) is expected


@pytest.mark.parametrize("build", ["17784.1827", "20348.2031"])
@pytest.mark.parametrize("forced", [True, False])
def test_the_scenario_switch_wins_over_the_build(build: str, forced: bool) -> None:
    """storage.maintenance_mode true/false decides whatever the nodes run."""
    assert maintenance_on_pause(forced, build) is forced
    world = paused_world(build, forced)
    assert world.transport.observe().node("node1").storage_maintenance is forced


def test_suspend_degrades_the_volumes_at_once() -> None:
    """On 21H2 the suspend itself makes the node's domain unavailable: Warning +
    (Incomplete, Degraded), the node shows its storage maintenance mode, no job yet."""
    world = paused_world()
    view = world.transport.observe()
    assert view.node("node1").state is NodeState.PAUSED
    assert view.node("node1").storage_maintenance
    (disk,) = view.virtual_disks
    assert (disk.health, disk.operational) == (
        HealthStatus.WARNING,
        (OperationalStatus.INCOMPLETE, OperationalStatus.DEGRADED),
    )
    assert view.storage_jobs == ()
    assert [e[3] for e in kinds(world, "storage-maintenance")] == ["enabled"]


def test_an_older_build_keeps_the_volumes_healthy_while_paused() -> None:
    """On 20H2 a paused node still takes writes: volumes stay Healthy/OK until it restarts."""
    world = paused_world("17784.1827")
    view = world.transport.observe()
    assert not view.node("node1").storage_maintenance
    assert view.storage_healthy
    assert kinds(world, "storage-maintenance") == []


def test_boot_repairs_nothing_and_resume_starts_the_repair_of_the_whole_pause() -> None:
    """Writes fall behind from suspend to resume (the reboot included); the repair job
    appears Running at the resume with write rate × paused seconds, and ends after
    dirty / repair rate."""
    world = paused_world()
    suspended = world.clock.now()  # the suspend acted COMMAND_SECONDS into the call
    world.transport.restart_node("node1")
    world.clock.advance_to(world.clock.now() + BOOT + 600)  # back, Paused, for ten minutes
    view = world.transport.observe()
    assert view.node("node1").state is NodeState.PAUSED
    assert view.storage_jobs == ()  # the boot starts no repair in maintenance mode
    assert view.virtual_disks[0].health is HealthStatus.WARNING
    world.transport.resume_node("node1", FailbackMode.NONE)
    resumed = world.clock.now()
    paused_seconds = resumed - suspended
    view = world.transport.observe()
    assert not view.node("node1").storage_maintenance
    (job,) = view.storage_jobs
    assert job.state is StorageJobState.RUNNING
    assert job.bytes_total == int(WRITE * paused_seconds * 1024 * 1024)
    assert view.virtual_disks[0].operational == (OperationalStatus.IN_SERVICE,)
    wait_until(world, lambda v: v.storage_healthy, step=1)
    (done,) = kinds(world, "repair-completed")
    assert done[0] == pytest.approx(resumed + WRITE * paused_seconds / REPAIR)


def test_the_older_model_counts_only_the_power_off() -> None:
    """On 20H2 the same pause repairs only the seconds powered off, from 30 s after boot."""
    world = paused_world("17784.1827")
    world.transport.restart_node("node1")
    went_down = world.clock.now()
    world.clock.advance_to(went_down + BOOT + 1)
    (job,) = world.transport.observe().storage_jobs
    assert job.bytes_total == int(WRITE * BOOT * 1024 * 1024)
    wait_until(world, lambda v: v.storage_healthy, step=1)
    (done,) = kinds(world, "repair-completed")
    assert done[0] == pytest.approx(went_down + BOOT + REPAIR_START_DELAY + WRITE * BOOT / REPAIR)


def test_another_suspend_is_refused_while_a_node_is_in_maintenance() -> None:
    """Suspend-ClusterNode of a second node is refused (5987, no effect) while the first
    node's drives are in maintenance mode; suspending the held node again is accepted."""
    world = paused_world()
    with pytest.raises(StorageDegraded) as caught:
        world.transport.suspend_node("node2")
    assert caught.value.code == 5987
    assert world.transport.observe().node("node2").state is NodeState.UP
    world.transport.suspend_node("node1")
    assert world.transport.observe().node("node1").storage_maintenance


def test_restarting_the_held_node_is_no_resync_violation() -> None:
    """The node's own maintenance mode degrades the volumes, yet restarting it is what the
    mode is for: the oracle's resync-before-next judges only other domains."""
    world = paused_world()
    world.transport.restart_node("node1")
    assert world.oracle.violations == []


def test_a_crash_while_a_node_is_held_takes_a_two_way_mirror_offline_as_a_fault_loss() -> None:
    """With node1 in maintenance mode a second domain lost (a crash) exceeds a two-way
    mirror's tolerance: the volume goes offline, and the fault — not the runner, which
    paused on healthy storage — is to blame."""
    crash = fault("node-crash", node="node3", at_minute=5)
    world = make_world(make_scenario(4, vms_per_node=0, faults=(crash,)))
    world.transport.suspend_node("node1")
    world.clock.sleep(6 * 60)
    (disk,) = world.transport.observe().virtual_disks
    assert disk.health is HealthStatus.UNHEALTHY
    assert world.oracle.violations == []
    assert [v.invariant for v in world.oracle.fault_losses] == ["storage-redundancy"]


def test_a_second_suspend_of_a_held_node_keeps_the_first_start() -> None:
    """Maintenance mode keeps its start through a restart, its boot and a second suspend
    (a drain retry): the repair counts from the first suspend, once."""
    world = paused_world()
    world.transport.restart_node("node1")
    world.clock.advance_to(world.clock.now() + BOOT + 1)
    world.transport.suspend_node("node1")  # again, while held (a drain retry)
    assert [e[3] for e in kinds(world, "storage-maintenance")] == ["enabled"]
    assert world.storage is not None
    assert world.storage.held == {"node1": COMMAND_SECONDS}
    assert world.storage.away == {"node1": COMMAND_SECONDS}


def test_nodes_listed_by_build_may_mix_models() -> None:
    """Each node pauses by its own build: a 20H2 node of a mixed cluster keeps the older
    model while a 21H2 node enters maintenance mode."""
    scenario = make_scenario(4, vms_per_node=0)
    nodes = tuple(
        replace(n, os_build="17784.1827" if n.name == "node1" else n.os_build)
        for n in scenario.cluster.nodes
    )
    assert isinstance(nodes[0], NodeSpec)
    world = make_world(replace(scenario, cluster=replace(scenario.cluster, nodes=nodes)))
    world.transport.suspend_node("node1")
    assert world.transport.observe().storage_healthy
    world.transport.resume_node("node1", FailbackMode.NONE)
    world.transport.suspend_node("node2")
    assert world.transport.observe().node("node2").storage_maintenance


def test_the_oracle_blames_a_runner_that_restarts_another_node_during_maintenance() -> None:
    """A runner that restarted node2 while node1's drives are in maintenance mode takes a
    second domain of the two-way mirror away: resync-before-next and storage-redundancy are
    violated, whatever the runner believed (the oracle judges the world, not the view)."""
    world = paused_world()
    world.transport.restart_node("node2")
    violated = sorted({v.invariant for v in world.oracle.violations})
    assert violated == ["resync-before-next", "storage-redundancy"]
    assert "node1 unavailable" in world.oracle.violations[0].detail


def test_a_node_left_in_maintenance_mode_is_storage_not_ready_evidence() -> None:
    """Report-truth's evidence: the node in flight's own maintenance mode is not "storage
    not ready" (no next node waits meanwhile); once the runner acts on another node while
    it is still held (left in maintenance mode, e.g. a failed resume), storage is not ready
    for every next node until the repair after its resume has finished."""
    world = paused_world()
    assert world.oracle.truth.unready == []
    world.transport.credssp_enabled("node2")  # the runner moved on to node2
    (span,) = world.oracle.truth.unready
    assert (span.start, span.end) == (world.clock.now(), None)
    world.transport.resume_node("node1", FailbackMode.NONE)
    wait_until(world, lambda v: v.storage_healthy, step=1)
    (done,) = kinds(world, "repair-completed")
    assert span.end == done[0]
