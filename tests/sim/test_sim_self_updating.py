"""CAU's self-updating role in the simulator (issue 12): the coordinator runs on a cluster
node, the role moves off each node before the run pauses it, fails over when its host
crashes, and a coordinator takes the run over after every agent was down past the lease.

"The run after a move equals the run without one" compares, node by node, the status, the
updates with their results and the restarts the report lists, the restarts the world saw
(its ground truth) and the run's status and error: everything but timing (a publication
and a take-over take simulated time) and the events of the moves themselves.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.lease import LOCK_STALE_SECONDS, RENEW_SECONDS
from runner.rehearsal.compose import rehearse
from simulator.coordinator_role import PLACEMENT_INVARIANT
from simulator.scenario import load_scenario, parse_scenario
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SELF_UPDATING = ("self-updating-four-node", "self-updating-host-crash", "self-updating-agents-down")


@cache
def _rehearsal(name: str) -> tuple[dict[str, Any], Any]:
    rehearsal = rehearse(load_scenario(SCENARIOS / f"{name}.yaml"))
    return rehearsal.to_dict(), rehearsal.world


def _equal_parts(name: str) -> tuple[Any, ...]:
    report, world = _rehearsal(name)
    nodes = [
        (n["name"], n["status"], n["restarts"], [(u["id"], u["result"]) for u in n["updates"]])
        for n in report["nodes"]
    ]
    restarts = sorted(n for _t, kind, n, _d in world.timeline if kind == "restart")
    return report["status"], report["error_id"], nodes, restarts


@pytest.mark.parametrize("name", SELF_UPDATING)
def test_the_run_with_the_role_equals_the_run_without(name: str) -> None:
    """Each self-updating scenario (moves, a host crash, agents down) gives the off-cluster
    four-node run's results: no node installed or restarted twice."""
    assert _equal_parts(name) == _equal_parts("four-node-rolling")


def test_the_role_moves_before_its_owner_is_paused() -> None:
    """node1 hosts the role first; it moves to node4 before node1 is drained and to node3
    before node4 is: two coordinator-moved events, the world's moves, placement holds."""
    report, world = _rehearsal("self-updating-four-node")
    moved = [(e["node"], e["detail"]) for e in report["events"] if e["kind"] == "coordinator-moved"]
    assert [node for node, _ in moved] == ["node4", "node3"]
    assert "moved from node1 to node4: before node1 is paused" in moved[0][1]
    assert [(m[1], m[2]) for m in world.coordinator.moves] == [
        ("node1", "node4"),
        ("node4", "node3"),
    ]
    assert report["simulation"]["invariants"][PLACEMENT_INVARIANT] == {
        "holds": True,
        "violations": [],
    }
    assert [e["kind"] for e in report["events"]].count("run-resumed") == 2


def test_a_crashed_host_fails_the_role_over() -> None:
    """The role's host crashes: the take-over records the crash, the fail-over is a move."""
    report, world = _rehearsal("self-updating-host-crash")
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.count("coordinator-crash") == 1
    crash = [t for t, kind, _n, _d in world.timeline if kind == "crash"]
    assert len(crash) == 1
    moves = [m for m in world.coordinator.moves if "crashed" in m[3]]
    assert [(m[1], m[2]) for m in moves] == [("node4", "node3")]
    assert report["simulation"]["counters"]["faults_fired"]["coordinator-host-crash"] == 1


def test_agents_back_before_the_lease_expired_wait_for_it() -> None:
    """Every agent down for 5 minutes only: the first one back is refused by the live-looking
    lock and waits, so the take-over comes once the heartbeat is stale (never sooner)."""
    path = SCENARIOS / "self-updating-agents-down.yaml"
    text = path.read_text(encoding="utf-8").replace("minutes: 30}", "minutes: 5}")
    import yaml

    scenario = parse_scenario(yaml.safe_load(text), source=str(path))
    rehearsal = rehearse(scenario)
    down = [t for t, kind, _n, _d in rehearsal.world.timeline if kind == "agents-down"]
    taken = [t for t, what, _r in rehearsal.world.run_lock.history if what == "taken-over"]
    later = [t - down[0] for t in taken if t > down[0]]
    assert later
    assert later[0] >= LOCK_STALE_SECONDS - RENEW_SECONDS
    assert rehearsal.report.status.value == "Succeeded"


def test_placement_names_a_pause_of_the_role_s_host() -> None:
    """A drain of the node hosting the role is a coordinator-placement violation."""
    scenario = load_scenario(SCENARIOS / "self-updating-four-node.yaml")
    world = build_world(scenario, scenario.seed, _profile(scenario))
    world.record("suspended", "node1", "drain attempt 1")
    section = world.coordinator.section()[PLACEMENT_INVARIANT]
    assert section["holds"] is False
    assert "node1 was drained while hosting the coordinator" in section["violations"][0]["detail"]


def test_an_off_cluster_run_lists_no_placement() -> None:
    """Without the role the invariant does not apply and is not listed."""
    report, _ = _rehearsal("four-node-rolling")
    assert PLACEMENT_INVARIANT not in report["simulation"]["invariants"]


def _profile(scenario: Any) -> Any:
    from runner.profile import Profile

    return Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
