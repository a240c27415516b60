"""The oracle's ``redundancy-margin`` invariant: whenever the run takes a node out of
service, the cluster could still lose one more node without losing quorum, storage or a
running VM's place to run.

Owns: ``MARGIN_INVARIANT``, ``margin_shortfall`` (why the world, with some nodes out,
could not lose one more) and ``MarginJudge`` (the oracle's hook and the invariant's
applicability).

Definition (computed from the simulated world's own state, never from the runner's view or
its admission rule):
- It applies when the scenario's whole, healthy cluster could lose two nodes
  (``simulator.margin_rule.safe_nodes_out`` ≥ 1). Otherwise — a two-node cluster, two-way
  mirror or single-parity volumes, memory for all VMs on all but one node only — taking
  one node out leaves no margin by design (CAU-classic does exactly that), and the report
  lists the invariant as ``not_applicable`` with the reason. An offline run waives it
  (``simulator.oracle_offline``).
- It is judged at each act of the run that takes a node out: its suspend of a node the run
  does not have out yet, and each of its restarts. Out for votes and drives are: that node
  (the run will restart it), every node down whatever the cause (faults count as out) and
  every node whose drives are away (storage maintenance mode) — but for a restart, nodes a
  fault took down while the restart command was in flight (the oracle's race rule). A node
  paused and up still votes and holds its drives. Out for VMs are those nodes and every
  node the run has out whose drain did not fail (it is draining, or drained); a node left
  paused after a failed drain keeps its VMs and receives none.
- With those nodes gone (votes handed over as in a graceful leave, drives out of the
  pool), every other up node ``n`` failing unplanned must leave: cluster quorum (dynamic
  weights and witness, ``simulator.membership``); the pool's quorum (its owner moved off
  the nodes out; ``n`` may be the owner); every online volume within its fault tolerance
  (domains out + 1 ≤ tolerance; a domain is a node, or its rack/chassis:
  ``cluster.fault_domains``, and ``n`` may be in another domain); and room for the VMs
  running (or waiting to restart) on the nodes out for VMs and on ``n``, but for those
  whose room is already reserved by a migration to a node that stays: per Hyper-V
  configuration version, the VMs needing a node able to host it fit in the free memory of
  the active nodes that stay and can host it (Hall's condition over the versions' nested
  host sets), and the largest such VM fits in one of them.
- A violation is the run's act (at its time) with the node whose failure would lose
  something and what. A fault that lowers the margin while the run holds nodes out is not
  judged: the run is judged only for what it took out, with the faults in effect then.

Must not: read the runner's view or use its admission rule (``runner/capacity.py``), change
the world, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from runner.types import DrainStatus
from simulator.margin_rule import safe_nodes_out
from simulator.membership import ClusterQuorum, PoolQuorum
from simulator.mixed_mode import can_host
from simulator.model import ClusterSpec, Scenario, VmSpec
from simulator.nodes import SimNode
from simulator.storage_views import SimVolume

__all__ = ["MARGIN_INVARIANT", "MarginJudge", "MarginWorld", "margin_shortfall"]

MARGIN_INVARIANT = "redundancy-margin"


class _Vm(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def online(self) -> bool: ...
    @property
    def waiting(self) -> bool: ...
    @property
    def migrating_to(self) -> str | None: ...
    @property
    def spec(self) -> VmSpec: ...
    @property
    def config_version(self) -> str: ...


class _Vms(Protocol):
    @property
    def vms(self) -> Sequence[_Vm]: ...
    def free(self, node: str) -> float: ...


class _Storage(Protocol):
    @property
    def away(self) -> Mapping[str, float]: ...
    @property
    def volumes(self) -> Mapping[str, SimVolume]: ...
    @property
    def pool(self) -> PoolQuorum: ...


class MarginWorld(Protocol):
    """What the margin reads of the world (``simulator.world.SimulatedCluster``)."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def nodes(self) -> Mapping[str, SimNode]: ...
    @property
    def quorum(self) -> ClusterQuorum: ...
    @property
    def storage(self) -> _Storage | None: ...
    @property
    def workloads(self) -> _Vms: ...


