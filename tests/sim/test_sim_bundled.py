"""Every bundled scenario file builds a world the transport can observe."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.profile import Profile
from runner.types import NodeState
from simulator.scenario import load_scenario
from simulator.world import build_world

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_builds_a_world(path: Path) -> None:
    """A bundled scenario's world starts at 0 with every online node Up and quorum."""
    scenario = load_scenario(path)
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    view = world.transport.observe()
    assert view.has_quorum
    assert len(view.nodes) == len(scenario.cluster.nodes)
    down = [f.node for f in scenario.faults if f.type == "node-crash" and not f.at_minute]
    online = [n.name for n in scenario.cluster.nodes if n.online and n.name not in down]
    assert all(view.node(name).state is NodeState.UP for name in online)
    assert len(view.roles) == len(scenario.cluster.vms)
    assert view.s2d_enabled is (scenario.cluster.storage is not None)
