"""The post-installation steps of a feature update end to end in the simulator: their order,
the bounded VM downtime, the refusals in mixed mode, the report's cluster_versions section —
and the oracle, which judges the world's side independently of the runner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from runner.errors import RemoteCommandFailed
from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from simulator.model import Scenario
from simulator.post_upgrade import VM_VERSION_INVARIANT
from simulator.scenario import load_scenario
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario(name: str, **profile: Any) -> Scenario:
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    return replace(loaded, profile=MappingProxyType({**loaded.profile, **profile}))


def run(sc: Scenario) -> dict[str, Any]:
    report: dict[str, Any] = rehearse(sc).to_dict()
    return report


def events(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in report["events"] if e["kind"] == kind]


def steps(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["step"], s["result"]) for s in report["cluster_versions"]["post_steps"]]


def test_the_steps_follow_the_last_node_in_the_guides_order() -> None:
    """Functional level, pool, VM versions, Test-Cluster — after every node of both passes
    is final; each level rises from 20H2's figure to 21H2's; rollback is no longer possible."""
    report = run(scenario("feature-update-post-steps"))
    assert report["status"] == "Succeeded"
    assert steps(report) == [
        ("functional-level", "done"),
        ("storage-pool", "done"),
        ("vm-version", "done"),
        ("validation", "passed"),
    ]
    first_step = events(report, "post-step")[0]["time"]
    assert max(e["time"] for e in events(report, "node-status")) <= first_step
    section = report["cluster_versions"]
    assert section["version"] == {"before": "20H2", "after": "21H2"}
    assert section["functional_level"] == {"before": 11, "after": 12}
    assert section["storage_pool_version"] == {"before": 11, "after": 12}
    assert {(v["before"], v["after"]) for v in section["vm_config_versions"]} == {("9.2", "10.0")}
    assert section["nodes"] == [{"name": f"node{i}", "version": "21H2"} for i in range(1, 5)]
    assert section["rollback_possible"] is False
    assert report["simulation"]["invariants"]["report-truth"]["holds"]


def test_vms_are_upgraded_at_most_max_vms_down_at_a_time() -> None:
    """Every VM is stopped, upgraded and started again; never more than two are off at once
    (max_vms_down 2), and each stop is consented downtime; the invariant holds."""
    report = run(scenario("feature-update-post-steps"))
    off, most = 0, 0
    for event in report["events"]:
        off += {"vm-stopped": 1, "vm-started": -1}.get(event["kind"], 0)
        most = max(most, off)
    assert (most, off) == (2, 0)
    assert len(events(report, "vm-version")) == 16
    invariants = report["simulation"]["invariants"]
    assert invariants[VM_VERSION_INVARIANT] == {"holds": True, "violations": []}
    assert len(invariants["workload-availability"]["consented"]) == 16


def test_one_vm_at_a_time_by_default() -> None:
    """Without max_vms_down the VMs go one at a time: at most one is ever off."""
    report = run(scenario("post-upgrade-only"))
    off, most = 0, 0
    for event in report["events"]:
        off += {"vm-stopped": 1, "vm-started": -1}.get(event["kind"], 0)
        most = max(most, off)
    assert (most, off) == (1, 0)
    assert report["cluster_versions"]["functional_level"] == {"before": 11, "after": 12}


def test_a_vm_is_never_upgraded_past_the_functional_level() -> None:
    """Without update_functional_level the 20H2 level allows nothing newer than 9.2: no VM is
    stopped, the step says why, and the invariant is not listed (no VM was touched)."""
    report = run(scenario("post-upgrade-only", update_functional_level=False))
    assert steps(report) == [("vm-version", "unchanged"), ("validation", "skipped")]
    assert not events(report, "vm-stopped")
    assert VM_VERSION_INVARIANT not in report["simulation"]["invariants"]
    assert report["cluster_versions"]["rollback_possible"] is True


def test_mixed_mode_refuses_the_functional_level_and_says_why() -> None:
    """node2 stays at 20H2: the level and the pool stay, the report names node2, rollback is
    still possible, and the run is PartiallyFailed because of node2 alone."""
    report = run(scenario("post-upgrade-mixed-refused"))
    assert (report["status"], report["error_id"]) == ("PartiallyFailed", None)
    assert steps(report)[:2] == [("functional-level", "skipped"), ("storage-pool", "skipped")]
    detail = report["cluster_versions"]["post_steps"][0]["detail"]
    assert detail.startswith("node2 still runs 20H2 while other nodes run 21H2")
    assert report["cluster_versions"]["functional_level"] == {"before": 11, "after": 11}
    assert report["cluster_versions"]["rollback_possible"] is True


def test_storage_replica_second_restarts_come_before_the_post_steps() -> None:
    """Each node restarts twice (the known issue), and the functional level rises only after
    the last of those restarts, in the world's own timeline."""
    result = rehearse(scenario("feature-update-storage-replica-post-steps"))
    timeline = result.world.timeline
    restarts = [t for t, kind, node, _ in timeline if kind == "restart"]
    raised = [t for t, kind, _, _ in timeline if kind == "functional-level"]
    assert len(restarts) == 8
    assert raised
    assert raised[0] > max(restarts)
    assert result.to_dict()["status"] == "Succeeded"