def _going(world: MarginWorld, node: str, ignore: Sequence[str]) -> list[str]:
    """The nodes out for votes and drives: ``node``, every node down or with its drives
    away, but those in ``ignore`` (they went down while ``node``'s restart was in flight)."""
    away = world.storage.away if world.storage is not None else {}
    skip = dict.fromkeys(ignore)
    return [
        name
        for name, sim in world.nodes.items()
        if name == node or ((not sim.up or name in away) and name not in skip)
    ]


def _draining(world: MarginWorld, going: Mapping[str, None], run_out: Sequence[str]) -> list[str]:
    """The nodes whose VMs must all find room: ``going``, and the nodes the run has out whose
    drain did not fail (a node left paused after a failed drain keeps its VMs)."""
    held = dict.fromkeys(run_out)
    return [
        name
        for name, sim in world.nodes.items()
        if name in going or (name in held and sim.drain_status is not DrainStatus.FAILED)
    ]


def _quorum(world: MarginWorld, going: Mapping[str, None], stay: list[str]) -> str | None:
    now = world.quorum
    if not now.has_quorum:
        return "the cluster has no quorum"
    members = [m for m in now.members if m not in going]
    left = ClusterQuorum(
        now.node_weights, witness=now.witness, witness_online=now.witness_online, members=members
    )
    total = left.total_votes()
    votes = sum(left.dynamic[m] for m in left.members) + left.witness_weight
    for name in stay:
        if not left.has_quorum or 2 * (votes - left.dynamic.get(name, 0)) <= total:
            return f"the cluster would lose quorum if {name} failed"
    return None


def _storage(
    storage: _Storage, going: Mapping[str, None], stay: list[str], cluster: ClusterSpec
) -> str | None:
    pool = storage.pool
    if not pool.has_quorum:
        return "the storage pool has no quorum"
    rest = [n for n in pool.up if n not in going]
    owner = pool.owner if pool.owner in rest else (rest[0] if rest else None)
    votes = sum(pool.drives[n] for n in rest) + (1 if owner is not None else 0)
    for name in stay:
        lost = (pool.drives[name] if name in rest else 0) + (1 if name == owner else 0)
        if 2 * (votes - lost) <= pool.total_votes():
            return f"the storage pool would lose quorum if {name} failed"
    # Fault domains out: nodes, or their racks/chassis (one copy each, however many nodes);
    # the one more failure may be a node of another domain.
    domains = len(dict.fromkeys(cluster.fault_domain(n) for n in going))
    for volume in storage.volumes.values():
        tolerance = volume.spec.resiliency.fault_tolerance
        if not volume.offline and not volume.detached and domains + 1 > tolerance:
            return (
                f"volume {volume.name} ({volume.spec.resiliency.value}, tolerates {tolerance}) "
                f"would go offline if {stay[0]} failed: {domains} fault domain(s) out"
            )
    return None


