"""The engine against the hand-written fake cluster: the per-node pipeline, node order,
retries, failure budgets, restarts confirmed by boot id, and bounded waits."""

from __future__ import annotations

import itertools

import pytest
from fake_cluster import KB1, KB2, FakeClock, FakeCluster, phases, run_on

from runner.errors import AuthenticationFailed
from runner.profile import Profile
from runner.types import BootType, NodeState, WorkKind


def test_happy_run_updates_each_node_in_pipeline_order() -> None:
    """Every node drains, installs, restarts (changed boot id) and resumes, in that order."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, _ = run_on(cluster, clock)
    data = report.to_dict()
    assert data["status"] == "Succeeded"
    assert data["error_id"] is None
    for node in data["nodes"]:
        assert node["status"] == "Succeeded"
        assert node["attempts"] == 1
        assert node["restarts"] == 1
        assert node["boot_type"] == "FullBoot"
        assert node["updates"] == [
            {"id": "KB1", "title": KB1.title, "result": "Succeeded", "hresult": None}
        ]
        assert phases(data, node["name"]) == ["drain", "install", "reboot", "resume"]
    assert all(cluster.nodes[n].boot == 2 for n in cluster.nodes)


def test_nodes_go_one_at_a_time_fewest_roles_first() -> None:
    """Default order is fewest roles first; a node drains only after the previous resumed."""
    clock = FakeClock()
    cluster = FakeCluster(clock, roles={"node1": 5, "node2": 1, "node3": 3})
    report, _ = run_on(cluster, clock)
    data = report.to_dict()
    assert [n["name"] for n in data["nodes"]] == ["node2", "node3", "node1"]
    spans = [n["timing"] for n in data["nodes"]]
    for before, after in itertools.pairwise(spans):
        assert after["drain"][0] >= before["resume"][1]
    assert [n for _, n in cluster.log("suspend_node")] == ["node2", "node3", "node1"]


def test_explicit_node_order_first_then_default() -> None:
    """profile.node_order is honoured; unlisted nodes follow in default order."""
    clock = FakeClock()
    cluster = FakeCluster(clock, roles={"node1": 5, "node2": 1, "node3": 3})
    report, _ = run_on(cluster, clock, Profile(node_order=("node1",)))
    assert [n.name for n in report.nodes] == ["node1", "node2", "node3"]


def test_install_failure_is_retried_without_reinstalling_or_extra_restart() -> None:
    """A failed install is a failed attempt; the retry installs only what is still offered."""
    clock = FakeClock()
    cluster = FakeCluster(clock, updates=(KB1, KB2), install_failures={("node2", "KB2"): 1})
    report, _ = run_on(cluster, clock)
    node2 = report.node("node2")
    assert report.status.value == "Succeeded"
    assert node2.attempts == 2
    assert [(u.id, u.result) for u in node2.updates] == [("KB1", "Succeeded"), ("KB2", "Succeeded")]
    installs = [n for _, c, n in cluster.calls if c == "start_install" and n == "node2"]
    assert len(installs) == 2
    # attempt 1 restarted for KB1; attempt 2 restarted for KB2 — never twice without need
    assert node2.restarts == 2
    second = [e for e in cluster.work.values() if e[0] is WorkKind.INSTALL and e[1] == "node2"]
    assert [ids for *_, ids in second] == [("KB1", "KB2"), ("KB2",)]


def test_persistent_failure_ends_node_failed_after_max_retries() -> None:
    """An update failing on every attempt: node Failed/PartiallyFailed after 3 attempts, resumed."""
    clock = FakeClock()
    cluster = FakeCluster(
        clock, install_failures={("node2", "KB1"): 99}, names=("node1", "node2", "node3", "node4")
    )
    report, _ = run_on(cluster, clock)
    node2 = report.node("node2")
    assert node2.status.value == "Failed"
    assert node2.attempts == 3
    assert node2.updates[0].hresult == "0x80240022"
    assert report.status.value == "PartiallyFailed"
    assert cluster.nodes["node2"].state is NodeState.UP  # not left paused


def test_max_failed_nodes_exceeded_cancels_and_never_suspends_the_rest() -> None:
    """Failed nodes > MaxFailedNodes → run Failed, MaxFailedNodesExceeded, rest Canceled."""
    clock = FakeClock()
    cluster = FakeCluster(clock, install_failures={("node1", "KB1"): 99})
    report, events = run_on(cluster, clock, Profile(max_failed_nodes=0, node_order=("node1",)))
    assert report.status.value == "Failed"
    assert report.error_id == "MaxFailedNodesExceeded"
    assert [n.status.value for n in report.nodes] == ["Failed", "Canceled", "Canceled"]
    assert {n for _, n in cluster.log("suspend_node")} == {"node1"}
    assert report.node("node2").attempts == 0
    assert report.node("node2").timing == ()
    assert [e.event_id for e in events if e.event_id][-2:] == [1019, 1007]


def test_restart_is_confirmed_only_by_changed_boot_id_and_never_reissued() -> None:
    """A restart call that errors is not re-issued; the changed boot id confirms it."""
    clock = FakeClock()
    cluster = FakeCluster(clock, restart_errors=("node1",))
    report, _ = run_on(cluster, clock)
    assert report.node("node1").status.value == "Succeeded"
    assert [n for _, n in cluster.log("restart_node")].count("node1") == 1


def test_unchanged_boot_id_fails_the_attempt_after_reboot_timeout() -> None:
    """A node that never restarts (same boot id, still Paused) is not taken as restarted."""
    clock = FakeClock()
    cluster = FakeCluster(
        clock, ignore_restart=("node1",), names=("node1", "node2", "node3", "node4")
    )
    report, events = run_on(cluster, clock, Profile(node_order=("node1",), max_retries_per_node=1))
    node1 = report.node("node1")
    assert node1.status.value == "Failed"  # KB1 installed, but the restart never confirmed
    assert any(e.event_id == 1012 and e.node == "node1" for e in events)
    assert cluster.nodes["node1"].state is NodeState.UP  # resumed, not left paused
    assert [n for _, n in cluster.log("restart_node")].count("node1") == 1


def test_hung_node_is_left_as_is_and_failed_with_event_1012() -> None:
    """A node that never comes back is Failed (1012, 1013) and not retried; the run goes on."""
    clock = FakeClock()
    cluster = FakeCluster(clock, hang=("node1",), names=("node1", "node2", "node3", "node4"))
    report, events = run_on(
        cluster, clock, Profile(node_order=("node1",), reboot_timeout_minutes=15)
    )
    node1 = report.node("node1")
    assert node1.status.value == "Failed"
    assert node1.attempts == 1
    assert cluster.nodes["node1"].state is NodeState.DOWN
    reboot = node1.timing[[p for p, *_ in node1.timing].index("reboot")]
    assert reboot[2] - reboot[1] == pytest.approx(15 * 60, abs=31)
    ids = [e.event_id for e in events if e.node == "node1" and e.event_id]
    assert 1012 in ids
    assert 1013 in ids
    assert report.status.value == "PartiallyFailed"


def test_stuck_drain_is_bounded_by_drain_timeout_and_resumed() -> None:
    """A drain that never completes fails each attempt at drain_timeout; the node is resumed."""
    clock = FakeClock()
    cluster = FakeCluster(clock, drain_stuck=("node1",), names=("node1", "node2", "node3", "node4"))
    profile = Profile(node_order=("node1",), drain_timeout_minutes=10, max_retries_per_node=2)
    report, events = run_on(cluster, clock, profile)
    node1 = report.node("node1")
    assert node1.status.value == "Failed"
    assert node1.attempts == 2
    drain = dict((p, (s, e)) for p, s, e in node1.timing)["drain"]
    assert drain[1] - drain[0] == pytest.approx(600, abs=16)
    assert [e.event_id for e in events if e.node == "node1"].count(1016) == 2
    assert cluster.nodes["node1"].state is NodeState.UP
    assert not cluster.log("start_install") or all(
        n != "node1" for _, n in cluster.log("start_install")
    )


def test_pre_script_failure_is_a_failed_attempt_before_maintenance() -> None:
    """A failing pre-update script: that attempt never suspends the node; the retry goes on."""
    clock = FakeClock()
    cluster = FakeCluster(clock, install_failures={("node1", "C:\\pre.ps1"): 1})
    report, _ = run_on(
        cluster, clock, Profile(pre_update_script="C:\\pre.ps1", node_order=("node1",))
    )
    node1 = report.node("node1")
    assert node1.status.value == "Succeeded"
    assert node1.attempts == 2
    scripts = [t for t, n in cluster.log("start_script") if n == "node1"]
    suspends = [t for t, n in cluster.log("suspend_node") if n == "node1"]
    assert len(scripts) == 2
    assert len(suspends) == 1
    assert suspends[0] > scripts[1]


def test_storage_degraded_refusals_are_retried_without_using_attempts() -> None:
    """Suspend refused with 5987 is retried within storage_wait and costs no attempt."""
    clock = FakeClock()
    cluster = FakeCluster(clock, degraded_refusals=3)
    report, _ = run_on(cluster, clock)
    assert report.status.value == "Succeeded"
    assert all(n.attempts == 1 for n in report.nodes)
    assert len(cluster.log("suspend_node")) == 3 + 3


def test_nothing_offered_node_succeeds_without_drain_or_restart() -> None:
    """A node offered nothing ends Succeeded with no updates and is never touched."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    cluster.nodes["node2"].installed.add("KB1")
    report, _ = run_on(cluster, clock)
    node2 = report.node("node2")
    assert node2.status.value == "Succeeded"
    assert node2.updates == ()
    assert node2.restarts == 0
    assert "node2" not in {n for _, n in cluster.log("suspend_node")}


