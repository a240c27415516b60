"""The scenario a snapshot becomes (``runner.snapshot_scenario``): where each figure comes
from, what is listed as not read, and text that ``pycau simulate`` loads."""

from __future__ import annotations

from dataclasses import replace

import yaml

from runner.inventory import (
    ClusterInventory,
    InstallRecord,
    NodeInventory,
    VmMemory,
    VmPlacement,
)
from runner.snapshot_scenario import render, series_of, snapshot_document
from runner.types import (
    ClusterView,
    NodeState,
    NodeView,
    Resiliency,
    RoleView,
    UpdateInfo,
    VirtualDiskView,
    WitnessType,
    WitnessView,
)
from simulator.scenario import parse_scenario

CU = UpdateInfo(id="KB5031364", title="2023-10 Cumulative Update for Azure Stack HCI")
VIEW = ClusterView(
    cluster="hci01",
    taken_at=0.0,
    nodes=(
        NodeView(name="n1", state=NodeState.UP, os_build="20348.2031", version="21H2"),
        NodeView(name="n2", state=NodeState.UP, os_build="20349.1129", version="22H2"),
        NodeView(name="n3", state=NodeState.DOWN, os_build="20348.2031", version="21H2"),
    ),
    witness=WitnessView(type=WitnessType.CLOUD, online=True),
    s2d_enabled=True,
    roles=(
        RoleView(name="vm1", owner="n1", memory_gb=0),
        RoleView(name="vm2", owner="n2"),
        RoleView(name="fs1", owner="n2", kind="FileServer"),
    ),
    virtual_disks=(
        VirtualDiskView(name="vol01", resiliency=Resiliency.TWO_WAY_MIRROR, size_gb=2048),
        VirtualDiskView(name="vol02", resiliency=Resiliency.TWO_WAY_MIRROR, size_gb=1024),
    ),
)
N1 = NodeInventory(
    name="n1",
    memory_gb=256,
    max_migrations=4,
    vms=(VmMemory(name="vm1", memory_gb=32),),
    write_rates=(("C:\\ClusterStorage\\vol01", 10 * 1024**2),),
    installs=(
        InstallRecord(title="2023-09 Cumulative Update for Azure Stack HCI (KB5030216)",
                      kb="KB5030216", seconds=1500),
        InstallRecord(title="2023-08 Cumulative Update for Azure Stack HCI (KB5029250)",
                      kb="KB5029250", seconds=1380),
    ),
    restart_seconds=(600, 540, 720),
)  # fmt: skip
N2 = NodeInventory(
    name="n2",
    memory_gb=128,
    max_migrations=2,
    write_rates=(("vol01", 5 * 1024**2),),
    installs=(InstallRecord(title="Cumulative Update (KB5030216)", kb="KB5030216", seconds=900),),
)
OFFERED = {"n1": (CU, UpdateInfo(id="KB1", title="Driver", kind="Drivers")), "n2": (CU,)}
CLUSTER = ClusterInventory(
    cluster="hci01", vms=(VmPlacement(name="vm2", owner="n2", possible_owners=("n2",)),)
)


def build() -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    return snapshot_document(VIEW, CLUSTER, {"n1": N1, "n2": N2}, OFFERED, {})


def test_series_ignores_the_month_and_the_kb() -> None:
    """Last month's cumulative update is the same series as this month's."""
    assert series_of("2023-10 Cumulative Update for X (KB5031364)") == series_of(
        "2023-09 Cumulative update for X (KB 5030216)"
    )
    assert series_of("KB5031364") == ""


def test_nodes_take_their_memory_restart_median_build_and_state() -> None:
    """Memory from Get-VMHost, boot the median restart, a Down node offline; versions kept."""
    document, notes = build()
    nodes = document["cluster"]["nodes"]
    assert nodes[0] == {
        "name": "n1",
        "memory_gb": 256,
        "boot_minutes": 10,
        "os_build": "20348.2031",
    }
    assert nodes[1]["version"] == "22H2"  # newer than the cluster's 21H2
    assert document["cluster"]["version"] == "21H2"
    assert nodes[2] == {"name": "n3", "os_build": "20348.2031", "online": False}
    assert any(n.startswith("restart time of n2") for n in notes)
    assert any(n.startswith("n3 (it is Down)") for n in notes)


def test_install_time_is_the_median_of_the_same_kb_or_series_else_a_note() -> None:
    """KB5031364 has no install of itself: its series' installs (1500 s, 1380 s, and n2's
    900 s has another series) give 24 min; the driver has no history: a note."""
    document, notes = build()
    updates = {u["id"]: u for u in document["updates"]}
    assert updates["KB5031364"]["install_minutes"] == 24
    assert "nodes" not in updates["KB5031364"]  # every scanned node is offered it
    assert updates["KB1"]["nodes"] == ["n1"]
    assert "install_minutes" not in updates["KB1"]
    assert any(n.startswith("install time of KB1") for n in notes)
    assert any(n.startswith("kind of KB1 ('Drivers')") for n in notes)


