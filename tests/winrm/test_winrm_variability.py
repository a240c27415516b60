"""A scenario with distributions served by the twin draws as the simulation does: the WinRM
run of seed S gives `pycau simulate --seed S`'s report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from runner.profile import Profile
from runner.rehearsal.compose import (
    SIMULATED_STARTED_AT,
    rehearse,
    run_coordinator,
    simulated_run_id,
)
from runner.winrm.connection import AuthMethod
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.transport import WinRMTransport
from simulator.distributions import Variability
from simulator.scenario import load_scenario
from simulator.twin import WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import build_world

TWO = Path(__file__).resolve().parents[2] / "scenarios" / "two-node-cloud-witness.yaml"


def test_twin_of_a_variable_scenario_runs_the_seeds_draws(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """two-node-cloud-witness with every value widened (spread 1.5), seed 21 (not the
    scenario's): the report over WinRM is the simulated one, whose duration differs from
    the scenario seed's. (The slow suite runs every bundled scenario, among them
    eight-node-three-way-mirror-variable, through the twin.)"""
    scenario = replace(load_scenario(TWO), variability=Variability(spread=1.5))
    seed = 21
    simulated = rehearse(scenario, seed).to_dict()
    assert simulated["duration_seconds"] != rehearse(scenario).report.duration_seconds
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    report = run_coordinator(
        transport,
        EndpointClock(transport),
        profile,
        world,
        run_id=simulated_run_id(scenario.name, seed),
        started_at=SIMULATED_STARTED_AT,
    ).to_dict()
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert world.finish(report)["invariants"] == simulated["simulation"]["invariants"]
