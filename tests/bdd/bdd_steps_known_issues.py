"""Given/Then steps of ``features/known_issues.feature``: the seed's known issues.

Owns: the Given steps that switch a known issue on (``known_issues: [id]``), give nodes their
OS builds and offer a feature update, and the Then steps that check a refusal before any
node was touched, what its message names, and a catalog entry's (``runner.known_issues``)
``handling``: the scenario's claim must be the entry's, and the behaviour it names is
checked on the report (``bdd_known_issue_proofs``), never the constant alone.

Must not: rehearse except through the conftest When steps or reach into the simulator's
world; ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

import re
from typing import Any

from bdd_checks import Doc, Report, events
from bdd_known_issue_proofs import assert_untouched, prove, prove_refused
from pytest_bdd import given, parsers, then

from runner.known_issues import KNOWN_ISSUES, Handling, known_issue

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _names(text: str) -> list[str]:
    return [n for n in re.split(r"[,\s]+|\band\b", text) if n and n != "and"]


def _node_list(doc: Doc) -> list[dict[str, object]]:
    """The cluster's nodes as a per-node list (a ``{count: N, …}`` block is expanded)."""
    nodes = doc["cluster"]["nodes"]
    if isinstance(nodes, dict):
        shared = {k: v for k, v in nodes.items() if k not in ("count", "names", "offline")}
        names = nodes.get("names") or [f"node{i}" for i in range(1, nodes["count"] + 1)]
        nodes = [{"name": name, **shared} for name in names]
        doc["cluster"]["nodes"] = nodes
    return list(nodes)


@given(parsers.parse('the scenario reproduces the known issue "{issue_id}"'))
def reproduces_known_issue(scenario_doc: Doc, issue_id: str) -> None:
    """Switch a known issue on in the simulator."""
    scenario_doc.setdefault("known_issues", []).append(issue_id)


@given(parsers.re(r"(?P<names>[\w, ]+?) runs? OS build (?P<build>\d+\.\d+)"))
def nodes_run_build(scenario_doc: Doc, names: str, build: str) -> None:
    """Per-node patch level (os_build)."""
    wanted = _names(names)
    for entry in _node_list(scenario_doc):
        if entry["name"] in wanted:
            entry["os_build"] = build


@given(parsers.re(r"the cluster is offered the feature update (?P<update_id>[\w-]+)"))
def feature_update_offered(scenario_doc: Doc, update_id: str) -> None:
    """A feature update among the offers, and a run with the RollingUpgrade plug-in (the one
    plug-in that offers it)."""
    scenario_doc.setdefault("profile", {})["plugin"] = "rolling-upgrade"
    scenario_doc.setdefault("updates", []).append(
        {
            "id": update_id,
            "title": "Feature update to Azure Stack HCI, version 21H2",
            "kind": "feature",
            "install_minutes": 45,
            "restart": True,
        }
    )


@given("the cluster is offered no quality update")
def no_quality_update(scenario_doc: Doc) -> None:
    """Only what later steps add is offered."""
    scenario_doc["updates"] = [u for u in scenario_doc.get("updates", []) if u.get("kind")]


@then("no node was touched")
def no_node_touched(report: Report) -> None:
    """Refused before any node: none suspended or restarted, every node Canceled, 0 attempts."""
    assert_untouched(report)


@then(parsers.re(r"the run error names (?P<words>[\w, .-]+)"))
def error_names(report: Report, words: str) -> None:
    """The refusal's message names each of these (nodes, updates, the prerequisite KB)."""
    error = report["error"] or ""
    missing = [w for w in _names(words) if w not in error]
    assert not missing, (missing, error)


def _active(scenario_doc: Doc, issue_id: str) -> None:
    assert issue_id in scenario_doc.get("known_issues", []), f"{issue_id} was not switched on"


