"""Faults on the offline path, one bundled scenario each: a node that does not come back, an
install failure on one node, the management network lost mid-step — and the offline run
of the four-node cluster they are compared with."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from runner.rehearsal.compose import rehearse
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GUIDE_STEPS = [
    "save_vms", "disks_offline", "stop_cluster", "disable_service", "install", "restart",
    "rescan", "enable_service", "start_cluster", "storage_wait", "disks_online", "start_vms",
]  # fmt: skip


@cache
def _run(name: str) -> tuple[dict[str, Any], tuple[tuple[float, str, str | None, str], ...]]:
    rehearsal = rehearse(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    return rehearsal.to_dict(), tuple(rehearsal.world.timeline)


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {n["name"]: n["status"] for n in report["nodes"]}


def _holds(report: dict[str, Any]) -> bool:
    return all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_offline_four_node_runs_the_guides_steps_in_order() -> None:
    """Every guide step runs once, in order, each inside the downtime; the report's
    cluster_timing has the planned and the real downtime and the time to a healthy pool."""
    report, timeline = _run("offline-four-node")
    assert report["status"] == "Succeeded"
    timing = report["cluster_timing"]
    assert list(timing["steps"]) == GUIDE_STEPS
    starts = [span[0] for span in timing["steps"].values()]
    assert starts == sorted(starts)
    down_start, down_end = timing["downtime"]
    assert down_start == timing["steps"]["save_vms"][0]
    assert down_end == timing["steps"]["start_vms"][1]
    assert timing["downtime_seconds"] == down_end - down_start
    assert timing["planned_downtime_seconds"] == 2760.0  # 46 min: the plan's estimate
    assert timing["storage_healthy_seconds"] > 0
    assert [kind for _, kind, _, _ in timeline].count("cluster-stopped") == 1
    assert _holds(report)


def test_a_node_that_does_not_come_back_leaves_the_cluster_started_without_it() -> None:
    """node3 hangs at boot: Failed after the reboot timeout; the others (3 of 4 votes with
    the witness) start the cluster, every VM runs again, the run is PartiallyFailed; node3's
    service stays Disabled (it cannot be reached) and the report names it with the commands
    to run when it is back."""
    report, timeline = _run("offline-node-does-not-return")
    assert report["status"] == "PartiallyFailed"
    assert _statuses(report) == {
        "node1": "Succeeded", "node2": "Succeeded", "node3": "Failed", "node4": "Succeeded",
    }  # fmt: skip
    assert report["offline"]["service_left_disabled"] == ["node3"]
    assert report["offline"]["vms_not_started"] == []
    started = [detail for _, kind, _, detail in timeline if kind == "cluster-started"]
    assert started == ["node1, node2, node4"]
    warnings = [e["detail"] for e in report["events"] if e["node"] == "node3"]
    assert any(
        "when it is back: Set-Service -Name ClusSvc -StartupType Automatic, then "
        "Start-ClusterNode" in w
        for w in warnings
    )
    assert report["cluster_timing"]["storage_healthy_seconds"] is None  # node3's copies
    assert _holds(report)


def test_an_install_failure_on_one_node_fails_only_that_node() -> None:
    """node2's install fails (0x80240022): node2 Failed and not restarted, the other three
    updated; the service is back to Automatic everywhere (node2 too), every VM runs again."""
    report, timeline = _run("offline-install-failure")
    assert report["status"] == "PartiallyFailed"
    assert _statuses(report)["node2"] == "Failed"
    assert "0x80240022" in report["error"]
    restarted = sorted({node for _, kind, node, _ in timeline if kind == "restart"})
    assert restarted == ["node1", "node3", "node4"]
    restored = [e["node"] for e in report["events"] if e["kind"] == "service-restored"]
    assert restored == ["node1", "node2", "node3", "node4"]
    assert report["offline"]["service_left_disabled"] == []
    assert _holds(report)


def test_a_management_disconnect_mid_install_is_waited_out() -> None:
    """The management network is down from minute 10 to 35, while every node installs:
    the installs go on, the runner looks again when it is back, and each node is installed
    and restarted exactly once; the run succeeds with the install step stretched."""
    report, timeline = _run("offline-management-disconnect")
    assert report["status"] == "Succeeded"
    restarts = [node for _, kind, node, _ in timeline if kind == "restart"]
    assert sorted(restarts) == ["node1", "node2", "node3", "node4"]
    install = report["cluster_timing"]["steps"]["install"]
    assert install[1] > 35 * 60.0  # not seen finished before the network came back
    assert all(n["restarts"] == 1 for n in report["nodes"])
    assert _holds(report)
