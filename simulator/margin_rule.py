"""How many nodes a scenario's whole, healthy cluster can have out of service at once and
still lose one more node: the static side of the ``redundancy-margin`` rule.

Owns: ``SafeOut`` and ``safe_nodes_out`` — the largest ``k`` such that, with ANY ``k``
nodes out (taken out in turn: their votes handed over, their drives gone from the pool
and their volumes' copies away, their VMs moved elsewhere) one more node failing
unplanned still leaves the cluster its quorum, the S2D pool its quorum, every volume a
copy and every VM room to run — with the reason that forbids ``k + 1``. ``k = 0`` means
the cluster cannot even afford one node out with a margin (a two-node cluster, a two-way
mirror): taking one node out there is CAU's design, and ``simulator.oracle_margin``
reports the invariant as not applicable with that reason. ``simulator.bounds`` uses ``k``
as the fast policy's own admission (its lower bound).

The worst case is taken over which nodes are out and which one fails: voting nodes leave
first; the pool loses the failing node's owner vote; memory loses the ``k + 1`` largest
nodes. It follows the simulator's own rules: ``simulator.membership`` (dynamic quorum and
witness), a volume stays online while the fault domains away are at most its fault
tolerance (``simulator.storage``), every VM of the scenario needs its memory on a node
that is not out (by total memory; the run-time check also checks each VM's size).

Must not: touch a SimPy environment or world state, or iterate sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.types import WitnessType
from simulator.membership import ClusterQuorum
from simulator.model import Scenario

__all__ = ["SafeOut", "safe_nodes_out"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SafeOut:
    nodes: int  # the largest number of nodes out that keeps a margin of one node
    reason: str  # what forbids one node more


def _quorum_keeps(scenario: Scenario, out: int) -> bool:
    """Whether quorum survives any one more crash with ``out`` voting nodes gone first."""
    spec = scenario.cluster
    weights = {n.name: n.vote for n in spec.nodes}
    order = [n for n in weights if weights[n] > 0] + [n for n in weights if weights[n] <= 0]
    members = order[out:]
    if not members:
        return False
    quorum = ClusterQuorum(weights, witness=spec.witness is not WitnessType.NONE, members=members)
    if not quorum.has_quorum:
        return False
    # The worst one to fail holds the most votes now (a node without a vote costs nothing).
    worst = max(members, key=lambda name: quorum.dynamic[name])
    return quorum.survives_crash([worst])


def _pool_keeps(scenario: Scenario, out: int) -> bool:
    """Whether the pool keeps quorum with ``out + 1`` nodes' drives gone, the owner among them."""
    storage = scenario.cluster.storage
    if storage is None:
        return True
    count = len(scenario.cluster.nodes)
    total = storage.drives_per_node * count + 1
    return 2 * storage.drives_per_node * (count - out - 1) > total


def _memory_keeps(scenario: Scenario, out: int) -> bool:
    """Whether every VM's memory fits on the nodes left after the ``out + 1`` largest go."""
    capacities = sorted((float(n.memory_gb) for n in scenario.cluster.nodes), reverse=True)
    need = sum(float(vm.memory_gb) for vm in scenario.cluster.vms)
    return need <= sum(capacities[out + 1 :])


def _limits(scenario: Scenario) -> list[tuple[int, str]]:
    """Per rule: the largest ``k`` it allows (``k + 1`` out is what it forbids) and why."""
    cluster = scenario.cluster
    count = len(cluster.nodes)
    limits: list[tuple[int, str]] = [
        (count - 1, f"the cluster has {count} node(s): one must stay to fail")
    ]
    volumes = cluster.storage.volumes if cluster.storage is not None else ()
    if volumes:
        weakest = min(volumes, key=lambda v: v.resiliency.fault_tolerance)
        tolerance = weakest.resiliency.fault_tolerance
        limits.append(
            (
                tolerance - 1,
                f"{weakest.resiliency.value} volume {weakest.name} tolerates "
                f"{tolerance} fault domain(s) away",
            )
        )
    rules = (
        (_quorum_keeps, "cluster quorum"),
        (_pool_keeps, "the storage pool's quorum"),
        (_memory_keeps, "the VMs' memory"),
    )
    for keeps, what in rules:
        k = 0
        while k < count and keeps(scenario, k):
            k += 1
        limits.append((k - 1, f"{what} would not survive one more failure with {k} node(s) out"))
    return limits


def safe_nodes_out(scenario: Scenario) -> SafeOut:
    """The largest number of nodes out with a margin of one (see the module docstring)."""
    nodes, reason = min(_limits(scenario), key=lambda limit: limit[0])
    return SafeOut(nodes=max(0, nodes), reason=reason)
