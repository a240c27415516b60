"""Coordinator take-over from the run state published in the cluster (issue 12): a run whose
coordinator dies is continued by another with no journal of its own, and ends as if never
interrupted — same node outcomes, one restart per node (the world's truth), invariants
hold. The refusals touch nothing."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.cluster_state import ClusterStateLink
from runner.engine import Engine
from runner.errors import NoRunToTakeOver, RunLocked
from runner.lease import LOCK_STALE_SECONDS, RunLease
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearsal_holder
from runner.takeover import take_over_run
from runner.updating_run import updating_engine
from simulator.scenario import load_scenario
from simulator.world import SimulatedCluster, build_world

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "four-node-rolling.yaml"


def _world() -> SimulatedCluster:
    scenario = load_scenario(SCENARIO)
    from runner.profile import Profile

    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, scenario.seed, profile)


def _publishing_run(world: SimulatedCluster, *, publish: bool = True) -> Engine:
    holder = rehearsal_holder("run-1")
    lease = RunLease.acquire(world.transport, world.clock, holder, cluster="hci01")
    engine = updating_engine(
        world.transport, world.clock, world.profile, run_id="run-1",
        started_at=SIMULATED_STARTED_AT, lease=lease,
    )  # fmt: skip
    if publish:
        ClusterStateLink.attach(engine)
    engine.start()
    return engine


def _outcome(world: SimulatedCluster, engine: Engine) -> tuple[Any, ...]:
    report = engine.run_to_end()
    section = world.finish(report.to_dict())
    restarts = sorted(n for _t, kind, n, _d in world.timeline if kind == "restart")
    nodes = [
        (n.name, n.status.value, n.restarts, [(u.id, u.result) for u in n.updates])
        for n in report.nodes
    ]
    verdicts = {name: v["holds"] for name, v in section["invariants"].items()}
    return report.status.value, nodes, restarts, verdicts


@cache
def _baseline() -> tuple[Any, ...]:
    world = _world()
    return _outcome(world, _publishing_run(world))


@pytest.mark.parametrize("crash_after", [1, 45, 160, 333, 520])
def test_a_taken_over_run_ends_as_the_uninterrupted_one(crash_after: int) -> None:
    """The coordinator dies after checkpoint N; once its heartbeat is stale, a coordinator
    elsewhere takes the run over from the cluster's state: the same outcome, no node
    installed or restarted twice, the take-over in the report."""
    world = _world()
    engine = _publishing_run(world)
    while engine.checkpoints < crash_after and engine.step():
        pass
    world.clock.sleep(LOCK_STALE_SECONDS + 60)
    holder = replace(rehearsal_holder("other"), coordinator="mgmt2", pid=7)
    taken = take_over_run(world.transport, world.clock, holder, cluster="hci01")
    assert taken.lease is not None
    assert taken.lease.holder.run_id == "run-1"
    assert _outcome(world, taken) == _baseline()
    kinds = [e.kind for e in taken.rec.events]
    assert kinds.count("run-resumed") == 1
    assert kinds.count("coordinator-crash") == 1


def test_publications_follow_substance_not_polls() -> None:
    """A whole four-node run publishes far fewer states than it checkpoints, and the last
    published state is a checkpoint of this run."""
    world = _world()
    engine = _publishing_run(world)
    link = engine.link.publisher
    assert isinstance(link, ClusterStateLink)
    engine.run_to_end()
    assert 10 < link.publications < engine.checkpoints / 5
    assert '"run_id":"run-1"' in (world.run_lock.published or "")


def test_a_live_coordinator_is_not_taken_over() -> None:
    """While the holder's heartbeat is fresh the take-over is refused (CAU event 1015) and
    the lock keeps its holder."""
    world = _world()
    engine = _publishing_run(world)
    engine.step()
    with pytest.raises(RunLocked, match="1015"):
        take_over_run(world.transport, world.clock, rehearsal_holder("x", pid=9), cluster="hci01")
    lock = world.run_lock.read()
    assert lock is not None
    assert lock.pid == 1


def test_nothing_to_take_over() -> None:
    """An unlocked cluster, and a stale run that published no state, are refused with a
    sentence naming the way back; the lock is untouched."""
    world = _world()
    with pytest.raises(NoRunToTakeOver, match="not locked"):
        take_over_run(world.transport, world.clock, rehearsal_holder("x"), cluster="hci01")
    _publishing_run(world, publish=False)
    world.clock.sleep(LOCK_STALE_SECONDS + 60)
    with pytest.raises(NoRunToTakeOver, match="pycau resume run-1 --force-recovery"):
        take_over_run(world.transport, world.clock, rehearsal_holder("x", pid=9), cluster="hci01")
    lock = world.run_lock.read()
    assert lock is not None
    assert lock.pid == 1


def test_a_coordinator_that_lost_the_lock_publishes_nothing() -> None:
    """After a take-over the old coordinator's publication is refused: its lease is lost,
    and the cluster keeps the new coordinator's state."""
    world = _world()
    engine = _publishing_run(world)
    for _ in range(40):
        engine.step()
    world.clock.sleep(LOCK_STALE_SECONDS + 60)
    taken = take_over_run(
        world.transport, world.clock, rehearsal_holder("x", pid=9), cluster="hci01"
    )
    taken.step()
    published = world.run_lock.published
    engine.step()  # the old one wakes up: its fenced commands and publications are refused
    assert engine.lease is not None
    assert engine.lease.lost is not None
    assert world.run_lock.published == published
