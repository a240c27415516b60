"""Swarm fault generation: deterministic per seed, drawn from the registry, every type fires."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from runner.profile import Profile
from runner.rehearsal.compose import rehearse
from simulator.bounds_fast import fast_lower_bound_seconds
from simulator.faults import FAULT_TYPES
from simulator.model import Scenario
from simulator.scenario import load_scenario
from simulator.swarm import SWARM_SCRIPTS, swarm_faults, swarm_scenario, swarm_types

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def four_node() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "four-node-rolling.yaml")


def test_same_seed_gives_the_same_faults(four_node: Scenario) -> None:
    """A scenario and a seed always give the same fault tuple, whatever the global random."""
    random.seed(1)
    first = swarm_faults(four_node, 42)
    random.seed(2)
    random.random()
    assert swarm_faults(four_node, 42) == first
    assert swarm_scenario(four_node, 42) == swarm_scenario(four_node, 42)


def test_different_seeds_give_different_fault_sets(four_node: Scenario) -> None:
    """Seeds differ in which fault types they enable (swarm: a random subset per seed)."""
    subsets = {tuple(sorted({f.type for f in swarm_faults(four_node, s)})) for s in range(40)}
    assert len(subsets) > 20


def test_every_seed_enables_a_strict_subset_at_least_sometimes(four_node: Scenario) -> None:
    """Each seed has at least one fault, and most seeds leave some types out."""
    types = set(swarm_types())
    partial = 0
    for seed in range(50):
        enabled = {f.type for f in swarm_faults(four_node, seed)}
        assert enabled, f"seed {seed} has no fault"
        assert enabled <= types
        partial += enabled != types
    assert partial >= 45


def test_swarm_types_come_from_the_registry() -> None:
    """Every generated type is registered, and every foundation/catalog type is generated."""
    types = swarm_types()
    assert set(types) <= set(FAULT_TYPES)
    for name in (
        "install-failure",
        "boot-hang",
        "drain-failure",
        "node-crash",
        "script-failure",
        "management-disconnect",
        "witness-offline",
        "slow-migration",
        "resync-stall",
        "update-rollback",
    ):
        assert name in types


def test_scenario_replaced_faults_and_seed(four_node: Scenario) -> None:
    """The swarm scenario carries the seed and the generated faults, nothing else changes."""
    swarmed = swarm_scenario(four_node, 9)
    assert swarmed.seed == 9
    assert swarmed.faults == swarm_faults(four_node, 9)
    assert swarmed.cluster == four_node.cluster
    assert swarmed.updates == four_node.updates


def test_script_failure_sets_distinct_pre_and_post_scripts(four_node: Scenario) -> None:
    """A generated script-failure gets the profile script it needs, pre and post distinct."""
    seen = set()
    for seed in range(80):
        swarmed = swarm_scenario(four_node, seed)
        for fault in swarmed.faults:
            if fault.type == "script-failure":
                option = f"{fault.script}_update_script"
                assert swarmed.profile[option] == SWARM_SCRIPTS[str(fault.script)]
                seen.add(fault.script)
    assert seen == {"pre", "post"}
    assert SWARM_SCRIPTS["pre"] != SWARM_SCRIPTS["post"]


def test_every_type_fires_in_some_run(four_node: Scenario) -> None:
    """For every swarm type, some early seed that enables it makes it fire in the world."""
    pending = set(swarm_types()) - {"coordinator-crash"}  # fires in compose, not the world
    for seed in range(60):
        enabled = {f.type for f in swarm_faults(four_node, seed)} & pending
        if not enabled:
            continue
        fired = rehearse(swarm_scenario(four_node, seed), seed).to_dict()["simulation"]["counters"][
            "faults_fired"
        ]
        pending -= {name for name in enabled if fired.get(name, 0) > 0}
        if not pending:
            break
    assert not pending, f"never fired: {sorted(pending)}"


def test_fast_runs_get_faults_within_their_own_run() -> None:
    """With the fast policy the faults' minutes spread over the fast run's own lower bound
    (plus a third), not the classic one: a 64-node fast run lasts about two hours, so a
    node crash drawn over the classic 36 hours would almost never strike it."""
    scenario = load_scenario(ROOT / "scenarios" / "fast-sixty-four-node-san.yaml")
    bound, _ = fast_lower_bound_seconds(
        scenario,
        Profile.from_mapping(scenario.profile, source="profile").resolved(
            scenario.cluster.node_names, source="profile"
        ),
    )
    horizon = max(10.0, bound / 60 * 4 / 3)
    minutes = [
        f.at_minute
        for seed in range(40)
        for f in swarm_faults(scenario, seed)
        if f.at_minute is not None
    ]
    assert minutes
    assert max(minutes) <= horizon
    assert horizon < 3 * 60
