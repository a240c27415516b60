"""Mixed mode in the simulated world: live migration works from an older OS version to a
newer one and never back; refusals the runner's acts cause are the mixed-mode invariant's."""

from __future__ import annotations

from dataclasses import replace

from sim_driver import make_scenario, make_world, wait_until, wait_work

from runner.plugins import PluginName, PluginSpec
from runner.types import DrainStatus, FailbackMode, NodeState
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.model import NodeSpec, UpdateSpec, VmSpec
from simulator.world import SimulatedCluster

OLD, NEW = "17784.1827", "20348.288"  # 20H2, 21H2
RU = (PluginSpec(name=PluginName.ROLLING_UPGRADE),)  # the plug-in that offers feature updates
FU = UpdateSpec(
    id="FU-21H2", title="Feature update 21H2", kind="feature", install_minutes=45,
    to_version="21H2", os_build=NEW,
)  # fmt: skip


def world_with(builds: dict[str, str], **more: object) -> SimulatedCluster:
    nodes = tuple(NodeSpec(name=name, os_build=b, memory_gb=128) for name, b in builds.items())
    vms = tuple(VmSpec(name=f"vm-{n}", owner=n, memory_gb=16) for n in builds)
    scenario = make_scenario(node_specs=nodes, vms=vms, updates=(FU,), resiliency=None)
    return make_world(scenario, **more)  # type: ignore[arg-type]


def drained(world: SimulatedCluster, node: str) -> DrainStatus:
    world.transport.suspend_node(node)
    view = wait_until(world, lambda v: v.node(node).drain_status is not DrainStatus.IN_PROGRESS)
    return view.node(node).drain_status


def invariants(world: SimulatedCluster) -> dict[str, object]:
    report = {"status": "Succeeded", "nodes": [], "events": []}
    section: dict[str, object] = world.finish(report)["invariants"]
    return section


def test_observe_reports_versions_and_cluster_figures() -> None:
    """Each node's version, the functional level's and the pool's figures are in the view."""
    world = world_with({"node1": NEW, "node2": OLD, "node3": OLD})
    view = world.transport.observe()
    assert [n.version for n in view.nodes] == ["21H2", "20H2", "20H2"]
    assert view.functional_level == view.storage_pool_version == 0  # not given: unknown
    plain = make_scenario(3)
    assert plain.cluster.storage is not None
    storage = replace(plain.cluster.storage, pool_version="20H2")
    cluster = replace(plain.cluster, functional_level="21H2", storage=storage)
    figured = make_world(replace(plain, cluster=cluster)).transport.observe()
    assert (figured.functional_level, figured.storage_pool_version) == (12, 11)


def test_draining_an_old_node_may_go_to_a_newer_one() -> None:
    """Old → new is allowed: the old node drains completely, nothing is refused."""
    world = world_with({"node1": OLD, "node2": NEW, "node3": NEW})
    assert drained(world, "node1") is DrainStatus.COMPLETED
    assert world.mixed.refusals == []


def test_draining_the_only_new_node_is_refused() -> None:
    """New → old is refused: the drain fails and the invariant records it."""
    world = world_with({"node1": NEW, "node2": OLD, "node3": OLD})
    assert drained(world, "node1") is DrainStatus.FAILED
    section = invariants(world)[MIXED_MODE_INVARIANT]
    assert isinstance(section, dict)
    assert not section["holds"]
    assert "live migration from node1 (21H2) to an older version refused" in str(section)


def test_draining_a_new_node_with_another_new_node_up_works() -> None:
    """A second node at the new version takes the VMs: no refusal."""
    world = world_with({"node1": NEW, "node2": NEW, "node3": OLD})
    assert drained(world, "node1") is DrainStatus.COMPLETED
    assert world.mixed.refusals == []
    assert invariants(world)[MIXED_MODE_INVARIANT] == {"holds": True, "violations": []}


def test_failback_to_an_older_node_is_refused_and_none_asks_nothing() -> None:
    """An old node's VMs drained to a new node cannot fail back to it (refused); resuming
    with NoFailback asks for nothing."""
    for failback, refused in ((FailbackMode.IMMEDIATE, 1), (FailbackMode.NONE, 0)):
        world = world_with({"node1": OLD, "node2": NEW, "node3": NEW})
        assert drained(world, "node1") is DrainStatus.COMPLETED
        world.transport.resume_node("node1", failback)
        world.clock.sleep(600)
        assert len(world.mixed.refusals) == refused
        owners = {r.name: r.owner for r in world.transport.observe().roles}
        assert owners["vm-node1"] != "node1"


def test_invariant_is_listed_only_when_the_cluster_ran_mixed() -> None:
    """One version throughout: the invariant does not apply and is not listed."""
    world = world_with({"node1": OLD, "node2": OLD, "node3": OLD})
    assert MIXED_MODE_INVARIANT not in invariants(world)


def test_feature_update_turns_a_node_new_and_the_cluster_mixed() -> None:
    """After the feature update's restart the node reports 21H2; the cluster ran mixed."""
    world = world_with({"node1": OLD, "node2": OLD, "node3": OLD})
    t = world.transport
    assert [u.id for u in wait_work(world, t.start_scan("node1", RU)).offered] == ["FU-21H2"]
    assert drained(world, "node1") is DrainStatus.COMPLETED
    wait_work(world, t.start_install("node1", ("FU-21H2",), RU[0]))
    t.restart_node("node1")
    view = wait_until(world, lambda v: v.node("node1").state is NodeState.PAUSED, step=30)
    assert view.node("node1").version == "21H2"
    assert wait_work(world, t.start_scan("node1", RU)).offered == ()
    assert world.mixed.ever_mixed


def test_feature_update_is_not_offered_at_or_above_its_version() -> None:
    """A node already at 21H2 is not offered the 21H2 feature update."""
    world = world_with({"node1": NEW, "node2": OLD})
    t = world.transport
    assert wait_work(world, t.start_scan("node1", RU)).offered == ()
    assert [u.id for u in wait_work(world, t.start_scan("node2", RU)).offered] == ["FU-21H2"]


def test_channel_restart_pending_hides_the_feature_update_until_a_restart() -> None:
    """A node that opted into a preview channel is offered the feature update only after it
    restarts; its scans say so until then."""
    nodes = (
        NodeSpec(name="node1", os_build=OLD, channel_restart_pending=True),
        NodeSpec(name="node2", os_build=OLD),
    )
    world = make_world(make_scenario(node_specs=nodes, vms=(), updates=(FU,), resiliency=None))
    t = world.transport
    before = wait_work(world, t.start_scan("node1", RU))
    assert before.channel_restart_pending
    assert before.offered == ()
    t.restart_node("node1")
    wait_until(world, lambda v: v.node("node1").state is NodeState.UP, step=30)
    after = wait_work(world, t.start_scan("node1", RU))
    assert not after.channel_restart_pending
    assert [u.id for u in after.offered] == ["FU-21H2"]
