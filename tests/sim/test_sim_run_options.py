"""The run options of issue 9 in the simulated world: the forced drain, the Remote Shutdown
firewall rules, sites, the lagging clustered-space state and the CauEnableSoftReboot
property — each in the world itself and in whole rehearsed runs judged by the oracle."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError, RemoteCommandFailed, StorageDegraded
from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from runner.run_option_types import NodeSite
from runner.types import BootType, DrainStatus, NodeState, RoleState
from simulator.scenario import parse_scenario
from simulator.workloads import FAILOVER_DELAY
from simulator.world import SimulatedCluster, build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def bundled(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text("utf-8"))
    return doc


def world_of(doc: dict[str, Any]) -> SimulatedCluster:
    scenario = parse_scenario(doc)
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, scenario.seed, profile)


def rehearsed(doc: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = rehearse(parse_scenario(doc)).to_dict()
    return report


def test_forced_drain_stops_what_cannot_move_and_completes() -> None:
    """-ForceDrain: the VM that refuses live migration goes down at once, restarts on another
    node after the failover delay, the drain ends Completed and the oracle lists the
    downtime as consented; a plain drain of the same node fails instead."""
    world = world_of(bundled("forced-drain-unmovable-vm"))
    world.transport.suspend_node_forced("node1")
    world.clock.sleep(600)
    view = world.observe()
    assert (view.node("node1").state, view.node("node1").drain_status) == (
        NodeState.PAUSED,
        DrainStatus.COMPLETED,
    )
    vm01 = next(r for r in view.roles if r.name == "vm01")
    assert vm01.owner != "node1"
    assert vm01.state is RoleState.ONLINE
    assert world.workloads.downtime_seconds() == pytest.approx(FAILOVER_DELAY)
    assert [c["detail"] for c in world.oracle.consented] == [
        "forced drain of node1 stopped 1 VM(s), failed over: vm01"
    ]
    plain = world_of(bundled("forced-drain-unmovable-vm"))
    plain.transport.suspend_node("node1")
    plain.clock.sleep(600)
    assert plain.observe().node("node1").drain_status is DrainStatus.FAILED
    assert plain.oracle.consented == []


def test_forced_drain_run_reports_its_consented_downtime() -> None:
    """The bundled run: every node updated, the VM's downtime counted and consented under
    workload-availability, which still holds; the profile lists the option."""
    report = rehearsed(bundled("forced-drain-unmovable-vm"))
    assert report["status"] == "Succeeded"
    availability = report["simulation"]["invariants"]["workload-availability"]
    assert availability["holds"]
    assert availability["violations"] == []
    assert len(availability["consented"]) >= 1
    assert report["simulation"]["counters"]["vm_downtime_seconds"] > 0
    assert report["profile"]["force_pause_and_drain"] is True
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_a_disabled_remote_shutdown_rule_refuses_the_restart() -> None:
    """The world refuses a restart of a node whose rule group is disabled (no effect, RPC
    error 1722, trouble recorded); enabling the group lets it restart; a Group Policy keeps
    it disabled, so enabling reports False and the restart stays refused."""
    world = world_of(bundled("firewall-rules-disabled"))
    with pytest.raises(RemoteCommandFailed) as refused:
        world.transport.restart_node("node1")
    assert refused.value.code == 1722
    assert "Remote Shutdown" in refused.value.detail
    assert world.observe().node("node1").state is NodeState.UP
    assert any(t.kind == "restart-refused" for t in world.truth.troubles)
    assert world.transport.enable_remote_shutdown_rules("node1") is True
    assert world.transport.restart_node("node1") is BootType.FULL
    assert world.transport.enable_remote_shutdown_rules("node4") is False
    with pytest.raises(RemoteCommandFailed):
        world.transport.restart_node("node4")


def test_firewall_run_without_the_option_fails_and_with_it_succeeds_where_allowed() -> None:
    """Without enable_firewall_rules the run fails on its first nodes (MaxFailedNodes);
    with it (the bundled scenario) only node4, blocked by policy, fails. Both runs keep
    every invariant: a refused restart is the world's evidence of a failed attempt."""
    doc = bundled("firewall-rules-disabled")
    report = rehearsed(doc)
    assert [n["status"] for n in report["nodes"]] == ["Succeeded"] * 3 + ["Failed"]
    assert "firewall rule group is disabled on node4" in report["nodes"][3]["error"]
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())
    off = copy.deepcopy(doc)
    del off["profile"]["enable_firewall_rules"]
    report = rehearsed(off)
    assert (report["status"], report["error_id"]) == ("Failed", "MaxFailedNodesExceeded")
    assert not any(e["kind"] == "firewall-rules-enabled" for e in report["events"])
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_sites_are_the_scenario_s_and_order_the_run() -> None:
    """read_node_sites answers cluster.sites; the run updates Redmond's nodes first."""
    world = world_of(bundled("site-aware-two-sites"))
    assert world.transport.read_node_sites() == (
        NodeSite(node="node1", site="Seattle"),
        NodeSite(node="node2", site="Redmond"),
        NodeSite(node="node3", site="Seattle"),
        NodeSite(node="node4", site="Redmond"),
    )
    report = rehearsed(bundled("site-aware-two-sites"))
    assert [n["name"] for n in report["nodes"]][:2] in (["node2", "node4"], ["node4", "node2"])
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_the_clustered_space_state_lags_the_resync() -> None:
    """space_settle_minutes: after a repair job finishes, Suspend-ClusterNode is refused with
    5987 that long although the storage the runner observes is healthy."""
    world = world_of(bundled("suspend-retries-space-degraded"))
    storage = world.storage
    assert storage is not None
    storage.space_degraded_until = float(world.env.now) + 120.0  # as right after a repair
    assert world.observe().storage_healthy
    with pytest.raises(StorageDegraded):
        world.transport.suspend_node("node2")
    world.clock.sleep(120)
    world.transport.suspend_node("node2")
    assert world.observe().node("node2").state is NodeState.PAUSED


