"""Coordinator crash and resume: a run resumed from its journal ends as if never interrupted.

The four-node scenario is killed after journal step N and resumed against the same world;
node outcomes, restarts per node (the world's ground truth) and invariants must match the
uninterrupted run. The fast suite samples steps; ``-m slow`` crashes at every step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.rehearsal.compose import rehearse
from simulator.model import Scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _report_and_world(*args: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    """A rehearsal's report JSON and its world (ground truth)."""
    rehearsal = rehearse(*args, **kwargs)
    return rehearsal.to_dict(), rehearsal.world


@cache
def _scenario() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "four-node-rolling.yaml")


def _outcomes(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (n["name"], n["status"], n["restarts"], tuple(u["id"] for u in n["updates"]))
        for n in report["nodes"]
    ]


def _restarts(world: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _time, kind, node, _detail in world.timeline:
        if kind == "restart" and node is not None:
            counts[node] = counts.get(node, 0) + 1
    return counts


@cache
def _baseline() -> tuple[list[tuple[Any, ...]], dict[str, int], int]:
    report, world = _report_and_world(_scenario(), journal_path=None, crash_at_step=None)
    steps = sum(1 for e in report["events"] if e["kind"] == "phase-start")  # sanity only
    assert steps > 0
    return _outcomes(report), _restarts(world), _journal_steps()


@cache
def _journal_steps() -> int:
    """How many checkpoints the uninterrupted run writes."""
    from runner.journal import RunJournal

    seen: list[int] = []
    original = RunJournal.checkpoint

    def counting(self: RunJournal, **kwargs: Any) -> None:
        seen.append(kwargs["step"])
        original(self, **kwargs)

    RunJournal.checkpoint = counting  # type: ignore[method-assign]
    try:
        _report_and_world(_scenario(), journal_path=":memory:")
    finally:
        RunJournal.checkpoint = original  # type: ignore[method-assign]
    return max(seen)


def _check_crash_at(step: int) -> None:
    outcomes, restarts, _ = _baseline()
    report, world = _report_and_world(_scenario(), crash_at_step=step)
    assert report["status"] == "Succeeded", (step, report["error"])
    assert _outcomes(report) == outcomes, step
    assert _restarts(world) == restarts, step  # no node restarted twice
    assert all(v["holds"] for v in report["simulation"]["invariants"].values()), step
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.count("coordinator-crash") == 1, step
    assert kinds.count("run-resumed") == 1, step
    assert [e for e in report["events"] if e["event_id"] == 1014], step


def test_uninterrupted_run_writes_hundreds_of_checkpoints() -> None:
    """The four-node run checkpoints after every step: hundreds of crash points exist."""
    assert _journal_steps() > 100


SAMPLE = (1, 2, 3, 12, 60, 120, 250, 400, 520)


@pytest.mark.parametrize("step", SAMPLE)
def test_crash_at_sampled_step_resumes_to_same_outcome(step: int) -> None:
    """A crash after sampled step N resumes to the uninterrupted outcomes, no double restart."""
    _check_crash_at(step)


def test_crash_at_last_step_resumes_to_same_outcome() -> None:
    """A crash after the final checkpoint still resumes to the same outcome."""
    _check_crash_at(_journal_steps())


@pytest.mark.slow
def test_crash_at_every_journal_step_resumes_to_same_outcome() -> None:
    """Coordinator crash at EVERY journal step of the four-node scenario: same outcomes."""
    for step in range(1, _journal_steps() + 1):
        _check_crash_at(step)


def test_bundled_crash_scenario_reports_crash_and_resume() -> None:
    """scenarios/fault-coordinator-crash.yaml crashes once, resumes, and ends Succeeded."""
    scenario = load_scenario(ROOT / "scenarios" / "fault-coordinator-crash.yaml")
    report = rehearse(scenario).to_dict()
    assert report["status"] == "Succeeded"
    crash = [e for e in report["events"] if e["kind"] == "coordinator-crash"]
    assert len(crash) == 1
    assert "step 120" in crash[0]["detail"]
    assert all(n["restarts"] == 1 for n in report["nodes"])


def test_second_coordinator_on_a_locked_cluster_is_refused_before_touching_a_node() -> None:
    """A cluster whose run lock another coordinator holds refuses the lease (RunLocked,
    naming the holder): nothing is scanned, suspended or restarted."""
    from runner.errors import RunLocked
    from runner.lease import RunLease
    from runner.profile import Profile
    from runner.types import LockHolder
    from simulator.world import build_world

    scenario = _scenario()
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    other = LockHolder(run_id="someone-else", coordinator="mgmt9", pid=9, started_at="t0")
    assert world.run_lock.create(other) is None
    mine = LockHolder(run_id="mine", coordinator="mgmt1", pid=1, started_at="t1")
    with pytest.raises(RunLocked, match=r"1015.*someone-else.*mgmt9"):
        RunLease.acquire(world.transport, world.clock, mine, cluster=scenario.cluster.name)
    assert not [t for t in world.timeline if t[1] in ("suspended", "restart", "scan")]
    held = world.run_lock.read()
    assert held is not None
    assert held.same_coordinator(other)


def test_a_rehearsal_takes_and_frees_the_cluster_run_lock() -> None:
    """A simulated run holds the world's run lock from its start and frees it at its end;
    a crashed coordinator's lock is taken over by the resumed one (force recovery)."""
    scenario = load_scenario(ROOT / "scenarios" / "fault-coordinator-crash.yaml")
    _, world = _report_and_world(scenario)
    assert [what for _, what, _ in world.run_lock.history] == [
        "created",
        "taken-over",
        "released",
    ]
    assert world.run_lock.read() is None