def test_an_install_of_the_same_kb_wins_over_the_series() -> None:
    """An update another node already installed takes that install's time."""
    done = InstallRecord(title=CU.title + " (KB5031364)", kb="KB5031364", seconds=3000)
    n2 = NodeInventory(name="n2", installs=(done,))
    document, _ = snapshot_document(VIEW, CLUSTER, {"n1": N1, "n2": n2}, OFFERED, {})
    assert document["updates"][0]["install_minutes"] == 50


def test_vms_volumes_and_their_notes() -> None:
    """VM memory from its host, unmovable from its possible owners, a file server noted;
    a volume's rate is the nodes' sum, a volume without a counter keeps the default."""
    document, notes = build()
    assert document["cluster"]["workloads"]["vms"] == [
        {"name": "vm1", "owner": "n1", "memory_gb": 32},
        {"name": "vm2", "owner": "n2", "movable": False},
    ]
    assert document["cluster"]["storage"]["volumes"] == [
        {"name": "vol01", "resiliency": "two-way-mirror", "size_gb": 2048, "write_mb_s": 15},
        {"name": "vol02", "resiliency": "two-way-mirror", "size_gb": 1024},
    ]
    assert document["cluster"]["max_parallel_migrations"] == 2
    for start in ("memory of VM vm2", "role fs1 (FileServer)", "write rate of vol02",
                  "max_parallel_migrations differs", "repair_mb_s"):  # fmt: skip
        assert any(n.startswith(start) for n in notes), start


def test_scan_and_node_errors_are_listed() -> None:
    """A node whose scan or own part failed is named with the reason."""
    _, notes = snapshot_document(
        VIEW, None, {"n1": N1}, {"n1": (CU,)}, {"n2": "OperationTimedOut"},
        {"n2": "not read: NodeUnreachable"},
    )  # fmt: skip
    assert any(n.startswith("the updates offered to n2 (OperationTimedOut)") for n in notes)
    assert any(n.startswith("n2 (not read: NodeUnreachable)") for n in notes)
    assert any(n.startswith("the VMs' possible owners") for n in notes)


def test_the_text_lists_every_note_and_loads_as_a_scenario() -> None:
    """Each note is a `# not read:` line; the YAML validates and resolves."""
    document, notes = build()
    text = render(document, notes)
    assert [line[len("# not read: "):] for line in text.splitlines()
            if line.startswith("# not read: ")] == notes  # fmt: skip
    scenario = parse_scenario(yaml.safe_load(text), "<snapshot>")
    assert scenario.cluster.node_names == ("n1", "n2", "n3")
    assert render(*build()) == text  # the same reads give the same text


def test_a_vm_owned_by_a_down_node_is_left_out_and_a_windows_server_build_loads() -> None:
    """A scenario's offline node hosts no VM, so such a VM is noted, not written; a Windows
    Server 2019 build (no Azure Stack HCI version) still makes a scenario."""
    nodes = (
        NodeView(name="n1", state=NodeState.UP, os_build="17763.5122"),
        NodeView(name="n2", state=NodeState.DOWN, os_build="17763.5122"),
    )
    roles = (RoleView(name="vm1", owner="n2"), RoleView(name="vm2", owner="n1"))
    san = ClusterView(cluster="ws2019", taken_at=0.0, nodes=nodes, roles=roles)
    document, notes = snapshot_document(san, None, {}, {"n1": (CU,)}, {})
    assert [vm["name"] for vm in document["cluster"]["workloads"]["vms"]] == ["vm2"]
    assert "VM vm1: its owner n2 is Down; left out" in notes
    assert "version" not in document["cluster"]
    scenario = parse_scenario(yaml.safe_load(render(document, notes)), "<snapshot>")
    assert [n.os_build for n in scenario.cluster.nodes] == ["17763.5122", "17763.5122"]


def test_the_soft_reboot_property_is_written_and_the_new_keys_are_noted() -> None:
    """CauEnableSoftReboot from the observation becomes cau_enable_soft_reboot; scan time,
    Remote Shutdown rules, space settle time and sites are listed as not read."""
    view = replace(VIEW, soft_reboot_property=True)
    document, notes = snapshot_document(view, CLUSTER, {"n1": N1, "n2": N2}, OFFERED, {})
    assert document["cluster"]["cau_enable_soft_reboot"] is True
    assert "cau_enable_soft_reboot" not in build()[0]["cluster"]
    for start in ("scan_minutes", "remote_shutdown", "space_settle_minutes", "sites"):
        assert any(n.startswith(start) for n in notes), start
    scenario = parse_scenario(yaml.safe_load(render(document, notes)), "<snapshot>")
    assert scenario.cluster.cau_enable_soft_reboot
