"""Observed node views, rebuilt per changed node, always equal views built afresh."""

from __future__ import annotations

from typing import Any

import pytest
from sim_driver import fault, make_scenario, make_world, rolling_run

from runner.types import ClusterView, NodeView, WitnessType, WorkHandle, WorkProgress
from simulator.world import SimulatedCluster


def _fresh(world: SimulatedCluster) -> tuple[NodeView, ...]:
    """Every node's view built from the ground truth now, as a full rebuild would."""
    return tuple(
        NodeView(
            name=node.name,
            state=node.state,
            drain_status=node.drain_status,
            node_weight=node.spec.vote,
            dynamic_weight=world.quorum.dynamic[node.name],
            boot_id=node.boot_id,
            os_build=node.os_build,
            reachable=node.up,
            version=node.version,
        )
        for node in world.nodes.values()
    )


@pytest.mark.parametrize("witness", [WitnessType.CLOUD, WitnessType.NONE])
def test_every_observation_shows_the_nodes_as_they_are(witness: WitnessType) -> None:
    """Through a rolling run with a crash and a witness outage (votes move between nodes),
    each observed node tuple equals one built from scratch at that moment."""
    faults = (
        fault("node-crash", node="node4", at_minute=5, down_minutes=20),
        fault("witness-offline", at_minute=2, params={"minutes": 60}),
    )
    world = make_world(make_scenario(4, witness=witness, resiliency=None, faults=faults))
    observe = world.observe
    checked: list[ClusterView] = []

    def checking() -> ClusterView:
        view = observe()
        assert view.nodes == _fresh(world)
        checked.append(view)
        return view

    poll = world.transport.poll_work

    def observing_poll(handle: WorkHandle) -> WorkProgress:
        checking()  # also look while work runs, when crashes and the witness change votes
        return poll(handle)

    world.observe = checking  # type: ignore[method-assign]
    world.transport.poll_work = observing_poll  # type: ignore[method-assign]
    report: dict[str, Any] = rolling_run(world)
    assert report["status"] == "Succeeded"
    weights = {tuple(n.dynamic_weight for n in view.nodes) for view in checked}
    assert len(checked) > 50
    assert len(weights) > 1, "the run saw votes move"
