"""The report-truth invariant: real reports hold; doctored reports are caught, each lie named."""

from __future__ import annotations

import copy
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from sim_driver import fault, make_scenario, make_world

from runner.cli.run_record import RunRecord
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearse
from runner.rehearsal.twin import report_from_record
from runner.report import RunEvent
from runner.types import BootType, FailbackMode
from runner.updating_run import run_updating_run
from simulator.scenario import load_scenario
from simulator.world import SimulatedCluster, build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _report_and_world(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    """A rehearsal's report JSON and its world (ground truth)."""
    rehearsal = rehearse(*args, **kwargs)
    return rehearsal.to_dict(), rehearsal.world


def truth(world: SimulatedCluster, report: dict[str, Any]) -> list[str]:
    """The report-truth violations the oracle finds in ``report``."""
    section = world.oracle.finish(report)["report-truth"]
    assert section["holds"] is (not section["violations"])
    return [v["detail"] for v in section["violations"]]


def node(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in report["nodes"] if n["name"] == name)


@pytest.fixture(scope="module")
def clean() -> tuple[dict[str, Any], SimulatedCluster]:
    """The bundled default scenario, rehearsed: every node Succeeded with one full restart."""
    return _report_and_world(load_scenario(SCENARIOS / "four-node-rolling.yaml"))


@pytest.fixture(scope="module")
def refused_run() -> tuple[dict[str, Any], SimulatedCluster]:
    """max-failed-nodes: node1 and node2 Failed, node3 and node4 never touched (Canceled)."""
    return _report_and_world(load_scenario(SCENARIOS / "max-failed-nodes.yaml"))


def doctor(report: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    forged = copy.deepcopy(report)
    node(forged, name).update(fields)
    return forged


def test_a_real_report_holds(clean: tuple[dict[str, Any], SimulatedCluster]) -> None:
    """The report of a clean run states what the world saw: no report-truth violation."""
    report, world = clean
    assert report["simulation"]["invariants"]["report-truth"] == {"holds": True, "violations": []}
    assert truth(world, report) == []
    assert {n["boot_type"] for n in report["nodes"]} == {"FullBoot"}


def test_succeeded_node_that_never_installed_is_caught(
    refused_run: tuple[dict[str, Any], SimulatedCluster],
) -> None:
    """node3 was never operated on; reporting it Succeeded is a lie the world exposes."""
    report, world = refused_run
    assert truth(world, report) == []
    found = truth(world, doctor(report, "node3", status="Succeeded"))
    assert found == ["node3 reported Succeeded but KB5031364 still offered"]


def test_wrong_restart_count_is_caught(clean: tuple[dict[str, Any], SimulatedCluster]) -> None:
    """Two restarts reported where the world saw one break report-truth."""
    report, world = clean
    assert truth(world, doctor(report, "node2", restarts=2)) == [
        "node2 reports 2 restart(s), the world saw 1"
    ]


def test_wrong_boot_type_is_caught(clean: tuple[dict[str, Any], SimulatedCluster]) -> None:
    """A soft boot reported for a node that did a full boot breaks report-truth."""
    report, world = clean
    assert truth(world, doctor(report, "node1", boot_type="SoftBoot")) == [
        "node1 reports boot type SoftBoot, the node did FullBoot"
    ]


def test_wrong_attempt_count_is_caught(clean: tuple[dict[str, Any], SimulatedCluster]) -> None:
    """More or fewer attempts than the world saw begin break report-truth."""
    report, world = clean
    assert truth(world, doctor(report, "node4", attempts=2)) == [
        "node4 reports 2 attempt(s), the world saw 1"
    ]
    assert truth(world, doctor(report, "node4", attempts=0)) == [
        "node4 reports 0 attempt(s), the world saw 1"
    ]


def test_update_reported_installed_but_never_installed_is_caught(
    clean: tuple[dict[str, Any], SimulatedCluster],
) -> None:
    """An update result Succeeded for an update the node never installed is caught."""
    report, world = clean
    updates = [*node(report, "node1")["updates"], {"id": "KB999", "result": "Succeeded"}]
    assert truth(world, doctor(report, "node1", updates=updates)) == [
        "node1 reports KB999 Succeeded, the world never installed it"
    ]


def test_failed_node_without_evidence_is_caught(
    clean: tuple[dict[str, Any], SimulatedCluster],
) -> None:
    """A node reported Failed when nothing went wrong on it (nor cluster-wide) is caught."""
    report, world = clean
    found = truth(world, doctor(report, "node3", status="Failed"))
    assert found == [
        "node3 reported Failed but the world saw no failed attempt, timeout or refusal on it"
    ]
    forged = doctor(report, "node3", status="PartiallyFailed")
    assert len(truth(world, forged)) == 1


def test_failed_nodes_with_evidence_hold(
    refused_run: tuple[dict[str, Any], SimulatedCluster],
) -> None:
    """Failed install results on node1 and node2 are the world's evidence for their Failed."""
    report, world = refused_run
    assert [n["status"] for n in report["nodes"]] == ["Failed", "Failed", "Canceled", "Canceled"]
    assert [n["attempts"] for n in report["nodes"]] == [3, 3, 0, 0]
    assert truth(world, report) == []


def test_succeeded_node_left_paused_or_down_is_caught() -> None:
    """A node reported Succeeded while it is Paused, or Down, at the end is caught."""
    world = make_world(make_scenario(3, resiliency=None, updates=()))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node2")
    report = {
        "status": "Succeeded",
        "nodes": [
            {"name": "node1", "status": "Succeeded", "attempts": 1},
            {"name": "node2", "status": "Succeeded", "attempts": 1},
        ],
        "events": [],
    }
    assert truth(world, report) == [
        "node1 reported Succeeded but it is Paused at the end",
        "node2 reported Succeeded but it is Down at the end",
    ]


def test_a_crash_after_the_node_was_final_is_no_lie() -> None:
    """A fault crashing a node after it was reported Succeeded does not make the report lie."""
    report, world = _report_and_world(load_scenario(SCENARIOS / "four-node-rolling.yaml"))
    world.crash("node1", None)
    assert truth(world, report) == []


def test_a_node_not_in_the_cluster_is_caught(
    clean: tuple[dict[str, Any], SimulatedCluster],
) -> None:
    """A report listing a node the cluster does not have is caught."""
    report, world = clean
    forged = copy.deepcopy(report)
    forged["nodes"].append({"name": "node9", "status": "Succeeded", "attempts": 1})
    assert truth(world, forged) == ["the report lists node9, which is not in the cluster"]


def test_attempts_seen_through_the_pre_update_script() -> None:
    """With a pre-update script each attempt is one script start; node2's retry makes two."""
    report, world = _report_and_world(load_scenario(SCENARIOS / "fault-script-failure.yaml"))
    assert world.profile.pre_update_script
    assert node(report, "node2")["attempts"] == 2
    assert world.oracle.truth.attempts_seen("node2") == 2
    assert truth(world, doctor(report, "node2", attempts=1)) == [
        "node2 reports 1 attempt(s), the world saw 2"
    ]


def test_an_attempt_that_never_touched_the_node_is_allowed_only_with_a_reason() -> None:
    """A first attempt ending in the storage wait (no suspend) is invisible to the world: the
    storage outlasting the wait permits one more attempt than seen, and no more."""
    world = make_world(make_scenario(3, resiliency=None), wait_for_storage_repair_timeout_minutes=1)
    world.transport.suspend_node("node1")
    world.transport.resume_node("node1", FailbackMode.NONE)
    report = {"status": "Succeeded", "nodes": [{"name": "node1", "attempts": 2}], "events": []}
    assert truth(world, report) == ["node1 reports 2 attempt(s), the world saw 1"]
    storage = make_scenario(3, vms_per_node=0)
    world = make_world(storage, wait_for_storage_repair_timeout_minutes=1)
    world.crash("node3", 600.0)  # storage not ready for ten minutes
    world.clock.sleep(900)
    world.transport.suspend_node("node1")
    world.transport.resume_node("node1", FailbackMode.NONE)
    report["nodes"] = [{"name": "node1", "attempts": 2}]
    assert truth(world, report) == []
    report["nodes"] = [{"name": "node1", "attempts": 3}]
    assert truth(world, report) == [
        "node1 reports 3 attempt(s), the world saw 1 (and at most 1 that never touched it)"
    ]


def test_node_crashing_during_its_resync_is_reported_failed() -> None:
    """Regression (report-truth found it): a node that crashes for good after it was resumed
    is reported Failed, not Succeeded while Down."""
    scenario = make_scenario(
        3,
        write_mb_s=4000,  # a long resync after node1's restart
        faults=(fault("node-crash", node="node1", at_minute=40, down_minutes=None),),
    )
    report = _report_and_world(scenario)[0]
    resync = node(report, "node1")["timing"]["resync"]
    assert resync[0] < 40 * 60 < resync[1]
    assert node(report, "node1")["status"] == "Failed"
    assert "node1 went Down after it was resumed" in node(report, "node1")["error"]
    assert report["simulation"]["invariants"]["report-truth"]["holds"]


def record_of(report: dict[str, Any]) -> dict[str, Any]:
    """The final run record a WinRM run publishes for ``report`` (what the twin sees)."""
    record = RunRecord(
        run_id=report["run_id"],
        cluster=report["cluster"],
        coordinator="mgmt01",
        started_at=SIMULATED_STARTED_AT,
        nodes=[n["name"] for n in report["nodes"]],
    )
    for event in report["events"]:
        record.on_event(RunEvent(**event))
    record.finish(report)
    return record.document


def test_the_twin_judges_report_truth_from_the_run_record() -> None:
    """The published record carries status, attempts, restarts and boot type: the twin's
    report-truth holds for a true record and catches a doctored boot type or restart count."""
    report, world = _report_and_world(load_scenario(SCENARIOS / "four-node-rolling.yaml"))
    record = record_of(report)
    from_record = report_from_record(record)
    assert {n["boot_type"] for n in from_record["nodes"]} == {"FullBoot"}
    assert truth(world, from_record) == []
    record["Nodes"][1].update(BootType="SoftBoot", Restarts=0)
    assert truth(world, report_from_record(record)) == [
        "node2 reports 0 restart(s), the world saw 1",
        "node2 reports boot type SoftBoot, the node did FullBoot",
    ]


class _LostRestart:
    """The world's transport, except that the management network drops just as the first
    restart command is sent (it never reaches the node) and comes back a minute later."""

    def __init__(self, world: SimulatedCluster) -> None:
        self.world = world
        self.inner = world.transport
        self.dropped = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        if not self.dropped:
            self.dropped = True
            self.inner.management_down = True
            self.world.env.process(self._back())
        return self.inner.restart_node(node, soft=soft)

    def _back(self) -> Generator[Any, Any, None]:
        yield self.world.env.timeout(60)
        self.inner.management_down = False


def test_a_restart_that_never_reached_the_node_is_not_reported() -> None:
    """Regression (report-truth): a restart command whose effect is unknown counts only when
    a changed boot id confirms it; one that never reached the node is not reported."""
    scenario = load_scenario(SCENARIOS / "four-node-rolling.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    transport = _LostRestart(world)
    run = run_updating_run(
        transport, world.clock, profile, run_id="lost-restart", started_at=SIMULATED_STARTED_AT
    )
    report = run.to_dict()
    assert transport.dropped
    first = report["nodes"][0]
    assert len(world.oracle.truth.restarts[first["name"]]) == first["restarts"]
    assert any("effect unknown" in e["detail"] for e in report["events"])
    assert truth(world, report) == []
