"""Terminal progress of an updating run: a live node table, plain lines, and the summary.

Owns: turning the engine's ``RunEvent`` stream into what an operator watches — on a TTY a
rich ``Live`` table of nodes × phase/status/attempts/updates with the run's clock and what
it drives (a simulation, the twin or a real cluster), and the storage jobs' progress while a
node waits for its resync (``storage-progress``: "resync node2: 41 % (12.3 of 30.0 GB)"); on
anything else (CI logs, pipes) one plain line per meaningful event, a resync's progress at
each quarter — and the summary tables
printed from the finished report (status, error id, duration, nodes, invariants), and the
verdict line that ends a real run.

Theory of operation: ``LiveView`` is the engine's listener. Each event only updates a
small per-node record (cheap, O(1)); the table is rebuilt and redrawn at most every
``min_interval`` wall seconds (``time.perf_counter`` — display pacing, never run logic), so a
64-node rehearsal with thousands of events is not slowed down by drawing.

rich loads only when something is drawn: ``LiveView(None, …)`` draws nothing and imports no
rich module, so ``pycau simulate --quiet`` never loads it (``plain_console`` makes the
console of a command that draws).

Must not: decide anything about the run, read the report's files, or write to stderr.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from runner.report import RunEvent

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

__all__ = [
    "WORLD_LABELS",
    "LiveView",
    "format_clock",
    "plain_console",
    "render_summary",
    "run_verdict",
]

# What the live header says the run drives (its clock is the simulation's on the first two).
WORLD_LABELS = {
    "simulated": "simulated",
    "twin": "on the twin (simulated time)",
    "real": "on a real cluster",
}

_STATUS_STYLE = {
    "Succeeded": "green",
    "PartiallyFailed": "yellow",
    "Failed": "red",
    "Canceled": "magenta",
    "Updating": "cyan",
    "Waiting": "dim",
}
# Rows the live table keeps for the header, borders and footer lines.
_CHROME_LINES = 8


def plain_console() -> Console:
    """A console for a command that draws: rich (imported here, on first use), without its
    automatic highlighting."""
    from rich.console import Console

    return Console(highlight=False)


def format_clock(seconds: float) -> str:
    """Seconds since run start as ``T+HH:MM:SS``."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"T+{hours:02d}:{minutes:02d}:{secs:02d}"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


@dataclass(slots=True)
class _NodeRow:
    """What the table shows of one node; mutated in place as events arrive."""

    phase: str = "—"
    status: str = "Waiting"
    attempts: int = 0
    updates: int = 0
    changed: int = 0  # sequence number of the last event that touched this node
    percent: int | None = None  # the resync it waits for (storage-progress), this phase


