"""Progress display: per-node state from RunEvents, throttled live redraws, plain lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from runner.cli.live_view import LiveView, format_clock
from runner.rehearsal.compose import rehearse
from runner.report import RunEvent
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]

NODES = ("node1", "node2")


def _event(
    time: float,
    kind: str,
    node: str | None,
    detail: str = "",
    phase: str | None = None,
    attempt: int | None = None,
    installed: int | None = None,
) -> RunEvent:
    return RunEvent(
        time=time, kind=kind, node=node, detail=detail, event_id=None, phase=phase,
        attempt=attempt, installed=installed,
    )  # fmt: skip


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, width=100, height=40)
    return console, buffer


def test_cli_format_clock() -> None:
    """Simulated seconds render as T+HH:MM:SS."""
    assert format_clock(0) == "T+00:00:00"
    assert format_clock(3723.9) == "T+01:02:03"


def test_cli_progress_reads_attempts_and_counts_from_fields_not_text() -> None:
    """Attempts and installed updates come from the events' structured fields; a detail that
    says otherwise changes nothing."""
    console, buffer = _console(terminal=False)
    progress = LiveView(console, NODES, title="t")
    with progress:
        progress(_event(0.0, "phase-start", "node1", phase="drain", attempt=1))
        progress(_event(1.0, "phase-start", "node1", phase="install", attempt=1))
        progress(
            _event(2.0, "phase-end", "node1", "7 installed, 0 failed", "install", 1, installed=2)
        )
        progress(_event(3.0, "phase-start", "node1", phase="install", attempt=1))
        assert progress.node_states()["node1"] == ("Updating", 1, 2)
        progress(_event(4.0, "phase-start", "node1", phase="drain", attempt=2))
        progress(_event(5.0, "warning", "node1", "3 installed (attempt 9)"))
        progress(_event(6.0, "node-status", "node1", detail="Succeeded"))
    lines = buffer.getvalue().splitlines()
    assert "T+00:00:00  node1: drain (attempt 1)" in lines
    assert "T+00:00:03  node1: install (attempt 1)" in lines
    assert "T+00:00:04  node1: drain (attempt 2)" in lines
    assert lines[-1] == "T+00:00:06  node1: Succeeded"
    assert progress.node_states()["node1"] == ("Succeeded", 2, 2)


@pytest.mark.parametrize(
    "scenario",
    [
        "fault-install-failure.yaml",  # retries
        "known-issue-storage-replica-second-restart.yaml",  # a second restart, one attempt
        "fault-coordinator-crash.yaml",  # attempts survive a resume from the journal
    ],
)
def test_engine_events_carry_the_attempt_and_the_running_install_count(scenario: str) -> None:
    """A node's phase events say which attempt they belong to (a second install pass or
    restart stays in its attempt); each install's end says how many updates the node has so
    far; both match the node's report."""
    loaded = load_scenario(ROOT / "scenarios" / scenario)
    rehearsal = rehearse(loaded)
    report = rehearsal.to_dict()
    for node in report["nodes"]:
        phases = [e for e in report["events"] if e["node"] == node["name"] and "phase" in e]
        attempts = [e["attempt"] for e in phases]
        assert attempts == sorted(attempts)  # never goes back
        if phases:
            assert attempts[-1] == node["attempts"]
        installs = [e["installed"] for e in phases if "installed" in e]
        succeeded = sum(1 for u in node["updates"] if u["result"] == "Succeeded")
        assert installs == sorted(installs)
        if installs:
            assert installs[-1] == succeeded
    if scenario == "fault-install-failure.yaml":
        assert any(node["attempts"] > 1 for node in report["nodes"])


def test_cli_progress_quiet_prints_nothing() -> None:
    """A quiet progress takes events silently."""
    console, buffer = _console(terminal=True)
    with LiveView(console, NODES, title="t", quiet=True) as progress:
        progress(_event(1.0, "phase-start", "node1", phase="drain"))
    assert buffer.getvalue() == ""


def test_cli_progress_without_a_console_only_keeps_the_node_states() -> None:
    """`LiveView(None, …)` draws nothing but still follows the nodes."""
    with LiveView(None, NODES, title="t") as progress:
        progress(_event(1.0, "phase-start", "node1", phase="drain", attempt=1))
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


@pytest.mark.parametrize(
    "scenario",
    [
        "four-node-rolling.yaml",
        "fault-install-failure.yaml",
        "known-issue-storage-replica-second-restart.yaml",
        "fault-coordinator-crash.yaml",
    ],
)
def test_cli_progress_agrees_with_the_report(scenario: str) -> None:
    """After a real run, the table's status/attempts/updates per node equal the report's."""
    console, _ = _console(terminal=False)
    loaded = load_scenario(ROOT / "scenarios" / scenario)
    progress = LiveView(console, loaded.cluster.node_names, title="t")
    with progress:
        report = rehearse(loaded, listener=progress).to_dict()
    expected = {
        node["name"]: (
            node["status"],
            node["attempts"],
            sum(1 for update in node["updates"] if update["result"] == "Succeeded"),
        )
        for node in report["nodes"]
    }
    assert progress.node_states() == expected