@then(
    parsers.re(
        r'the known issue "(?P<issue_id>[\w-]+)" is '
        r"(?P<handling>mitigated automatically|refused with guidance|detected and reported)"
    )
)
def handled_as(report: Report, scenario_doc: Doc, issue_id: str, handling: str) -> None:
    """The catalog says this handling, and the run with the issue active shows it: success
    with the mitigation's effects, a refusal with guidance, or the detection reported."""
    issue = known_issue(issue_id)
    assert issue.handling is Handling(handling), (issue.handling, handling)
    _active(scenario_doc, issue_id)
    prove(report, issue)


@then(parsers.parse('the run was refused for the known issue "{issue_id}", with its guidance'))
def refused_for(report: Report, scenario_doc: Doc, issue_id: str) -> None:
    """An entry that refuses in some cases only (its error id): refused up front, with the
    entry's error id and guidance."""
    _active(scenario_doc, issue_id)
    prove_refused(report, known_issue(issue_id))


@then(parsers.re(r"the catalog lists the known issues (?P<ids>[\w, -]+)"))
def catalog_lists(ids: str) -> None:
    """One data entry per known issue of the guide, with every field filled in."""
    expected = [i.strip() for i in ids.split(",")]
    assert [i.id for i in KNOWN_ISSUES] == expected
    for issue in KNOWN_ISSUES:
        assert issue.affected_versions, issue.id
        assert all((issue.title, issue.symptom, issue.detection, issue.mitigation)), issue.id


@then("the catalog says what pycau does about each known issue")
def all_handled() -> None:
    """Each entry names its handling; a refusing one its error id and the guidance its
    message gives (test_unit_known_issue_catalog checks a scenario proves each)."""
    for issue in KNOWN_ISSUES:
        assert isinstance(issue.handling, Handling), issue.id
        if issue.handling is Handling.REFUSED_WITH_GUIDANCE:
            assert issue.error_id, issue.id
        assert bool(issue.error_id) == bool(issue.guidance), issue.id


@then(parsers.re(r"every node installed the feature update (?P<update_id>[\w.-]+)"))
def every_node_took_feature(report: Report, update_id: str) -> None:
    """The feature update is reported Succeeded on every node, and nothing else installed."""
    for entry in report["nodes"]:
        results = [(u["id"], u["result"]) for u in entry["updates"]]
        assert results == [(update_id, "Succeeded")], (entry["name"], results)


@then(parsers.re(r'every node reports the update (?P<update_id>[\w.-]+) titled "(?P<title>[^"]+)"'))
def every_node_title(report: Report, update_id: str, title: str) -> None:
    """The offered title is reported verbatim (never renamed to what really installed)."""
    for entry in report["nodes"]:
        titles = [u["title"] for u in entry["updates"] if u["id"] == update_id]
        assert titles == [title], (entry["name"], titles)


@then(parsers.re(r"every node's restart event says it runs OS build (?P<label>.+)"))
def restart_names_build(report: Report, label: str) -> None:
    """Each confirmed restart (1011) states the build the node really runs, and its version."""
    for entry in report["nodes"]:
        details = [e["detail"] for e in events(report, event_id=1011, node_name=entry["name"])]
        assert details, entry["name"]
        assert details[-1].endswith(f"runs OS build {label}"), details


@then("on every node both restarts came before the post-update script")
def restarts_before_post_script(report: Report) -> None:
    """Two confirmed restarts (1011), both before the node's post-update script started."""
    for entry in report["nodes"]:
        post = entry["timing"].get("post_script")
        assert post is not None, entry["name"]
        restarted = [e["time"] for e in events(report, event_id=1011, node_name=entry["name"])]
        assert len(restarted) == 2, (entry["name"], restarted)
        assert max(restarted) <= post[0], (entry["name"], restarted, post)


def _never_completed(report: Report) -> dict[str, object]:
    """The warning of the run that went on although the readiness check never completed."""
    found = [
        e
        for e in events(report, kind="warning")
        if "known issue readiness-check-never-completes" in str(e["detail"])
    ]
    assert len(found) == 1, found
    return found[0]


