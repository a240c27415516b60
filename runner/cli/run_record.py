"""The run record pycau publishes on the cluster, and ``pycau status``'s view of it.

Owns: ``RunRecord`` — a compact, Get-CauRun-like document (run id and state, coordinator,
start time, current node and phase, each node's status; a feature-update run's follow-up
quality pass under ``FollowUp``, its own node entries) kept up to date from the engine's
events and published in the cluster database (cluster parameter ``PycauRun``) so that
``pycau status`` works from any machine that reaches the cluster; ``RecordPublisher``, the
engine listener that publishes it when something an operator cares about changes; and
``render_status``.

Theory of operation: the record is information, not the lock (the run lock is the cluster
group ``runner.lease`` takes); while the cluster is locked only the lock's holder may
publish it, so a coordinator that lost the lock cannot overwrite the record of the run that
took it. It travels on a command line, so it stays small: one entry per node, no event log.
A failed publish never stops the run — the run goes on and the failure is reported at the
end.

Must not: decide anything about the run or read a clock (times come from the events).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from runner.errors import RunLocked, TransportError
from runner.lease import LOCK_STALE_SECONDS
from runner.report import RunEvent, iso_utc
from runner.types import LockHolder
from runner.winrm.transport import WinRMTransport

__all__ = [
    "RUN_IN_PROGRESS",
    "RUN_NOT_IN_PROGRESS",
    "RecordPublisher",
    "RunRecord",
    "render_lock",
    "render_status",
]

RUN_IN_PROGRESS = "RunInProgress"
RUN_NOT_IN_PROGRESS = "RunNotInProgress"
# Run-level CAU events worth publishing (started, succeeded, canceled, failed …).
_RUN_EVENTS = frozenset({1003, 1004, 1005, 1006, 1007, 1018, 1019, 1020})


class RunRecord:
    """The published state of one run (see module docstring)."""

    def __init__(
        self,
        *,
        run_id: str,
        cluster: str,
        coordinator: str,
        started_at: datetime,
        nodes: Sequence[str],
    ) -> None:
        self.document: dict[str, Any] = {
            "RunId": run_id,
            "RunState": RUN_IN_PROGRESS,
            "Coordinator": coordinator,
            "Cluster": cluster,
            "RunStartTime": iso_utc(started_at),
            "Seconds": 0.0,
            "CurrentNode": None,
            "CurrentPhase": None,
            "Nodes": [{"Node": n, "Status": "Waiting", "Time": None} for n in nodes],
            "Status": None,
            "ErrorId": None,
        }
        self._nodes = {entry["Node"]: entry for entry in self.document["Nodes"]}

    def on_event(self, event: RunEvent) -> bool:
        """Fold ``event`` in; True when the record changed in a way worth publishing."""
        self.document["Seconds"] = round(event.time, 3)
        if event.kind == "follow-up-started":  # a feature-update run's second pass begins
            entries = [{"Node": n, "Status": "Waiting", "Time": None} for n in self._nodes]
            self.document["FollowUp"] = {"Started": round(event.time, 3), "Nodes": entries}
            self._nodes = {entry["Node"]: entry for entry in entries}
            return True
        node = self._nodes.get(event.node or "")
        if event.kind == "phase-start" and node is not None:
            self.document["CurrentNode"] = event.node
            self.document["CurrentPhase"] = event.phase
            node["Status"] = "Updating"
            return True
        if event.kind == "node-status" and node is not None:
            node["Status"] = event.detail
            node["Time"] = round(event.time, 3)
            return True
        return event.event_id in _RUN_EVENTS

    def finish(self, report: Mapping[str, Any]) -> None:
        """The final state, from the run's report."""
        self.document.update(
            RunState=RUN_NOT_IN_PROGRESS,
            Seconds=report.get("duration_seconds"),
            CurrentNode=None,
            CurrentPhase=None,
            Status=report.get("status"),
            ErrorId=report.get("error_id"),
        )
        follow = report.get("follow_up") or {}
        record = self.document.get("FollowUp")
        if record is not None:
            record.update(Plugin=follow.get("plugin"), Status=follow.get("status"))
        passes = [(self.document["Nodes"], report.get("nodes", []))]
        if record is not None:  # each pass's nodes as the report lists them
            passes.append((record["Nodes"], follow.get("nodes") or []))
        for entries, nodes in passes:
            by_name = {entry["Node"]: entry for entry in entries}
            for node in nodes:
                entry = by_name.get(str(node.get("name")))
                if entry is not None:
                    entry.update(
                        Status=node.get("status"),
                        Attempts=node.get("attempts"),
                        Restarts=node.get("restarts"),
                        BootType=node.get("boot_type"),
                    )


