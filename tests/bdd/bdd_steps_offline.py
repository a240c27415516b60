"""Given/When/Then steps of ``features/offline_update.feature``: the fast, offline update.

Owns: the When step that rehearses one scenario in both modes, and the Then steps that read
the offline run out of its report — the report's ``mode``, ``cluster_timing`` (the guide's
steps in order, planned and real downtime), ``offline`` (VMs saved and started, services
left Disabled) and the events of the plan, the restarts and the restored services.

Must not: rehearse except through ``bdd_checks`` or reach into the simulator's world — the
report and its "simulation" section are the only evidence. ``test_features.py`` star-imports
this module so its step fixtures are visible to the scenarios.
"""

from __future__ import annotations

import copy
from typing import Any

from bdd_checks import Doc, Report, events, rehearse_doc
from pytest_bdd import parsers, then, when

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

GUIDE_STEPS = [
    "save_vms", "disks_offline", "stop_cluster", "disable_service", "install", "restart",
    "rescan", "enable_service", "start_cluster", "storage_wait", "disks_online", "start_vms",
]  # fmt: skip


@when(
    parsers.parse("the run is rehearsed offline and rolling with seed {seed:d}"),
    target_fixture="reports_by_mode",
)
def rehearse_both_modes(
    scenario_doc: Doc, scenario_source: dict[str, str], seed: int
) -> dict[str, Report]:
    """The same scenario rehearsed with mode offline and with mode rolling."""
    out: dict[str, Report] = {}
    for mode in ("offline", "rolling"):
        doc = copy.deepcopy(scenario_doc)
        doc.setdefault("profile", {})["mode"] = mode
        out[mode] = rehearse_doc(doc, seed, scenario_source["source"])
    return out


@then("the report's mode is offline")
def mode_offline(report: Report) -> None:
    """The report says which driver ran: the offline one."""
    assert report["mode"] == "offline"
    assert report["profile"]["mode"] == "offline"


@then("the cluster-wide steps ran in the guide's order")
def steps_in_order(report: Report) -> None:
    """cluster_timing lists each of the guide's steps once, each starting after the last."""
    steps: dict[str, Any] = report["cluster_timing"]["steps"]
    assert list(steps) == GUIDE_STEPS
    starts = [span[0] for span in steps.values()]
    assert starts == sorted(starts)


@then("every node restarted inside the same restart step")
def restarts_together(report: Report) -> None:
    """Every node's restart (event 1010) falls in the one cluster-wide restart step."""
    begin, end = report["cluster_timing"]["steps"]["restart"]
    restarted = events(report, kind="node-restarting")
    assert sorted(e["node"] for e in restarted) == sorted(n["name"] for n in report["nodes"])
    assert all(begin <= e["time"] <= end for e in restarted)


@then("every running VM was saved first and runs again at the end")
def vms_restored(report: Report) -> None:
    """Each VM was saved (none left not started) and the oracle's workloads-restored holds."""
    offline = report["offline"]
    assert offline["vm_action"] == "save"
    assert len(offline["vms_saved"]) == 24
    assert offline["vms_not_started"] == []
    assert report["simulation"]["invariants"]["workloads-restored"]["holds"]


@then(parsers.parse('the rolling invariant "{name}" is reported not applicable'))
def not_applicable(report: Report, name: str) -> None:
    """A waived rolling invariant says why instead of silently holding."""
    verdict = report["simulation"]["invariants"][name]
    assert verdict["not_applicable"], verdict


@then("the planned downtime is stated before the first VM is saved")
def plan_first(report: Report) -> None:
    """The offline-plan event, with the estimate and its parts, precedes the first save."""
    plan = events(report, kind="offline-plan")
    assert len(plan) == 1
    assert "planned downtime about " in plan[0]["detail"]
    assert plan[0]["time"] <= report["cluster_timing"]["steps"]["save_vms"][0]


@then("the report sets the planned downtime beside the real one")
def planned_and_real(report: Report) -> None:
    """cluster_timing has both; the real one spans the first save to the last VM start."""
    timing = report["cluster_timing"]
    assert timing["planned_downtime_seconds"] > 0
    start, end = timing["downtime"]
    assert timing["downtime_seconds"] == end - start
    assert end == timing["steps"]["start_vms"][1]


@then("the offline run ends sooner than the rolling one")
def offline_faster(reports_by_mode: dict[str, Report]) -> None:
    """Makespan: every node at once beats one node after another (both Succeeded)."""
    offline, rolling = reports_by_mode["offline"], reports_by_mode["rolling"]
    assert (offline["status"], rolling["status"]) == ("Succeeded", "Succeeded")
    assert offline["duration_seconds"] < rolling["duration_seconds"]


@then(
    parsers.re(
        r"the cluster service of (?P<name>\w+) is reported left Disabled with what to run "
        r"when it is back"
    )
)
def left_disabled(report: Report, name: str) -> None:
    """The node that could not be reached keeps ClusSvc Disabled; the report says so and how
    to undo it."""
    assert report["offline"]["service_left_disabled"] == [name]
    warnings = [e["detail"] for e in events(report, kind="warning") if e["node"] == name]
    assert any("Set-Service -Name ClusSvc -StartupType Automatic" in w for w in warnings)


@then("the cluster service is Automatic again on every node")
def services_restored(report: Report) -> None:
    """Every node's service was set back to Automatic and none is left Disabled."""
    restored = sorted(e["node"] for e in events(report, kind="service-restored"))
    assert sorted(set(restored)) == sorted(n["name"] for n in report["nodes"])
    assert report["offline"]["service_left_disabled"] == []
    assert report["simulation"]["invariants"]["cluster-service-restored"]["holds"]


@then("every invariant of an offline run holds")
def offline_invariants_hold(report: Report) -> None:
    """The ten rolling invariants and the four offline ones were judged; the six the
    downtime breaks on purpose say why they do not apply; every other one holds."""
    from simulator.oracle import INVARIANTS
    from simulator.oracle_offline import NOT_APPLICABLE, OFFLINE_INVARIANTS

    verdicts = report["simulation"]["invariants"]
    assert list(verdicts) == [*INVARIANTS, *OFFLINE_INVARIANTS]
    waived = [name for name, v in verdicts.items() if v.get("not_applicable")]
    assert waived == list(NOT_APPLICABLE)
    broken = {name: v["violations"] for name, v in verdicts.items() if not v["holds"]}
    assert broken == {}
