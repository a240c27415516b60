"""The fast policy's capacity facts over WinRM (issue 12).

Owns: ``CapacityOps`` — ``read_capacity_facts`` (``scripts/capacity-facts.ps1``, a read on
the cluster endpoint): each node's memory for VMs and the roles' anti-affinity classes and
possible owners, parsed by ``runner.winrm.parse_capacity``.

Must not: decide anything about the run, sleep, or let a secret into a message.
"""

from __future__ import annotations

from runner.capacity_types import CapacityFacts
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_capacity import parse_capacity_facts

__all__ = ["CapacityOps"]


class CapacityOps(WinRMEndpoints):
    """The fast policy's part of the transport contract."""

    def read_capacity_facts(self) -> CapacityFacts:
        document = self._read_cluster(ScriptName.CAPACITY_FACTS, {})
        return self._parsed(ScriptName.CAPACITY_FACTS, parse_capacity_facts, document)
