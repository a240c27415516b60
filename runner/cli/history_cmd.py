"""``pycau history``: past runs, like Get-CauReport — from the cluster and the local journal.

Owns: the click command ``history`` and ``merge_history``. The cluster keeps the last
``HISTORY_KEEP`` (50) finished runs (``runner.winrm.history_ops``: each finished run's
summary joins the cluster parameter PycauRunHistory when its final record is published);
the journal (``--journal``, default pycau's journal when it exists) keeps every run this
machine coordinated, finished or not. The two are merged by run id (the journal's stored
report wins where both know a run; ``sources`` says who knew it) and listed newest first
(by start time; runs with the same start in the order they were recorded, the cluster's
order first). ``--json`` prints the list as JSON.

Must not: change the cluster or the journal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from runner.cli.journal_report import journal_entries, open_journal
from runner.cli.remote import remote_command
from runner.cli.remote_session import Session, connection_options
from runner.journal import default_journal_path

__all__ = ["cluster_entries", "history", "merge_history"]


def cluster_entries(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cluster's history entries in the shape of ``journal_entries``."""
    return [
        {
            "run_id": s.get("RunId"),
            "cluster": s.get("Cluster"),
            "started_at": s.get("RunStartTime"),
            "duration_seconds": s.get("Seconds"),
            "status": s.get("Status"),
            "error_id": s.get("ErrorId"),
            "nodes_updated": s.get("Updated"),
            "nodes_failed": s.get("Failed"),
            "sources": ["cluster"],
        }
        for s in summaries
    ]


def merge_history(
    cluster: Sequence[dict[str, Any]], journal: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per run id, newest first (see module docstring)."""
    merged: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    for entry in [*cluster, *journal]:
        run_id = str(entry.get("run_id"))
        order.setdefault(run_id, len(order))
        known = merged.get(run_id)
        if known is None:
            merged[run_id] = dict(entry)
            continue
        sources = [*known["sources"], *entry["sources"]]
        # the journal's stored report is the fuller word; a bare journal row (a run it saw
        # begin but not end) does not override what the cluster recorded at the run's end
        full = entry.get("duration_seconds") is not None
        better = {k: v for k, v in entry.items() if v is not None} if full else {}
        merged[run_id] = {**known, **better, "sources": sources}
    return sorted(
        merged.values(),
        key=lambda e: (str(e.get("started_at") or ""), order[str(e["run_id"])]),
        reverse=True,
    )


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}"


def render_history(console: Console, entries: Sequence[dict[str, Any]]) -> None:
    table = Table(title=f"{len(entries)} run(s), newest first", title_justify="left")
    for column in ("run id", "start", "duration", "status", "updated", "failed", "source"):
        table.add_column(column, overflow="fold")
    for e in entries:
        status = f"{e.get('status')}" + (f" ({e['error_id']})" if e.get("error_id") else "")
        table.add_row(
            str(e.get("run_id")), str(e.get("started_at") or "—"),
            _duration(e.get("duration_seconds")), status,
            "—" if e.get("nodes_updated") is None else str(e["nodes_updated"]),
            "—" if e.get("nodes_failed") is None else str(e["nodes_failed"]),
            "+".join(e["sources"]),
        )  # fmt: skip
    console.print(table)


@click.command("history")
@connection_options
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The local run journal to merge in (default: pycau's journal, when it exists).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@remote_command
def history(session: Session, journal_path: Path | None, as_json: bool, **_: Any) -> int:
    """Past runs (id, start, duration, status, nodes updated and failed), like Get-CauReport.

    Read from the cluster (its last 50 finished runs) and the local run journal, merged by
    run id, newest first.
    """
    entries = cluster_entries(session.transport.get_run_history())
    path = journal_path if journal_path is not None else default_journal_path()
    if journal_path is not None or path.exists():
        journal = open_journal(path)
        try:
            local = journal_entries(journal)
        finally:
            journal.close()
        entries = merge_history(entries, local)
    else:
        entries = merge_history(entries, [])
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        render_history(Console(highlight=False), entries)
    return 0
