"""Ground-truth quorum of the simulated world: cluster votes with dynamic quorum, and S2D pool.

Owns: ``ClusterQuorum`` (node votes, dynamic weights, dynamic witness, survival of a node
leaving gracefully or crashing, re-forming when enough nodes return) and ``PoolQuorum``
(drives vote, the pool owner is a tie-breaker, no dynamic adjustment). Both follow reference
cau.md §5.2.

Theory of operation (cluster):
- Votes are the members' dynamic weights plus the witness's. Quorum holds while the votes of
  the members that remain are a strict majority of the current total.
- After each loss that quorum survives, the total is recomputed among the survivors (dynamic
  quorum). A graceful leave (a restart the cluster is told about) first hands the leaver's
  vote over, so one node leaving gracefully always survives while any voting node remains.
- Dynamic witness: the witness votes only when the number of voting nodes is even. With an
  even number and no (online) witness, one node's vote is zeroed: the last in node order,
  standing in for the cluster's LowerQuorumPriorityNodeID.
- Configured ``NodeWeight 0`` is never given a vote.
- Stop-Cluster (the offline update) is not a loss: ``stop`` empties the membership without
  losing anything; ``start`` forms the cluster afresh from the nodes whose cluster service
  starts, with a majority of the configured votes; nobody joins a stopped cluster.

Must not: know SimPy, time, VMs or storage volumes; these are pure state machines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["ClusterQuorum", "PoolQuorum"]


class ClusterQuorum:
    """Cluster membership and votes; ``has_quorum`` is the ground truth."""

    def __init__(
        self,
        node_weights: Mapping[str, int],
        *,
        witness: bool,
        witness_online: bool = True,
        members: Iterable[str] | None = None,
    ) -> None:
        self._order = list(node_weights)
        self.node_weights = dict(node_weights)
        self.witness = witness
        self.witness_online = witness and witness_online
        chosen = list(self._order) if members is None else list(members)
        self.members = [n for n in self._order if n in chosen]
        self.dynamic: dict[str, int] = dict.fromkeys(self._order, 0)
        self.witness_weight = 0
        self.stopped = False  # Stop-Cluster: no membership until ``start``
        # Nodes already down at the start left one by one earlier: dynamic quorum followed.
        self.has_quorum = any(self.node_weights[m] > 0 for m in self.members)
        if self.has_quorum:
            self._rebalance()

    # -- queries ---------------------------------------------------------------------------
    def total_votes(self) -> int:
        return sum(self.dynamic.values()) + self.witness_weight

    def survives_crash(self, leaving: Iterable[str]) -> bool:
        """Would quorum survive these members failing at once (no vote hand-over)?"""
        if not self.has_quorum:
            return False
        gone = set(leaving)
        votes = sum(self.dynamic[m] for m in self.members if m not in gone)
        votes += self.witness_weight if self.witness_online else 0
        return 2 * votes > self.total_votes()

    def survives_graceful(self, leaving: str) -> bool:
        """Would quorum survive ``leaving`` shutting down cleanly (its vote handed over)?"""
        if not self.has_quorum:
            return False
        return any(self.node_weights[m] > 0 for m in self.members if m != leaving)

    # -- transitions -----------------------------------------------------------------------
    def leave(self, names: Iterable[str], *, graceful: bool) -> bool:
        """Members leave; return whether the cluster still has quorum afterwards."""
        leaving = [n for n in names if n in self.members]
        if not leaving:
            return self.has_quorum
        if not self.has_quorum:
            self._remove(leaving)
            return False
        if graceful:
            # Sequential hand-over: each leaver's vote is re-assigned before it goes.
            for name in leaving:
                ok = self.survives_graceful(name)
                self._remove([name])
                if not ok:
                    self._lose()
                    return False
                self._rebalance()
            return True
        ok = self.survives_crash(leaving)
        self._remove(leaving)
        if ok:
            self._rebalance()
        else:
            self._lose()
        return ok

    def join(self, name: str) -> bool:
        """A node rejoins; a cluster that lost quorum re-forms once a majority is back."""
        if self.stopped:
            return False
        if name not in self.members:
            present = dict.fromkeys(self.members)  # a lookup per node, not a list scan
            self.members = [n for n in self._order if n in present or n == name]
        if not self.has_quorum and self._can_form():
            self.has_quorum = True
        if self.has_quorum:
            self._rebalance()
        return self.has_quorum

    def stop(self) -> None:
        """Stop-Cluster: every member leaves at once, on purpose (no quorum loss)."""
        self.stopped = True
        self._remove(list(self.members))
        self.has_quorum = False
        self.witness_weight = 0

    def start(self, members: Iterable[str]) -> bool:
        """Start-Cluster with ``members``: True when they form it with quorum (else it stays
        stopped and nothing changes)."""
        chosen = dict.fromkeys(members)
        formed = [n for n in self._order if n in chosen]
        previous, self.members = self.members, formed
        if not self._can_form():
            self.members = previous
            return False
        self.stopped = False
        self.has_quorum = True
        self._rebalance()
        return True

    def set_witness_online(self, online: bool) -> bool:
        """The witness fails or returns; losing a voting witness is a loss like any other."""
        online = online and self.witness
        if online == self.witness_online:
            return self.has_quorum
        if not online and self.has_quorum and self.witness_weight:
            votes = sum(self.dynamic[m] for m in self.members)
            self.witness_online = False
            if 2 * votes <= self.total_votes():
                self._lose()
                return False
        self.witness_online = online
        if not self.has_quorum and self._can_form():
            self.has_quorum = True
        if self.has_quorum:
            self._rebalance()
        return self.has_quorum

    # -- internals -------------------------------------------------------------------------
    def _remove(self, names: list[str]) -> None:
        self.members = [m for m in self.members if m not in names]
        for name in names:
            self.dynamic[name] = 0

    def _lose(self) -> None:
        self.has_quorum = False
        self.dynamic = dict.fromkeys(self._order, 0)
        self.witness_weight = 0

    def _rebalance(self) -> None:
        voters = [m for m in self.members if self.node_weights[m] > 0]
        self.dynamic = dict.fromkeys(self._order, 0)
        for name in voters:
            self.dynamic[name] = 1
        even = len(voters) % 2 == 0 and len(voters) > 0
        self.witness_weight = 1 if (even and self.witness_online) else 0
        if even and not self.witness_weight:
            self.dynamic[voters[-1]] = 0

    def _can_form(self) -> bool:
        """Forming from scratch needs a majority of the configured (static) votes."""
        voters = [n for n in self._order if self.node_weights[n] > 0]
        if not voters:
            return False
        witness_vote = 1 if (self.witness and len(voters) % 2 == 0) else 0
        total = len(voters) + witness_vote
        if len(voters) % 2 == 0 and not witness_vote:
            voters = voters[:-1]
            total -= 1
        up = sum(1 for v in voters if v in self.members)
        up += 1 if (witness_vote and self.witness_online) else 0
        return 2 * up > total


class PoolQuorum:
    """S2D pool quorum: every drive votes, the pool owner breaks ties, nothing is dynamic."""

    def __init__(self, drives: Mapping[str, int], *, up: Iterable[str] | None = None) -> None:
        self._order = list(drives)
        self.drives = dict(drives)
        chosen = list(self._order) if up is None else list(up)
        self.up = [n for n in self._order if n in chosen]
        self.owner: str | None = self.up[0] if self.up else None
        self.has_quorum = self._votes(self.up, self.owner) * 2 > self.total_votes()

    def total_votes(self) -> int:
        return sum(self.drives.values()) + 1

    def _votes(self, up: list[str], owner: str | None) -> int:
        return sum(self.drives[n] for n in up) + (1 if owner in up else 0)

    def survives(self, leaving: Iterable[str], *, owner_moves_first: bool) -> bool:
        """Would the pool keep quorum if ``leaving`` lost all their drives?"""
        gone = set(leaving)
        rest = [n for n in self.up if n not in gone]
        owner = self.owner
        if owner in gone and owner_moves_first:
            owner = rest[0] if rest else None
        return self.has_quorum and self._votes(rest, owner) * 2 > self.total_votes()

    def move_owner(self, avoid: str, candidates: Iterable[str]) -> None:
        """Draining the owner moves the pool resource to another node (first candidate)."""
        if self.owner != avoid:
            return
        for name in candidates:
            if name != avoid and name in self.up:
                self.owner = name
                return

    def leave(self, names: Iterable[str], *, owner_moves_first: bool) -> bool:
        leaving = [n for n in names if n in self.up]
        ok = self.survives(leaving, owner_moves_first=owner_moves_first)
        self.up = [n for n in self.up if n not in leaving]
        if self.owner in leaving:
            self.owner = self.up[0] if self.up else None
        if not ok:
            self.has_quorum = False
        return self.has_quorum

    def stop(self) -> None:
        """Stop-Cluster takes the pool offline on purpose (no quorum loss)."""
        self.up, self.owner, self.has_quorum = [], None, False

    def start(self, members: Iterable[str]) -> bool:
        """Start-Cluster: the pool forms from the members' drives (the first owns it)."""
        chosen = dict.fromkeys(members)
        self.up = [n for n in self._order if n in chosen]
        self.owner = self.up[0] if self.up else None
        self.has_quorum = self._votes(self.up, self.owner) * 2 > self.total_votes()
        return self.has_quorum

    def join(self, name: str) -> bool:
        if name not in self.up:
            present = dict.fromkeys(self.up)
            self.up = [n for n in self._order if n in present or n == name]
        if self.owner is None:
            self.owner = name
        if not self.has_quorum and self._votes(self.up, self.owner) * 2 > self.total_votes():
            self.has_quorum = True
        return self.has_quorum