@then(parsers.re(r"the run waited at most (?P<minutes>[\d.]+) minutes for the readiness check"))
def waited_at_most(report: Report, minutes: str) -> None:
    """The report was read once the bounded wait ended, no later than a poll after it."""
    warned_at = float(str(_never_completed(report)["time"]))
    assert float(minutes) * 60 <= warned_at <= float(minutes) * 60 + 30


@then("a warning names the known issue and Test-Cluster's validation report")
def warning_names_report(report: Report) -> None:
    """The warning says the check never completed and where the passing report is."""
    detail = str(_never_completed(report)["detail"])
    assert "C:\\Windows\\Cluster\\Reports\\Validation Report" in detail
    assert "says it passed" in detail


@then("no node was suspended before the readiness check ended")
def nothing_before_validation(report: Report) -> None:
    """Every drain, node phase and restart comes after the readiness check's end."""
    ended = float(str(_never_completed(report)["time"]))
    touched = events(report, event_id=1008) + events(report, kind="phase-start")
    assert touched
    assert all(float(str(e["time"])) >= ended for e in touched)


def _credssp(report: Report, kind: str) -> list[dict[str, Any]]:
    return events(report, kind=kind)


@then("CredSSP was enabled before the first node was suspended")
def credssp_enabled_first(report: Report) -> None:
    """One credssp-enabled event, before any drain or node phase."""
    enabled = _credssp(report, "credssp-enabled")
    assert len(enabled) == 1, enabled
    touched = events(report, event_id=1008) + events(report, kind="phase-start")
    assert touched
    assert all(float(e["time"]) >= float(enabled[0]["time"]) for e in touched)


@then(parsers.re(r"CredSSP was disabled at the end of the run on attempt (?P<attempt>\d+)"))
def credssp_disabled_at_end(report: Report, attempt: str) -> None:
    """One credssp-disabled event on that attempt, after every node's phases, with no warning
    that it stayed enabled."""
    disabled = _credssp(report, "credssp-disabled")
    assert len(disabled) == 1, disabled
    assert disabled[0]["detail"].endswith(f"(attempt {attempt})"), disabled
    phases = events(report, kind="phase-end")
    assert all(float(e["time"]) <= float(disabled[0]["time"]) for e in phases)
    assert not [e for e in events(report, kind="warning") if "credssp" in e["detail"]]


@then("CredSSP was read on every node and found enabled before the run")
def credssp_found_enabled(report: Report) -> None:
    """The run read the role on every node (read, not assumed) and said so once."""
    (found,) = _credssp(report, "credssp-already-enabled")
    names = ", ".join(n["name"] for n in report["nodes"])
    assert f"already enabled on {names} (read, not assumed)" in found["detail"], found
    assert report["simulation"]["credssp"]["enabled_before_run"] is True


@then("pycau changed CredSSP on no node")
def credssp_unchanged(report: Report) -> None:
    """Nothing enabled or disabled by the run: the world's role changed 0 times, and it is
    still enabled at the end, as found."""
    section = report["simulation"]["credssp"]
    assert section["calls"] == 0, section
    assert section["enabled_at_end"] is True, section
    assert not _credssp(report, "credssp-enabled")
    assert not _credssp(report, "credssp-disabled")


@then("a warning says CredSSP is left enabled as found")
def credssp_left_as_found(report: Report) -> None:
    warnings = [e["detail"] for e in events(report, kind="warning")]
    assert any("left enabled on" in w and "as it was before the run" in w for w in warnings)


@then(parsers.parse("the run's error names {node} and the missing permission"))
def credssp_error_names(report: Report, node: str) -> None:
    """One sentence: the node, the refused command and the permission that is missing."""
    error = report["error"] or ""
    assert f"CredSSP could not be enabled on {node}" in error, error
    assert f"member of the local Administrators group on {node}" in error, error


@then("the cluster's CredSSP is disabled at the end")
def credssp_off_in_world(report: Report) -> None:
    """The simulated cluster's own record: CredSSP was set, and no node has it enabled."""
    section = report["simulation"]["credssp"]
    assert section["calls"] >= 2, section
    assert section["enabled_at_end"] is False
