"""Parser of ``scripts/capacity-facts.ps1``'s answer into the contract's ``CapacityFacts``.

Owns: ``parse_capacity_facts`` — ``{"Hosts": [{"Node", "MemoryCapacity" (bytes), "Domain"
(the node's rack or chassis fault domain; "" or absent: none)}],
"Roles": [{"Name", "AntiAffinityClassNames", "PossibleOwners"}]}`` (a one-element list may
arrive unwrapped, as PowerShell 5.1 writes it) into node memory in GB and the roles'
placement rules.

Must not: talk to the network or raise anything but ``MalformedOutput``.
"""

from __future__ import annotations

from typing import Any

from runner.capacity_types import CapacityFacts, HostMemory, RolePlacement
from runner.winrm.psjson import MalformedOutput, as_list, as_mapping

__all__ = ["parse_capacity_facts"]

_GB = 1024**3


def _names(value: Any, what: str) -> tuple[str, ...]:
    names = as_list(value, what)
    if not all(isinstance(name, str) and name for name in names):
        raise MalformedOutput(f"{what} holds something that is not a name")
    return tuple(names)


def parse_capacity_facts(raw: Any) -> CapacityFacts:
    """capacity-facts.ps1's answer (see module docstring)."""
    doc = as_mapping(raw, "the capacity facts")
    hosts = []
    for entry in as_list(doc.get("Hosts"), "Hosts"):
        item = as_mapping(entry, "a host's memory")
        node, memory = item.get("Node"), item.get("MemoryCapacity")
        if not isinstance(node, str) or not node or not isinstance(memory, int | float):
            raise MalformedOutput("a host's memory needs a Node name and a MemoryCapacity number")
        domain = item.get("Domain") or ""
        if not isinstance(domain, str):
            raise MalformedOutput("a host's Domain is not a name")
        gb = max(float(memory), 0.0) / _GB
        hosts.append(HostMemory(node=node, memory_gb=gb, domain=domain))
    roles = []
    for entry in as_list(doc.get("Roles"), "Roles"):
        item = as_mapping(entry, "a role's placement")
        name = item.get("Name")
        if not isinstance(name, str) or not name:
            raise MalformedOutput("a role's placement needs a Name")
        roles.append(
            RolePlacement(
                role=name,
                anti_affinity=_names(item.get("AntiAffinityClassNames"), "AntiAffinityClassNames"),
                possible_owners=_names(item.get("PossibleOwners"), "PossibleOwners"),
            )
        )
    return CapacityFacts(hosts=tuple(hosts), roles=tuple(roles))
