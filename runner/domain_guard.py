"""The per-step storage guard of a wave with rack or chassis fault domains (the fast policy).

Owns: ``storage_guard(view, run, node)`` — what ``runner.maintenance_steps`` asks before
draining (storage wait) and before restarting ``node``: ``runner.safety.maintenance_risk``,
except that while the run's capacity facts name ``node``'s rack or chassis
(``RunProgress.fault_domains``), storage degraded only by nodes of THAT domain which are in
the same wave does not hold ``node`` back. S2D keeps each volume's copies in different
domains, so the nodes of one domain out together cost each volume one copy, however many
there are: ``node`` may then go too, provided

- every node out of service or in storage maintenance mode, other than ``node``, is of its
  domain and in the wave (``run.in_flight``) — never another domain's;
- no storage job runs (a resync, even of the domain's own nodes, is waited for as CAU
  waits; it only slows the wave) and every volume is online (Healthy or Warning);
- so one domain is away, ``node``'s, within every volume's fault tolerance (at least 1).

Without domains (or with no other node of ``node``'s domain in the wave) it is exactly
``maintenance_risk``: fault domains are nodes.

Must not: do I/O or decide anything but this guard.
"""

from __future__ import annotations

from runner.progress import RunProgress
from runner.safety import maintenance_risk
from runner.types import ClusterView, HealthStatus, NodeState

__all__ = ["storage_guard"]

_IN_SERVICE = (NodeState.UP, NodeState.PAUSED)


def storage_guard(view: ClusterView, run: RunProgress, node: str) -> str | None:
    """Why storage forbids taking ``node`` out now, or ``None`` (see module docstring)."""
    domain_of = dict(run.fault_domains)
    domain = domain_of.get(node)
    mates = [n for n in run.in_flight if n != node and domain and domain_of.get(n) == domain]
    if not mates or not view.s2d_enabled:
        return maintenance_risk(view, node)
    away = [
        n.name
        for n in view.nodes
        if n.name != node and (n.storage_maintenance or n.state not in _IN_SERVICE)
    ]
    strangers = [name for name in away if name not in mates]
    if strangers or view.storage_jobs:
        return maintenance_risk(view, node)
    online = all(d.healthy or d.health is HealthStatus.WARNING for d in view.virtual_disks)
    if not online:
        return maintenance_risk(view, node)
    # Every node away is of node's own domain: with node, one domain is away, within the
    # fault tolerance of every resiliency (each tolerates at least one).
    return None
