"""Simulated runs of a scenario with distributions: the seed drives every duration."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from simulator.issue_switches import SYNC_WRITE_MB_S
from simulator.scenario import load_scenario
from simulator.variability import realize
from simulator.world import build_world

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = load_scenario(ROOT / "scenarios" / "eight-node-three-way-mirror-variable.yaml")


def _report(seed: int) -> dict[str, Any]:
    report = rehearse(VARIABLE, seed).to_dict()
    report["simulation"].pop("wall")
    return report


def test_same_seed_same_report_other_seed_other_durations() -> None:
    """Seed 3 twice gives one report; seeds 3 and 4 give different run durations."""
    assert _report(3) == _report(3)
    assert _report(3)["duration_seconds"] != _report(4)["duration_seconds"]


def test_the_world_runs_the_drawn_install_and_boot_times() -> None:
    """node1's install and restart take exactly the minutes drawn for the seed."""
    realized = realize(VARIABLE, 5)
    rehearsal = rehearse(VARIABLE, 5)
    timeline = rehearsal.world.timeline
    started = next(
        t for t, kind, node, _ in timeline if kind == "install-started" and node == "node1"
    )
    finished = next(
        t for t, kind, node, _ in timeline if kind == "install-finished" and node == "node1"
    )
    minutes = realized.updates[0].install_minutes_for("node1")
    assert finished - started == pytest.approx(minutes * 60.0)
    restart = next(t for t, kind, node, _ in timeline if kind == "restart" and node == "node1")
    booted = next(t for t, kind, node, _ in timeline if kind == "booted" and node == "node1")
    assert booted - restart == pytest.approx(realized.cluster.nodes[0].boot_minutes * 60.0)


def test_the_lower_bound_uses_the_drawn_values() -> None:
    """Each seed's lower bound is computed from its own draws and never exceeds its run."""
    bounds = set()
    for seed in range(4):
        section = rehearse(VARIABLE, seed)
        simulation = section.to_dict()["simulation"]
        assert simulation["lower_bound_seconds"] <= section.report.duration_seconds
        bounds.add(simulation["lower_bound_seconds"])
    assert len(bounds) == 4


def test_a_known_issue_still_floors_a_drawn_write_rate() -> None:
    """storage-needs-sync applies to the drawn write rates (draws come first)."""
    scenario = replace(VARIABLE, known_issues=("storage-needs-sync",))
    profile = Profile.from_mapping({}).resolved(scenario.cluster.node_names)
    world = build_world(scenario, 2, profile)
    assert world.storage is not None
    assert all(v.spec.write_mb_s >= SYNC_WRITE_MB_S for v in world.storage.volumes.values())
