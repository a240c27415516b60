"""Quorum arithmetic against the survival tables of reference cau.md §5.2."""

from __future__ import annotations

import pytest

from runner.quorum import (
    Survival,
    cluster_keeps_quorum_after,
    cluster_survival,
    cluster_survives_loss,
    pool_keeps_quorum,
    pool_survives_loss,
)
from runner.types import ClusterView, NodeState, NodeView, WitnessType, WitnessView

Y, N, F = Survival.YES, Survival.NO, Survival.FIFTY_FIFTY

# (nodes, witness, one failure, one then another, two simultaneous) — reference §5.2:
# "2 nodes no witness = 50/50 on single failure; 2+W survives 1; 3 survives 1 then 50/50;
# 3+W survives 1 then another; 4 survives 1 then another, 50/50 for 2 simultaneous;
# 4+W and ≥5 survive 2 simultaneous."
CLUSTER_TABLE = [
    (2, False, F, N, N),
    (2, True, Y, N, N),
    (3, False, Y, F, N),
    (3, True, Y, Y, N),
    (4, False, Y, Y, F),
    (4, True, Y, Y, Y),
    (5, False, Y, Y, Y),
    (6, False, Y, Y, Y),
    (7, True, Y, Y, Y),
]


@pytest.mark.parametrize(("nodes", "witness", "one", "sequential", "simultaneous"), CLUSTER_TABLE)
def test_cluster_survival_table(
    nodes: int, witness: bool, one: Survival, sequential: Survival, simultaneous: Survival
) -> None:
    """Dynamic quorum + dynamic witness reproduce the documented cluster survival table."""
    assert cluster_survival(nodes, witness, 1, simultaneous=False) is one
    assert cluster_survival(nodes, witness, 2, simultaneous=False) is sequential
    assert cluster_survival(nodes, witness, 2, simultaneous=True) is simultaneous


# (nodes, witness, one failure, one then another, two simultaneous) — pool quorum:
# "2 nodes no; 2+W/3/3+W/4 survive one node; 4+W and ≥5 survive one then another and two
# simultaneous". No dynamic adjustment: sequential and simultaneous are the same.
POOL_TABLE = [
    (2, False, False, False),
    (2, True, True, False),
    (3, False, True, False),
    (3, True, True, False),
    (4, False, True, False),
    (4, True, True, True),
    (5, False, True, True),
    (8, False, True, True),
]


@pytest.mark.parametrize(("nodes", "witness", "one", "two"), POOL_TABLE)
def test_pool_survival_table(nodes: int, witness: bool, one: bool, two: bool) -> None:
    """Pool quorum (drives vote, tie-breaker, no dynamic quorum) matches the documented table."""
    assert pool_survives_loss(nodes, witness, 1) is one
    assert pool_survives_loss(nodes, witness, 2) is two


def test_s2d_never_survives_three_fault_domains() -> None:
    """S2D caps node failures at two regardless of size."""
    assert pool_survives_loss(16, True, 2) is True
    assert pool_survives_loss(16, True, 3) is False


def test_losing_every_voter_or_nothing() -> None:
    """Losing all voters loses quorum; losing none keeps it; negative counts are refused."""
    assert cluster_survives_loss(3, False, 3) is N
    assert cluster_survives_loss(3, False, 0) is Y
    with pytest.raises(ValueError):
        cluster_survives_loss(-1, False, 0)


def _view(
    states: dict[str, NodeState], *, witness: bool, s2d: bool, weights: dict[str, int] | None = None
) -> ClusterView:
    return ClusterView(
        cluster="c",
        taken_at=0.0,
        nodes=tuple(
            NodeView(name=n, state=s, node_weight=(weights or {}).get(n, 1))
            for n, s in states.items()
        ),
        witness=WitnessView(type=WitnessType.CLOUD, online=True) if witness else WitnessView(),
        s2d_enabled=s2d,
    )


UP, DOWN, PAUSED = NodeState.UP, NodeState.DOWN, NodeState.PAUSED


def test_view_quorum_counts_only_current_voting_members() -> None:
    """A node already Down is out of the membership (dynamic quorum), Paused still votes."""
    three_one_down = _view({"a": UP, "b": UP, "c": DOWN}, witness=False, s2d=False)
    assert cluster_keeps_quorum_after(three_one_down, ("a",)) is F
    four_one_paused = _view({"a": UP, "b": UP, "c": UP, "d": PAUSED}, witness=False, s2d=False)
    assert cluster_keeps_quorum_after(four_one_paused, ("d",)) is Y


def test_node_without_configured_vote_does_not_count() -> None:
    """NodeWeight 0 nodes are members without a vote."""
    view = _view({"a": UP, "b": UP, "c": UP}, witness=False, s2d=False, weights={"c": 0})
    assert cluster_keeps_quorum_after(view, ("a",)) is F
    assert cluster_keeps_quorum_after(view, ("c",)) is Y  # losing no vote changes nothing


def test_pool_quorum_counts_down_nodes_without_dynamic_adjustment() -> None:
    """In a 4-node pool with one node Down, taking another needs the witness tie-breaker."""
    no_w = _view({"a": UP, "b": UP, "c": UP, "d": DOWN}, witness=False, s2d=True)
    with_w = _view({"a": UP, "b": UP, "c": UP, "d": DOWN}, witness=True, s2d=True)
    assert pool_keeps_quorum(no_w, ("a",)) is False
    assert pool_keeps_quorum(with_w, ("a",)) is True
    san = _view({"a": UP, "b": DOWN}, witness=False, s2d=False)
    assert pool_keeps_quorum(san, ("a",)) is True  # no S2D, no pool
