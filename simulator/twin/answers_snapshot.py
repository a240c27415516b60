"""The twin's answers to ``pycau snapshot``'s scripts, from its simulated world.

Owns: ``cluster_snapshot`` (snapshot.ps1: each VM role's possible owners — only its own
node when the scenario makes it unmovable, else every node) and ``node_snapshot``
(snapshot-node.ps1 on one node: Get-VMHost's memory and migrations, its VMs' memory, the
CSVFS write-rate counters, and a System log history). The history is derived from the
scenario so that a snapshot can recover its figures: for every update offered to the node,
one earlier install of the same series (the title with the month before, when it starts
with one) that took the update's ``install_minutes`` (event 43 → 19), and two restarts that
took the node's ``boot_minutes`` (event 1074 → 6005). Each node's counters carry an equal
share of each volume's ``write_mb_s``, so the nodes' sum is the volume's rate.

Must not: change the world, or read anything but the scenario, the world's current view
(VM owners, node states) and its clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from runner.errors import NodeUnreachable, RemoteCommandFailed
from runner.remote_protocol import ScriptName
from runner.transport import ClusterTransport
from runner.types import ClusterView, NodeState
from simulator.model import Scenario, UpdateSpec
from simulator.transport import SimTransport

__all__ = ["cluster_snapshot", "node_snapshot", "snapshot_handlers"]

_GB = 1024**3
_MB = 1024**2
_TICKS = 10_000_000  # FILETIME ticks per second
_DAY = 86_400 * _TICKS
# The history ends a month before the twin's calendar starts (simulator.twin.answers).
_HISTORY_END = (
    int(
        (datetime(2025, 12, 9, 2, 0, tzinfo=UTC) - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds()
    )
    * _TICKS
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})(\s)")
_RUNNING = 2  # Hyper-V VMState Running
_VIRTUAL_MACHINE = "VirtualMachine"


def _earlier(title: str) -> str:
    """Last month's edition of an update's title ("2023-10 …" → "2023-09 …")."""
    found = _MONTH.match(title)
    if not found:
        return title
    year, month = int(found.group(1)), int(found.group(2))
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}{found.group(3)}{title[found.end() :]}"


def _offered_to(update: UpdateSpec, node: str) -> bool:
    return update.nodes is None or node in update.nodes


def cluster_snapshot(scenario: Scenario, view: ClusterView) -> Mapping[str, Any]:
    """What snapshot.ps1 writes for the world now."""
    movable = {vm.name: vm.movable for vm in scenario.cluster.vms}
    every = [n.name for n in view.nodes]
    vms = [
        {
            "Name": role.name,
            "OwnerNode": role.owner,
            "PossibleOwners": every if movable.get(role.name, True) else [role.owner],
        }
        for role in view.roles
        if role.kind == _VIRTUAL_MACHINE
    ]
    return {"Cluster": view.cluster, "VirtualMachines": vms}


def _update_events(scenario: Scenario, node: str) -> list[dict[str, Any]]:
    events = []
    for index, update in enumerate(u for u in scenario.updates if _offered_to(u, node)):
        end = _HISTORY_END - index * _DAY
        start = end - round(update.install_minutes * 60 * _TICKS)
        title = _earlier(update.title)
        guid = f"00000000-0000-4000-8000-{index:012d}"
        for code, time in ((19, end), (43, start)):
            events.append({"Id": code, "Time": time, "Title": title, "UpdateGuid": guid})
    return events


def _restart_events(boot_minutes: float) -> list[dict[str, Any]]:
    events = []
    for month in (1, 2):
        booted = _HISTORY_END - month * 30 * _DAY
        initiated = booted - round(boot_minutes * 60 * _TICKS)
        events += [
            {"Id": 6005, "Time": booted, "Kind": ""},
            {"Id": 1074, "Time": initiated, "Kind": "restart"},
        ]
    return events


def node_snapshot(scenario: Scenario, view: ClusterView, node: str) -> Mapping[str, Any]:
    """What snapshot-node.ps1 writes on ``node`` (which is up) for the world now."""
    spec = {n.name: n for n in scenario.cluster.nodes}[node]
    memory = {vm.name: vm.memory_gb for vm in scenario.cluster.vms}
    vms = [
        {
            "Name": role.name,
            "State": _RUNNING,
            "MemoryAssigned": round(memory.get(role.name, 0) * _GB),
            "MemoryStartup": round(memory.get(role.name, 0) * _GB),
        }
        for role in view.roles
        if role.kind == _VIRTUAL_MACHINE and role.owner == node
    ]
    up = [n for n in view.nodes if n.state is not NodeState.DOWN]
    storage = scenario.cluster.storage
    rates = [
        {
            "Instance": f"C:\\ClusterStorage\\{volume.name}",
            "BytesPerSecond": volume.write_mb_s * _MB / len(up),
            "Samples": 5,
        }
        for volume in (storage.volumes if storage is not None else ())
    ]
    return {
        "Node": node,
        "MemoryCapacity": round(spec.memory_gb * _GB),
        "MaximumVirtualMachineMigrations": scenario.cluster.max_parallel_migrations,
        "VirtualMachines": vms,
        "WriteRates": rates,
        "UpdateEvents": _update_events(scenario, node),
        "RestartEvents": _restart_events(spec.boot_minutes),
        "Unread": [],
    }


Handler = Callable[[Mapping[str, Any]], tuple[Mapping[str, Any], bool]]


def snapshot_handlers(transport: ClusterTransport) -> dict[ScriptName, Handler]:
    """The twin's handlers of the two snapshot scripts (``TwinAnswers``' table): the world
    is ``transport``'s, a ``SimTransport``'s; the node script of a node that is Down raises
    ``NodeUnreachable`` (its connection is cut, as a node that is away cuts it)."""

    def scenario() -> Scenario:
        if not isinstance(transport, SimTransport):
            raise RemoteCommandFailed("snapshot", "the twin serves no simulated world")
        return transport.world.scenario

    def cluster(args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        return cluster_snapshot(scenario(), transport.observe()), False

    def node(args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        name, view = str(args["Node"]), transport.observe()
        states = {n.name: n.state for n in view.nodes}
        if name not in states:
            raise RemoteCommandFailed("snapshot-node", f"no node named {name} in the cluster")
        if states[name] is NodeState.DOWN:
            raise NodeUnreachable(name)
        return node_snapshot(scenario(), view, name), False

    return {ScriptName.SNAPSHOT: cluster, ScriptName.SNAPSHOT_NODE: node}
