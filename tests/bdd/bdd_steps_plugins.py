"""Given/Then steps of ``features/plugins.feature``: plug-in selection and arguments, the
Hotfix plug-in's share and hotfixes, and several plug-ins in one run.

Owns: the Given steps that choose plug-ins (the hotfix plug-in's root folder is the
Background's share), set a plug-in argument, offer hotfixes and recommended updates and
shape the share, and the Then steps over which plug-in installed what, install order,
drains, node errors, warnings and the preflight scan's length.

Must not: rehearse except through the conftest When steps or reach into the simulator's
world; ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

from typing import Any

from bdd_checks import MINUTE, Doc, Report, events, node, profile_value, suspended_nodes
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.

ROOT = r"\\fs01\Hotfixes\Root"


def _arguments(doc: Doc, plugin: str) -> dict[str, Any]:
    """The argument mapping of ``plugin`` in the profile (created as needed)."""
    profile = doc.setdefault("profile", {})
    names = profile.get("plugin", "windows-update")
    names = [names] if isinstance(names, str) else names
    given = profile.get("plugin_arguments")
    if given is None:
        given = [{} for _ in names] if len(names) > 1 else {}
        profile["plugin_arguments"] = given
    if isinstance(given, dict):
        return given
    return given[names.index(plugin)]


@given(parsers.re(r"the run uses the (?P<plugin>[\w-]+) plug-in"))
def uses_one_plugin(scenario_doc: Doc, plugin: str) -> None:
    """One plug-in (the hotfix plug-in reads the Background's share)."""
    profile = scenario_doc.setdefault("profile", {})
    profile["plugin"] = plugin
    profile["plugin_arguments"] = {"hotfix_root_folder_path": ROOT} if plugin == "hotfix" else {}


@given(parsers.re(r"the run uses the plug-ins (?P<names>[\w, -]+)"))
def uses_plugins(scenario_doc: Doc, names: str) -> None:
    """Several plug-ins in this order."""
    plugins = [n.strip() for n in names.split(",")]
    profile = scenario_doc.setdefault("profile", {})
    profile["plugin"] = plugins
    profile["plugin_arguments"] = [
        {"hotfix_root_folder_path": ROOT} if p == "hotfix" else {} for p in plugins
    ]


@given(
    parsers.re(
        r"the (?P<which>Windows Update|hotfix) plug-in argument (?P<key>\w+) is (?P<value>.+)"
    )
)
def plugin_argument(scenario_doc: Doc, which: str, key: str, value: str) -> None:
    """One argument of a plug-in (YAML value; "quoted" text is literal)."""
    plugin = "windows-update" if which == "Windows Update" else "hotfix"
    _arguments(scenario_doc, plugin)[key] = profile_value(value)


@given(parsers.re(r"the scenario also offers the recommended update (?P<update_id>KB\d+)"))
def recommended_update(scenario_doc: Doc, update_id: str) -> None:
    """An update Windows Update classifies as recommended (no restart)."""
    scenario_doc["updates"].append(
        {"id": update_id, "importance": "recommended", "install_minutes": 5, "restart": False}
    )


@given(parsers.re(r"the scenario also offers the update (?P<update_id>KB\d+)"))
def another_update(scenario_doc: Doc, update_id: str) -> None:
    """A second important update (restart)."""
    scenario_doc["updates"].append({"id": update_id, "install_minutes": 10})


@given(
    parsers.re(
        r"the share offers the hotfix (?P<update_id>KB\d+) with exit code (?P<code>\S+?)"
        r"(?: to (?P<name>\w+) only)?"
    )
)
def share_hotfix(scenario_doc: Doc, update_id: str, code: str, name: str | None) -> None:
    """A .msu hotfix in CAUHotfix_All (or one node's folder) and its installer's exit code."""
    hotfix: dict[str, Any] = {
        "id": update_id, "kind": "hotfix", "file": f"Windows10.0-{update_id}-x64.msu",
        "install_minutes": 5, "exit_code": int(code, 0),
    }  # fmt: skip
    if name:
        hotfix["nodes"] = [name]
    scenario_doc["updates"].append(hotfix)


@given(parsers.re(r"the hotfix (?P<update_id>KB\d+)'s installer runs (?P<minutes>\d+) minutes"))
def hotfix_minutes(scenario_doc: Doc, update_id: str, minutes: str) -> None:
    """How long the hotfix's installer runs."""
    for update in scenario_doc["updates"]:
        if update["id"] == update_id:
            update["install_minutes"] = int(minutes)


@given("the hotfix share lets Users write")
def share_writable(scenario_doc: Doc) -> None:
    """The root folder's ACL lets Users write (CAU's check refuses that)."""
    scenario_doc["hotfix_share"]["acl"] = "users-can-write"


def _installed_by(report: Report, name: str, update_id: str) -> str | None:
    for update in node(report, name)["updates"]:
        if update["id"] == update_id and update["result"] == "Succeeded":
            return str(update.get("plugin", "windows-update"))
    return None


@then(
    parsers.re(r"every node installed (?P<update_id>KB\d+) through the (?P<plugin>[\w-]+) plug-in")
)
def every_node_installed_through(report: Report, update_id: str, plugin: str) -> None:
    """The update succeeded on every node, installed by that plug-in (the report says so)."""
    assert {_installed_by(report, n["name"], update_id) for n in report["nodes"]} == {plugin}


@then(parsers.re(r"no node installed (?P<update_id>KB\d+)"))
def no_node_installed(report: Report, update_id: str) -> None:
    """No node reports the update (it was never offered to the plug-ins of the run)."""
    assert not [n["name"] for n in report["nodes"] if _installed_by(report, n["name"], update_id)]


@then(parsers.re(r"every node installed (?P<first>KB\d+) before (?P<second>KB\d+)"))
def every_node_installed_before(report: Report, first: str, second: str) -> None:
    """Install order on each node: the report lists updates in the order first attempted."""
    for entry in report["nodes"]:
        ids = [u["id"] for u in entry["updates"]]
        assert ids.index(first) < ids.index(second), (entry["name"], ids)


@then(
    parsers.re(r"(?P<name>\w+)'s hotfix (?P<update_id>KB\d+) failed with (?P<code>0x[0-9A-F]{8})")
)
def hotfix_failed_with(report: Report, name: str, update_id: str, code: str) -> None:
    """The hotfix's result and its installer's exit code (or ERROR_TIMEOUT)."""
    results = [(u["result"], u["hresult"]) for u in node(report, name)["updates"]
               if u["id"] == update_id]  # fmt: skip
    assert results == [("Failed", code)], results


@then("no node was drained")
def no_node_drained(report: Report) -> None:
    """No node entered maintenance (a failed scan never drains a node)."""
    assert suspended_nodes(report) == []
    assert not events(report, event_id=1010)


@then(parsers.re(r"(?P<name>\w+)'s error says \"(?P<text>[^\"]+)\""))
def node_error_says(report: Report, name: str, text: str) -> None:
    """The node's error names the cause."""
    assert text in (node(report, name)["error"] or ""), node(report, name)["error"]


@then(parsers.re(r"a warning for (?P<name>\w+) says \"(?P<text>[^\"]+)\""))
def node_warning_says(report: Report, name: str, text: str) -> None:
    """A warning event for the node carries the text."""
    found = [e["detail"] for e in events(report, kind="warning", node_name=name)]
    assert any(text in d for d in found), found


@then(parsers.re(r"a warning says \"(?P<text>[^\"]+)\""))
def warning_says(report: Report, text: str) -> None:
    """A run-level warning event carries the text."""
    found = [e["detail"] for e in events(report, kind="warning")]
    assert text in found, found


@then(
    parsers.re(
        r"the scan before the run took (?P<bound>at least|less than) (?P<minutes>\d+) "
        r"simulated minutes"
    )
)
def preflight_scan_took(report: Report, bound: str, minutes: str) -> None:
    """The preflight scan of every node (the first scan event comes when it ends)."""
    first = events(report, kind="scan")[0]["time"]
    started = events(report, event_id=1003)[0]["time"]
    took = first - started
    if bound == "at least":
        assert took >= int(minutes) * MINUTE, took
    else:
        assert took < int(minutes) * MINUTE, took
