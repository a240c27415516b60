"""Given/When/Then steps of ``features/run_options.feature``: Invoke-CauRun's remaining run
options (issue 9).

Owns: the Given steps that set what those options act on in the scenario mapping — sites,
the cluster's CauEnableSoftReboot property, the Remote Shutdown rule group per node, the
lagging clustered-space state, a feature update — the When step that only loads a scenario
(for refusals), and the Then steps that read the options' effects out of the report: 5987
refusals, forced failovers the oracle lists as consented, no scan before the run, the
firewall rules enabled before the first drain, a node's error and warnings.

Must not: rehearse except through ``bdd_checks`` or reach into the simulator's world — the
report and its "simulation" section are the only evidence. ``test_features.py`` star-imports
this module so its step fixtures are visible to the scenarios.
"""

from __future__ import annotations

import copy
from typing import Any

from bdd_checks import Doc, Report, events, node
from pytest_bdd import given, parsers, then, when

from runner.errors import InputError

# No ``__all__``: the star import must carry pytest-bdd's generated step fixtures too.


def _listed_nodes(doc: Doc) -> list[dict[str, Any]]:
    """The cluster's nodes as a list of per-node objects (``{count: N, …}`` expanded, so
    one node can differ)."""
    nodes = doc["cluster"]["nodes"]
    if isinstance(nodes, dict):
        shared = {k: v for k, v in nodes.items() if k not in ("count", "names", "offline")}
        names = nodes.get("names") or [f"node{i}" for i in range(1, nodes["count"] + 1)]
        offline = nodes.get("offline", [])
        nodes = [
            {"name": name, **shared, **({"online": False} if name in offline else {})}
            for name in names
        ]
        doc["cluster"]["nodes"] = nodes
    return list(nodes)


# --- given ------------------------------------------------------------------------------


@given(parsers.re(r"the clustered-space state lags every resync by (?P<minutes>[\d.]+) minutes?"))
def space_settle(scenario_doc: Doc, minutes: str) -> None:
    """Suspend-ClusterNode is refused with 5987 this long after each repair job finished."""
    scenario_doc["cluster"]["storage"]["space_settle_minutes"] = float(minutes)


@given(parsers.re(r"(?P<first>\w+) and (?P<second>\w+) are in site (?P<site>\w+)"))
def nodes_in_site(scenario_doc: Doc, first: str, second: str, site: str) -> None:
    """Two nodes in one site fault domain (``cluster.sites``)."""
    scenario_doc["cluster"].setdefault("sites", {})[site] = [first, second]


@given("the cluster's CauEnableSoftReboot property is 1")
def soft_reboot_property(scenario_doc: Doc) -> None:
    """Kernel Soft Reboot for every CAU run, as the cluster's private property says."""
    scenario_doc["cluster"]["cau_enable_soft_reboot"] = True


@given("the Remote Shutdown firewall rules are disabled on every node")
def firewall_disabled(scenario_doc: Doc) -> None:
    """Windows Firewall blocks CAU's remote restart on every node."""
    for entry in _listed_nodes(scenario_doc):
        entry["remote_shutdown"] = "disabled"


@given(parsers.re(r"a Group Policy keeps them disabled on (?P<name>\w+)"))
def firewall_policy(scenario_doc: Doc, name: str) -> None:
    """A local enable of the rule group does not take effect on this node."""
    for entry in _listed_nodes(scenario_doc):
        if entry["name"] == name:
            entry["remote_shutdown"] = "policy-disabled"
            return
    raise AssertionError(f"the scenario has no node {name}")


@given(
    parsers.re(
        r"the scenario also offers the feature update (?P<update_id>[\w-]+) to (?P<name>\w+)"
    )
)
def feature_update(scenario_doc: Doc, update_id: str, name: str) -> None:
    """A feature update (21H2 → 22H2) offered to one node only; only the RollingUpgrade
    plug-in offers feature updates, so the run's profile names it."""
    scenario_doc["updates"].append(
        {"id": update_id, "kind": "feature", "nodes": [name], "to_version": "22H2"}
    )
    scenario_doc.setdefault("profile", {})["plugin"] = "rolling-upgrade"


