"""Ground-truth quorum of the world against the survival table of reference cau.md §5.2."""

from __future__ import annotations

import pytest
from sim_driver import fault, holds, kinds, make_scenario, make_world, rolling_run

from runner.types import RoleState, WitnessType
from simulator.membership import ClusterQuorum, PoolQuorum
from simulator.model import VmSpec

pytestmark = pytest.mark.quorum


def cluster(n: int, witness: bool) -> ClusterQuorum:
    return ClusterQuorum({f"n{i}": 1 for i in range(1, n + 1)}, witness=witness)


def sequential(q: ClusterQuorum, names: list[str]) -> list[bool]:
    return [q.leave([name], graceful=False) for name in names]


def test_two_nodes_no_witness_zeroes_one_vote() -> None:
    """Two nodes without witness: one vote is zeroed so the total stays odd."""
    q = cluster(2, witness=False)
    assert q.dynamic == {"n1": 1, "n2": 0}
    assert q.total_votes() == 1


def test_two_nodes_no_witness_crash_is_fifty_fifty() -> None:
    """Two nodes, no witness: losing the voter loses quorum, losing the other does not."""
    assert cluster(2, witness=False).leave(["n1"], graceful=False) is False
    assert cluster(2, witness=False).leave(["n2"], graceful=False) is True


def test_two_nodes_graceful_shutdown_of_voter_hands_vote_over() -> None:
    """Two nodes, no witness: a graceful shutdown of the voting node transfers its vote."""
    q = cluster(2, witness=False)
    assert q.leave(["n1"], graceful=True) is True
    assert q.dynamic["n2"] == 1


def test_two_nodes_with_witness_survive_either_failure() -> None:
    """2+W survives the loss of either node."""
    for name in ("n1", "n2"):
        q = cluster(2, witness=True)
        assert q.witness_weight == 1
        assert q.leave([name], graceful=False) is True


def test_three_nodes_survive_one_then_fifty_fifty() -> None:
    """3 nodes survive one failure; the next is 50/50 (the zeroed node may go)."""
    assert sequential(cluster(3, witness=False), ["n1", "n2"]) == [True, False]
    assert sequential(cluster(3, witness=False), ["n1", "n3"]) == [True, True]


def test_three_nodes_with_witness_survive_one_then_another() -> None:
    """3+W: the witness starts voting when two nodes remain, so a second loss survives."""
    q = cluster(3, witness=True)
    assert q.witness_weight == 0
    assert q.leave(["n1"], graceful=False) is True
    assert q.witness_weight == 1
    assert q.leave(["n2"], graceful=False) is True


def test_four_nodes_survive_one_then_another() -> None:
    """4 nodes survive sequential failures of any two nodes."""
    for pair in (["n1", "n2"], ["n4", "n3"], ["n2", "n4"]):
        assert sequential(cluster(4, witness=False), pair) == [True, True]


def test_four_nodes_two_simultaneous_is_fifty_fifty() -> None:
    """4 nodes without witness: two at once survive only if one of them held no vote."""
    assert cluster(4, witness=False).leave(["n1", "n2"], graceful=False) is False
    assert cluster(4, witness=False).leave(["n1", "n4"], graceful=False) is True


@pytest.mark.parametrize(("n", "witness"), [(4, True), (5, False)])
def test_two_simultaneous_failures_survived(n: int, witness: bool) -> None:
    """4+W and 5 nodes survive two simultaneous failures."""
    assert cluster(n, witness=witness).leave(["n1", "n2"], graceful=False) is True


def test_simultaneous_majority_loss_is_fatal() -> None:
    """No cluster survives losing a majority of votes at once, dynamic quorum or not."""
    assert cluster(5, witness=False).leave(["n1", "n2", "n3"], graceful=False) is False


def test_dynamic_quorum_shrinks_to_last_man_standing() -> None:
    """Graceful sequential shutdowns shrink the cluster down to one node."""
    q = cluster(5, witness=False)
    assert all(q.leave([f"n{i}"], graceful=True) for i in range(1, 5))
    assert q.members == ["n5"]
    assert q.has_quorum


def test_node_weight_zero_never_votes() -> None:
    """A node configured with NodeWeight 0 never receives a dynamic vote."""
    q = ClusterQuorum({"n1": 1, "n2": 1, "n3": 0}, witness=False)
    assert q.dynamic["n3"] == 0


def test_witness_offline_with_vote_recomputes() -> None:
    """2+W losing its witness keeps quorum and zeroes one node's vote."""
    q = cluster(2, witness=True)
    assert q.set_witness_online(False) is True
    assert q.witness_weight == 0
    assert sorted(q.dynamic.values()) == [0, 1]


