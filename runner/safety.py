"""Safety guards: the pure predicates the engine checks before every disruptive act.

Owns: "may this node be taken out now?" — storage healthy with no repair job running and no
volume losing more fault domains than it tolerates (``maintenance_risk``: wait for it),
cluster and pool quorum survive its loss (``quorum_risk``: cancel the run), and no more
nodes out for updating than the profile allows — and "may this node
be restarted now?" (drain completed, no role left on it). The simulator's oracle asks the
same questions of its ground truth, so the guard and the invariant cannot drift apart.

Every guard returns ``None`` when the act is safe, else a short reason a report can show.

Must not: do I/O, read a clock, or mutate anything. Guards that count roles are O(roles):
the engine calls them once per disruptive act, never per poll.
"""

from __future__ import annotations

from collections.abc import Collection

from runner.quorum import (
    Survival,
    cluster_keeps_quorum_after,
    pool_keeps_quorum,
)
from runner.types import ClusterView, DrainStatus, HealthStatus, NodeState, RoleState

__all__ = [
    "fault_tolerance_risk",
    "maintenance_risk",
    "nodes_out",
    "nodes_out_risk",
    "own_maintenance_only",
    "quorum_risk",
    "restart_risk",
    "roles_online_on",
    "storage_ready",
    "storage_risk",
]

_IN_SERVICE = (NodeState.UP, NodeState.PAUSED)


def storage_ready(view: ClusterView) -> bool:
    """S2D: every volume Healthy/OK and no storage job listed. Without S2D, always ready."""
    return not view.s2d_enabled or view.storage_healthy


def storage_risk(view: ClusterView) -> str | None:
    """Why storage forbids taking a node out now (resync-before-next), or ``None``."""
    if storage_ready(view):
        return None
    if view.storage_jobs:
        jobs = ", ".join(sorted(j.name for j in view.storage_jobs))
        return f"storage jobs still running: {jobs}"
    bad = sorted(d.name for d in view.virtual_disks if not d.healthy)
    return f"volumes not Healthy/OK: {', '.join(bad)}"


def quorum_risk(view: ClusterView, node: str) -> str | None:
    """Why taking ``node`` down would put cluster or pool quorum at risk, or ``None``.

    A 50/50 outcome counts as a risk: a planned restart must never gamble on which vote the
    cluster happened to zero.
    """
    survival = cluster_keeps_quorum_after(view, (node,))
    if survival is not Survival.YES:
        return f"restarting {node} would compromise cluster quorum ({survival.value})"
    if not pool_keeps_quorum(view, (node,)):
        return f"restarting {node} would compromise storage pool quorum"
    return None


def maintenance_risk(view: ClusterView, node: str) -> str | None:
    """Why storage forbids taking ``node`` out now — not healthy, a repair job running, or a
    volume that would lose more fault domains than it tolerates — or ``None``. Unlike a
    quorum risk this one passes with time (resync), so callers wait for it, bounded.

    Volumes degraded only by ``node``'s own storage maintenance mode (it was paused on
    Windows Server 2022 / HCI 21H2+: ``own_maintenance_only``) do not forbid restarting it."""
    if own_maintenance_only(view, node):
        return fault_tolerance_risk(view, (node,))
    return storage_risk(view) or fault_tolerance_risk(view, (node,))


def own_maintenance_only(view: ClusterView, node: str) -> bool:
    """Storage is degraded by nothing but ``node``'s drives in storage maintenance mode: it
    is in that mode, no other node is (nor out of service), no storage job runs, and every
    volume is still online (Warning, not Unhealthy or detached)."""
    if not view.s2d_enabled or view.storage_jobs:
        return False
    others_out = any(
        n.name != node and (n.storage_maintenance or n.state not in _IN_SERVICE) for n in view.nodes
    )
    own = any(n.name == node and n.storage_maintenance for n in view.nodes)
    online = all(d.healthy or d.health is HealthStatus.WARNING for d in view.virtual_disks)
    return own and not others_out and online


def fault_tolerance_risk(view: ClusterView, leaving: Collection[str]) -> str | None:
    """Why ``leaving`` going down would exceed some volume's fault tolerance, or ``None``.

    Fault domains are nodes; nodes already out of service count against the tolerance too.
    """
    if not view.s2d_enabled or not view.virtual_disks:
        return None
    # A node whose drives are in storage maintenance mode is a fault domain away, too.
    down = sum(
        1
        for n in view.nodes
        if n.state not in _IN_SERVICE or n.storage_maintenance or n.name in leaving
    )
    for disk in view.virtual_disks:
        if down > disk.resiliency.fault_tolerance:
            return (
                f"volume {disk.name} ({disk.resiliency.value}) tolerates "
                f"{disk.resiliency.fault_tolerance} fault domain(s) down, would have {down}"
            )
    return None


def nodes_out(view: ClusterView, held: Collection[str]) -> int:
    """How many of the nodes the run holds out for updating are not Up."""
    return sum(1 for n in view.nodes if n.name in held and n.state is not NodeState.UP)


def nodes_out_risk(view: ClusterView, held: Collection[str], max_nodes_out: int) -> str | None:
    """Why one more node may not go out (max-nodes-out), or ``None``."""
    out = nodes_out(view, held)
    if out + 1 > max_nodes_out:
        return f"{out} node(s) already out for updating; the profile allows {max_nodes_out}"
    return None


def roles_online_on(view: ClusterView, node: str) -> int:
    """Clustered roles owned by ``node`` that are not Offline (O(roles))."""
    return sum(1 for r in view.roles if r.owner == node and r.state is not RoleState.OFFLINE)


def restart_risk(view: ClusterView, node: str) -> str | None:
    """Why restarting ``node`` would take workloads down (workload-availability), or ``None``."""
    try:
        nv = view.node(node)
    except KeyError:
        return f"{node} is not in the cluster view"
    if nv.state is not NodeState.PAUSED or nv.drain_status is not DrainStatus.COMPLETED:
        return f"{node} is not drained (state {nv.state.value}, drain {nv.drain_status.value})"
    left = roles_online_on(view, node)
    if left:
        return f"{left} clustered role(s) still on {node}"
    return None
