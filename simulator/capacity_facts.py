"""What the simulated cluster answers to ``read_capacity_facts`` (the fast policy's sizing).

Owns: ``capacity_facts`` — each node's memory for VMs as the scenario gives it
(``nodes[].memory_gb``, the memory the world's placement fills) and its rack or chassis
(``cluster.fault_domains``; none declared: no node names one). The simulated clusters
declare no anti-affinity classes or possible owners, so no role has placement rules.

Must not: touch SimPy or the world's state; read anything but the scenario.
"""

from __future__ import annotations

from runner.capacity_types import CapacityFacts, HostMemory
from simulator.model import Scenario

__all__ = ["capacity_facts"]


def capacity_facts(scenario: Scenario) -> CapacityFacts:
    """The scenario's hosts' memory (GB) and rack or chassis, in node order."""
    domains = scenario.cluster.fault_domains
    domain_of = domains.domain_of if domains is not None else {}
    hosts = tuple(
        HostMemory(
            node=node.name, memory_gb=float(node.memory_gb), domain=domain_of.get(node.name, "")
        )
        for node in scenario.cluster.nodes
    )
    return CapacityFacts(hosts=hosts)
