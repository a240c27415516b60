"""Quorum arithmetic: cluster votes with dynamic quorum and witness, and S2D pool quorum.

Owns: pure functions answering "does the cluster (or the Storage Spaces Direct pool) keep
quorum if these nodes go away?" — on bare numbers (to check against the survival table of
reference cau.md §5.2) and on a ``ClusterView`` (for the engine's guard and the oracle).

Theory of operation (reference §5.2):
- Cluster quorum is a majority of the votes in the active membership. With dynamic quorum
  the total is recomputed among the survivors after each loss, so a *sequential* loss is
  judged from the membership that is left; a *simultaneous* loss of several nodes is judged
  from the membership before it.
- Even node count and no (online) witness: the cluster zeroes one node's vote, and we cannot
  know which — so a loss is "50/50" when its outcome depends on that choice. Dynamic
  witness: the witness votes only while the number of voting nodes is even.
- Pool quorum: every drive votes (we assume equal drives per node, so a node is one unit),
  there is **no dynamic adjustment** (nodes already down count as lost), half the drives
  survive only with the tie-breaker, and S2D never survives more than two fault domains
  down. The tie-breaker (the pool-resource owner) is relied upon only when the cluster has
  an online witness: **(inferred)** this reproduces the reference table row by row (2 nodes
  no; 2+W, 3, 3+W, 4 survive one; 4+W and ≥5 survive one then another and two at once).

Must not: do I/O, know the engine's progress, or treat a 50/50 outcome as safe (callers
that guard a disruptive act require ``Survival.YES``).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from runner.types import ClusterView, NodeState, WitnessType

__all__ = [
    "S2D_MAX_FAULT_DOMAINS_DOWN",
    "Survival",
    "cluster_keeps_quorum_after",
    "cluster_survival",
    "cluster_survives_loss",
    "pool_keeps_quorum",
    "pool_survives_loss",
    "voting_members",
    "witness_online",
]

# S2D caps node failures at two regardless of cluster quorum (reference §5.2).
S2D_MAX_FAULT_DOMAINS_DOWN = 2

# States in which a node is in the active membership and keeps its vote.
_MEMBER_STATES = (NodeState.UP, NodeState.PAUSED)


class Survival(StrEnum):
    """The outcome of a loss: survives, loses quorum, or depends on which vote was zeroed."""

    YES = "yes"
    NO = "no"
    FIFTY_FIFTY = "50/50"


def _worse(a: Survival, b: Survival) -> Survival:
    rank = {Survival.YES: 0, Survival.FIFTY_FIFTY: 1, Survival.NO: 2}
    return a if rank[a] >= rank[b] else b


def cluster_survives_loss(voters: int, witness: bool, lost: int) -> Survival:
    """Does a membership of ``voters`` voting nodes (plus an online ``witness``) keep quorum
    when ``lost`` of them go away at once?

    The membership is taken as already adjusted by dynamic quorum (sequential history is
    absorbed). Raises ``ValueError`` for negative counts.
    """
    if voters < 0 or lost < 0:
        raise ValueError("counts must not be negative")
    if lost == 0:
        return Survival.YES if voters > 0 or witness else Survival.NO
    if lost >= voters:
        return Survival.NO
    even = voters % 2 == 0
    witness_votes = 1 if witness and even else 0  # dynamic witness
    zeroed = 1 if even and not witness else 0  # one node's vote removed, unknown which
    total = voters - zeroed + witness_votes
    # Worst case: every lost node carried a vote; best case: the zeroed node was among them.
    worst = voters - zeroed - lost + witness_votes
    best = voters - zeroed - (lost - zeroed) + witness_votes
    if 2 * worst > total:
        return Survival.YES
    if 2 * best > total:
        return Survival.FIFTY_FIFTY
    return Survival.NO


def cluster_survival(nodes: int, witness: bool, failures: int, *, simultaneous: bool) -> Survival:
    """The survival table of reference §5.2: ``nodes`` voting nodes, optional witness,
    ``failures`` nodes lost at once (``simultaneous``) or one after another (dynamic quorum
    recomputes between losses)."""
    if simultaneous:
        return cluster_survives_loss(nodes, witness, failures)
    outcome = Survival.YES
    voters = nodes
    for _ in range(failures):
        outcome = _worse(outcome, cluster_survives_loss(voters, witness, 1))
        if outcome is Survival.NO:
            return outcome
        voters -= 1
    return outcome


def pool_survives_loss(nodes: int, witness: bool, lost: int) -> bool:
    """Does an S2D pool spread evenly over ``nodes`` keep quorum with ``lost`` nodes down
    (all losses count: the pool has no dynamic quorum)?"""
    if nodes <= 0 or lost < 0:
        raise ValueError("a pool needs nodes and a non-negative loss")
    if lost > S2D_MAX_FAULT_DOMAINS_DOWN or lost >= nodes:
        return False
    up = nodes - lost
    return 2 * up > nodes or (2 * up == nodes and witness)


def witness_online(view: ClusterView) -> bool:
    """The witness exists and is online (an offline witness casts no vote)."""
    return view.witness.type is not WitnessType.NONE and view.witness.online


def voting_members(view: ClusterView) -> tuple[str, ...]:
    """Names of nodes in the active membership with a configured vote (NodeWeight 1)."""
    return tuple(n.name for n in view.nodes if n.state in _MEMBER_STATES and n.node_weight > 0)


def cluster_keeps_quorum_after(view: ClusterView, leaving: Collection[str]) -> Survival:
    """Cluster quorum if the nodes ``leaving`` go down at once, from the current membership."""
    members = voting_members(view)
    lost = sum(1 for name in members if name in leaving)
    return cluster_survives_loss(len(members), witness_online(view), lost)


def pool_keeps_quorum(view: ClusterView, leaving: Collection[str]) -> bool:
    """S2D pool quorum if ``leaving`` go down too; always true without S2D."""
    if not view.s2d_enabled:
        return True
    down = sum(1 for n in view.nodes if n.state not in _MEMBER_STATES or n.name in leaving)
    return pool_survives_loss(len(view.nodes), witness_online(view), down)
