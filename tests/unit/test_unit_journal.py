"""The run journal: checkpoints round-trip, writes are atomic, and the run lock holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import RunLocked
from runner.journal import LOCK_STALE_SECONDS, RunJournal
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
    journal.acquire_lock("hci01", "r1", 0.0)
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
        cluster="hci01",
        step=1,
        state={"nodes": {"node2": encode(_node())}},
        events=[{"time": 1.0, "kind": "run-started"}],
        actions=[("restart-issued", "node2", "boot-3")],
        now=5.0,
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
    journal.checkpoint(run_id="r1", cluster="hci01", step=1, state={"s": 1}, now=1.0)
    unserialisable = [{"time": 2.0}, {"bad": object()}]
    with pytest.raises(TypeError):
        journal.checkpoint(
            run_id="r1", cluster="hci01", step=2, state={"s": 2}, events=unserialisable, now=2.0
        )
    run = journal.load("r1")
    assert run is not None
    assert (run.step, run.state, run.events) == (1, {"s": 1}, ())


def test_second_coordinator_is_refused_with_event_1015(tmp_path: Path) -> None:
    """A held lock refuses another run (RunLocked, CAU event 1015), even with force if fresh."""
    journal = _journal(tmp_path)
    with pytest.raises(RunLocked, match="1015") as refused:
        journal.acquire_lock("hci01", "r2", 10.0)
    assert refused.value.owner == "r1"
    with pytest.raises(RunLocked, match="alive"):
        journal.acquire_lock("hci01", "r2", 10.0, force_recovery=True)


def test_stale_lock_needs_force_recovery(tmp_path: Path) -> None:
    """A stale lock is refused without force recovery and taken over with it."""
    journal = _journal(tmp_path)
    later = LOCK_STALE_SECONDS + 1.0
    with pytest.raises(RunLocked, match="force recovery"):
        journal.acquire_lock("hci01", "r2", later)
    takeover = journal.acquire_lock("hci01", "r2", later, force_recovery=True)
    assert takeover is not None
    assert takeover.owner == "r1"
    assert journal.lock_owner("hci01") == ("r2", later)


def test_own_run_is_recovered_with_force_only(tmp_path: Path) -> None:
    """Resuming the lock's own run still needs force recovery, then takes it at once."""
    journal = _journal(tmp_path)
    with pytest.raises(RunLocked):
        journal.acquire_lock("hci01", "r1", 1.0)
    assert journal.acquire_lock("hci01", "r1", 1.0, force_recovery=True) is not None


def test_checkpoint_after_takeover_stops_the_old_coordinator(tmp_path: Path) -> None:
    """A coordinator whose lock was taken over cannot checkpoint (so it cannot go on)."""
    journal = _journal(tmp_path)
    journal.acquire_lock("hci01", "r2", LOCK_STALE_SECONDS * 2, force_recovery=True)
    with pytest.raises(RunLocked, match="taken over"):
        journal.checkpoint(run_id="r1", cluster="hci01", step=1, state={}, now=1.0)


def test_release_frees_the_lock_and_heartbeat_moves(tmp_path: Path) -> None:
    """Checkpoints refresh the heartbeat; releasing frees the lock for the next run."""
    journal = _journal(tmp_path)
    journal.checkpoint(run_id="r1", cluster="hci01", step=1, state={}, now=42.0)
    assert journal.lock_owner("hci01") == ("r1", 42.0)
    journal.release_lock("hci01", "r1")
    assert journal.lock_owner("hci01") is None
    assert journal.acquire_lock("hci01", "r2", 50.0) is None
