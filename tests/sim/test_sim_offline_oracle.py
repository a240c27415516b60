"""The offline invariants catch a coordinator that breaks them: each is driven through the
simulated transport by a deliberately wrong sequence of the guide's steps and must name
what is wrong (and hold when the steps are done right)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner.errors import RemoteCommandFailed
from runner.offline_types import ServiceStartup
from runner.profile import Profile
from simulator.oracle_offline import NOT_APPLICABLE, OFFLINE_INVARIANTS
from simulator.scenario import load_scenario
from simulator.world import SimulatedCluster, build_world

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("node1", "node2", "node3", "node4")


def _world() -> SimulatedCluster:
    scenario = load_scenario(ROOT / "scenarios" / "offline-four-node.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, scenario.seed, profile)


def _verdicts(world: SimulatedCluster, status: str = "Succeeded", **offline: Any) -> dict[str, Any]:
    report = {
        "status": status,
        "nodes": [{"name": n, "status": "Succeeded"} for n in NAMES],
        "events": [],
        "offline": {"service_left_disabled": [], **offline},
    }
    return dict(world.oracle.finish(report))


def _vms(world: SimulatedCluster) -> tuple[str, ...]:
    return tuple(vm.name for vm in world.workloads.vms if vm.online)


def _stopped_window(world: SimulatedCluster) -> tuple[str, ...]:
    """Steps 2-5 done right: VMs saved, disks offline, cluster stopped, service Disabled."""
    transport, vms = world.transport, _vms(world)
    transport.save_vms(vms)
    world.clock.sleep(300)
    transport.set_virtual_disks_online(False)
    transport.stop_cluster()
    for name in NAMES:
        transport.set_cluster_service(name, ServiceStartup.DISABLED)
    return vms


def _restore(world: SimulatedCluster, vms: tuple[str, ...]) -> None:
    """Steps 8-10 done right."""
    transport = world.transport
    for name in NAMES:
        transport.set_cluster_service(name, ServiceStartup.AUTOMATIC)
    transport.start_cluster("node1")
    world.clock.sleep(600)
    transport.set_virtual_disks_online(True)
    transport.start_vms(vms)
    world.clock.sleep(600)


def test_the_guides_steps_done_right_keep_every_offline_invariant() -> None:
    """Save, offline, stop, disable … enable, start, online, start VMs: the four offline
    invariants hold and the waived rolling ones say why."""
    world = _world()
    _restore(world, _stopped_window(world))
    verdicts = _verdicts(world)
    assert {name: verdicts[name]["holds"] for name in OFFLINE_INVARIANTS} == dict.fromkeys(
        OFFLINE_INVARIANTS, True
    )
    for name, why in NOT_APPLICABLE.items():
        assert verdicts[name] == {"holds": True, "not_applicable": why, "violations": []}


def test_vms_left_off_break_workloads_restored() -> None:
    """The VMs are never started again: workloads-restored names how many and which."""
    world = _world()
    vms = _stopped_window(world)
    _restore(world, ())
    verdict = _verdicts(world)["workloads-restored"]
    assert not verdict["holds"]
    assert verdict["violations"][0]["detail"].startswith(
        f"{len(vms)} VM(s) ran before the run, not at its end: vm01, "
    )


def test_stopping_the_cluster_with_vms_running_breaks_workloads_restored() -> None:
    """Stop-Cluster while VMs run turns them off hard (not saved): a violation even though
    they are started again."""
    world = _world()
    vms = _vms(world)
    world.transport.set_virtual_disks_online(False)
    world.transport.stop_cluster()
    _restore(world, vms)
    details = [v["detail"] for v in _verdicts(world)["workloads-restored"]["violations"]]
    assert any("running when the cluster stopped" in d for d in details)


def test_disks_left_offline_break_disks_restored() -> None:
    """The virtual disks are never brought online again: disks-restored names them."""
    world = _world()
    vms = _stopped_window(world)
    for name in NAMES:
        world.transport.set_cluster_service(name, ServiceStartup.AUTOMATIC)
    world.transport.start_cluster("node1")
    world.clock.sleep(600)
    del vms
    verdict = _verdicts(world)["disks-restored"]
    assert not verdict["holds"]
    assert "at the end" in verdict["violations"][0]["detail"]


def test_service_left_disabled_breaks_cluster_service_restored() -> None:
    """node2's service left Disabled while node2 is up (also in a failed run); a report
    naming node3 as left Disabled while it is Automatic is a violation too."""
    world = _world()
    vms = _stopped_window(world)
    _restore(world, vms)
    world.transport.set_cluster_service("node2", ServiceStartup.DISABLED)
    verdict = _verdicts(world, "Failed", service_left_disabled=["node3"])
    details = [v["detail"] for v in verdict["cluster-service-restored"]["violations"]]
    assert "node2 has its cluster service Disabled at the end" in details
    assert any(
        d.startswith("the report says node3's cluster service is left Disabled") for d in details
    )


def test_a_cluster_left_stopped_breaks_quorum_at_start() -> None:
    """The run stops the cluster and never starts it: quorum-at-start says it is stopped."""
    world = _world()
    _stopped_window(world)
    details = [v["detail"] for v in _verdicts(world, "Failed")["quorum-at-start"]["violations"]]
    assert "the run stopped the cluster and it is still stopped" in details


def test_start_cluster_without_a_majority_breaks_quorum_at_start() -> None:
    """Start-Cluster with only node1's service startable (1 of 4 votes plus the witness):
    refused, and recorded as issued with too few votes."""
    world = _world()
    vms = _stopped_window(world)
    world.transport.set_cluster_service("node1", ServiceStartup.AUTOMATIC)
    with pytest.raises(RemoteCommandFailed, match="cannot form with quorum"):
        world.transport.start_cluster("node1")
    _restore(world, vms)
    details = [v["detail"] for v in _verdicts(world)["quorum-at-start"]["violations"]]
    assert details == ["Start-Cluster was issued with too few votes to form: node1"]