def test_updates_applicable_after_a_restart_are_installed_in_a_second_pass() -> None:
    """The re-scan after a restart finds KB2 (needs KB1) and installs it in the same attempt."""
    clock = FakeClock()
    cluster = FakeCluster(clock, updates=(KB1, KB2), after={"KB2": "KB1"})
    report, _ = run_on(cluster, clock)
    for node in report.nodes:
        assert node.attempts == 1
        assert node.restarts == 2
        assert [u.id for u in node.updates] == ["KB1", "KB2"]


def test_boot_type_is_what_the_node_did_not_what_was_asked() -> None:
    """A soft restart asked for but answered full: the report says FullBoot, and an event
    says a soft restart was asked for and not available."""
    clock = FakeClock()
    cluster = FakeCluster(clock, soft_unavailable=True)
    report, events = run_on(cluster, clock, Profile(soft_reboot=True))
    assert report.status == "Succeeded"
    assert {n.boot_type for n in report.nodes} == {BootType.FULL}
    unavailable = [e for e in events if e.kind == "soft-restart-unavailable"]
    assert [e.node for e in unavailable] == [n.name for n in report.nodes]
    assert "asked for" in unavailable[0].detail


def test_boot_type_of_a_soft_restart_whose_answer_was_lost_is_unknown() -> None:
    """A soft restart whose answer never came: the report claims neither kind (Unknown)."""
    clock = FakeClock()
    cluster = FakeCluster(clock, restart_errors=("node1",))
    report, _ = run_on(cluster, clock, Profile(soft_reboot=True))
    assert report.node("node1").boot_type is BootType.UNKNOWN
    assert report.node("node2").boot_type is BootType.SOFT


class _CredentialsRevoked(FakeCluster):
    """The account is disabled while node1 installs: every call is refused from then on."""

    def _refused(self) -> None:
        if self.log("start_install"):
            raise AuthenticationFailed("127.0.0.1 refused the credentials")

    def observe(self):  # type: ignore[no-untyped-def]
        self._refused()
        return super().observe()

    def poll_work(self, handle):  # type: ignore[no-untyped-def]
        self._refused()
        return super().poll_work(handle)


def test_refused_credentials_end_the_run_at_once_not_after_an_hour_blind() -> None:
    """Credentials refused mid-run (even after a fresh logon) are no outage to wait out: the
    run ends Failed (AuthenticationFailed) at once and touches nothing more."""
    clock = FakeClock()
    cluster = _CredentialsRevoked(clock)
    report, _ = run_on(cluster, clock)
    assert (report.status, report.error_id) == ("Failed", "AuthenticationFailed")
    refused_at = min(t for t, _ in cluster.log("start_install"))
    assert clock.t - refused_at < 120
    later = [c for t, c, _ in cluster.calls if t > refused_at and c != "observe"]
    assert later == []
