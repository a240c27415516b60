"""Given/When steps of the features: build a scenario mapping, then rehearse it.

Owns: the ``scenario_doc`` fixture (a plain mapping in the scenario-file format that
modifier steps edit), the fault and profile modifier steps, and the ``report`` fixture the
``When`` steps produce through ``runner.rehearsal.compose.rehearse``. Then-steps live in
``test_features.py``.

Must not: assert behaviour (Then-steps do that) or build simulator objects by hand — every
scenario goes through ``simulator.scenario.parse_scenario`` like a user's file would.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from bdd_checks import bundled_doc, profile_value, rehearse_doc
from pytest_bdd import given, parsers, when

Doc = dict[str, Any]


@pytest.fixture
def scenario_source() -> dict[str, str]:
    """Where the scenario mapping came from (file path or "inline"), for error messages."""
    return {"source": "<inline scenario>"}


# --- the scenario -----------------------------------------------------------------------


@given("the scenario:", target_fixture="scenario_doc")
def inline_scenario(docstring: str) -> Doc:
    """A scenario written inline as YAML."""
    doc = yaml.safe_load(docstring)
    assert isinstance(doc, dict), "the scenario docstring must be a YAML mapping"
    return doc


@given(parsers.parse('the bundled scenario "{name}"'), target_fixture="scenario_doc")
def bundled_scenario(name: str, scenario_source: dict[str, str]) -> Doc:
    """A scenario file shipped with pycau."""
    doc, path = bundled_doc(name)
    scenario_source["source"] = path
    return doc


def _faults(doc: Doc) -> list[dict[str, Any]]:
    return doc.setdefault("faults", [])


def _update(doc: Doc, update_id: str) -> dict[str, Any]:
    for update in doc.get("updates", []):
        if update["id"] == update_id:
            return update
    raise AssertionError(f"the scenario offers no update {update_id}")


@given(parsers.re(r"the profile sets (?P<option>\w+) to (?P<value>.+)"))
def profile_sets(scenario_doc: Doc, option: str, value: str) -> None:
    """One profile option (YAML value; "quoted" text is taken literally)."""
    scenario_doc.setdefault("profile", {})[option] = profile_value(value)


@given(parsers.re(r"the update (?P<update_id>KB\d+) needs no restart"))
def update_without_restart(scenario_doc: Doc, update_id: str) -> None:
    """The update installs without a restart."""
    _update(scenario_doc, update_id)["restart"] = False


@given(parsers.re(r"the update (?P<update_id>KB\d+) needs firmware initialisation"))
def update_with_firmware(scenario_doc: Doc, update_id: str) -> None:
    """The update needs BIOS/firmware initialisation: no kernel soft reboot."""
    _update(scenario_doc, update_id)["firmware"] = True


@given(parsers.re(r"the update (?P<update_id>KB\d+) is offered only to (?P<names>[\w, ]+)"))
def update_for_some_nodes(scenario_doc: Doc, update_id: str, names: str) -> None:
    """The update applies to the listed nodes only."""
    _update(scenario_doc, update_id)["nodes"] = [n.strip() for n in names.split(",")]


@given(
    parsers.re(
        r'the scenario also offers (?P<update_id>KB\d+) "(?P<title>[^"]+)" after (?P<after>KB\d+)'
    )
)
def update_after(scenario_doc: Doc, update_id: str, title: str, after: str) -> None:
    """A second update that becomes applicable only once ``after`` is installed."""
    scenario_doc["updates"].append(
        {"id": update_id, "title": title, "install_minutes": 5, "restart": True, "after": after}
    )


@given(parsers.re(r"the volume (?P<volume>\w+) is written at (?P<rate>[\d.]+) MB/s"))
def volume_write_rate(scenario_doc: Doc, volume: str, rate: str) -> None:
    """Change how fast a volume is written (dirty data while a node is away)."""
    for spec in scenario_doc["cluster"]["storage"]["volumes"]:
        if spec["name"] == volume:
            spec["write_mb_s"] = float(rate)
            return
    raise AssertionError(f"the scenario has no volume {volume}")


@given(parsers.re(r"the virtual machines are placed as (?P<placement>.+)"))
def vm_placement(scenario_doc: Doc, placement: str) -> None:
    """An uneven VM placement, e.g. ``node1: 8, node2: 2`` (``vms.placement``)."""
    counts = yaml.safe_load("{" + placement + "}")
    vms = scenario_doc["cluster"].setdefault("workloads", {}).setdefault("vms", {})
    vms["count"] = sum(counts.values())
    vms["placement"] = counts


# --- faults -----------------------------------------------------------------------------


@given(
    parsers.re(
        r"(?P<name>\w+) fails to install with (?P<hresult>0x[0-9A-Fa-f]{8}) "
        r"on (?P<attempts>\d+) attempts?"
    )
)
def install_failure(scenario_doc: Doc, name: str, hresult: str, attempts: str) -> None:
    """install-failure: the first N install attempts on the node fail with the HRESULT."""
    _faults(scenario_doc).append(
        {"type": "install-failure", "node": name, "attempts": int(attempts), "hresult": hresult}
    )


@given(parsers.re(r"(?P<name>\w+) hangs when it restarts"))
def boot_hang(scenario_doc: Doc, name: str) -> None:
    """boot-hang: the node never comes back from a restart."""
    _faults(scenario_doc).append({"type": "boot-hang", "node": name})


@given(parsers.re(r"a VM on (?P<name>\w+) refuses to migrate"))
def drain_failure(scenario_doc: Doc, name: str) -> None:
    """drain-failure: a VM on the node refuses live migration, so the drain fails."""
    _faults(scenario_doc).append({"type": "drain-failure", "node": name})


@given(
    parsers.re(
        r"(?P<name>\w+) crashes at minute (?P<at>[\d.]+) and comes back after "
        r"(?P<down>[\d.]+) minutes"
    )
)
def node_crash_returns(scenario_doc: Doc, name: str, at: str, down: str) -> None:
    """node-crash with a return: Down from ``at`` for ``down`` minutes."""
    _faults(scenario_doc).append(
        {"type": "node-crash", "node": name, "at_minute": float(at), "down_minutes": float(down)}
    )


@given(parsers.re(r"(?P<name>\w+) crashes at minute (?P<at>[\d.]+) and stays down"))
def node_crash_stays(scenario_doc: Doc, name: str, at: str) -> None:
    """node-crash without a return."""
    _faults(scenario_doc).append({"type": "node-crash", "node": name, "at_minute": float(at)})


@given(parsers.re(r"(?P<name>\w+) is already down"))
def node_already_down(scenario_doc: Doc, name: str) -> None:
    """The node is Down when the run starts (``nodes.offline``)."""
    scenario_doc["cluster"]["nodes"].setdefault("offline", []).append(name)


@given(
    parsers.re(
        r"the (?P<script>pre|post)-update script fails on (?P<name>\w+) "
        r"for (?P<attempts>\d+) attempts?"
    )
)
def script_failure(scenario_doc: Doc, script: str, name: str, attempts: str) -> None:
    """script-failure: the pre/post-update script exits non-zero on the first N attempts."""
    _faults(scenario_doc).append(
        {"type": "script-failure", "node": name, "script": script, "attempts": int(attempts)}
    )


# --- running it -------------------------------------------------------------------------


@when(parsers.parse("the run is rehearsed with seed {seed:d}"), target_fixture="report")
def rehearse_with_seed(scenario_doc: Doc, scenario_source: dict[str, str], seed: int) -> Any:
    """Rehearse the scenario in the simulator with this seed."""
    return rehearse_doc(scenario_doc, seed, scenario_source["source"])


@when("the run is rehearsed with the scenario's own seed", target_fixture="report")
def rehearse_own_seed(scenario_doc: Doc, scenario_source: dict[str, str]) -> Any:
    """Rehearse with the seed the scenario file names (``seed=None``)."""
    return rehearse_doc(scenario_doc, None, scenario_source["source"])


@when(parsers.parse("the run is rehearsed twice with seed {seed:d}"), target_fixture="reports")
def rehearse_twice(scenario_doc: Doc, scenario_source: dict[str, str], seed: int) -> Any:
    """Two independent rehearsals of the same scenario and seed."""
    return [rehearse_doc(scenario_doc, seed, scenario_source["source"]) for _ in range(2)]


# --- quorum arithmetic ------------------------------------------------------------------


@given(
    parsers.parse('a cluster of {nodes:d} voting nodes with witness "{witness}"'),
    target_fixture="quorum_case",
)
def quorum_case(nodes: int, witness: str) -> tuple[int, bool]:
    """Bare numbers for ``runner.quorum``: voting nodes and whether a witness votes."""
    assert witness in ("none", "cloud", "file-share", "disk")
    return nodes, witness != "none"
