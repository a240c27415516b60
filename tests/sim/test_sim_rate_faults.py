"""Faults at a rate (`pycau rehearse --faults RATE`): a seeded Poisson count from the swarm's
catalogue, added to the scenario's own faults."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario import load_scenario
from simulator.swarm import rate_faults, rate_scenario, swarm_types

ROOT = Path(__file__).resolve().parents[2]
FOUR = load_scenario(ROOT / "scenarios" / "four-node-rolling.yaml")


def test_the_mean_count_is_the_rate_and_types_come_from_the_catalogue() -> None:
    """Over 400 seeds at rate 1.5 the mean is about 1.5, every type is the swarm's."""
    drawn = [rate_faults(FOUR, seed, 1.5) for seed in range(400)]
    mean = sum(len(f) for f in drawn) / len(drawn)
    assert 1.3 < mean < 1.7
    kinds = {fault.type for faults in drawn for fault in faults}
    assert kinds <= set(swarm_types())
    assert len(kinds) >= len(swarm_types()) - 1


def test_same_seed_same_faults_and_rate_zero_adds_none() -> None:
    """The seed fixes the faults; rate 0 keeps only the scenario's own."""
    assert rate_faults(FOUR, 9, 2.0) == rate_faults(FOUR, 9, 2.0)
    assert rate_faults(FOUR, 9, 0.0) == ()
    assert rate_scenario(FOUR, 9, 0.0).faults == FOUR.faults


def test_the_scenario_keeps_its_own_faults_and_gains_the_scripts_they_need() -> None:
    """Drawn faults come after the scenario's own; a script-failure gets its script set."""
    for seed in range(200):
        scenario = rate_scenario(FOUR, seed, 3.0)
        assert scenario.faults[: len(FOUR.faults)] == FOUR.faults
        assert scenario.seed == seed
        for fault in scenario.faults:
            if fault.type == "script-failure":
                assert scenario.profile.get(f"{fault.script}_update_script")
