"""Operations the command line needs beyond the transport contract: who answers, a node's
readiness facts, the boot beacon, the published run record, and the endpoint's clock.

Owns: ``RecordOps``. Must not: be used by the engine (it reaches the cluster only through
the contract) or sleep except in ``endpoint_clock``'s remote wait.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.remote_protocol import ScriptName
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.history_ops import HISTORY_KEEP, finished_summary
from runner.winrm.scripts import beacon_source

__all__ = ["RecordOps"]


class RecordOps(WinRMEndpoints):
    """Probe, facts, beacon, run record, endpoint clock."""

    def probe(self, node: str | None = None) -> Mapping[str, Any]:
        """Who answers on the cluster endpoint (or on ``node``'s own endpoint)."""
        if node is None:
            return dict(self._read_cluster(ScriptName.PROBE, {}))
        return dict(self._on_node(node, ScriptName.PROBE, {}, deadline=self.deadlines.read))

    def node_facts(self, node: str, scripts: Sequence[str]) -> Mapping[str, Any]:
        """Readiness facts of ``node`` (versions, policies, firewall, scripts)."""
        args = {"Scripts": list(scripts)}
        return dict(self._on_node(node, ScriptName.NODE_FACTS, args, deadline=self.deadlines.read))

    def install_beacon(self, node: str) -> None:
        """Install the startup task that publishes ``node``'s boot id in the cluster."""
        args = {"Beacon": beacon_source()}
        self._on_node(node, ScriptName.INSTALL_BEACON, args, deadline=self.deadlines.command)

    def get_run(self) -> Mapping[str, Any] | None:
        """The published run record, or None when no run was ever published."""
        text = self._read_cluster(ScriptName.GET_RUN, {}).get("Run") or ""
        try:
            record = json.loads(text) if text else None
        except json.JSONDecodeError as exc:
            raise RemoteCommandFailed("get-run", "the run record is not JSON") from exc
        return record if isinstance(record, Mapping) else None

    def publish_run(self, record: Mapping[str, Any]) -> None:
        """Publish the run record (it carries ``RunId``; a finished one also joins the
        cluster's run history); ``RunLocked`` when another run holds the run lock (only the
        holder publishes while the cluster is locked)."""
        args: dict[str, Any] = {"Run": dict(record)}
        finished = finished_summary(record)
        if finished is not None:  # it joins the cluster's run history (pycau history)
            args.update(Finished=finished, Keep=HISTORY_KEEP)
        self._on_cluster(ScriptName.PUBLISH_RUN, args, deadline=self.deadlines.read, about=None)

    def endpoint_clock(self, seconds: float) -> float:
        """Wait ``seconds`` on the cluster endpoint; its monotonic seconds afterwards."""
        args = {"Seconds": seconds}
        document = self._on_cluster(
            ScriptName.CLOCK, args, deadline=self.deadlines.read + seconds, about=None
        )
        now = document.get("Now") if isinstance(document, Mapping) else None
        if not isinstance(now, int | float):
            raise RemoteCommandFailed("clock", "the endpoint reported no time")
        return float(now)