class RecordPublisher:
    """Engine listener publishing the record; remembers failures instead of raising."""

    def __init__(self, transport: WinRMTransport, record: RunRecord) -> None:
        self._transport = transport
        self.record = record
        self.failures: list[str] = []

    def publish(self) -> None:
        """Publish now; ``RunLocked`` and transport errors propagate."""
        self._transport.publish_run(self.record.document)

    def __call__(self, event: RunEvent) -> None:
        if self.record.on_event(event):
            self.quietly()

    def quietly(self) -> None:
        """Publish; a failure is remembered, never raised (the run must go on)."""
        try:
            self.publish()
        except (TransportError, RunLocked) as exc:
            self.failures.append(str(exc))


def render_lock(console: Console, holder: LockHolder | None) -> None:
    """The run lock's line of ``pycau status``."""
    if holder is None:
        console.print("RunLock             : free", highlight=False)
        return
    stale = (
        " (stale: its coordinator looks gone)"
        if holder.heartbeat_age_seconds >= (LOCK_STALE_SECONDS)
        else ""
    )
    console.print(
        f"RunLock             : held by {holder.describe()}, heartbeat "
        f"{holder.heartbeat_age_seconds:.0f} s ago{stale}",
        highlight=False,
    )


def render_status(console: Console, record: Mapping[str, Any] | None) -> None:
    """``pycau status``: the published run, laid out like Get-CauRun."""
    if record is None:
        console.print("RunState            : RunNotInProgress (no pycau run was ever published)")
        return
    current = record.get("CurrentNode")
    phase = record.get("CurrentPhase")
    rows = [
        ("RunId", record.get("RunId")),
        ("RunState", record.get("RunState")),
        ("RunStartTime", record.get("RunStartTime")),
        ("CurrentOrchestrator", record.get("Coordinator")),
        ("Cluster", record.get("Cluster")),
        ("CurrentNode", f"{current} ({phase})" if current else "—"),
        ("Elapsed", f"{float(record.get('Seconds') or 0):.0f} s"),
    ]
    if record.get("Status"):
        rows.append(("Status", f"{record['Status']} {record.get('ErrorId') or ''}".strip()))
    for name, value in rows:
        console.print(f"{name:<20}: {value}", highlight=False)
    table = Table(title="NodeResults", title_justify="left")
    for column in ("node", "status", "attempts", "restarts"):
        table.add_column(column)
    for node in record.get("Nodes") or []:
        table.add_row(
            str(node.get("Node")),
            str(node.get("Status")),
            str(node.get("Attempts", "")),
            str(node.get("Restarts", "")),
        )
    console.print(table)
    follow = record.get("FollowUp")
    if follow:  # a feature-update run's follow-up quality pass
        again = Table(title="FollowUp (further updates)", title_justify="left")
        for column in ("node", "status", "attempts", "restarts"):
            again.add_column(column)
        for node in follow.get("Nodes") or []:
            again.add_row(
                str(node.get("Node")), str(node.get("Status")),
                str(node.get("Attempts", "")), str(node.get("Restarts", "")),
            )  # fmt: skip
        console.print(again)
