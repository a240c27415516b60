"""Resync progress shown live: storage jobs summed from the observe view, told to the
listener while a node waits for them, drawn in the live table and as plain lines at each
quarter — and never kept in the report."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from runner.cli.live_view import LiveView
from runner.rehearsal.compose import rehearse
from runner.report import RunEvent
from runner.resync_progress import ResyncProgress, resync_progress
from runner.types import ClusterView, NodeState, NodeView, StorageJobState, StorageJobView
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GB = 1024**3


def _job(name: str, done_gb: float, total_gb: float) -> StorageJobView:
    return StorageJobView(
        name=f"{name}-Repair",
        volume=name,
        state=StorageJobState.RUNNING,
        bytes_processed=int(done_gb * GB),
        bytes_total=int(total_gb * GB),
    )


def test_resync_progress_sums_the_storage_jobs() -> None:
    """Two jobs: bytes processed and total add up; percent and the text follow."""
    view = ClusterView(
        cluster="c",
        taken_at=0.0,
        nodes=(NodeView(name="node1", state=NodeState.UP),),
        s2d_enabled=True,
        storage_jobs=(_job("vol01", 6.2, 15.0), _job("vol02", 6.2, 15.0)),
    )
    progress = resync_progress(view)
    assert progress == ResyncProgress(
        jobs=2, bytes_processed=2 * int(6.2 * GB), bytes_total=2 * int(15.0 * GB)
    )
    assert progress.percent == 41
    assert progress.describe() == "41 % (12.4 of 30.0 GB, 2 jobs)"
    assert resync_progress(ClusterView(cluster="c", taken_at=0.0, nodes=())) is None


def test_resync_progress_with_no_bytes_known_says_zero() -> None:
    """A job that reports no total (Suspended at 0 %) shows 0 %, never a division error."""
    progress = ResyncProgress(jobs=1, bytes_processed=0, bytes_total=0)
    assert (progress.percent, progress.describe()) == (0, "0 % (0.0 of 0.0 GB)")


def test_a_rehearsal_tells_the_resync_live_but_keeps_it_out_of_the_report() -> None:
    """four-node-rolling (21H2: maintenance mode): each node's RESYNC tells rising percents
    with bytes; the report's events hold no storage-progress."""
    told: list[RunEvent] = []
    report = rehearse(
        load_scenario(ROOT / "scenarios" / "four-node-rolling.yaml"), listener=told.append
    ).to_dict()
    progress = [e for e in told if e.kind == "storage-progress"]
    assert {e.node for e in progress} == {"node1", "node2", "node3", "node4"}
    node2 = [e for e in progress if e.node == "node2" and e.detail.startswith("resync node2: ")]
    percents = [e.percent for e in node2]
    assert percents == sorted(percents)
    assert len(percents) >= 20  # ~7.5 min at 15 s polls
    assert percents[0] is not None
    assert percents[0] < 10
    # paused ~2,263 s (suspend to resume) × 40 MB/s × two volumes = 176.9 GB
    assert node2[-1].detail.endswith(" of 176.9 GB, 2 jobs)")
    assert all(e["kind"] != "storage-progress" for e in report["events"])


def _plain_view() -> tuple[LiveView, io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=100)
    return LiveView(console, ("node1",), title="t"), buffer


def _told(time: float, percent: int) -> RunEvent:
    detail = f"resync node1: {percent} % ({percent * 0.3:.1f} of 30.0 GB)"
    return RunEvent(
        time=time, kind="storage-progress", node="node1", detail=detail, percent=percent
    )


def test_plain_lines_show_the_resync_at_each_quarter() -> None:
    """Without a terminal a resync prints its first poll and each quarter it crosses."""
    progress, buffer = _plain_view()
    with progress:
        progress(RunEvent(time=0.0, kind="phase-start", node="node1", phase="resync", attempt=1))
        for second, percent in enumerate((3, 10, 20, 27, 30, 49, 51, 80, 99)):
            progress(_told(float(second), percent))
    lines = [line.split("  ", 1)[1] for line in buffer.getvalue().splitlines()]
    assert [line for line in lines if "%" in line] == [
        "resync node1: 3 % (0.9 of 30.0 GB)",
        "resync node1: 27 % (8.1 of 30.0 GB)",
        "resync node1: 51 % (15.3 of 30.0 GB)",
        "resync node1: 80 % (24.0 of 30.0 GB)",
    ]


def test_the_live_table_shows_the_resync_percent_and_bytes() -> None:
    """On a terminal the node's phase reads "resync 41 %" and the bytes line is drawn; the
    phase's end clears both."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, height=30, record=True)
    progress = LiveView(console, ("node1",), title="t", min_interval=0.0)
    with progress:
        progress(RunEvent(time=0.0, kind="phase-start", node="node1", phase="resync", attempt=1))
        progress(_told(15.0, 41))
        shown = console.export_text()
        assert "resync 41 %" in shown
        assert "resync node1: 41 % (12.3 of 30.0 GB)" in shown
        progress(RunEvent(time=30.0, kind="phase-end", node="node1", phase="resync", attempt=1))
        progress(
            RunEvent(time=30.0, kind="phase-start", node="node1", phase="post_script", attempt=1)
        )
    last = console.export_text().split("resync node1")[-1]
    assert "post_script" in last
    assert "41 %" not in last
