"""Value types of the fast policy's part of the transport contract: what the cluster tells
about room for workloads, read once when a wave is planned.

Owns: ``HostMemory`` (a node's memory for VMs, Get-VMHost's MemoryCapacity, and the rack or
chassis fault domain it sits in, Get-ClusterFaultDomain), ``RolePlacement``
(a clustered role's AntiAffinityClassNames and possible owners, Get-ClusterOwnerNode) and
``CapacityFacts`` (all of them: what ``ClusterTransport.read_capacity_facts`` answers and
``runner.capacity`` judges with the ``ClusterView``).

Must not: do I/O, decide anything about a run, or import anything but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CapacityFacts", "HostMemory", "RolePlacement"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HostMemory:
    """One node's memory for VMs in GB (``0``: not known) and the rack or chassis fault
    domain it belongs to (``""``: none; the node is a fault domain of its own)."""

    node: str
    memory_gb: float = 0.0
    domain: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RolePlacement:
    """Where one clustered role may run: its anti-affinity class names (roles sharing a
    class keep to different nodes) and its possible owners (empty: every node)."""

    role: str
    anti_affinity: tuple[str, ...] = ()
    possible_owners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityFacts:
    """The cluster's hosts' memory and the roles with placement rules (a role not listed
    has none)."""

    hosts: tuple[HostMemory, ...] = ()
    roles: tuple[RolePlacement, ...] = ()

    def memory(self, node: str) -> float:
        """``node``'s memory for VMs in GB; 0 when not known."""
        for host in self.hosts:
            if host.node == node:
                return host.memory_gb
        return 0.0

    def domain(self, node: str) -> str:
        """The S2D fault domain of ``node``: its rack or chassis, else the node itself (the
        name of a node is never taken for a rack's: the two are told apart by a prefix)."""
        for host in self.hosts:
            if host.node == node and host.domain:
                return f"domain:{host.domain}"
        return f"node:{node}"

    def domains(self) -> tuple[tuple[str, str], ...]:
        """Each node with a rack or chassis, and that domain's name, in host order."""
        return tuple((h.node, h.domain) for h in self.hosts if h.domain)
