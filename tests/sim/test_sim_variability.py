"""Simulated runs of a scenario with distributions: the seed drives every duration."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from simulator.distributions import Variability
from simulator.issue_switches import SYNC_WRITE_MB_S
from simulator.model import FaultSpec
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


def test_a_retry_installs_in_the_same_drawn_time() -> None:
    """node2 fails its first install of four-node-rolling: both attempts take its draw."""
    four = load_scenario(ROOT / "scenarios" / "four-node-rolling.yaml")
    fault = FaultSpec(type="install-failure", node="node2", attempts=1)
    scenario = replace(four, variability=Variability(spread=1.5), faults=(fault,))
    drawn = realize(scenario, 6).updates[0].install_minutes_for("node2") * 60.0
    timeline = rehearse(scenario, 6).world.timeline
    mine = [(t, kind, d) for t, kind, node, d in timeline if node == "node2"]
    starts = [t for t, kind, d in mine if kind == "install-started" and d.endswith(": KB5031364")]
    ends = [t for t, kind, d in mine if kind == "install-finished" and d.startswith("KB5031364 ")]
    assert len(starts) == len(ends) == 2
    assert [end - start for start, end in zip(starts, ends, strict=True)] == pytest.approx(
        [drawn, drawn]
    )


def test_scans_migrations_and_storage_take_the_drawn_values() -> None:
    """A scan of node3 lasts its drawn scan_minutes, the first live migration of node1's
    drain its VM's drawn throughput, and storage repairs and accrues at the drawn rates."""
    realized = realize(VARIABLE, 9)
    world = rehearse(VARIABLE, 9).world
    scans = [w for w in world.updates.work.values() if w.handle.id.startswith("scan-node3-")]
    assert scans
    assert {w.seconds for w in scans} == {realized.cluster.nodes[2].scan_minutes * 60.0}
    suspended = next(t for t, kind, node, _ in world.timeline if kind == "suspended")
    first_two = [vm for vm in realized.cluster.vms if vm.owner == "node1"][:2]
    seconds = [vm.memory_gb * 1024.0 / (vm.migration_mb_s or 0.0) for vm in first_two]
    moved = next(t for t, kind, _, _ in world.timeline if kind == "live-migration")
    assert moved - suspended == pytest.approx(min(seconds))
    storage, drawn = world.storage, realized.cluster.storage
    assert storage is not None
    assert drawn is not None
    assert storage.repair_mb_s == drawn.repair_mb_s != VARIABLE.cluster.storage.repair_mb_s
    assert [v.spec.write_mb_s for v in storage.volumes.values()] == [
        v.write_mb_s for v in drawn.volumes
    ]
