"""The run history pycau keeps in the cluster (``scripts/get-run-history.ps1``, and the
``Finished`` entry ``scripts/publish-run.ps1`` appends), for ``pycau history``.

Owns: ``HISTORY_KEEP`` (the cluster keeps the last 50 finished runs), ``finished_summary``
(a finished run record's history entry: run id, cluster, start, seconds, status, error id,
nodes updated and failed) and ``HistoryOps.get_run_history``.

Must not: be used by the engine (the command line only), or decide anything about a run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints

__all__ = ["HISTORY_KEEP", "HistoryOps", "finished_summary"]

HISTORY_KEEP = 50  # finished runs the cluster keeps in its history (oldest dropped first)
_FAILED = ("Failed", "PartiallyFailed")


def finished_summary(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The history entry of a finished run record, or None while the run goes on."""
    if record.get("RunState") != "RunNotInProgress" or not record.get("Status"):
        return None
    nodes = [n for n in record.get("Nodes") or () if isinstance(n, Mapping)]
    return {
        "RunId": record.get("RunId"),
        "Cluster": record.get("Cluster"),
        "RunStartTime": record.get("RunStartTime"),
        "Seconds": record.get("Seconds"),
        "Status": record.get("Status"),
        "ErrorId": record.get("ErrorId"),
        "Updated": sum(1 for n in nodes if n.get("Status") == "Succeeded"),
        "Failed": sum(1 for n in nodes if n.get("Status") in _FAILED),
    }


class HistoryOps(WinRMEndpoints):
    """The cluster's run history."""

    def get_run_history(self) -> list[dict[str, Any]]:
        """The finished runs the cluster keeps, oldest first (empty: none yet)."""
        text = self._read_cluster(ScriptName.GET_RUN_HISTORY, {}).get("History") or ""
        try:
            entries = json.loads(text) if text else []
        except json.JSONDecodeError as exc:
            raise RemoteCommandFailed("get-run-history", "the run history is not JSON") from exc
        if isinstance(entries, Mapping):  # PowerShell 5 may unwrap a one-element array
            entries = [entries]
        if not isinstance(entries, list):
            raise RemoteCommandFailed("get-run-history", "the run history is not a list")
        return [dict(e) for e in entries if isinstance(e, Mapping)]
