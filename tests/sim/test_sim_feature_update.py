"""Feature-update runs end to end in the simulator: the RollingUpgrade plug-in's pass, the
follow-up quality pass, the guide's prerequisites, and mixed mode judged by the oracle
independently of the runner's own rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from runner import maintenance_steps
from runner.cli.run_record import RunRecord
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearse
from runner.rehearsal.twin import report_from_record
from runner.report import RunEvent
from runner.types import FailbackMode
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.model import Scenario
from simulator.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def scenario(name: str, **profile: Any) -> Scenario:
    loaded = load_scenario(SCENARIOS / f"{name}.yaml")
    return replace(loaded, profile=MappingProxyType({**loaded.profile, **profile}))


def run(sc: Scenario, **kw: Any) -> dict[str, Any]:
    report: dict[str, Any] = rehearse(sc, **kw).to_dict()
    return report


def kinds(report: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in report["events"]]


def test_the_feature_update_then_the_further_updates() -> None:
    """Test-Cluster first; the feature pass installs only the feature update (rolling-upgrade),
    each node 20H2 → 21H2; the follow-up pass then installs the 21H2 cumulative update."""
    report = run(scenario("feature-update-21h2"))
    assert report["status"] == "Succeeded"
    events = kinds(report)
    assert events.index("validation") < events.index("phase-start")
    for node in report["nodes"]:
        assert node["version"] == {"before": "20H2", "after": "21H2"}
        assert [(u["id"], u["plugin"]) for u in node["updates"]] == [("FU-21H2", "rolling-upgrade")]
    follow = report["follow_up"]
    assert (follow["ran"], follow["status"], follow["plugin"]) == (
        True,
        "Succeeded",
        "windows-update",
    )
    for node in follow["nodes"]:
        assert "version" not in node
        assert [(u["id"], u["plugin"]) for u in node["updates"]] == [
            ("KB5012604", "windows-update")
        ]
        assert (node["attempts"], node["restarts"]) == (1, 1)
    statuses = [i for i, kind in enumerate(events) if kind == "node-status"]
    assert statuses[3] < events.index("follow-up-started") < statuses[4]  # after the 4 nodes
    verdicts = report["simulation"]["invariants"]
    assert verdicts[MIXED_MODE_INVARIANT] == {"holds": True, "violations": []}
    assert all(v["holds"] for v in verdicts.values())


def test_without_the_follow_up_pass_the_run_ends_after_the_feature_update() -> None:
    """follow_up_quality_pass: false — the cumulative update stays offered, the report says
    why the pass did not run, and report-truth holds (rolling-upgrade never offers it)."""
    report = run(scenario("feature-update-21h2", follow_up_quality_pass=False))
    assert report["status"] == "Succeeded"
    assert report["profile"]["follow_up_quality_pass"] is False
    assert report["follow_up"] == {
        "plugin": "windows-update", "ran": False, "reason": "follow_up_quality_pass is false",
        "status": None, "nodes": [],
    }  # fmt: skip
    assert "follow-up-started" not in kinds(report)
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_a_windows_update_run_never_offers_the_feature_update() -> None:
    """The same cluster with the default plug-in: nothing is offered (the cumulative update
    waits for the feature update), no node is drained, no version changes."""
    report = run(scenario("feature-update-21h2", plugin="windows-update"))
    assert report["status"] == "Succeeded"
    assert "follow_up" not in report
    assert all(n["updates"] == [] and n["attempts"] == 0 for n in report["nodes"])
    assert "version" not in report["nodes"][0]


def test_a_failed_node_is_resumed_without_failback_in_mixed_mode() -> None:
    """node2's feature update fails: it stays 20H2 and is resumed without failback (the note
    says why); the follow-up pass is skipped; no refused migration."""
    report = run(scenario("feature-update-node-fails"))
    assert report["status"] == "PartiallyFailed"
    node2 = report["nodes"][1]
    assert (node2["name"], node2["status"], node2["version"]) == (
        "node2", "Failed", {"before": "20H2", "after": "20H2"},
    )  # fmt: skip
    notes = [e["detail"] for e in report["events"] if e["kind"] == "warning"]
    assert any(n.startswith("resumed without failback: node2 runs 20H2") for n in notes)
    assert report["follow_up"]["reason"] == "the feature update did not succeed on every node"
    assert report["simulation"]["invariants"][MIXED_MODE_INVARIANT]["holds"]


def test_the_oracle_catches_a_failback_mixed_mode_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Judged independently: a runner that kept the profile's failback would ask for live
    migrations from 21H2 back to 20H2, and the oracle reports each refusal."""

    def always(view: object, node: str, requested: FailbackMode, *, after_failure: bool):  # type: ignore[no-untyped-def]
        return requested, ""

    monkeypatch.setattr(maintenance_steps, "failback_mode", always)
    verdict = run(scenario("feature-update-node-fails"))["simulation"]["invariants"]
    assert not verdict[MIXED_MODE_INVARIANT]["holds"]
    assert "failback of" in verdict[MIXED_MODE_INVARIANT]["violations"][0]["detail"]


