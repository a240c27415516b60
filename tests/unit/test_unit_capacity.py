"""runner.capacity: how many nodes the fast policy may take out at once, and which — each
rule is a case that limits the answer."""

from __future__ import annotations

from dataclasses import replace

from runner.capacity import admit, plan_waves, wave_limit
from runner.capacity_types import CapacityFacts, HostMemory, RolePlacement
from runner.profile import Profile
from runner.types import (
    ClusterView,
    NodeState,
    NodeView,
    Resiliency,
    RoleView,
    VirtualDiskView,
    WitnessType,
    WitnessView,
)

AUTO = Profile(policy="fast", max_nodes_out="auto", memory_reserve_percent=0)


def view(
    n: int = 8,
    *,
    witness: bool = True,
    vms: int = 0,
    vm_gb: float = 8,
    s2d: Resiliency | None = None,
    down: tuple[str, ...] = (),
) -> ClusterView:
    names = [f"node{i}" for i in range(1, n + 1)]
    nodes = tuple(
        NodeView(name=name, state=NodeState.DOWN if name in down else NodeState.UP)
        for name in names
    )
    roles = tuple(
        RoleView(name=f"vm{i:03d}", owner=names[i % n], memory_gb=vm_gb) for i in range(vms)
    )
    disks = () if s2d is None else (VirtualDiskView(name="vol01", resiliency=s2d),)
    return ClusterView(
        cluster="c",
        taken_at=0.0,
        nodes=nodes,
        witness=WitnessView(type=WitnessType.CLOUD, online=True) if witness else WitnessView(),
        s2d_enabled=s2d is not None,
        roles=roles,
        virtual_disks=disks,
    )


def facts(n: int = 8, memory: float = 512, roles: tuple[RolePlacement, ...] = ()) -> CapacityFacts:
    hosts = tuple(HostMemory(node=f"node{i}", memory_gb=memory) for i in range(1, n + 1))
    return CapacityFacts(hosts=hosts, roles=roles)


def order(n: int = 8) -> tuple[str, ...]:
    return tuple(f"node{i}" for i in range(1, n + 1))


def test_cluster_quorum_limits_a_san_cluster_to_what_survives_one_more_failure() -> None:
    """Eight nodes and a witness, nothing else in the way: three out plus one failure leave
    five of nine votes; four out would leave four — so three."""
    got = admit(view(), AUTO, facts(), (), order())
    assert got.nodes == ("node1", "node2", "node3")
    assert got.limited_by.startswith("cluster quorum with 4 voting node(s) out")


def test_without_a_witness_the_quorum_answer_is_smaller() -> None:
    """Seven nodes without a witness: two out plus one failure leave four of seven."""
    got = admit(view(7, witness=False), AUTO, facts(7), (), order(7))
    assert got.nodes == ("node1", "node2")


def test_pool_quorum_limits_storage_spaces_direct_to_one() -> None:
    """S2D with a three-way mirror: two nodes out and one more failure is three fault domains,
    more than the pool survives — one node at a time."""
    got = admit(view(s2d=Resiliency.THREE_WAY_MIRROR), AUTO, facts(), (), order())
    assert got.nodes == ("node1",)
    assert "storage pool quorum" in got.limited_by


def test_volume_copies_limit_a_two_way_mirror() -> None:
    """A two-way mirror survives one fault domain down: one out and one more failure is two,
    so even one node out is beyond the rule — the wave still takes one (classic's guards)."""
    got = admit(view(s2d=Resiliency.TWO_WAY_MIRROR), AUTO, facts(), (), order())
    assert got.nodes == ("node1",)
    assert "volume vol01 (two-way-mirror) tolerates 1" in got.limited_by
    assert wave_limit(view(s2d=Resiliency.TWO_WAY_MIRROR), AUTO, facts(), ("node1",))


def test_memory_reserve_limits_the_wave() -> None:
    """64 VMs of 32 GB (2,048 GB) on eight 512 GB nodes: with k out, (7 - k) × 512 × (1 -
    reserve) must hold them after one more failure: k = 3 with no reserve, 2 with 10 %."""
    crowded = view(vms=64, vm_gb=32)
    assert admit(crowded, AUTO, facts(), (), order()).nodes == ("node1", "node2", "node3")
    reserved = replace(AUTO, memory_reserve_percent=10)
    got = admit(crowded, reserved, facts(), (), order())
    assert got.nodes == ("node1", "node2")
    assert got.limited_by.startswith("memory: 2048 GB of running roles")


def test_unknown_node_memory_allows_one_node_only() -> None:
    """A host whose memory the cluster did not tell (0) cannot be planned for."""
    got = admit(view(vms=4), AUTO, CapacityFacts(), (), order())
    assert got.nodes == ("node1",)
    assert got.limited_by == "node memory not known: one node out at a time"


def test_anti_affinity_class_needs_a_node_per_role_after_one_more_failure() -> None:
    """Five roles of one anti-affinity class on eight nodes: k out leaves 8 - k - 1 nodes
    after a failure, which must be at least five — so two."""
    rules = tuple(RolePlacement(role=f"vm{i:03d}", anti_affinity=("sql",)) for i in range(5))
    got = admit(view(vms=5), AUTO, facts(roles=rules), (), order())
    assert got.nodes == ("node1", "node2")
    assert got.limited_by.startswith("anti-affinity class sql: 5 roles")


def test_possible_owners_keep_two_nodes_up() -> None:
    """A role that may run only on node1, node2 or node3: at most one of them may go out;
    the wave skips node2 and node3 and takes node4 and node5 instead (run order kept)."""
    rules = (RolePlacement(role="vm000", possible_owners=("node1", "node2", "node3")),)
    got = admit(view(vms=1), AUTO, facts(roles=rules), (), order())
    assert got.nodes == ("node1", "node4", "node5")
    assert got.limited_by.startswith("possible owners of vm000: 1 would stay up")


def test_a_fixed_number_is_the_smaller_of_it_and_the_safe_number() -> None:
    """max_nodes_out 2 below the safe three; the nodes already out count against it."""
    two = replace(AUTO, max_nodes_out=2)
    got = admit(view(), two, facts(), (), order())
    assert got.nodes == ("node1", "node2")
    assert got.limited_by == "max_nodes_out 2"
    assert admit(view(), two, facts(), ("node1",), order()[1:]).nodes == ("node2",)


def test_nodes_already_down_count_as_out() -> None:
    """A node Down at the start leaves the membership: seven voters with a witness, two out
    plus one failure leave four of seven votes … the answer shrinks to two."""
    got = admit(view(down=("node8",)), AUTO, facts(), (), order(7))
    assert got.nodes == ("node1", "node2")


def test_a_wave_always_has_one_node_when_nothing_is_out() -> None:
    """Two nodes and a witness: no node can go out with a failure margin, yet the first
    node is admitted alone (classic's per-step guards judge it, as CAU would)."""
    got = admit(view(2), AUTO, facts(2), (), order(2))
    assert got.nodes == ("node1",)
    assert admit(view(2), AUTO, facts(2), ("node1",), ("node2",)).nodes == ()


def test_plan_waves_covers_every_node_once_in_run_order() -> None:
    """Eight nodes, three at a time: waves of 3, 3 and 2 in run order."""
    waves = plan_waves(view(), AUTO, facts(), order())
    assert [w.nodes for w in waves] == [
        ("node1", "node2", "node3"),
        ("node4", "node5", "node6"),
        ("node7", "node8"),
    ]
    assert waves[-1].limited_by == ""
