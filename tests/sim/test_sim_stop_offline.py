"""`pycau stop` (the stop-request fault) of a fast offline update: read at the lock's
renewals like a rolling run's, it reaches the offline run's own safe point; while the
cluster is stopped the lock group is offline and nothing can be written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from runner.errors import ClusterUnreachable
from runner.lease import RunLease
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearsal_holder, rehearse
from runner.stop_orders import StopOrder
from runner.updating_run import run_updating_run
from simulator.model import FaultSpec
from simulator.scenario import load_scenario
from simulator.world import build_world

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = ROOT / "scenarios" / "offline-four-node.yaml"


def _stopped_at(minute: float) -> tuple[dict[str, Any], list[tuple[float, str, Any, str]]]:
    base = load_scenario(OFFLINE)
    rehearsal = rehearse(replace(base, faults=(FaultSpec(type="stop-request", at_minute=minute),)))
    return rehearsal.to_dict(), list(rehearsal.world.timeline)


def _stop_events(report: dict[str, Any]) -> list[tuple[float, str]]:
    return [(e["time"], e["detail"]) for e in report["events"] if e["event_id"] == 1021]


def test_a_stop_before_the_window_ends_the_offline_run_at_once() -> None:
    """Asked during the preflight scan (minute 1): read at the first turn, the run ends
    Canceled having saved no VM and stopped nothing."""
    report, timeline = _stopped_at(1)
    assert (report["status"], report["error_id"]) == ("Canceled", "UserCanceled")
    assert [detail for _, detail in _stop_events(report)] == [
        "stopped by operator@admin-host at minute 1 of the run (pycau stop)"
    ]
    assert report["offline"]["vms_saved"] == []
    assert not {kind for _, kind, _, _ in timeline} & {"vms-saved", "cluster-stopped"}
    assert all(v.get("holds", True) for v in report["simulation"]["invariants"].values())


def test_a_stop_written_before_stop_cluster_is_read_after_start_cluster() -> None:
    """Asked once the VMs are saved but before Stop-Cluster (minute 1.5): the renewals in the
    window go to the nodes' claims, which carry no request; the first renewal after
    Start-Cluster reads it, and the run closes the window and ends Canceled, every
    invariant holding."""
    report, _ = _stopped_at(1.5)
    assert (report["status"], report["error_id"]) == ("Canceled", "UserCanceled")
    ((seen, detail),) = _stop_events(report)
    start_cluster = report["cluster_timing"]["steps"]["start_cluster"]
    assert seen >= start_cluster[0]
    assert detail.endswith("the update window is closed first: cluster, disks and VMs come back")
    assert report["offline"]["vms_not_started"] == []
    assert report["offline"]["service_left_disabled"] == []
    assert all(v.get("holds", True) for v in report["simulation"]["invariants"].values())


def test_a_stop_while_the_cluster_is_stopped_writes_nothing() -> None:
    """Asked in the window (minute 5): the lock group is offline, nothing is written (the
    timeline says so), and the run succeeds."""
    report, timeline = _stopped_at(5)
    assert report["status"] == "Succeeded"
    assert report["simulation"]["counters"]["faults_fired"] == {}
    said = [d for _, kind, _, d in timeline if kind == "fault" and "stop-request" in d]
    assert said == ["stop-request: the cluster is stopped, nothing written"]


def test_request_run_stop_is_unreachable_while_the_cluster_is_stopped() -> None:
    """SimTransport.request_run_stop right after Stop-Cluster raises ClusterUnreachable, as
    stop-request.ps1 does (the twin serves that to `pycau stop`: exit 3)."""
    scenario = load_scenario(OFFLINE)
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    transport = world.transport
    original = transport.stop_cluster
    refused: list[Exception] = []

    def stopping() -> None:
        original()
        order = StopOrder(run_id="", requested_by="bob@pc", requested_at="T")
        with pytest.raises(ClusterUnreachable) as caught:
            transport.request_run_stop(order)
        refused.append(caught.value)

    transport.stop_cluster = stopping  # type: ignore[method-assign]
    holder = rehearsal_holder("offline-stop-window")
    lease = RunLease.acquire(transport, world.clock, holder, cluster="hci01")
    report = run_updating_run(
        transport, world.clock, profile, run_id=holder.run_id,
        started_at=SIMULATED_STARTED_AT, lease=lease,
    )  # fmt: skip
    assert len(refused) == 1
    assert report.status.value == "Succeeded"
