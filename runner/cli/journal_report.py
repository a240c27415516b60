"""Reports and run summaries read back from a run journal (``pycau report --journal``,
the journal's half of ``pycau history``).

Owns: ``open_journal`` (an existing journal only: reading never creates one),
``stored_report`` (the final report a run stored in the journal when it ended, or the one
sentence why there is none: an unknown run id names the ids the journal holds) and
``journal_entries`` (one history entry per journaled run, from its stored report when it has
one, else from its run row).

Must not: write to the journal, talk to a cluster, or render anything but plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.journal import RUN_IN_PROGRESS, RunJournal

__all__ = ["entry_from_report", "journal_entries", "open_journal", "stored_report"]

_SHOWN_IDS = 20  # an unknown run id's message names at most this many ids


def open_journal(path: Path) -> RunJournal:
    """The journal at ``path``; ``InputError`` when there is none (never created here)."""
    if not path.exists():
        raise InputError(str(path), "", "no run journal at this path (pycau run writes one)")
    return RunJournal(path)


def stored_report(journal: RunJournal, run_id: str) -> dict[str, Any]:
    """Run ``run_id``'s final report; ``InputError`` (exit 2) when the journal has none."""
    report = journal.report(run_id)
    if report is not None:
        return report
    runs = {entry[0]: entry[3] for entry in journal.runs()}
    if run_id not in runs:
        ids = list(reversed(runs))[:_SHOWN_IDS]
        held = ", ".join(ids) if ids else "none"
        more = f" (and {len(runs) - len(ids)} older)" if len(runs) > len(ids) else ""
        raise InputError(
            journal.path, "$", f"the journal holds no run {run_id}; its runs: {held}{more}"
        )
    status = runs[run_id]
    why = (
        "it is still in progress or its coordinator died (pycau resume continues it)"
        if status == RUN_IN_PROGRESS
        else f"it ended {status} before pycau stored reports in its journal"
    )
    raise InputError(journal.path, "$", f"run {run_id} has no report in the journal: {why}")


def entry_from_report(report: dict[str, Any], source: str) -> dict[str, Any]:
    """One history entry (id, start, duration, status, nodes updated and failed)."""
    nodes = report.get("nodes") or []
    return {
        "run_id": report.get("run_id"),
        "cluster": report.get("cluster"),
        "started_at": report.get("started_at"),
        "duration_seconds": report.get("duration_seconds"),
        "status": report.get("status"),
        "error_id": report.get("error_id"),
        "nodes_updated": sum(1 for n in nodes if n.get("status") == "Succeeded"),
        "nodes_failed": sum(1 for n in nodes if n.get("status") in ("Failed", "PartiallyFailed")),
        "sources": [source],
    }


def journal_entries(journal: RunJournal) -> list[dict[str, Any]]:
    """Every run of ``journal`` as a history entry (``sources``: ["journal"])."""
    entries = []
    for run_id, cluster, started_at, status in journal.runs():
        report = journal.report(run_id)
        if report is not None:
            entries.append(entry_from_report(report, "journal"))
            continue
        entries.append(
            {
                "run_id": run_id,
                "cluster": cluster,
                "started_at": started_at,
                "duration_seconds": None,
                "status": status,
                "error_id": None,
                "nodes_updated": None,
                "nodes_failed": None,
                "sources": ["journal"],
            }
        )
    return entries
