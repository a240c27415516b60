"""The fast policy's own lower bound stays a true lower bound: no simulated run beats it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from runner.profile import AUTO, Profile
from runner.rehearsal.compose import rehearse
from simulator.bounds_fast import fast_lower_bound_seconds
from simulator.model import Scenario
from simulator.scenario import load_scenario
from simulator.swarm import swarm_scenario

ROOT = Path(__file__).resolve().parents[2]
FAST = {"policy": "fast", "max_nodes_out": AUTO}


def bound_of(scenario: Scenario) -> float:
    """The fast bound of ``scenario`` as bench_fast computes it (the profile's limit)."""
    profile = Profile.from_mapping(scenario.profile, source="profile").resolved(
        scenario.cluster.node_names, source="profile"
    )
    limit = None if profile.max_nodes_out == AUTO else int(profile.max_nodes_out)
    seconds, _ = fast_lower_bound_seconds(
        scenario, profile, limit, staged=not profile.pre_update_script
    )
    return seconds


def fast(name: str) -> Scenario:
    """A bundled scenario with the fast policy (``max_nodes_out: auto``)."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    return replace(scenario, profile={**scenario.profile, **FAST})


def makespan(scenario: Scenario) -> tuple[float, str]:
    report = rehearse(scenario).report.to_dict()
    return float(report["duration_seconds"]), str(report["status"])


@pytest.mark.parametrize(
    "name",
    [
        "fast-sixty-four-node-san",
        "fast-hotpatch-month",
        "fast-rack-s2d",
        "eight-node-three-way-mirror",
    ],
)
def test_bound_is_below_the_bundled_fast_runs(name: str) -> None:
    """Each bundled fast run (and the 8-node mirror run fast) lasts at least its bound."""
    scenario = fast(name)
    seconds, status = makespan(scenario)
    assert status == "Succeeded"
    assert 0.0 < bound_of(scenario) <= seconds


def test_bound_is_below_every_succeeded_swarm_run_of_the_mirror() -> None:
    """Swarm seeds of the 8-node three-way mirror run fast: each run that succeeded took
    at least the bound (faults only add time), and some did succeed."""
    base = fast("eight-node-three-way-mirror")
    bound = bound_of(base)
    checked = 0
    for seed in range(12):
        seconds, status = makespan(swarm_scenario(base, seed))
        if status == "Succeeded":
            checked += 1
            assert bound <= seconds, f"seed {seed}: {seconds} s < bound {bound} s"
    assert checked > 0


@pytest.mark.slow
def test_bound_is_below_every_succeeded_swarm_run_of_the_64_node_san() -> None:
    """Swarm seeds of the 64-node SAN run fast: each run that succeeded took at least the
    bound."""
    base = fast("fast-sixty-four-node-san")
    bound = bound_of(base)
    checked = 0
    for seed in range(10):
        seconds, status = makespan(swarm_scenario(base, seed))
        if status == "Succeeded":
            checked += 1
            assert bound <= seconds, f"seed {seed}: {seconds} s < bound {bound} s"
    assert checked > 0


@pytest.mark.parametrize("name", ["fast-rack-s2d", "fast-sixty-four-node-san"])
def test_a_fast_reports_lower_bound_is_fasts_own(name: str) -> None:
    """A fast run's report gives fast's own bound as `simulation.lower_bound_seconds` (not
    the one-at-a-time bound it beats), and the run lasts at least that."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    report = rehearse(scenario).to_dict()
    reported = report["simulation"]["lower_bound_seconds"]
    assert reported == pytest.approx(bound_of(scenario), abs=0.001)
    assert reported <= report["duration_seconds"]
