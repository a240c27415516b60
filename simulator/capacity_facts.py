"""What the simulated cluster answers to ``read_capacity_facts`` (the fast policy's sizing).

Owns: ``capacity_facts`` — each node's memory for VMs as the scenario gives it
(``nodes[].memory_gb``, the memory the world's placement fills). The simulated clusters
declare no anti-affinity classes or possible owners, so no role has placement rules.

Must not: touch SimPy or the world's state; read anything but the scenario.
"""

from __future__ import annotations

from runner.capacity_types import CapacityFacts, HostMemory
from simulator.model import Scenario

__all__ = ["capacity_facts"]


def capacity_facts(scenario: Scenario) -> CapacityFacts:
    """The scenario's hosts' memory (GB), in node order."""
    hosts = tuple(
        HostMemory(node=node.name, memory_gb=float(node.memory_gb))
        for node in scenario.cluster.nodes
    )
    return CapacityFacts(hosts=hosts)
