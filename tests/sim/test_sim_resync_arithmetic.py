"""The bundled scenarios' resync figures checked against the arithmetic of storage
maintenance mode (Windows Server 2022 / Azure Stack HCI 21H2 and later).

For every bundled rolling scenario run in maintenance mode without injected faults, each
node that was updated in one attempt was paused from its suspend to its resume; every volume
fell behind by ``write_mb_s × paused seconds``; the repair jobs, all started at the resume,
share ``repair_mb_s``, so the node's resync lasts ``Σ dirty / repair_mb_s``. The rates are
the run's own: a scenario with distributions (``eight-node-three-way-mirror-variable``) is
realized for the run's seed (``simulator.variability.realize``, as the world does), and that
scenario is also checked at further seeds. The report's phases give the pause (the DRAIN
phase begins right after the suspend, the RESYNC phase right after the resume) and the
resync. The runner sees a resync end only at a poll, so the reported resync may exceed the
arithmetic by up to one poll interval (``POLL_ACTIVE_SECONDS``) plus the pause's own command
latencies (``SLACK``), and may never fall short of it by more than those latencies.

Offline runs (``mode: offline``) pause no node, so no node's drives enter maintenance mode
there: the bundled offline scenarios are checked for that too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.rehearsal.compose import rehearse
from runner.rehearsal.results import Rehearsal
from runner.timing import POLL_ACTIVE_SECONDS
from simulator.issue_switches import apply_known_issues
from simulator.model import Scenario
from simulator.scenario import load_scenario
from simulator.storage_maintenance import maintenance_on_pause
from simulator.variability import realize

ROOT = Path(__file__).resolve().parents[2]
SLACK = 3.0  # command and observe latencies around the suspend and the resume (seconds)
VARIABLE = "eight-node-three-way-mirror-variable"
MORE_SEEDS = (1, 2, 3)  # the variable scenario's further draws


def _mode(scenario: Scenario) -> str:
    return str(scenario.profile.get("mode", "rolling"))


def _in_maintenance_mode(scenario: Scenario) -> bool:
    """S2D with node fault domains, a rolling run, every node pausing into maintenance mode,
    no faults, no feature update, something to install."""
    storage = scenario.cluster.storage
    if storage is None or scenario.faults or _mode(scenario) != "rolling" or not scenario.updates:
        return False
    if scenario.cluster.fault_domains is not None:  # a rack resyncs together: the wave's sum
        return False  # (tests/sim/test_sim_fault_domains.py checks a node's share)
    if any(u.kind == "feature" for u in scenario.updates):
        return False
    return all(
        maintenance_on_pause(storage.maintenance_mode, n.os_build) for n in scenario.cluster.nodes
    )


def _bundled(keep: Any) -> list[Path]:
    paths = sorted((ROOT / "scenarios").glob("*.yaml"))
    return [path for path in paths if keep(apply_known_issues(load_scenario(path)))]


CHECKED = _bundled(_in_maintenance_mode)
OFFLINE = _bundled(lambda s: s.cluster.storage is not None and _mode(s) == "offline")
CASES = [(path, None) for path in CHECKED] + [
    (path, seed) for path in CHECKED if path.stem == VARIABLE for seed in MORE_SEEDS
]


@cache
def _rehearsal(path: Path, seed: int | None = None) -> Rehearsal:
    return rehearse(load_scenario(path), seed)


def _report(path: Path) -> dict[str, Any]:
    return _rehearsal(path).to_dict()


def expected_resync(scenario: Scenario, paused_seconds: float) -> float:
    """Seconds to repair what every volume missed while a node was paused."""
    storage = scenario.cluster.storage
    assert storage is not None
    dirty_mb = sum(v.write_mb_s * paused_seconds for v in storage.volumes)
    return dirty_mb / storage.repair_mb_s


def test_the_bundled_default_scenarios_are_checked() -> None:
    """The arithmetic covers the bundled scenarios that run in maintenance mode by default."""
    names = {p.stem for p in CHECKED}
    assert {"four-node-rolling", "eight-node-three-way-mirror", "sixteen-node-400-vms"} <= names
    assert "known-issue-storage-needs-sync" in names
    assert "fault-node-crash" not in names  # faults change the arithmetic
    assert "feature-update-21h2" not in names  # 20H2 nodes: the older model
    assert VARIABLE in names  # drawn rates: realized for the run's seed
    assert "offline-four-node" not in names  # nothing is paused
    assert {"site-aware-two-sites", "two-plugins-separate-reboots"} <= names  # issue 9's
    assert "offline-four-node" in {p.stem for p in OFFLINE}
    assert "fast-rack-s2d" not in names  # rack fault domains: a node owes its rack's share


@pytest.mark.parametrize(
    ("path", "seed"), CASES, ids=[f"{p.stem}-{'default' if s is None else s}" for p, s in CASES]
)
def test_each_nodes_resync_is_write_rate_times_pause_over_repair_rate(
    path: Path, seed: int | None
) -> None:
    """Per node: reported resync = Σ write × paused / repair (the run's drawn rates), within
    one poll."""
    rehearsal = _rehearsal(path, seed)
    scenario = apply_known_issues(realize(load_scenario(path), rehearsal.seed))
    assert scenario.cluster.storage == rehearsal.world.scenario.cluster.storage
    report = rehearsal.to_dict()
    if not any("resync" in node["timing"] for node in report["nodes"]):
        if report["policy"] == "fast":  # installed without a drain (hotpatch): none paused
            assert not any("drain" in node["timing"] for node in report["nodes"])
            assert report["status"] == "Succeeded"
            return
        # Refused before any node was touched (a known issue's readiness rule).
        assert report["status"] == "Failed"
        assert all(node["attempts"] == 0 for node in report["nodes"])
        return
    held = {
        node
        for _, kind, node, detail in rehearsal.world.timeline
        if kind == "storage-maintenance" and detail == "enabled"
    }
    checked = 0
    for node in report["nodes"]:
        timing = node["timing"]
        if node["attempts"] != 1 or "resync" not in timing or "drain" not in timing:
            continue
        assert node["name"] in held
        paused = timing["resync"][0] - timing["drain"][0]
        expected = expected_resync(scenario, paused)
        resync = timing["resync"][1] - timing["resync"][0]
        assert expected - SLACK <= resync <= expected + POLL_ACTIVE_SECONDS + SLACK, (
            node["name"],
            paused,
            expected,
            resync,
        )
        checked += 1
    assert checked >= 1


def test_the_variable_scenarios_rates_differ_from_seed_to_seed() -> None:
    """The variable scenario's further seeds check other draws of both rates, not the same
    figures again."""
    path = ROOT / "scenarios" / f"{VARIABLE}.yaml"
    drawn = set()
    for seed in (None, *MORE_SEEDS):
        storage = _rehearsal(path, seed).world.scenario.cluster.storage
        drawn.add((storage.repair_mb_s, tuple(v.write_mb_s for v in storage.volumes)))
    assert len(drawn) == 1 + len(MORE_SEEDS)


@pytest.mark.parametrize("path", OFFLINE, ids=[p.stem for p in OFFLINE])
def test_an_offline_run_puts_no_node_into_storage_maintenance_mode(path: Path) -> None:
    """Offline runs suspend no node: no drive enters maintenance mode, no node resyncs."""
    rehearsal = _rehearsal(path)
    assert _mode(rehearsal.scenario) == "offline"
    kinds = [kind for _, kind, _, _ in rehearsal.world.timeline]
    assert "storage-maintenance" not in kinds
    assert "suspended" not in kinds
    assert all("resync" not in node["timing"] for node in rehearsal.to_dict()["nodes"])


def test_four_node_rolling_resyncs_about_seven_minutes_a_node() -> None:
    """The issue's figures: a node paused ~2,263 s (not the ~490 s powered off) with two
    volumes × 40 MB/s at 400 MB/s resyncs ~453 s (7.5 min), every node."""
    report = _report(ROOT / "scenarios" / "four-node-rolling.yaml")
    for node in report["nodes"]:
        timing = node["timing"]
        paused = timing["resync"][0] - timing["drain"][0]
        assert paused == pytest.approx(2263, abs=5)
        assert timing["resync"][1] - timing["resync"][0] == pytest.approx(453, abs=15)