def test_lost_cluster_reforms_with_majority_back() -> None:
    """After quorum loss the cluster re-forms once a static majority is back."""
    q = cluster(3, witness=False)
    assert q.leave(["n1", "n2"], graceful=False) is False
    assert q.join("n1") is True


def test_pool_has_no_dynamic_quorum() -> None:
    """Pool quorum counts every drive of the pool: losing half needs the owner's tie-break."""
    pool = PoolQuorum({"n1": 4, "n2": 4, "n3": 4, "n4": 4})
    assert pool.owner == "n1"
    assert pool.leave(["n3"], owner_moves_first=False) is True
    assert pool.survives(["n4"], owner_moves_first=False) is True  # 8 drives + owner of 17
    assert pool.survives(["n1"], owner_moves_first=False) is False  # owner gone: 8 of 17


def test_pool_three_nodes_cannot_lose_two() -> None:
    """Three nodes: the pool survives one node, not a second (no dynamic adjustment)."""
    pool = PoolQuorum({"n1": 4, "n2": 4, "n3": 4})
    assert pool.leave(["n2"], owner_moves_first=False) is True
    assert pool.leave(["n3"], owner_moves_first=False) is False


def test_pool_two_nodes_owner_crash_loses_pool() -> None:
    """Two nodes: a crash of the pool owner loses the pool; a planned move keeps it."""
    assert PoolQuorum({"n1": 4, "n2": 4}).leave(["n1"], owner_moves_first=False) is False
    assert PoolQuorum({"n1": 4, "n2": 4}).leave(["n1"], owner_moves_first=True) is True


def test_world_crash_of_voter_in_two_node_cluster_loses_quorum() -> None:
    """In the world, a crash of the voting node of a 2-node no-witness cluster stops it."""
    sc = make_scenario(
        2,
        witness=WitnessType.NONE,
        resiliency=None,
        vms_per_node=1,
        faults=(fault("node-crash", node="node1", at_minute=5),),
    )
    world = make_world(sc)
    world.clock.sleep(301)
    view = world.transport.observe()
    assert view.has_quorum is False
    assert all(r.state.value == "Offline" for r in view.roles)
    assert kinds(world, "quorum-lost")
    assert not [v for v in world.oracle.violations if v.invariant == "quorum"]  # not the runner


def test_world_runner_restart_of_last_node_is_a_quorum_violation() -> None:
    """Restarting the only node still up (its peer crashed) loses quorum: the runner's fault."""
    sc = make_scenario(
        2,
        witness=WitnessType.NONE,
        resiliency=None,
        vms_per_node=0,
        faults=(fault("node-crash", node="node1", at_minute=0),),
    )
    world = make_world(sc)
    assert world.transport.observe().has_quorum
    world.transport.restart_node("node2")
    assert world.quorum.has_quorum is False
    assert [v.invariant for v in world.oracle.violations] == ["quorum"]


def test_world_runner_restart_losing_pool_quorum_is_a_violation() -> None:
    """3 S2D nodes, one crashed: restarting another keeps cluster quorum but loses the pool."""
    sc = make_scenario(
        3,
        witness=WitnessType.CLOUD,
        vms_per_node=0,
        faults=(fault("node-crash", node="node1", at_minute=0),),
    )
    world = make_world(sc)
    world.transport.restart_node("node2")
    assert world.quorum.has_quorum is True
    assert world.storage is not None
    assert world.storage.pool.has_quorum is False
    found = {v.invariant for v in world.oracle.violations}
    assert found == {"quorum", "storage-redundancy", "resync-before-next"}


def test_world_two_node_rolling_run_with_witness_keeps_quorum() -> None:
    """A rolling run of 2 nodes + cloud witness with S2D keeps cluster and pool quorum."""
    world = make_world(make_scenario(2, witness=WitnessType.CLOUD))
    section = world.finish(rolling_run(world))
    assert holds(section)["quorum"]
    assert holds(section)["storage-redundancy"]
    assert world.storage is not None
    assert world.storage.pool.has_quorum


def test_world_pool_loss_stops_roles_until_the_pool_returns() -> None:
    """Losing the pool stops every VM; they run again once the pool has quorum back."""
    sc = make_scenario(
        3,
        witness=WitnessType.CLOUD,
        vms=(VmSpec(name="vm1", owner="node3"),),
        faults=(fault("node-crash", node="node1", at_minute=0),),
    )
    world = make_world(sc)
    world.transport.restart_node("node2")
    assert [r.state for r in world.transport.observe().roles] == [RoleState.OFFLINE]
    world.clock.sleep(8 * 60)
    (role,) = world.transport.observe().roles
    assert (role.state, role.owner) == (RoleState.ONLINE, "node3")
    assert kinds(world, "pool-quorum-regained")