def test_a_node_already_upgraded_is_never_drained_in_the_feature_pass() -> None:
    """node3 already runs 21H2: it is not offered the feature update and is not drained
    until the follow-up pass, when every node runs 21H2."""
    report = run(scenario("feature-update-partly-upgraded"))
    node3 = report["nodes"][[n["name"] for n in report["nodes"]].index("node3")]
    assert (node3["attempts"], node3["updates"], node3["version"]) == (
        0, [], {"before": "21H2", "after": "21H2"},
    )  # fmt: skip
    follow = {n["name"]: n for n in report["follow_up"]["nodes"]}
    assert [u["id"] for u in follow["node3"]["updates"]] == ["KB5012604"]
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_draining_the_only_upgraded_node_is_never_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quality run on a cluster whose only 21H2 node hosts VMs: the runner fails that node
    before a drain the cluster would refuse; without that rule the oracle reports it."""
    plain = run(scenario("feature-update-partly-upgraded", plugin="windows-update"))
    # the cumulative update (after the feature update) is offered to node3 alone
    node3 = next(n for n in plain["nodes"] if n["name"] == "node3")
    assert node3["status"] == "Failed"
    assert "a mixed-mode cluster does not live-migrate to an older version" in node3["error"]
    assert plain["simulation"]["invariants"][MIXED_MODE_INVARIANT]["holds"]
    monkeypatch.setattr(maintenance_steps, "drain_risk", lambda view, node: None)
    blind = run(scenario("feature-update-partly-upgraded", plugin="windows-update"))
    assert not blind["simulation"]["invariants"][MIXED_MODE_INVARIANT]["holds"]


def test_preview_channel_restart_is_refused_before_any_node_is_touched() -> None:
    """A node awaiting Set-PreviewChannel's restart: PreviewChannelRestartPending names it."""
    report = run(scenario("feature-update-preview-channel-restart"))
    assert (report["status"], report["error_id"]) == ("Failed", "PreviewChannelRestartPending")
    assert report["error"].startswith("node3 opted into a preview channel")
    assert {n["status"] for n in report["nodes"]} == {"Canceled"}
    assert "phase-start" not in kinds(report)


def test_a_failing_cluster_validation_refuses_the_feature_update() -> None:
    """Test-Cluster fails (the witness is offline while it runs): ClusterValidationFailed,
    no node touched — a feature-update run validates even without validate_cluster."""
    sc = scenario("feature-update-21h2")
    from simulator.model import FaultSpec

    offline = FaultSpec(
        type="witness-offline", at_minute=0, params=MappingProxyType({"minutes": 60})
    )
    report = run(replace(sc, faults=(offline,)))
    assert (report["status"], report["error_id"]) == ("Failed", "ClusterValidationFailed")
    assert "phase-start" not in kinds(report)


def test_a_coordinator_crash_in_the_follow_up_pass_resumes_it() -> None:
    """The run state journals the follow-up pass: a coordinator dying in it (journal step
    1000 of about 1500) is resumed into it, and the report is the same run's."""
    report = run(scenario("feature-update-21h2"), crash_at_step=1000)
    started = next(e["time"] for e in report["events"] if e["kind"] == "follow-up-started")
    crash = next(e["time"] for e in report["events"] if e["kind"] == "coordinator-crash")
    assert crash > started
    assert report["status"] == "Succeeded"
    assert report["follow_up"]["ran"]
    assert [n["status"] for n in report["follow_up"]["nodes"]] == ["Succeeded"] * 4
    assert [n["version"] for n in report["nodes"]] == [{"before": "20H2", "after": "21H2"}] * 4
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_the_twin_judges_both_passes_from_the_run_record() -> None:
    """A WinRM run publishes both passes in its run record; rebuilt for the twin's oracle,
    report-truth holds pass by pass and catches a doctored follow-up restart count."""
    rehearsal = rehearse(scenario("feature-update-21h2"))
    report = rehearsal.to_dict()
    record = RunRecord(
        run_id=report["run_id"], cluster=report["cluster"], coordinator="mgmt01",
        started_at=SIMULATED_STARTED_AT, nodes=[n["name"] for n in report["nodes"]],
    )  # fmt: skip
    for event in report["events"]:
        record.on_event(RunEvent(**event))
    record.finish(report)
    document = record.document
    assert [n["Restarts"] for n in document["FollowUp"]["Nodes"]] == [1, 1, 1, 1]
    world = rehearsal.world
    assert world.oracle.finish(report_from_record(document))["report-truth"]["holds"]
    document["FollowUp"]["Nodes"][0]["Restarts"] = 2
    verdict = world.oracle.finish(report_from_record(document))["report-truth"]
    assert [v["detail"] for v in verdict["violations"]] == [
        "node1 reports 2 restart(s), the world saw 1"
    ]
