"""Parsers of the snapshot scripts' answers (``snapshot.ps1``, ``snapshot-node.ps1``).

Owns: ``parse_cluster_inventory`` and ``parse_node_inventory`` — the documents to
``runner.inventory`` value types, pairing a node's history events into durations:
Windows Update Client event 43 (installation started) to the next 19 (installation
successful) of the same update (its GUID, else its title), and event 1074 (a restart
initiated, unless its shutdown type is "power off") to the next 6005 (the event log service
started: the node booted). Events come as
FILETIMEs (100 ns ticks, UTC). A pair longer than a day, or out of order, is no
measurement and is dropped.

Must not: talk to the network or raise anything but ``MalformedOutput``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from runner.inventory import (
    ClusterInventory,
    InstallRecord,
    NodeInventory,
    VmMemory,
    VmPlacement,
    kb_of,
)
from runner.winrm.psjson import MalformedOutput, as_list, as_mapping, reject_truncated

__all__ = ["parse_cluster_inventory", "parse_node_inventory"]

_GB = 1024**3
_TICKS = 10_000_000  # FILETIME ticks per second
_LONGEST = 86_400.0  # a pair of events further apart than a day measures nothing
_INSTALL_STARTED, _INSTALLED = 43, 19
_RESTART_INITIATED, _EVENT_LOG_STARTED = 1074, 6005
_VM_RUNNING = 2  # Hyper-V VMState Running
_POWER_OFF = "power off"  # event 1074's shutdown type of a shutdown (English systems)


def _text(value: Any, what: str) -> str:
    reject_truncated(value, what)
    if value is None:
        return ""
    if isinstance(value, Mapping | list):
        raise MalformedOutput(f"{what} is not text: {value!r:.80}")
    return str(value)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedOutput(f"{what} is not a number: {value!r:.80}")
    if not math.isfinite(value) or value < 0:
        raise MalformedOutput(f"{what} is not a finite non-negative number: {value!r:.80}")
    return float(value)


def parse_cluster_inventory(raw: Any) -> ClusterInventory:
    """snapshot.ps1's answer."""
    doc = as_mapping(raw, "the snapshot")
    vms = []
    for index, item in enumerate(as_list(doc.get("VirtualMachines"), "VirtualMachines")):
        vm = as_mapping(item, f"VirtualMachines[{index}]")
        owners = as_list(vm.get("PossibleOwners"), f"VirtualMachines[{index}].PossibleOwners")
        vms.append(
            VmPlacement(
                name=_text(vm.get("Name"), f"VirtualMachines[{index}].Name"),
                owner=_text(vm.get("OwnerNode"), f"VirtualMachines[{index}].OwnerNode"),
                possible_owners=tuple(_text(o, "a possible owner") for o in owners),
            )
        )
    return ClusterInventory(cluster=_text(doc.get("Cluster"), "Cluster"), vms=tuple(vms))


def _events(raw: Any, what: str) -> list[tuple[int, int, Mapping[str, Any]]]:
    """(time, id, event) sorted by time (the log answers newest first)."""
    events = []
    for index, item in enumerate(as_list(raw, what)):
        event = as_mapping(item, f"{what}[{index}]")
        time, code = event.get("Time"), event.get("Id")
        if isinstance(time, bool) or not isinstance(time, int):
            raise MalformedOutput(f"{what}[{index}].Time is not a FILETIME: {time!r:.80}")
        if isinstance(code, bool) or not isinstance(code, int):
            raise MalformedOutput(f"{what}[{index}].Id is not an event id: {code!r:.80}")
        events.append((time, code, event))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def _seconds(start: int, end: int) -> float | None:
    seconds = (end - start) / _TICKS
    return seconds if 0 < seconds <= _LONGEST else None


def _installs(raw: Any) -> tuple[InstallRecord, ...]:
    started: dict[str, int] = {}
    records = []
    for time, code, event in _events(raw, "UpdateEvents"):
        title = _text(event.get("Title"), "an update event's Title")
        key = _text(event.get("UpdateGuid"), "an update event's UpdateGuid").lower() or title
        if code == _INSTALL_STARTED:
            started[key] = time
        elif code == _INSTALLED and key in started:
            seconds = _seconds(started.pop(key), time)
            if seconds is not None:
                records.append(InstallRecord(title=title, kb=kb_of(title), seconds=seconds))
    return tuple(records)


def _restarts(raw: Any) -> tuple[float, ...]:
    initiated: int | None = None
    durations = []
    for time, code, event in _events(raw, "RestartEvents"):
        kind = _text(event.get("Kind"), "a restart event's Kind").strip().casefold()
        if code == _RESTART_INITIATED:
            # A shutdown ("power off") is no restart: the node stayed off until someone
            # started it. Other languages name the type otherwise; those pairs count.
            initiated = None if kind == _POWER_OFF else time
        elif code == _EVENT_LOG_STARTED and initiated is not None:
            seconds = _seconds(initiated, time)
            if seconds is not None:
                durations.append(seconds)
            initiated = None
    return tuple(durations)


def _vm(raw: Any, index: int) -> VmMemory:
    vm = as_mapping(raw, f"VirtualMachines[{index}]")
    running = vm.get("State") == _VM_RUNNING
    assigned = _number(vm.get("MemoryAssigned") or 0, "MemoryAssigned")
    startup = _number(vm.get("MemoryStartup") or 0, "MemoryStartup")
    held = assigned if running and assigned > 0 else startup
    return VmMemory(
        name=_text(vm.get("Name"), f"VirtualMachines[{index}].Name"),
        memory_gb=held / _GB,
        running=running,
    )


def _rate(raw: Any, index: int) -> tuple[str, float]:
    rate = as_mapping(raw, f"WriteRates[{index}]")
    return (
        _text(rate.get("Instance"), f"WriteRates[{index}].Instance"),
        _number(rate.get("BytesPerSecond"), f"WriteRates[{index}].BytesPerSecond"),
    )


def parse_node_inventory(raw: Any) -> NodeInventory:
    """snapshot-node.ps1's answer."""
    doc = as_mapping(raw, "the node snapshot")
    unread = tuple(_text(u, "an Unread entry") for u in as_list(doc.get("Unread"), "Unread"))
    memory = _number(doc.get("MemoryCapacity") or 0, "MemoryCapacity")
    migrations = _number(doc.get("MaximumVirtualMachineMigrations") or 0, "migrations")
    rates: tuple[tuple[str, float], ...] | None = None
    if not any(u.startswith("Get-Counter") for u in unread):
        rates = tuple(
            _rate(item, i) for i, item in enumerate(as_list(doc.get("WriteRates"), "WriteRates"))
        )
    vms = as_list(doc.get("VirtualMachines"), "VirtualMachines")
    return NodeInventory(
        name=_text(doc.get("Node"), "Node"),
        memory_gb=memory / _GB if memory > 0 else None,
        max_migrations=int(migrations) if migrations >= 1 else None,
        vms=tuple(_vm(vm, index) for index, vm in enumerate(vms)),
        write_rates=rates,
        installs=_installs(doc.get("UpdateEvents")),
        restart_seconds=_restarts(doc.get("RestartEvents")),
        unread=unread,
    )