class LiveView:
    """The engine's listener: live table on a terminal, plain lines elsewhere, or nothing
    (``quiet``, or no ``console``)."""

    def __init__(
        self,
        console: Console | None,
        node_names: tuple[str, ...],
        *,
        title: str,
        quiet: bool = False,
        min_interval: float = 0.1,
        world: str = "simulated",
    ) -> None:
        self._console = console
        self._title = title
        self._world = WORLD_LABELS[world]
        self._quiet = quiet or console is None
        self._live_mode = console is not None and console.is_terminal and not quiet
        self._min_interval = min_interval
        self._rows = {name: _NodeRow() for name in node_names}
        self._now = 0.0
        self._last_event = ""
        self._storage = ""  # the latest storage-progress line, while a node waits for it
        self._sequence = 0
        self._last_draw = float("-inf")
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self._live_mode:
            from rich.live import Live

            self._live = Live(
                self._table(),
                console=self._console,
                auto_refresh=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.update(self._table(), refresh=True)
            self._live.stop()
            self._live = None

    def node_states(self) -> dict[str, tuple[str, int, int]]:
        """What the table shows per node: (status, attempts, updates installed)."""
        return {name: (row.status, row.attempts, row.updates) for name, row in self._rows.items()}

    def __call__(self, event: RunEvent) -> None:
        """Take one engine event; redraw (throttled) or print a line."""
        self._now = max(self._now, event.time)
        row = self._rows.get(event.node) if event.node is not None else None
        if event.node is not None and row is None:
            row = self._rows[event.node] = _NodeRow()
        if row is not None:
            self._sequence += 1
            row.changed = self._sequence
        line = self._apply(event, row)
        if self._quiet or self._console is None:
            return
        if self._live is not None:
            self._redraw()
        elif line:
            self._console.print(
                f"{format_clock(event.time)}  {line}", highlight=False, soft_wrap=True
            )

    def _apply(self, event: RunEvent, row: _NodeRow | None) -> str:
        """Update the node's record; return the plain line for this event ('' = none)."""
        node = event.node or "cluster"
        if row is not None and event.attempt is not None:
            row.attempts = event.attempt
        if row is not None and event.installed is not None:
            row.updates = event.installed
        if event.kind == "storage-progress" and row is not None and event.percent is not None:
            quarter = row.percent is None or event.percent // 25 > row.percent // 25
            row.percent = event.percent
            self._storage = f"{format_clock(event.time)} {event.detail}"
            return event.detail if quarter else ""
        if event.kind in ("phase-start", "phase-end", "node-status") and row is not None:
            if row.percent is not None:
                self._storage = ""
            row.percent = None
        if event.kind == "phase-start" and row is not None and event.phase:
            row.phase = event.phase
            row.status = "Updating"
            return f"{node}: {event.phase} (attempt {row.attempts})"
        if event.kind == "phase-end":
            return ""
        if event.kind == "node-status" and row is not None:
            row.status = event.detail
            row.phase = "—"
            return f"{node}: {event.detail}"
        label = f"[{event.event_id}] " if event.event_id is not None else ""
        text = f"{label}{event.kind}" + (f": {event.detail}" if event.detail else "")
        if event.event_id is not None or event.kind == "warning":
            self._last_event = f"{format_clock(event.time)} {node} {text}"
        return f"{node}: {text}"

    def _redraw(self) -> None:
        now = time.perf_counter()
        if self._live is None or now - self._last_draw < self._min_interval:
            return
        self._last_draw = now
        self._live.update(self._table(), refresh=True)

    def _table(self) -> RenderableType:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        assert self._console is not None  # only a live view draws a table
        header = Text.assemble(
            (self._title, "bold"),
            f" · {format_clock(self._now)} {self._world}",
            overflow="ellipsis",
        )
        table = Table(expand=False)
        for column in ("node", "phase", "status"):
            table.add_column(column, no_wrap=True)
        for column in ("attempts", "updates"):
            table.add_column(column, justify="right", no_wrap=True)
        names = list(self._rows)
        room = max(self._console.size.height - _CHROME_LINES, 4)
        hidden: Counter[str] = Counter()
        if len(names) > room:
            # Too many nodes for the screen: keep failures and the most recently changed
            # nodes (the one being updated and those just finished), in cluster order.
            def recency(name: str) -> tuple[bool, int]:
                row = self._rows[name]
                return (row.status == "Failed", row.changed)

            shown = set(sorted(names, key=recency, reverse=True)[:room])
            hidden = Counter(self._rows[n].status for n in names if n not in shown)
            names = [n for n in names if n in shown]
        for name in names:
            row = self._rows[name]
            table.add_row(
                name,
                row.phase if row.percent is None else f"{row.phase} {row.percent} %",
                Text(row.status, style=_STATUS_STYLE.get(row.status, "")),
                str(row.attempts),
                str(row.updates),
            )
        parts: list[RenderableType] = [header, table]
        if hidden:
            rest = ", ".join(f"{count} {status}" for status, count in sorted(hidden.items()))
            parts.append(Text(f"… {sum(hidden.values())} more nodes: {rest}", style="dim"))
        if self._storage:
            parts.append(Text(self._storage, style="cyan", overflow="ellipsis"))
        if self._last_event:
            parts.append(Text(f"last event: {self._last_event}", style="dim", overflow="ellipsis"))
        return Group(*parts)


def _node_span(timing: dict[str, Any]) -> float | None:
    spans = [span for span in timing.values() if isinstance(span, list | tuple) and span]
    if not spans:
        return None
    return float(max(s[1] for s in spans) - min(s[0] for s in spans))


def run_verdict(report: dict[str, Any]) -> str:
    """The last line of ``pycau run`` / ``resume``, printed with ``--quiet`` too."""
    error_id = report.get("error_id")
    return f"run {report.get('run_id')} on {report.get('cluster')}: {report.get('status')}" + (
        f" ({error_id})" if error_id else ""
    )


def render_summary(console: Console, report: dict[str, Any]) -> None:
    """Print the end-of-run summary: run line, node table, invariant verdicts, wall figures."""
    from rich.table import Table
    from rich.text import Text

    status = str(report.get("status", "?"))
    error_id = report.get("error_id")
    headline = Text.assemble(
        ("run ", "bold"),
        (status, f"bold {_STATUS_STYLE.get(status, '')}"),
        (f" ({error_id})" if error_id else ""),
        f" · cluster {report.get('cluster')} · policy {report.get('policy')}",
        f" · duration {_duration(float(report.get('duration_seconds', 0.0)))}",
    )
    console.print(headline, highlight=False)
    if report.get("error"):
        console.print(f"run error: {report['error']}", highlight=False, soft_wrap=True)

    nodes = Table(title="nodes", title_justify="left")
    for column in ("node", "status", "attempts", "restarts", "boot", "updates", "span"):
        nodes.add_column(column, no_wrap=True)
    errors: list[str] = []
    for node in report.get("nodes", []):
        updates = node.get("updates", [])
        ok = sum(1 for u in updates if u.get("result") == "Succeeded")
        span = _node_span(node.get("timing", {}))
        status = str(node.get("status"))
        nodes.add_row(
            str(node.get("name")),
            Text(status, style=_STATUS_STYLE.get(status, "")),
            str(node.get("attempts", 0)),
            str(node.get("restarts", 0)),
            str(node.get("boot_type") or "—"),
            f"{ok}/{len(updates)}",
            _duration(span) if span is not None else "—",
        )
        if node.get("error"):
            errors.append(f"{node.get('name')}: {node['error']}")
    console.print(nodes)
    for line in errors:
        console.print(f"  {line}", highlight=False)

    simulation = report.get("simulation")
    if not simulation:
        return
    verdicts = Table(title="invariants", title_justify="left")
    verdicts.add_column("invariant", no_wrap=True)
    verdicts.add_column("holds", no_wrap=True)
    verdicts.add_column("violations (first)")
    for name, verdict in simulation.get("invariants", {}).items():
        violations = verdict.get("violations", [])
        first = violations[0] if violations else None
        detail = (
            f"{len(violations)}: {format_clock(first['time'])} {first['detail']}" if first else ""
        )
        holds = bool(verdict.get("holds"))
        mark = Text("yes" if holds else "NO", style="green" if holds else "red")
        if verdict.get("not_applicable"):  # an offline run waives it: say why, not "yes"
            mark, detail = Text("n/a", style="dim"), str(verdict["not_applicable"])
        verdicts.add_row(name, mark, detail)
    console.print(verdicts)
    wall = simulation.get("wall", {})
    counters = simulation.get("counters", {})
    console.print(
        f"simulated {_duration(float(report.get('duration_seconds', 0.0)))} "
        f"(lower bound {_duration(float(simulation.get('lower_bound_seconds', 0.0)))}), "
        f"{counters.get('events', 0)} events, {counters.get('live_migrations', 0)} live "
        f"migrations in {wall.get('seconds', 0.0):.2f} s wall "
        f"({wall.get('events_per_second', 0.0):,.0f} events/s, "
        f"peak {wall.get('peak_memory_mb', 0.0):.0f} MB)",
        highlight=False,
        soft_wrap=True,
    )
