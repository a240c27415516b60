"""The oracle: each of its invariants holds for a clean run and catches a violation
(report-truth's own cases are in test_sim_report_truth.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sim_driver import fault, holds, make_scenario, make_world, rolling_run, wait_until

from runner.profile import Profile
from runner.types import DrainStatus, FailbackMode
from simulator.oracle import INVARIANTS
from simulator.world import SimulatedCluster, build_world


def report(
    *nodes: tuple[str, str, int],
    status: str = "Succeeded",
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "status": status,
        "nodes": [{"name": n, "status": s, "attempts": a} for n, s, a in nodes],
        "events": events or [],
    }


def drained(world: SimulatedCluster, node: str) -> None:
    world.transport.suspend_node(node)
    wait_until(world, lambda v: v.node(node).drain_status is DrainStatus.COMPLETED)


def broken(section: dict[str, Any]) -> list[str]:
    return [name for name, ok in holds(section).items() if not ok]


def test_clean_rolling_run_holds_every_invariant() -> None:
    """A correct rolling run of four S2D nodes keeps all ten invariants (redundancy-margin
    does not apply to its two-way mirror)."""
    world = make_world(make_scenario(4))
    section = world.finish(rolling_run(world))
    assert list(section["invariants"]) == list(INVARIANTS)
    assert broken(section) == []
    assert section["counters"]["live_migrations"] > 0
    assert section["counters"]["repair_jobs"] == 4
    assert section["lower_bound_seconds"] == pytest.approx(
        4 * (2 * 16 * 1024 / 1000 / 2 + 15 * 60 + 8 * 60)
    )
    assert section["lower_bound_seconds"] <= world.clock.now()


def test_resync_before_next_catches_restart_during_repair() -> None:
    """Restarting node2 while node1's repair job runs violates resync-before-next."""
    world = make_world(make_scenario(4, vms_per_node=0))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    world.clock.sleep(8 * 60 + 40)  # node1 back, its repair running
    world.transport.restart_node("node2")
    invariants = [v.invariant for v in world.oracle.violations]
    assert "resync-before-next" in invariants


def test_restarting_a_node_again_during_its_own_resync_is_allowed() -> None:
    """A second restart of the same node (multi-pass) during its own repair is no violation."""
    world = make_world(make_scenario(4, vms_per_node=0))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    world.clock.sleep(8 * 60 + 40)
    world.transport.restart_node("node1")
    assert world.oracle.violations == []


def test_max_nodes_out_counts_paused_nodes() -> None:
    """Two nodes suspended at once breaks max_nodes_out 1 (SAN: no storage refusal)."""
    world = make_world(make_scenario(4, resiliency=None, updates=()))
    drained(world, "node1")
    drained(world, "node2")
    for name in ("node1", "node2"):
        world.transport.resume_node(name, FailbackMode.NONE)
    section = world.finish(report(("node1", "Succeeded", 1), ("node2", "Succeeded", 1)))
    assert broken(section) == ["max-nodes-out"]


def test_max_nodes_out_two_allows_two() -> None:
    """With max_nodes_out 2 (the fast policy's limit) two nodes out at once is fine: the
    oracle reads the profile's limit."""
    scenario = make_scenario(4, resiliency=None, updates=())
    profile = replace(Profile().resolved(scenario.cluster.node_names), max_nodes_out=2)
    world = build_world(scenario, 0, profile)
    drained(world, "node1")
    drained(world, "node2")
    for name in ("node1", "node2"):
        world.transport.resume_node(name, FailbackMode.NONE)
    section = world.finish(report(("node1", "Succeeded", 1), ("node2", "Succeeded", 1)))
    assert broken(section) == []


def test_failed_node_left_paused_is_allowed_and_stops_counting() -> None:
    """A node reported Failed may stay Paused; it stops counting as out once it failed."""
    drain_failure = fault("drain-failure", node="node1")
    world = make_world(make_scenario(4, resiliency=None, updates=(), faults=(drain_failure,)))
    world.transport.suspend_node("node1")  # its drain fails: the Failed status is true
    wait_until(world, lambda v: v.node("node1").drain_status is DrainStatus.FAILED)
    failed_at = world.clock.now()
    drained(world, "node2")
    world.transport.resume_node("node2", FailbackMode.NONE)
    events = [{"time": failed_at, "kind": "node-status", "node": "node1", "detail": "Failed"}]
    section = world.finish(
        report(("node1", "Failed", 1), ("node2", "Succeeded", 1), status="Failed", events=events)
    )
    assert broken(section) == []


