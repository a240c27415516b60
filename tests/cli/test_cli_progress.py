"""Progress display: per-node state from RunEvents, throttled live redraws, plain lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from runner.cli.compose import rehearse
from runner.cli.live_view import LiveView, format_clock
from runner.report import RunEvent
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]

NODES = ("node1", "node2")


def _event(
    time: float, kind: str, node: str | None, detail: str = "", phase: str | None = None
) -> RunEvent:
    return RunEvent(time=time, kind=kind, node=node, detail=detail, event_id=None, phase=phase)


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, width=100, height=40)
    return console, buffer


def test_cli_format_clock() -> None:
    """Simulated seconds render as T+HH:MM:SS."""
    assert format_clock(0) == "T+00:00:00"
    assert format_clock(3723.9) == "T+01:02:03"


def test_cli_progress_counts_attempts_not_install_passes() -> None:
    """A second install/reboot pass is the same attempt; starting over is a new attempt."""
    console, buffer = _console(terminal=False)
    progress = LiveView(console, NODES, title="t")
    phases = ["pre_script", "drain", "install", "reboot", "install", "reboot", "resume"]
    with progress:
        for t, phase in enumerate(phases):
            progress(_event(float(t), "phase-start", "node1", phase=phase))
            progress(_event(t + 0.5, "phase-end", "node1", phase=phase))
        progress(_event(10.0, "phase-start", "node1", phase="pre_script"))
        progress(_event(11.0, "node-status", "node1", detail="Succeeded"))
    lines = buffer.getvalue().splitlines()
    assert "T+00:00:00  node1: pre_script (attempt 1)" in lines
    assert "T+00:00:04  node1: install (attempt 1)" in lines
    assert "T+00:00:10  node1: pre_script (attempt 2)" in lines
    assert lines[-1] == "T+00:00:11  node1: Succeeded"


def test_cli_progress_quiet_prints_nothing() -> None:
    """A quiet progress takes events silently."""
    console, buffer = _console(terminal=True)
    with LiveView(console, NODES, title="t", quiet=True) as progress:
        progress(_event(1.0, "phase-start", "node1", phase="drain"))
    assert buffer.getvalue() == ""


def test_cli_progress_without_a_console_only_keeps_the_node_states() -> None:
    """`LiveView(None, …)` (pycau simulate --quiet) draws nothing but still follows the nodes."""
    with LiveView(None, NODES, title="t") as progress:
        progress(_event(1.0, "phase-start", "node1", phase="drain"))
        progress(_event(2.0, "node-status", "node2", detail="Succeeded"))
    assert progress.node_states() == {"node1": ("Updating", 1, 0), "node2": ("Succeeded", 0, 0)}


def test_cli_progress_live_table_on_a_terminal() -> None:
    """On a terminal the final frame is a table with every node, phase and status."""
    console, buffer = _console(terminal=True)
    with LiveView(console, NODES, title="demo", min_interval=0) as progress:
        progress(_event(60.0, "phase-start", "node1", phase="install"))
        progress(_event(120.0, "node-status", "node2", detail="Failed"))
    output = buffer.getvalue()
    for text in ("demo", "T+00:02:00", "node1", "install", "Updating", "node2", "Failed"):
        assert text in output


def test_cli_progress_redraws_are_throttled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of events cause only a bounded number of table rebuilds."""
    console, _ = _console(terminal=True)
    progress = LiveView(console, NODES, title="t", min_interval=3600)
    builds = 0
    original = LiveView._table

    def counting(self: LiveView) -> object:
        nonlocal builds
        builds += 1
        return original(self)

    monkeypatch.setattr(LiveView, "_table", counting)
    with progress:
        for t in range(5000):
            progress(_event(float(t), "phase-start", "node1", phase="install"))
    assert builds <= 3  # start, at most one throttled redraw, the final frame


@pytest.mark.parametrize("scenario", ["four-node-rolling.yaml", "fault-install-failure.yaml"])
def test_cli_progress_agrees_with_the_report(scenario: str) -> None:
    """After a real run, the table's status/attempts/updates per node equal the report's."""
    console, _ = _console(terminal=False)
    loaded = load_scenario(ROOT / "scenarios" / scenario)
    progress = LiveView(console, loaded.cluster.node_names, title="t")
    with progress:
        report = rehearse(loaded, listener=progress)
    expected = {
        node["name"]: (
            node["status"],
            node["attempts"],
            sum(1 for update in node["updates"] if update["result"] == "Succeeded"),
        )
        for node in report["nodes"]
    }
    assert progress.node_states() == expected
