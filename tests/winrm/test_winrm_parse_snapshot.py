"""Parsing the snapshot scripts' answers as Windows PowerShell 5.1 writes them: history
events paired into durations, counters, memory, possible owners, and malformed answers."""

from __future__ import annotations

from typing import Any

import pytest

from runner.errors import MalformedOutput
from runner.inventory import InstallRecord, VmPlacement
from runner.winrm.parse_snapshot import parse_cluster_inventory, parse_node_inventory

TICKS = 10_000_000  # FILETIME ticks per second
T0 = 133_800_000_000_000_000  # a FILETIME in 2025
GB = 1024**3
CU = "2023-09 Cumulative Update for Azure Stack HCI (KB5030216)"


def node_doc(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "Node": "node1",
        "MemoryCapacity": 384 * GB,
        "MaximumVirtualMachineMigrations": 2,
        "VirtualMachines": [],
        "WriteRates": [],
        "UpdateEvents": [],
        "RestartEvents": [],
        "Unread": [],
    }
    return {**doc, **fields}


def event(code: int, seconds: float, title: str = CU, guid: str = "a") -> dict[str, Any]:
    return {"Id": code, "Time": T0 + round(seconds * TICKS), "Title": title, "UpdateGuid": guid}


def test_installs_pair_event_43_with_the_next_19_of_the_same_update() -> None:
    """Newest-first events are sorted; each update's start pairs with its own success."""
    events = [
        event(19, 1500, guid="b", title="Servicing Stack Update (KB5030000)"),
        event(19, 1260),
        event(43, 1200, guid="b", title="Servicing Stack Update (KB5030000)"),
        event(43, 60),
    ]
    parsed = parse_node_inventory(node_doc(UpdateEvents=events))
    assert parsed.installs == (
        InstallRecord(title=CU, kb="KB5030216", seconds=1200.0),
        InstallRecord(title="Servicing Stack Update (KB5030000)", kb="KB5030000", seconds=300.0),
    )


def test_an_install_without_a_start_or_longer_than_a_day_measures_nothing() -> None:
    """A lone 19, and a 43 → 19 pair more than a day apart, give no duration."""
    events = [event(19, 10, guid="lonely"), event(43, 0), event(19, 2 * 86_400)]
    assert parse_node_inventory(node_doc(UpdateEvents=events)).installs == ()


def test_restarts_pair_1074_with_the_next_6005() -> None:
    """Restart initiated → event log started is one restart; a boot without 1074 is not."""
    events = [
        {"Id": 6005, "Time": T0 + 600 * TICKS},
        {"Id": 1074, "Time": T0 + 120 * TICKS},
        {"Id": 6005, "Time": T0},  # a boot whose restart is older than the log
    ]
    assert parse_node_inventory(node_doc(RestartEvents=events)).restart_seconds == (480.0,)


def test_memory_vms_and_write_rates() -> None:
    """MemoryCapacity in GB; a running VM's assigned memory, a stopped one's startup."""
    vms = [
        {"Name": "vm1", "State": 2, "MemoryAssigned": 8 * GB, "MemoryStartup": 4 * GB},
        {"Name": "vm2", "State": 3, "MemoryAssigned": 0, "MemoryStartup": 16 * GB},
    ]
    rates = [{"Instance": "C:\\ClusterStorage\\vol01", "BytesPerSecond": 1048576, "Samples": 5}]
    parsed = parse_node_inventory(node_doc(VirtualMachines=vms, WriteRates=rates))
    assert parsed.memory_gb == 384
    assert parsed.max_migrations == 2
    assert [(vm.name, vm.memory_gb, vm.running) for vm in parsed.vms] == [
        ("vm1", 8.0, True),
        ("vm2", 16.0, False),
    ]
    assert parsed.write_rates == (("C:\\ClusterStorage\\vol01", 1048576.0),)


def test_what_the_node_could_not_read_stays_unknown() -> None:
    """No Hyper-V: no memory; an unreadable counter: no write rates (not zero)."""
    unread = ["Get-VMHost: not found", "Get-Counter Cluster CSVFS Write Bytes/sec: no such set"]
    parsed = parse_node_inventory(
        node_doc(MemoryCapacity=0, MaximumVirtualMachineMigrations=0, Unread=unread)
    )
    assert (parsed.memory_gb, parsed.max_migrations, parsed.write_rates) == (None, None, None)
    assert parsed.unread == tuple(unread)


def test_a_lone_object_is_a_list_of_one() -> None:
    """ConvertTo-Json writes a one-element array as the element itself."""
    single = {"Name": "vm1", "State": 2, "MemoryAssigned": GB, "MemoryStartup": GB}
    assert len(parse_node_inventory(node_doc(VirtualMachines=single)).vms) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"MemoryCapacity": "lots"},
        {"UpdateEvents": [{"Id": 19, "Time": "yesterday"}]},
        {"RestartEvents": [{"Id": True, "Time": T0}]},
        {"WriteRates": [{"Instance": "vol01", "BytesPerSecond": -1}]},
        {"VirtualMachines": ["System.Collections.Hashtable"]},
    ],
)
def test_malformed_answers_are_refused(fields: dict[str, Any]) -> None:
    """A value of the wrong type, negative or truncated is MalformedOutput."""
    with pytest.raises(MalformedOutput):
        parse_node_inventory(node_doc(**fields))


def test_possible_owners_tell_whether_a_vm_can_move() -> None:
    """A VM whose only possible owner is its own node cannot be live-migrated."""
    doc = {
        "Cluster": "hci01",
        "VirtualMachines": [
            {"Name": "sql", "OwnerNode": "node1", "PossibleOwners": "node1"},
            {"Name": "web", "OwnerNode": "node1", "PossibleOwners": ["node1", "node2"]},
        ],
    }
    parsed = parse_cluster_inventory(doc)
    assert parsed.cluster == "hci01"
    assert parsed.vms[0] == VmPlacement(name="sql", owner="node1", possible_owners=("node1",))
    assert [vm.movable for vm in parsed.vms] == [False, True]
    assert VmPlacement(name="x", owner="node1").movable  # not read: movable


def test_a_shutdown_is_no_restart() -> None:
    """Event 1074 of type "power off" (a shutdown) does not pair with the next boot."""
    events = [
        {"Id": 1074, "Time": T0, "Kind": "power off"},
        {"Id": 6005, "Time": T0 + 7200 * TICKS},
        {"Id": 1074, "Time": T0 + 9000 * TICKS, "Kind": "restart"},
        {"Id": 6005, "Time": T0 + 9540 * TICKS},
    ]
    assert parse_node_inventory(node_doc(RestartEvents=events)).restart_seconds == (540.0,)
