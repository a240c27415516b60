"""Coordinator crash mid offline update: the resumed run finishes the window or undoes it.

Each bundled offline scenario is killed right after a journal step inside each of the
guide's steps (VMs saved, disks offline, cluster stopped, service Disabled, installing,
restarting, …) and resumed by a fresh coordinator against the same world: the outcomes
match the uninterrupted run, no node restarts twice and every invariant — the cluster
service never left Disabled on a node that answers, every VM and disk restored — holds.
The fast suite crashes one step into every offline step; ``-m slow`` at every step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.journal import RunJournal
from runner.rehearsal.compose import rehearse
from simulator.model import Scenario
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("offline-four-node", "offline-node-does-not-return", "offline-install-failure")


@cache
def _scenario(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


def _restarts(world: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _time, kind, node, _detail in world.timeline:
        if kind == "restart" and node is not None:
            counts[node] = counts.get(node, 0) + 1
    return counts


@cache
def _baseline(name: str) -> tuple[dict[str, Any], dict[str, int], dict[str, int], int]:
    """The uninterrupted run: report, restarts, first journal step of each offline step,
    and the last journal step."""
    firsts: dict[str, int] = {}
    last = [0]
    original = RunJournal.checkpoint

    def counting(self: RunJournal, **kwargs: Any) -> None:
        last[0] = max(last[0], kwargs["step"])
        mode_state = (kwargs["state"] or {}).get("mode_state") or {}
        if mode_state.get("step"):
            firsts.setdefault(mode_state["step"], kwargs["step"])
        original(self, **kwargs)

    RunJournal.checkpoint = counting  # type: ignore[method-assign]
    try:
        rehearsal = rehearse(_scenario(name), journal_path=":memory:")
    finally:
        RunJournal.checkpoint = original  # type: ignore[method-assign]
    return rehearsal.to_dict(), _restarts(rehearsal.world), firsts, last[0]


def _check_crash_at(name: str, step: int) -> None:
    report0, restarts0, _, _ = _baseline(name)
    rehearsal = rehearse(_scenario(name), crash_at_step=step)
    report = rehearsal.to_dict()
    assert report["status"] == report0["status"], (name, step, report["error"])
    nodes = [(n["name"], n["status"], n["restarts"]) for n in report["nodes"]]
    assert nodes == [(n["name"], n["status"], n["restarts"]) for n in report0["nodes"]]
    assert _restarts(rehearsal.world) == restarts0, (name, step)  # nobody restarted twice
    broken = [k for k, v in report["simulation"]["invariants"].items() if not v["holds"]]
    assert broken == [], (name, step)
    kinds = [e["kind"] for e in report["events"]]
    assert (kinds.count("coordinator-crash"), kinds.count("run-resumed")) == (1, 1)
    assert report["offline"]["service_left_disabled"] == report0["offline"]["service_left_disabled"]


def test_every_guide_step_is_journaled_as_the_runs_offline_step() -> None:
    """The journal's checkpoints name each of the guide's steps in order."""
    _, _, firsts, _ = _baseline("offline-four-node")
    assert list(firsts) == [
        "save_vms",
        "disks_offline",
        "stop_cluster",
        "disable_service",
        "install",
        "restart",
        "rescan",
        "enable_service",
        "start_cluster",
        "storage_wait",
        "disks_online",
        "start_vms",
        "done",
    ]


def test_crash_inside_every_offline_step_resumes_to_same_outcome() -> None:
    """A crash one journal step into each offline step of the four-node run resumes to
    the uninterrupted outcome with every invariant holding."""
    _, _, firsts, last = _baseline("offline-four-node")
    for first in firsts.values():
        _check_crash_at("offline-four-node", min(first + 1, last))


def test_crash_during_a_failed_install_resumes_to_same_outcome() -> None:
    """A crash while node2's install fails resumes to the same PartiallyFailed outcome."""
    _, _, firsts, _ = _baseline("offline-install-failure")
    _check_crash_at("offline-install-failure", firsts["install"] + 5)


def test_crash_while_a_node_is_away_and_the_cluster_stopped_takes_its_claim_over() -> None:
    """node3 hangs at boot while the coordinator dies: the resumed run takes the run lock
    over on the nodes that answer, and node3's old claim is its own once node3 answers."""
    _, _, firsts, _ = _baseline("offline-node-does-not-return")
    _check_crash_at("offline-node-does-not-return", firsts["restart"] + 5)


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS)
def test_crash_at_every_journal_step_of_an_offline_run(name: str) -> None:
    """Coordinator crash at EVERY journal step of each offline scenario: same outcomes."""
    _, _, _, last = _baseline(name)
    for step in range(1, last + 1):
        _check_crash_at(name, step)
