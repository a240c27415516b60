"""What ``pycau snapshot`` reads of a cluster beyond one observation: value types.

Owns: ``ClusterInventory`` (the cluster's part: each VM role's possible owners) and
``NodeInventory`` (one node's part: memory for VMs, simultaneous live migrations, its VMs'
memory, the CSV write rates it sees, and durations from its own history — Windows Update
installs and restarts), with ``VmMemory``, ``VmPlacement`` and ``InstallRecord``. A figure
that could not be read is ``None`` (or absent) and the reason is in ``unread``: the
scenario writer (``runner.snapshot_scenario``) lists it as a ``# not read:`` comment.

Must not: do I/O, parse script answers (``runner.winrm.parse_snapshot`` does) or decide
what a scenario says (``runner.snapshot_scenario`` does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ClusterInventory",
    "InstallRecord",
    "NodeInventory",
    "VmMemory",
    "VmPlacement",
    "kb_of",
]

_KB = re.compile(r"\bKB\s?(\d{4,8})\b", re.IGNORECASE)


def kb_of(text: str) -> str:
    """The KB article a title or id names ("KB5031364"), "" when none."""
    found = _KB.search(text)
    return f"KB{found.group(1)}" if found else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VmPlacement:
    """A VM role and the nodes its Virtual Machine resource may run on (empty: not read)."""

    name: str
    owner: str
    possible_owners: tuple[str, ...] = ()

    @property
    def movable(self) -> bool:
        """Live migration has somewhere to go: a possible owner other than its owner."""
        return not self.possible_owners or any(n != self.owner for n in self.possible_owners)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterInventory:
    """The cluster's part of a snapshot (snapshot.ps1)."""

    cluster: str
    vms: tuple[VmPlacement, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VmMemory:
    """A VM as its host reports it: the memory it holds (assigned while running, else its
    startup memory), GB."""

    name: str
    memory_gb: float
    running: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallRecord:
    """One install from a node's history: Windows Update Client event 43 (started) to 19
    (installed) for the same update."""

    title: str
    kb: str  # "KB5031364", "" when the title names none
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeInventory:
    """One node's part of a snapshot (snapshot-node.ps1)."""

    name: str
    memory_gb: float | None = None  # Get-VMHost MemoryCapacity
    max_migrations: int | None = None  # Get-VMHost MaximumVirtualMachineMigrations
    vms: tuple[VmMemory, ...] = ()
    # CSVFS instance → mean bytes written per second from this node; None: not read
    write_rates: tuple[tuple[str, float], ...] | None = None
    installs: tuple[InstallRecord, ...] = ()
    restart_seconds: tuple[float, ...] = ()  # event 1074 → the next 6005
    unread: tuple[str, ...] = ()
