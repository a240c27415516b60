"""An operator's stop (Ctrl-C, SIGTERM): the run stops at its next safe point, ends Canceled
(UserCanceled, CAU event 1021) with no node left paused, and a resume finishes it."""

from __future__ import annotations

from pathlib import Path

from fake_cluster import STARTED, FakeClock, FakeCluster

from runner.journal import RunJournal
from runner.lease import RunLease
from runner.profile import Profile
from runner.report import RunEvent
from runner.stop import USER_CANCELED, StopRequest
from runner.types import LockHolder, NodeState
from runner.updating_run import resume_updating_run, run_updating_run

HOLDER = LockHolder(run_id="run-1", coordinator="mgmt1", pid=101, started_at="t0")


class _StopWhenInstalling(FakeCluster):
    """The operator presses Ctrl-C once node2's install has started."""

    stop = StopRequest()

    def start_install(self, node: str, update_ids: tuple[str, ...], *rest):  # type: ignore[no-untyped-def]
        handle = super().start_install(node, update_ids, *rest)
        if node == "node2":
            self.stop.request("stopped by the operator (SIGINT)")
        return handle


def _stopped_run(tmp: Path) -> tuple[_StopWhenInstalling, FakeClock, list[RunEvent], object]:
    clock = FakeClock()
    cluster = _StopWhenInstalling(clock)
    cluster.stop = StopRequest()
    events: list[RunEvent] = []
    journal = RunJournal(tmp / "journal.sqlite")
    lease = RunLease.acquire(cluster, clock, HOLDER, cluster="hci01")
    report = run_updating_run(
        cluster, clock, Profile().resolved(tuple(cluster.nodes)), run_id="run-1",
        started_at=STARTED, listener=events.append, journal=journal, lease=lease,
        stop=cluster.stop,
    )  # fmt: skip
    journal.close()
    return cluster, clock, events, report


def test_a_stop_ends_the_run_canceled_at_a_safe_point(tmp_path: Path) -> None:
    """The node in flight (drained, installing) finishes its update — install, restart,
    resume — before the run stops; no other node is started; the run is Canceled
    (UserCanceled, event 1021 at once), every node is Up and the lock is free."""
    cluster, _, events, report = _stopped_run(tmp_path)
    assert (report.status, report.error_id) == ("Canceled", USER_CANCELED)  # type: ignore[attr-defined]
    stop_events = [e for e in events if e.event_id == 1021]
    assert [e.detail for e in stop_events] == [
        "stopped by the operator (SIGINT); node2 finishes its update first"
    ]
    restarted = [t for t, n in cluster.log("restart_node") if n == "node2"]
    assert restarted
    assert restarted[0] > stop_events[0].time
    assert all(node.state is NodeState.UP for node in cluster.nodes.values())
    assert not [n for _, n in cluster.log("suspend_node") if n == "node3"]
    assert cluster.read_run_lock() is None
    statuses = {n.name: n.status.value for n in report.nodes}  # type: ignore[attr-defined]
    assert statuses == {"node1": "Succeeded", "node2": "Succeeded", "node3": "Canceled"}


def test_a_stop_before_the_node_is_disrupted_stops_at_once() -> None:
    """Asked while node2's pre-update script runs (it is not drained yet): node2 is never
    drained, installed or restarted, and is reported Canceled; node3 is never started."""
    clock = FakeClock()
    stop = StopRequest()

    class _StopInPreScript(FakeCluster):
        def start_script(self, node: str, script: str):  # type: ignore[no-untyped-def]
            if node == "node2":
                stop.request("stopped by the operator (SIGTERM)")
            return super().start_script(node, script)

    cluster = _StopInPreScript(clock)
    profile = Profile(pre_update_script="C:\\ClusterStorage\\pre.ps1")
    report = run_updating_run(
        cluster, clock, profile.resolved(tuple(cluster.nodes)), run_id="run-1",
        started_at=STARTED, stop=stop,
    )  # fmt: skip
    assert (report.status, report.error_id) == ("Canceled", USER_CANCELED)
    assert [n for _, n in cluster.log("suspend_node")] == ["node1"]
    assert [n for _, n in cluster.log("restart_node")] == ["node1"]
    statuses = {n.name: n.status.value for n in report.nodes}
    assert statuses == {"node1": "Succeeded", "node2": "Canceled", "node3": "Canceled"}


def test_a_stopped_run_resumes_to_the_end_without_repeating_anything(tmp_path: Path) -> None:
    """pycau resume of the stopped run: the unfinished nodes go on, the finished ones are not
    touched again, every node restarts exactly once in total, and the run ends Succeeded."""
    cluster, clock, _, _ = _stopped_run(tmp_path)
    calls_before = len(cluster.calls)
    journal = RunJournal(tmp_path / "journal.sqlite")
    successor = LockHolder(run_id="run-1", coordinator="mgmt1", pid=102, started_at="t0")
    report = resume_updating_run(
        cluster, clock, journal, "run-1",
        take_lease=lambda: RunLease.acquire(cluster, clock, successor, cluster="hci01"),
    )  # fmt: skip
    journal.close()
    assert report.status == "Succeeded"
    assert {n.name: n.status.value for n in report.nodes} == dict.fromkeys(
        cluster.nodes, "Succeeded"
    )
    assert sorted(n for _, n in cluster.log("restart_node")) == sorted(cluster.nodes)
    touched = {n for _, call, n in cluster.calls[calls_before:] if call.endswith("_node")}
    assert touched == {"node3"}
    assert any("put back in line: node3" in e.detail for e in report.events)
