"""Admission of the fast policy: how many more nodes may go out now, and which.

Owns: ``admit(view, profile, facts, out, candidates) -> Admission`` — the candidates (in run
order) that may join the nodes already ``out``, as many as the profile's ``max_nodes_out``
allows (``auto``: no limit but safety), each added only while every rule below still holds
with ALL of them out; and ``plan_waves`` (the same rule applied wave after wave to one view:
the plan ``pycau run --what-if`` and the report show). Rules, each judged as if one more
node failed unplanned while the wave is out (``redundancy margin``):

- ``quorum``: the cluster (votes of the active membership, dynamic witness) keeps quorum
  with the wave's members and one more member down at once (``Survival.YES``, never 50/50);
- ``pool quorum`` (Storage Spaces Direct): the pool keeps quorum with the nodes already
  down, the wave and one more node down (every node's drives vote; at most two fault
  domains down, a rack or chassis counting once);
- ``volumes`` (S2D): every volume keeps a copy: the fault domains down, in storage
  maintenance, in the wave, plus one more, are within its fault tolerance. A fault domain
  is a node, or its rack or chassis when the facts name one (S2D places a volume's copies
  in different domains, so a whole domain out costs each volume one copy); the one more
  failure may be a node of another domain;
- ``memory``: every running role's memory fits in the memory of the nodes that stay Up with
  ``memory_reserve_percent`` of it kept free, even after the largest of them fails; a node
  whose memory is not known (0) makes only one node out at a time admissible;
- ``anti-affinity``: the roles of each anti-affinity class still find a node each among the
  nodes that stay Up after one more fails;
- ``possible owners``: every running role with possible owners keeps two of them among the
  nodes that stay Up (one may fail).

Candidates are taken domain by domain (each rack or chassis in the order its first node
comes, its nodes in run order), so a wave prefers whole domains. A wave never has zero
nodes while nothing is out: its first node is always admitted, and
the per-step guards of the classic run (storage wait, quorum cancel) judge it as CAU would.
The view's nodes are the nodes (nodes not Up are already out and count as such).

Must not: do I/O, read a clock, or import the simulator; O(roles) per candidate is fine (it
runs once per wave, never per poll).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from runner.capacity_types import CapacityFacts
from runner.profile import Profile
from runner.quorum import (
    S2D_MAX_FAULT_DOMAINS_DOWN,
    Survival,
    cluster_survives_loss,
    voting_members,
    witness_online,
)
from runner.types import ClusterView, NodeState, RoleState

__all__ = ["Admission", "admit", "plan_waves", "wave_limit"]

_IN_SERVICE = (NodeState.UP, NodeState.PAUSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    """The nodes that may go out now (in run order) and why not more (``""``: every
    candidate was admitted)."""

    nodes: tuple[str, ...]
    limited_by: str = ""


def _quorum(view: ClusterView, out: Collection[str]) -> str | None:
    members = voting_members(view)
    lost = sum(1 for name in members if name in out)
    if lost >= len(members):
        return "cluster quorum: no voting node would stay"
    survival = cluster_survives_loss(len(members), witness_online(view), lost + 1)
    if survival is not Survival.YES:
        return f"cluster quorum with {lost} voting node(s) out and one more failure ({survival})"
    return None


def _storage(view: ClusterView, facts: CapacityFacts, out: Collection[str]) -> str | None:
    if not view.s2d_enabled:
        return None
    gone = [n.name for n in view.nodes if n.state not in _IN_SERVICE or n.name in out]
    count, lost = len(view.nodes), len(gone) + 1
    # Every node's drives vote (no dynamic quorum), and S2D survives at most two fault
    # domains down: a rack or chassis counts once (runner.quorum.pool_survives_loss's rule).
    lost_domains = len({facts.domain(name) for name in gone}) + 1
    up, witness = count - lost, witness_online(view)
    majority = 2 * up > count or (2 * up == count and witness)
    if lost >= count or lost_domains > S2D_MAX_FAULT_DOMAINS_DOWN or not majority:
        return f"storage pool quorum with {lost - 1} node(s) down and one more failure"
    away = len(
        {
            facts.domain(n.name)
            for n in view.nodes
            if n.state not in _IN_SERVICE or n.storage_maintenance or n.name in out
        }
    )
    for disk in view.virtual_disks:
        tolerance = disk.resiliency.fault_tolerance
        if away + 1 > tolerance:
            return (
                f"volume {disk.name} ({disk.resiliency.value}) tolerates {tolerance} fault "
                f"domain(s) down; {away} out and one more failure would be {away + 1}"
            )
    return None


def _placement(
    view: ClusterView, profile: Profile, facts: CapacityFacts, out: Collection[str]
) -> str | None:
    stay = [n.name for n in view.nodes if n.state is NodeState.UP and n.name not in out]
    running = [r for r in view.roles if r.state is not RoleState.OFFLINE]
    memories = [facts.memory(name) for name in stay]
    if any(m <= 0 for m in memories):
        return "node memory not known: one node out at a time"
    need = sum(r.memory_gb for r in running)
    usable = (sum(memories) - max(memories, default=0.0)) * (
        1 - profile.memory_reserve_percent / 100
    )
    if need > usable:
        return (
            f"memory: {need:g} GB of running roles would not fit in {usable:g} GB of the nodes "
            f"staying up after one more failure, keeping {profile.memory_reserve_percent:g} % free"
        )
    staying = set(stay)
    names = {r.name for r in running}
    classes: dict[str, int] = {}
    for rule in facts.roles:
        if rule.role not in names:
            continue
        for name in rule.anti_affinity:
            classes[name] = classes.get(name, 0) + 1
        owners = [n for n in rule.possible_owners if n in staying]
        if rule.possible_owners and len(owners) < 2:
            return f"possible owners of {rule.role}: {len(owners)} would stay up, one may fail"
    for name in sorted(classes):
        if classes[name] > len(stay) - 1:
            return (
                f"anti-affinity class {name}: {classes[name]} roles, {len(stay) - 1} node(s) "
                "after one more failure"
            )
    return None


def wave_limit(
    view: ClusterView, profile: Profile, facts: CapacityFacts, out: Collection[str]
) -> str | None:
    """Why ``out`` may not all be out at once (the first rule that fails), or ``None``."""
    return _quorum(view, out) or _storage(view, facts, out) or _placement(view, profile, facts, out)


def _by_domain(facts: CapacityFacts, candidates: Sequence[str]) -> list[str]:
    """``candidates`` grouped by fault domain (domains in order of their first node)."""
    rank: dict[str, int] = {}
    for name in candidates:
        rank.setdefault(facts.domain(name), len(rank))
    return sorted(candidates, key=lambda name: rank[facts.domain(name)])


def admit(
    view: ClusterView,
    profile: Profile,
    facts: CapacityFacts,
    out: Collection[str],
    candidates: Sequence[str],
) -> Admission:
    """The candidates that may go out now beside ``out`` (see module docstring)."""
    room = profile.nodes_out_limit(len(view.nodes)) - len(out)
    chosen: list[str] = []
    limited_by = ""
    for name in _by_domain(facts, candidates):
        if len(chosen) >= room:
            limited_by = limited_by or f"max_nodes_out {profile.max_nodes_out}"
            break
        trial = (*out, *chosen, name)
        why = wave_limit(view, profile, facts, trial)
        if why is None or (not out and not chosen):
            chosen.append(name)
            limited_by = limited_by or (why or "")
        else:
            limited_by = limited_by or why
    return Admission(nodes=tuple(chosen), limited_by=limited_by)


def plan_waves(
    view: ClusterView, profile: Profile, facts: CapacityFacts, order: Sequence[str]
) -> tuple[Admission, ...]:
    """The waves a run would take on ``view``: ``admit`` wave after wave, each with the
    earlier waves back in service (the view as it is now)."""
    waves: list[Admission] = []
    left = list(order)
    while left:
        wave = admit(view, profile, facts, (), left)
        waves.append(wave)
        taken = set(wave.nodes)
        left = [name for name in left if name not in taken]
    return tuple(waves)