# --- when -------------------------------------------------------------------------------


@when("the scenario is loaded", target_fixture="refusal")
def load_only(scenario_doc: Doc) -> InputError | None:
    """Load (validate and resolve) the scenario without running it; its refusal, if any."""
    from simulator.scenario import parse_scenario

    try:
        parse_scenario(copy.deepcopy(scenario_doc), source="bdd.yaml")
    except InputError as exc:
        return exc
    return None


# --- then -------------------------------------------------------------------------------


@then(parsers.re(r'it is refused at (?P<path>\S+) with "(?P<words>[^"]+)"'))
def refused_at(refusal: InputError | None, path: str, words: str) -> None:
    """Bad input: one sentence at the option's JSON path, before anything runs."""
    assert refusal is not None, "the scenario was accepted"
    assert refusal.path == path, refusal
    assert words in refusal.message, refusal.message
    assert "\n" not in str(refusal)


@then(
    parsers.re(
        r"the suspend of (?P<name>\w+) was refused at least (?P<count>\d+) times "
        r"before it was accepted"
    )
)
def suspend_refused(report: Report, name: str, count: str) -> None:
    """5987 refusals (one warning each) came before the node's drain."""
    refusals = [e for e in events(report, node_name=name, kind="warning") if "5987" in e["detail"]]
    assert len(refusals) >= int(count), refusals
    drains = [
        e for e in events(report, node_name=name, kind="phase-start") if e["phase"] == "drain"
    ]
    assert drains
    assert refusals[-1]["time"] < drains[0]["time"]


@then(parsers.re(r'the error of (?P<name>\w+) says "(?P<text>[^"]+)"'))
def node_error_says(report: Report, name: str, text: str) -> None:
    """The node's error names why it failed."""
    error = node(report, name)["error"] or ""
    assert text in error, error


@then(parsers.re(r"the oracle lists (?P<count>\d+) consented forced failovers? on (?P<name>\w+)"))
def consented(report: Report, count: str, name: str) -> None:
    """The forced drain's downtime is consented (not a violation) and counted."""
    verdict = report["simulation"]["invariants"]["workload-availability"]
    mine = [c for c in verdict.get("consented", []) if f"forced drain of {name} " in c["detail"]]
    assert len(mine) == int(count), verdict
    assert verdict["holds"]
    assert report["simulation"]["counters"]["vm_downtime_seconds"] > 0


@then("the oracle lists no consented forced failover")
def no_consent(report: Report) -> None:
    """Without a forced drain nothing is consented: the key is absent."""
    assert "consented" not in report["simulation"]["invariants"]["workload-availability"]


@then("no node was scanned before the run")
def no_scan_before(report: Report) -> None:
    """skip_update_checks: no preflight scan events; the run says it skipped them."""
    assert not events(report, kind="scan")
    assert events(report, kind="scan-skipped")


@then("the Remote Shutdown firewall rules were enabled on every node before the first drain")
def firewall_enabled_first(report: Report) -> None:
    """One firewall-rules-enabled event per node, all before any node's drain began."""
    enabled = events(report, kind="firewall-rules-enabled")
    assert sorted(e["node"] for e in enabled) == sorted(n["name"] for n in report["nodes"])
    first_drain = min(n["timing"]["drain"][0] for n in report["nodes"] if "drain" in n["timing"])
    assert max(e["time"] for e in enabled) < first_drain


@then(parsers.re(r"a warning names the Group Policy on (?P<name>\w+)"))
def policy_warning(report: Report, name: str) -> None:
    """The run says the rules could not be enabled on the node, and why."""
    warnings = events(report, node_name=name, kind="warning")
    assert any("Group Policy" in e["detail"] for e in warnings), warnings


@then(parsers.re(r"(?P<name>\w+) reports no restart"))
def no_restart_reported(report: Report, name: str) -> None:
    """The node did not restart: restarts 0 and no boot type (a refused restart is none)."""
    entry = node(report, name)
    assert (entry["restarts"], entry["boot_type"]) == (0, None), entry
