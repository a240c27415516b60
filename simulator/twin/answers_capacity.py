"""The twin's answer to capacity-facts.ps1 (the fast policy, issue 12).

Owns: ``capacity_facts_answer`` — ONE ``read_capacity_facts`` call of the world's transport,
answered as the real script writes it (memory in bytes, each host's rack or chassis or "",
roles with placement rules only).

Must not: touch the world except through its transport; hold state of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.transport import ClusterTransport

__all__ = ["capacity_facts_answer"]

Answer = tuple[Mapping[str, Any], bool]
_GB = 1024**3


def capacity_facts_answer(transport: ClusterTransport) -> Callable[[Mapping[str, Any]], Answer]:
    """The handler of ``ScriptName.CAPACITY_FACTS`` for ``TwinAnswers``."""

    def answer(args: Mapping[str, Any]) -> Answer:
        facts = transport.read_capacity_facts()
        hosts = [
            {"Node": h.node, "MemoryCapacity": round(h.memory_gb * _GB), "Domain": h.domain}
            for h in facts.hosts
        ]
        roles = [
            {
                "Name": r.role,
                "AntiAffinityClassNames": list(r.anti_affinity),
                "PossibleOwners": list(r.possible_owners),
            }
            for r in facts.roles
        ]
        return {"Hosts": hosts, "Roles": roles}, False

    return answer