def test_nodes_resumed_catches_a_node_left_paused() -> None:
    """A node the runner paused and never resumed, reported Succeeded, breaks nodes-resumed
    (and report-truth: a Succeeded node is not Paused at the end)."""
    world = make_world(make_scenario(4, resiliency=None, updates=()))
    drained(world, "node1")
    section = world.finish(report(("node1", "Succeeded", 1)))
    assert broken(section) == ["nodes-resumed", "report-truth"]


def test_failure_budget_attempts_beyond_retries() -> None:
    """A report with more attempts than max_retries_per_node breaks failure-budget (and
    report-truth: the world saw none of them, nor a reason for Failed)."""
    world = make_world(make_scenario(4, resiliency=None), max_retries_per_node=2)
    section = world.finish(report(("node1", "Failed", 3), status="Failed"))
    assert broken(section) == ["failure-budget", "report-truth"]


def test_failure_budget_report_must_match_world_attempts() -> None:
    """Two suspend/resume cycles reported as one attempt break failure-budget."""
    world = make_world(make_scenario(4, resiliency=None, updates=()))
    for _ in range(2):
        drained(world, "node1")
        world.transport.resume_node("node1", FailbackMode.NONE)
    section = world.finish(report(("node1", "Succeeded", 1)))
    assert broken(section) == ["failure-budget"]


def test_failure_budget_no_suspend_after_max_failed_nodes() -> None:
    """Suspending a node after failed nodes exceeded max_failed_nodes breaks failure-budget."""
    drain_failure = fault("drain-failure", node="node1")
    scenario = make_scenario(4, resiliency=None, updates=(), faults=(drain_failure,))
    world = make_world(scenario, max_failed_nodes=0)
    world.transport.suspend_node("node1")  # its drain fails: the Failed status is true
    wait_until(world, lambda v: v.node("node1").drain_status is DrainStatus.FAILED)
    world.transport.resume_node("node1", FailbackMode.NONE)
    events = [
        {"time": world.clock.now(), "kind": "node-status", "node": "node1", "detail": "Failed"}
    ]
    drained(world, "node2")
    world.transport.resume_node("node2", FailbackMode.NONE)
    section = world.finish(
        report(("node1", "Failed", 1), ("node2", "Succeeded", 1), status="Failed", events=events)
    )
    assert broken(section) == ["failure-budget"]
    details = section["invariants"]["failure-budget"]["violations"]
    assert "node2 suspended after failed nodes exceeded 0" in details[0]["detail"]


def test_termination_needs_a_final_status() -> None:
    """A report without a final status breaks termination."""
    world = make_world(make_scenario(4, resiliency=None))
    section = world.finish({"status": None, "nodes": [], "events": []})
    assert broken(section) == ["termination"]


def test_termination_respects_stop_after() -> None:
    """A run going on long past stop_after_minutes breaks termination."""
    world = make_world(make_scenario(4, resiliency=None), stop_after_minutes=30)
    world.clock.sleep(3 * 3600)
    section = world.finish(report(status="Canceled"))
    assert broken(section) == ["termination"]


def test_storage_redundancy_and_workload_violations_have_times() -> None:
    """Violations carry the simulated time at which they happened."""
    world = make_world(
        make_scenario(4, vms_per_node=1, faults=(fault("node-crash", node="node2", at_minute=1),))
    )
    world.clock.sleep(120)
    world.transport.restart_node("node1")
    section = world.finish(report(("node1", "Failed", 1), status="Failed"))
    assert set(broken(section)) == {
        "storage-redundancy",
        "workload-availability",
        "resync-before-next",
    }
    (v,) = section["invariants"]["storage-redundancy"]["violations"]
    assert v["time"] == pytest.approx(121.0)
