"""The run journal: checkpoints round-trip and writes are atomic (the run lock is the cluster's:
see test_unit_lease.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.journal import RunJournal
from runner.journal_codec import decode_as, encode
from runner.lifecycle import NodeStep
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.types import (
    BootType,
    FailbackMode,
    UpdateInfo,
    UpdateResult,
    WorkHandle,
    WorkKind,
    WorkProgress,
    WorkState,
)


def _node() -> NodeProgress:
    handle = WorkHandle(id="w7", node="node2", kind=WorkKind.INSTALL)
    return NodeProgress(
        name="node2",
        step=NodeStep.REBOOT,
        attempt=1,
        deadline=900.5,
        handle=handle,
        work=WorkProgress(handle=handle, state=WorkState.SUCCEEDED, percent=100),
        initial_offer=(UpdateInfo(id="KB1", title="CU"),),
        results=(UpdateResult(id="KB1", title="CU", result="Succeeded"),),
        paused_by_us=True,
        restart_issued=True,
        boot_id_before="boot-3",
        restarts=1,
        boot_type=BootType.FULL,
    )


def _journal(tmp_path: Path) -> RunJournal:
    journal = RunJournal(tmp_path / "journal.sqlite")
    journal.begin_run(run_id="r1", cluster="hci01", profile={}, started_at="2026-01-13T02:00:00Z")
    return journal


def test_codec_round_trips_node_and_run_progress() -> None:
    """NodeProgress, RunProgress and Profile survive encode → JSON → decode unchanged."""
    node = _node()
    progress = RunProgress(now=12.0, current=node, remaining=("node3",), stale=True)
    profile = Profile(node_order=("node2", "node1"), failback_mode=FailbackMode.NONE)
    assert decode_as(NodeProgress, encode(node)) == node
    assert decode_as(RunProgress, encode(progress)) == progress
    assert decode_as(Profile, encode(profile)) == profile


def test_checkpoint_round_trips_through_the_file(tmp_path: Path) -> None:
    """A checkpoint, its events and actions are read back by a new journal on the file."""
    journal = _journal(tmp_path)
    journal.checkpoint(
        run_id="r1",
        step=1,
        state={"nodes": {"node2": encode(_node())}},
        events=[{"time": 1.0, "kind": "run-started"}],
        actions=[("restart-issued", "node2", "boot-3")],
    )
    journal.close()
    run = RunJournal(tmp_path / "journal.sqlite").load("r1")
    assert run is not None
    assert run.step == 1
    assert run.state is not None
    assert decode_as(NodeProgress, run.state["nodes"]["node2"]) == _node()
    assert run.events == ({"time": 1.0, "kind": "run-started"},)
    assert [(a.kind, a.node, a.detail) for a in run.actions] == [
        ("restart-issued", "node2", "boot-3")
    ]


def test_crash_mid_write_leaves_the_previous_checkpoint(tmp_path: Path) -> None:
    """A checkpoint that fails half-way (after the state row) is rolled back entirely."""
    journal = _journal(tmp_path)
    journal.checkpoint(run_id="r1", step=1, state={"s": 1})
    unserialisable = [{"time": 2.0}, {"bad": object()}]
    with pytest.raises(TypeError):
        journal.checkpoint(run_id="r1", step=2, state={"s": 2}, events=unserialisable)
    run = journal.load("r1")
    assert run is not None
    assert (run.step, run.state, run.events) == (1, {"s": 1}, ())