class _Need:
    """GB of VMs of one configuration version needing a host, and the largest of them."""

    __slots__ = ("largest", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.largest = 0.0

    def add(self, total: float, largest: float) -> None:
        self.total += total
        self.largest = max(self.largest, largest)


def _needs(
    hosting: _Vms, going: Mapping[str, None], stay: list[str], room: Mapping[str, float]
) -> tuple[dict[str, _Need], dict[str, dict[str, _Need]]]:
    """Per configuration version: what needs a host if only ``going`` goes, and per node of
    ``stay`` what more if it fails too (see the module docstring)."""
    groups: dict[tuple[str, str | None, str, bool], list[float]] = {}  # one pass, grouped
    get = groups.get  # (the loop runs over every VM at every act: kept lean)
    for vm in hosting.vms:
        online = vm.online
        if online or vm.waiting:
            memory = float(vm.spec.memory_gb)
            key = (vm.owner, vm.migrating_to, vm.config_version, online)
            found = get(key)
            if found is None:
                groups[key] = [memory, memory]
            else:
                found[0] += memory
                if memory > found[1]:
                    found[1] = memory
    base: dict[str, _Need] = {}
    own: dict[str, dict[str, _Need]] = {n: {} for n in stay}
    for (owner, target, version, online), (total, largest) in groups.items():
        bucket: dict[str, _Need] | None = None
        if target is not None and target in room:  # its room is reserved on ``target``
            # (if its owner fails instead, that room is freed as the VM needs it again)
            bucket = own[target] if owner in going else None
        elif owner in going:
            bucket = base
        elif owner in own and online:  # running on a node that stays
            bucket = own[owner]
        if bucket is not None:
            bucket.setdefault(version, _Need()).add(total, largest)
    return base, own


def _memory(world: MarginWorld, going: Mapping[str, None], stay: list[str]) -> str | None:
    """``going``: the draining nodes (``_draining``)."""
    nodes, hosting = world.nodes, world.workloads
    free = {n: hosting.free(n) for n in stay if nodes[n].active}
    base, own = _needs(hosting, going, stay, free)
    versions = sorted({**base, **{v: None for need in own.values() for v in need}})
    running = {n: nodes[n].version for n in free}
    kinds = {(r, v): can_host(r, v) for r in dict.fromkeys(running.values()) for v in versions}
    hosts = {v: {n: None for n in free if kinds[running[n], v]} for v in versions}
    within = {  # the versions whose hosts are all hosts of ``v``: they compete for its room
        v: [w for w in versions if all(n in hosts[v] for n in hosts[w])] for v in versions
    }
    total = {v: sum(free[n] for n in hosts[v]) for v in versions}
    best = {v: sorted(((free[n], n) for n in hosts[v]), reverse=True)[:2] for v in versions}
    for name in stay:
        mine = own[name]
        for v in versions:
            need = sum((base[w].total if w in base else 0.0) for w in within[v])
            need += sum((mine[w].total if w in mine else 0.0) for w in within[v])
            have = total[v] - (free[name] if name in hosts[v] else 0.0)
            if need > have + 1e-9:
                return (
                    f"if {name} failed, its VMs and those of the nodes out would need "
                    f"{need:g} GB; the nodes that stay have {have:g} GB free"
                )
            largest = max(
                base[v].largest if v in base else 0.0, mine[v].largest if v in mine else 0.0
            )
            room = max((f for f, n in best[v] if n != name), default=0.0)
            if largest > room + 1e-9:
                return f"if {name} failed, a VM of {largest:g} GB would fit on no node"
    return None


def margin_shortfall(
    world: MarginWorld, node: str, run_out: Sequence[str], ignore: Sequence[str] = ()
) -> str | None:
    """Why the world, with ``node`` taken out (``run_out``: the nodes the run already has
    out; ``ignore``: nodes a fault took down while the act was in flight), could not lose
    one more node (see the module docstring); ``None`` when it could."""
    going = dict.fromkeys(_going(world, node, ignore))
    stay = [n for n, sim in world.nodes.items() if sim.up and n not in going]
    if not stay:
        return "no node would be left to fail"
    found = _quorum(world, going, stay)
    if found is None and world.storage is not None:
        found = _storage(world.storage, going, stay, world.scenario.cluster)
    if found is not None:
        return found
    draining = dict.fromkeys(_draining(world, going, run_out))
    return _memory(world, draining, [n for n in stay if n not in draining])


class MarginJudge:
    """The invariant's verdicts over one run (see the module docstring)."""

    def __init__(self, world: MarginWorld) -> None:
        self.world = world
        safe = safe_nodes_out(world.scenario)
        self.applies = safe.nodes >= 1
        self.reason = (
            f"the whole cluster cannot lose two nodes ({safe.reason}), so one node out "
            "leaves no margin by design"
        )

    def taken_out(
        self, node: str, run_out: Sequence[str], ignore: Sequence[str] = ()
    ) -> str | None:
        """The run suspends or restarts ``node`` (``run_out``, ``ignore``: as in
        ``margin_shortfall``): the violation's detail, or ``None`` when the margin holds or
        the invariant does not apply."""
        if not self.applies:
            return None
        found = margin_shortfall(self.world, node, run_out, ignore)
        if found is None:
            return None
        going = _draining(self.world, dict.fromkeys(_going(self.world, node, ignore)), run_out)
        return f"{node} taken out with {', '.join(going)} out: {found}"

    def waiver(self) -> dict[str, Any]:
        """The invariant's ``not_applicable`` entry when it does not apply, else nothing."""
        return {} if self.applies else {"not_applicable": self.reason}