def test_the_oracle_judges_the_world_not_the_runner() -> None:
    """Called directly, as a faulty runner would: two VMs off with max_vms_down 1, an upgrade
    the functional level does not allow, a VM left off — each is a violation."""
    sc = load_scenario(SCENARIOS / "post-upgrade-only.yaml")
    profile = Profile().resolved(sc.cluster.node_names)
    world = build_world(sc, sc.seed, profile)
    transport = world.transport
    transport.stop_vm("vm01")
    transport.stop_vm("vm02")
    with pytest.raises(RemoteCommandFailed, match=r"allows no version newer than 9\.2"):
        transport.update_vm_version("vm01")
    transport.start_vm("vm01")
    verdict = world.post.section()[VM_VERSION_INVARIANT]
    details = [v["detail"] for v in verdict["violations"]]
    assert verdict["holds"] is False
    assert any("2 VMs off at once" in d for d in details)
    assert any("Update-VMVersion of vm01 refused" in d for d in details)
    assert any("vm02 was stopped and never started again" in d for d in details)


def test_report_truth_checks_the_cluster_versions_section() -> None:
    """A section that misstates the level, a node, a VM or rollback_possible is caught."""
    result = rehearse(scenario("post-upgrade-only"))
    report = result.to_dict()
    assert result.world.post.truth(report) == []
    section = report["cluster_versions"]
    section["functional_level"]["after"] = 11
    section["rollback_possible"] = True
    section["nodes"][0]["version"] = "20H2"
    section["vm_config_versions"][0]["after"] = "9.2"
    found = [v.detail for v in result.world.post.truth(report)]
    assert len(found) == 4
    assert all(v.invariant == "report-truth" for v in result.world.post.truth(report))


@pytest.mark.parametrize("crash_at_step", [1, 5, 10, 11])
def test_a_coordinator_crash_neither_repeats_nor_skips_a_step(crash_at_step: int) -> None:
    """The coordinator dies after journal step N and a fresh one resumes: the cluster's
    versions at the start come back from the journal, the level rises once, each VM is
    stopped once, and every invariant holds."""
    result = rehearse(scenario("post-upgrade-only"), crash_at_step=crash_at_step)
    report = result.to_dict()
    timeline = result.world.timeline
    assert any(kind == "coordinator-crash" for _, kind, _, _ in timeline)
    assert [kind for _, kind, _, _ in timeline].count("functional-level") == 1
    assert [kind for _, kind, _, _ in timeline].count("vm-stopped") == 8
    assert report["status"] == "Succeeded"
    assert report["cluster_versions"]["functional_level"] == {"before": 11, "after": 12}
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())
