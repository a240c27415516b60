"""Given/Then steps of ``features/feature_updates.feature``: feature-update runs with the
RollingUpgrade plug-in, their follow-up quality pass, the guide's prerequisites and mixed
mode.

Owns: the Given steps that make a node await its preview channel's restart or leave it
without the feature update, and the Then steps that read a feature-update run's report —
Test-Cluster before any node, each node's version before and after, the plug-in of each
update, the follow-up pass (``follow_up``), a failback withheld in mixed mode.

Must not: rehearse except through the conftest When steps or reach into the simulator's
world; ``test_features.py`` star-imports this module so its step fixtures are visible.
"""

from __future__ import annotations

import re

from bdd_checks import Doc, Report, events, node
from pytest_bdd import given, parsers, then

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _names(text: str) -> list[str]:
    return [n for n in re.split(r"[,\s]+|\band\b", text) if n and n != "and"]


def _feature_pass_over(report: Report) -> float:
    """When the follow-up pass began (its ``follow-up-started`` event)."""
    started = [e["time"] for e in events(report, kind="follow-up-started")]
    assert started, "the follow-up pass did not begin"
    return float(started[0])


@given(parsers.re(r"(?P<name>\w+) still needs the restart Set-PreviewChannel asked for"))
def channel_restart_pending(scenario_doc: Doc, name: str) -> None:
    """The node opted into a preview channel and has not restarted since."""
    nodes = scenario_doc["cluster"]["nodes"]
    nodes.setdefault("channel_restart_pending", []).append(name)


@given(parsers.re(r"the feature update (?P<update_id>[\w-]+) is offered only to (?P<names>.+)"))
def feature_update_for_some_nodes(scenario_doc: Doc, update_id: str, names: str) -> None:
    """The RollingUpgrade scan offers the feature update to the listed nodes only."""
    for update in scenario_doc["updates"]:
        if update["id"] == update_id:
            update["nodes"] = _names(names)


@then("Test-Cluster passed before any node was touched")
def validated_first(report: Report) -> None:
    """The validation passed before the first phase of any node began."""
    passed = [e["time"] for e in events(report, kind="validation") if "passed" in e["detail"]]
    first = min(e["time"] for e in events(report, kind="phase-start"))
    assert passed, "no cluster validation passed"
    assert passed[0] <= first


@then(
    parsers.re(
        r"every node went from (?P<old>\w+) to (?P<new>\w+) with the feature update "
        r"(?P<update_id>[\w-]+) of the (?P<plugin>[\w-]+) plug-in"
    )
)
def every_node_upgraded(report: Report, old: str, new: str, update_id: str, plugin: str) -> None:
    """Each node's report: the version before and after, and the one update's plug-in."""
    for entry in report["nodes"]:
        assert entry["version"] == {"before": old, "after": new}, entry["name"]
        assert [(u["id"], u["plugin"], u["result"]) for u in entry["updates"]] == [
            (update_id, plugin, "Succeeded")
        ]


@then(
    parsers.re(
        r"the follow-up pass installed (?P<update_id>\w+) with the (?P<plugin>[\w-]+) "
        r"plug-in on every node"
    )
)
def follow_up_installed(report: Report, update_id: str, plugin: str) -> None:
    """The follow-up section ran, and each of its nodes installed the update."""
    follow = report["follow_up"]
    assert (follow["ran"], follow["status"]) == (True, "Succeeded")
    assert [n["name"] for n in follow["nodes"]] == [n["name"] for n in report["nodes"]]
    for entry in follow["nodes"]:
        assert [(u["id"], u["plugin"]) for u in entry["updates"]] == [(update_id, plugin)]


@then("the follow-up pass began after the feature update was on every node")
def follow_up_after_the_last_node(report: Report) -> None:
    """Every node's feature-pass status came before the follow-up pass began."""
    began = _feature_pass_over(report)
    finals = [e for e in events(report, kind="node-status") if e["time"] <= began]
    assert {e["node"] for e in finals} == {n["name"] for n in report["nodes"]}
    assert {e["detail"] for e in finals} == {"Succeeded"}


@then(parsers.re(r'the follow-up pass did not run because "(?P<reason>[^"]+)"'))
def follow_up_skipped(report: Report, reason: str) -> None:
    """The follow-up section says why it did not run; it lists no node."""
    follow = report["follow_up"]
    assert (follow["ran"], follow["reason"], follow["nodes"]) == (False, reason, [])
    assert not events(report, kind="follow-up-started")


@then(parsers.re(r"no node installed (?P<update_id>[\w-]+)"))
def nothing_installed(report: Report, update_id: str) -> None:
    """No node's report lists the update."""
    assert all(u["id"] != update_id for n in report["nodes"] for u in n["updates"])


@then(
    parsers.re(r"(?P<name>\w+) still runs (?P<old>\w+) while (?P<names>[\w, ]+) run (?P<new>\w+)")
)
def still_behind(report: Report, name: str, old: str, names: str, new: str) -> None:
    """The node that failed keeps its version; the others moved."""
    assert node(report, name)["version"]["after"] == old
    for other in _names(names):
        assert node(report, other)["version"]["after"] == new


@then(parsers.re(r"(?P<name>\w+) was resumed without failback because of mixed mode"))
def failback_withheld(report: Report, name: str) -> None:
    """A warning of the node says its failback was withheld in mixed mode."""
    notes = [e["detail"] for e in events(report, kind="warning") if e["node"] == name]
    assert any(n.startswith(f"resumed without failback: {name} runs") for n in notes), notes


@then(parsers.re(r"(?P<name>\w+) was not drained before the follow-up pass"))
def not_drained_in_feature_pass(report: Report, name: str) -> None:
    """No drain phase of the node began before the follow-up pass."""
    began = _feature_pass_over(report)
    drains = [
        e["time"]
        for e in events(report, kind="phase-start")
        if e["node"] == name and e.get("phase") == "drain"
    ]
    assert drains, f"{name} was never drained"
    assert min(drains) > began
