"""The engine against the hand-written fake cluster: preflight cancels, StopAfter, the
report and listener, unanswered calls and management outages."""

from __future__ import annotations

import json

import jsonschema
from fake_cluster import SCHEMA, FakeClock, FakeCluster, run_on

from runner.profile import Profile
from runner.types import NodeState


def test_require_all_nodes_online_cancels_before_touching_anything() -> None:
    """RequireAllNodesOnline with a Down node → Canceled, NodesOffline, event 1020, no calls."""
    clock = FakeClock()
    cluster = FakeCluster(clock, down=("node3",))
    report, events = run_on(cluster, clock, Profile(require_all_nodes_online=True))
    assert (report.status.value, report.error_id) == ("Canceled", "NodesOffline")
    assert {c for _, c, _ in cluster.calls} == {"observe"}
    assert [e.event_id for e in events if e.event_id] == [1003, 1020, 1005]
    assert all(n.status.value == "Canceled" and n.attempts == 0 for n in report.nodes)


def test_down_node_without_requirement_is_failed_and_others_updated() -> None:
    """A node Down at the start is tried last and reported Failed; the others are updated."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2", "node3", "node4"), down=("node1",))
    report, _ = run_on(cluster, clock)
    assert [n.name for n in report.nodes][-1] == "node1"
    assert report.node("node1").status.value == "Failed"
    assert report.status.value == "PartiallyFailed"


def test_no_quorum_fails_the_run_at_once() -> None:
    """A cluster without quorum → Failed with NoQuorum before any scan."""
    clock = FakeClock()
    cluster = FakeCluster(clock, has_quorum=False)
    report, _ = run_on(cluster, clock)
    assert (report.status.value, report.error_id) == ("Failed", "NoQuorum")
    assert {c for _, c, _ in cluster.calls} == {"observe"}


def test_quorum_at_risk_cancels_before_suspending() -> None:
    """Two nodes without a witness: restarting one would gamble quorum → Canceled, 1018."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2"), witness=False)
    report, events = run_on(cluster, clock)
    assert (report.status.value, report.error_id) == ("Canceled", "QuorumAtRisk")
    assert not cluster.log("suspend_node")
    assert any(e.event_id == 1018 for e in events)


def test_stop_after_cancels_and_leaves_no_node_paused() -> None:
    """StopAfter mid-node: event 1002, the node is brought back, run Canceled."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, events = run_on(cluster, clock, Profile(stop_after_minutes=20, warn_after_minutes=5))
    assert (report.status.value, report.error_id) == ("Canceled", "StopAfterExceeded")
    assert all(n.state is NodeState.UP for n in cluster.nodes.values())
    ids = [e.event_id for e in events if e.event_id]
    assert ids.count(1001) == 1
    assert ids.count(1002) == 1
    assert ids[-1] == 1005
    assert report.duration_seconds < 20 * 60 + 15 * 60


def test_report_matches_schema_and_key_order() -> None:
    """to_dict() follows the shipped JSON Schema and the agreed key order."""
    clock = FakeClock()
    cluster = FakeCluster(clock, install_failures={("node2", "KB1"): 1})
    report, events = run_on(cluster, clock)
    data = report.to_dict()
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert list(data) == [
        "schema_version",
        "run_id",
        "cluster",
        "mode",
        "policy",
        "profile",
        "started_at",
        "finished_at",
        "duration_seconds",
        "status",
        "error_id",
        "error",
        "nodes",
        "events",
    ]
    assert data["started_at"] == "2026-01-13T02:00:00Z"
    assert [e.to_dict() for e in events] == data["events"]
    assert data["nodes"][0]["timing"]["drain"][0] >= 0


def test_listener_sees_phase_and_status_events_as_they_happen() -> None:
    """phase-start/phase-end pair up per node and each node gets one node-status."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    _, events = run_on(cluster, clock)
    for name in cluster.nodes:
        mine = [e for e in events if e.node == name]
        starts = [e.phase for e in mine if e.kind == "phase-start"]
        ends = [e.phase for e in mine if e.kind == "phase-end"]
        assert starts == ends == ["drain", "install", "reboot", "resume"]
        assert [e.detail for e in mine if e.kind == "node-status"] == ["Succeeded"]
    times = [e.time for e in events]
    assert times == sorted(times)


def test_unanswered_install_is_not_repeated_when_the_scan_shows_it_installed() -> None:
    """start_install with effect unknown: re-scan first; what is gone is not installed again."""
    clock = FakeClock()
    cluster = FakeCluster(clock, lost_install_answers=("node1",))
    report, events = run_on(cluster, clock, Profile(node_order=("node1",)))
    node1 = report.node("node1")
    assert node1.status.value == "Succeeded"
    assert [n for _, n in cluster.log("start_install")].count("node1") == 1
    assert node1.restarts == 1
    assert any(e.kind == "warning" and e.node == "node1" for e in events)


def test_a_restart_owed_from_a_failed_attempt_is_made_in_the_next() -> None:
    """Installed but not restarted (restart refused): the retry restarts without reinstalling."""
    clock = FakeClock()
    cluster = FakeCluster(clock, refuse_restart={"node1": 3})
    report, _ = run_on(cluster, clock, Profile(node_order=("node1",)))
    node1 = report.node("node1")
    assert node1.status.value == "Succeeded"
    assert node1.attempts == 2
    assert node1.restarts == 1
    assert cluster.nodes["node1"].boot == 2
    assert [n for _, n in cluster.log("start_install")].count("node1") == 1


def test_an_install_that_went_ahead_unseen_is_restarted_in_the_next_attempt() -> None:
    """The install's polls answer Running until its deadline fails the attempt, but it went
    ahead: the retry's scan offers nothing and says a restart is pending, so the node is
    drained and restarted (not reported Succeeded with its update not in effect), and the
    update is not installed twice."""
    clock = FakeClock()
    cluster = FakeCluster(clock, unseen_installs=("node1",))
    report, events = run_on(cluster, clock, Profile(node_order=("node1",)))
    node1 = report.node("node1")
    assert (node1.status.value, node1.attempts, node1.restarts) == ("Succeeded", 2, 1)
    assert cluster.nodes["node1"].boot == 2
    assert [n for _, n in cluster.log("start_install")].count("node1") == 1
    note = "a restart is pending with nothing left to install: the node restarts"
    assert any(e.kind == "warning" and e.node == "node1" and e.detail == note for e in events)


def test_management_outage_during_restart_is_not_a_failed_node() -> None:
    """A 40-minute outage across a restart: no false failure, no second restart."""
    clock = FakeClock()
    cluster = FakeCluster(clock, outage=(800.0, 800.0 + 40 * 60))
    report, _ = run_on(cluster, clock, Profile(node_order=("node1",)))
    assert report.status.value == "Succeeded"
    assert [n for _, n in cluster.log("restart_node")].count("node1") == 1
    assert report.node("node1").attempts == 1


def test_endless_outage_ends_the_run_clusterunreachable_in_bounded_time() -> None:
    """A cluster that never answers again: the run ends Failed, ClusterUnreachable, bounded."""
    clock = FakeClock()
    cluster = FakeCluster(clock, outage=(800.0, 1e12))
    report, _ = run_on(cluster, clock)
    assert (report.status.value, report.error_id) == ("Failed", "ClusterUnreachable")
    assert report.duration_seconds < 4 * 3600