@pytest.mark.parametrize(
    ("profile", "failed"),
    [
        ({"suspend_retries_per_node": 12}, []),
        ({"suspend_retries_per_node": 3, "max_failed_nodes": 2}, ["node2", "node4"]),
        ({"suspend_cluster_node_timeout_minutes": 0.5}, ["node2", "node3"]),
    ],
)
def test_suspend_retries_decide_which_nodes_move_on(
    profile: dict[str, Any], failed: list[str]
) -> None:
    """The same lagging cluster: enough retries update every node in one attempt; fewer
    retries, or a short timeout, fail the refused nodes (one attempt each, never suspended)
    and the run moves on — every invariant holds."""
    doc = bundled("suspend-retries-space-degraded")
    doc["profile"] = profile
    report = rehearsed(doc)
    assert [n["name"] for n in report["nodes"] if n["status"] == "Failed"] == failed
    assert all(n["attempts"] <= 1 for n in report["nodes"])
    for node in report["nodes"]:
        if node["status"] == "Failed":
            assert "moving on to the next node" in node["error"]
            assert node["restarts"] == 0
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_soft_reboot_property_is_observed_and_firmware_restarts_fully() -> None:
    """CauEnableSoftReboot = 1 shows in the observation; the default reboot mode restarts
    softly except the node with a firmware update; reboot_mode full restarts every node fully."""
    world = world_of(bundled("soft-reboot-cluster-property"))
    assert world.observe().soft_reboot_property is True
    report = rehearsed(bundled("soft-reboot-cluster-property"))
    boots = {n["name"]: n["boot_type"] for n in report["nodes"]}
    assert boots == {
        "node1": "SoftBoot",
        "node2": "SoftBoot",
        "node3": "FullBoot",
        "node4": "SoftBoot",
    }
    full = bundled("soft-reboot-cluster-property")
    full["profile"] = {"reboot_mode": "full"}
    assert {n["boot_type"] for n in rehearsed(full)["nodes"]} == {"FullBoot"}


def test_skip_update_checks_keeps_the_report_true() -> None:
    """Without the scan before the run each node's first scan is its attempt's: the run
    succeeds and report-truth holds (with and without a pre-update script)."""
    script = {"pre_update_script": "C:\\pycau\\pre.ps1"}
    for profile in ({"skip_update_checks": True}, {"skip_update_checks": True, **script}):
        doc = bundled("four-node-rolling")
        doc["profile"] = profile
        report = rehearsed(doc)
        assert report["status"] == "Succeeded"
        assert not any(e["kind"] == "scan" for e in report["events"])
        assert all(v["holds"] for v in report["simulation"]["invariants"].values())


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            {"profile": {"site_aware_updating_order": ["Paris"]}},
            "$.profile.site_aware_updating_order[0]",
            "unknown site 'Paris'",
        ),
        ({"sites": {"A": ["node1"], "B": ["node1"]}}, "$.cluster.sites.B[0]", "already in site"),
        ({"sites": {"A": ["node9"]}}, "$.cluster.sites.A[0]", "unknown node 'node9'"),
        ({"sites": {"A": ["node1"], "a": ["node2"]}}, "$.cluster.sites.a", "listed twice"),
        ({"profile": {"force_pause_no_drain": True}}, "$.profile.force_pause_no_drain", "never"),
    ],
)
def test_bad_site_input_names_its_path(change: dict[str, Any], path: str, words: str) -> None:
    """A site order naming a site the cluster lacks, a node in two sites or an unknown one,
    two sites spelt alike, a refused option: InputError at the JSON path."""
    doc = bundled("site-aware-two-sites")
    if "sites" in change:
        doc["cluster"]["sites"] = change["sites"]
    if "profile" in change:
        doc["profile"] = change["profile"]
    with pytest.raises(InputError) as caught:
        parse_scenario(doc, source="s.yaml")
    assert caught.value.path == path
    assert words in caught.value.message
