"""Scenario files resolve into the model: bundled files, conveniences and CAU's defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.profile import Profile
from runner.types import FailbackMode, Resiliency, WitnessType
from simulator.model import Expect, NodeSpec
from simulator.scenario import EVERY_ATTEMPT, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
REQUIRED = {
    "four-node-rolling",
    "two-node-cloud-witness",
    "eight-node-three-way-mirror",
    "sixteen-node-400-vms",
    "sixty-four-node-san",
    "fault-install-failure",
    "fault-boot-hang",
    "fault-drain-failure",
    "fault-node-crash",
    "fault-script-failure",
    "max-failed-nodes",
}


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "t", "cluster": {"name": "c", "nodes": {"count": 3}}}
    data.update(overrides)
    return data


def with_cluster(**cluster: Any) -> dict[str, Any]:
    return minimal(cluster={"name": "c", **cluster})


def test_every_required_scenario_is_bundled() -> None:
    """The foundation's scenarios all exist under scenarios/."""
    assert {p.stem for p in BUNDLED} >= REQUIRED


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_loads_with_name_description_seed_and_expect(path: Path) -> None:
    """Each bundled file validates, is named after its file and states seed and expect."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description
    assert {"seed", "expect"} <= raw.keys()
    assert scenario.source == str(path)
    Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)


def test_default_scenario_is_four_nodes_cloud_witness_two_way_mirror_multi_pass() -> None:
    """The default scenario has the shape the brief fixes."""
    s = load_scenario(SCENARIOS / "four-node-rolling.yaml")
    assert s.cluster.node_names == ("node1", "node2", "node3", "node4")
    assert s.cluster.witness is WitnessType.CLOUD
    assert s.cluster.storage is not None
    assert [v.name for v in s.cluster.storage.volumes] == ["vol01", "vol02"]
    assert {v.resiliency for v in s.cluster.storage.volumes} == {Resiliency.TWO_WAY_MIRROR}
    assert len(s.cluster.vms) == 24
    assert {vm.memory_gb for vm in s.cluster.vms} == {16}
    first, second = s.updates
    assert first.restart
    assert second.after == first.id
    assert s.expect.status == "Succeeded"


def test_sixty_four_node_scenario_is_san_backed_with_file_share_witness() -> None:
    """No storage block means no S2D; 2,000 VMs spread over 64 nodes."""
    s = load_scenario(SCENARIOS / "sixty-four-node-san.yaml")
    assert s.cluster.storage is None
    assert s.cluster.witness is WitnessType.FILE_SHARE
    assert len(s.cluster.nodes) == 64
    assert len(s.cluster.vms) == 2000
    assert s.cluster.vms[0].name == "vm0001"
    assert s.cluster.vms[-1].name == "vm2000"


def test_loading_twice_gives_equal_scenarios() -> None:
    """Resolution is deterministic: same file, same scenario."""
    path = SCENARIOS / "sixteen-node-400-vms.yaml"
    assert load_scenario(path) == load_scenario(path)


def test_minimal_scenario_takes_model_and_cau_defaults() -> None:
    """Omitted settings take the model's defaults and the profile CAU's."""
    s = parse_scenario(minimal(), "t.yaml")
    assert s.cluster.nodes[0] == NodeSpec(name="node1")
    assert s.cluster.witness is WitnessType.NONE
    assert s.cluster.storage is None
    assert s.cluster.vms == ()
    assert s.seed == 0
    assert s.updates == ()
    assert s.faults == ()
    assert s.expect == Expect()
    assert s.expect.status == "Succeeded"
    assert s.expect.invariants_hold
    profile = Profile.from_mapping(s.profile).resolved(s.cluster.node_names)
    assert profile.max_retries_per_node == 3
    assert profile.max_failed_nodes == 1  # floor(3 / 3)
    assert profile.reboot_timeout_minutes == 15
    assert profile.failback_mode is FailbackMode.IMMEDIATE
    assert profile.require_all_nodes_online is False
    assert profile.node_order == ()


def test_nodes_by_names_with_shared_settings_and_offline_list() -> None:
    """names: [...] keeps declaration order; offline nodes start Down; settings are shared."""
    s = parse_scenario(
        with_cluster(nodes={"names": ["hv-b", "hv-a"], "memory_gb": 256, "offline": ["hv-a"]})
    )
    assert s.cluster.node_names == ("hv-b", "hv-a")
    assert [n.online for n in s.cluster.nodes] == [True, False]
    assert {n.memory_gb for n in s.cluster.nodes} == {256}


def test_nodes_as_list_of_objects() -> None:
    """A list of per-node objects sets each node on its own."""
    s = parse_scenario(
        with_cluster(
            nodes=[
                {"name": "n1", "boot_minutes": 20, "os_build": "17763.5122"},
                {"name": "n2", "online": False, "vote": 0},
            ]
        )
    )
    n1, n2 = s.cluster.nodes
    assert (n1.boot_minutes, n1.os_build, n1.online) == (20, "17763.5122", True)
    assert (n2.online, n2.vote) == (False, 0)


def test_vms_round_robin_over_online_nodes_in_declaration_order() -> None:
    """Unplaced VMs go round-robin over online nodes; offline nodes host none."""
    s = parse_scenario(
        with_cluster(nodes={"count": 3, "offline": ["node2"]}, workloads={"vms": {"count": 5}})
    )
    assert [(vm.name, vm.owner) for vm in s.cluster.vms] == [
        ("vm01", "node1"),
        ("vm02", "node3"),
        ("vm03", "node1"),
        ("vm04", "node3"),
        ("vm05", "node1"),
    ]


def test_placement_fixes_named_nodes_and_spreads_the_rest_elsewhere() -> None:
    """placement gives named nodes exactly that many VMs (0 keeps one empty)."""
    vms = {"count": 6, "memory_gb": 8, "placement": {"node3": 4, "node1": 0}, "unmovable": ["vm02"]}
    s = parse_scenario(with_cluster(nodes={"count": 3}, workloads={"vms": vms}))
    owners = [vm.owner for vm in s.cluster.vms]
    assert owners.count("node3") == 4
    assert owners.count("node1") == 0
    assert owners.count("node2") == 2
    assert [vm.name for vm in s.cluster.vms if not vm.movable] == ["vm02"]
    assert {vm.memory_gb for vm in s.cluster.vms} == {8}


def test_vms_as_list_of_objects() -> None:
    """A list of VMs names each owner (as `pycau snapshot` would write it)."""
    vms = [{"name": "sql01", "owner": "node2", "memory_gb": 64, "movable": False}]
    s = parse_scenario(with_cluster(nodes={"count": 2}, workloads={"vms": vms}))
    (vm,) = s.cluster.vms
    assert (vm.name, vm.owner, vm.memory_gb, vm.movable) == ("sql01", "node2", 64, False)


def test_volumes_by_count_and_by_list() -> None:
    """volumes: {count: N} names them vol01..; a list names each one."""
    by_count = parse_scenario(
        with_cluster(
            nodes={"count": 3}, storage={"volumes": {"count": 3, "resiliency": "three-way-mirror"}}
        )
    )
    assert by_count.cluster.storage is not None
    assert [v.name for v in by_count.cluster.storage.volumes] == ["vol01", "vol02", "vol03"]
    listed = parse_scenario(
        with_cluster(
            nodes={"count": 4},
            storage={
                "repair_mb_s": 250,
                "volumes": [{"name": "Infrastructure_1", "resiliency": "dual-parity"}],
            },
        )
    )
    assert listed.cluster.storage is not None
    assert listed.cluster.storage.repair_mb_s == 250
    assert listed.cluster.storage.volumes[0].resiliency is Resiliency.DUAL_PARITY


def test_update_defaults_and_firmware_kind() -> None:
    """title defaults to the id; kind firmware implies firmware (no soft reboot)."""
    s = parse_scenario(
        minimal(updates=[{"id": "KB1"}, {"id": "BIOS-2.1", "kind": "firmware", "nodes": ["node1"]}])
    )
    plain, bios = s.updates
    assert (plain.title, plain.kind, plain.restart, plain.firmware, plain.nodes) == (
        "KB1",
        "quality",
        True,
        False,
        None,
    )
    assert bios.firmware is True
    assert bios.nodes == ("node1",)


def test_fault_defaults_per_type() -> None:
    """attempts default 1; drain-failure without attempts fails every attempt."""
    faults = [
        {"type": "install-failure", "node": "node1"},
        {"type": "drain-failure", "node": "node2"},
        {"type": "node-crash", "node": "node3", "at_minute": 0},
        {"type": "boot-hang", "node": "node1"},
    ]
    install, drain, crash, hang = parse_scenario(minimal(faults=faults)).faults
    assert (install.attempts, install.hresult) == (1, "0x80240022")
    assert drain.attempts == EVERY_ATTEMPT
    assert (crash.at_minute, crash.down_minutes) == (0, None)
    assert (hang.type, hang.node) == ("boot-hang", "node1")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("0x8024001e", "0x8024001E"), (0x80240022, "0x80240022"), (-2145124318, "0x80240022")],
)
def test_hresult_is_canonical_whether_quoted_or_not(written: object, canonical: str) -> None:
    """YAML reads unquoted 0x80240022 as a number; both spellings give one HRESULT."""
    fault = {"type": "install-failure", "node": "node1", "hresult": written}
    assert parse_scenario(minimal(faults=[fault])).faults[0].hresult == canonical


def test_install_failure_of_one_update() -> None:
    """install-failure with update: only that update fails (params.update)."""
    fault = {"type": "install-failure", "node": "node2", "update": "KB2", "attempts": 2}
    s = parse_scenario(minimal(updates=[{"id": "KB1"}, {"id": "KB2"}], faults=[fault]))
    assert dict(s.faults[0].params) == {"update": "KB2"}
    assert s.faults[0].attempts == 2


def test_script_failure_and_scripts_block() -> None:
    """script-failure names pre or post; scripts sets how long they run."""
    s = parse_scenario(
        minimal(
            faults=[{"type": "script-failure", "node": "node2", "script": "post", "attempts": 2}],
            scripts={"pre_minutes": 3},
            profile={"post_update_script": r"\\fs01\cau\post.ps1"},
        )
    )
    assert (s.faults[0].script, s.faults[0].attempts) == ("post", 2)
    assert (s.scripts.pre_minutes, s.scripts.post_minutes) == (3, 1)


def test_expect_block_resolves_and_null_status_is_unchecked() -> None:
    """expect carries status, error_id, node statuses; status null means not checked."""
    s = parse_scenario(
        minimal(
            expect={
                "status": "Failed",
                "error_id": "MaxFailedNodesExceeded",
                "nodes": {"node2": "Failed"},
            }
        )
    )
    assert (s.expect.status, s.expect.error_id) == ("Failed", "MaxFailedNodesExceeded")
    assert dict(s.expect.nodes) == {"node2": "Failed"}
    assert parse_scenario(minimal(expect={"status": None})).expect.status is None


def test_profile_block_is_kept_with_node_order_as_tuple() -> None:
    """The profile block is stored validated, ready for Profile.from_mapping."""
    s = parse_scenario(minimal(profile={"node_order": ["node3", "node1"], "soft_reboot": True}))
    assert s.profile["node_order"] == ("node3", "node1")
    assert Profile.from_mapping(s.profile).soft_reboot is True
