"""``pycau twin``: serve a scenario's simulated cluster as a WinRM endpoint on loopback.

Owns: ``TwinServer`` — builds the scenario's world (as ``pycau simulate`` does), wraps it in
the twin's script answerer and a ``WsmanEndpoint`` on 127.0.0.1 (HTTP, or HTTPS with a
generated CA when ``tls_dir`` is given), accepting the one account given; and when a run
against it publishes its final record, the oracle's verdict on that run and whether the
scenario's expectation held.

Theory of operation: the verdict needs a report, and the twin sees only what travels over
WinRM — the published run record (status, error id, each node's status, attempts,
restarts and boot type, and when it became final). That is what the oracle's
report-dependent checks read (``report-truth`` included, all but its check of update
results); the live checks (quorum, storage, workloads) were recorded as the run went.

Must not: listen on anything but loopback, or print the account's password. Composition
root only: this module may import ``simulator`` (lazily, inside functions).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.profile import Profile

if TYPE_CHECKING:
    from simulator.model import Scenario
    from simulator.twin import Account, WsmanEndpoint

__all__ = ["TwinServer", "report_from_record"]


def report_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a run report the oracle's final checks read, from a final run record.

    The record carries each node's status, attempts, restarts and boot type, so
    ``report-truth`` checks all of them; it carries no update results, so the check of
    updates reported Succeeded is not made for a WinRM run (a key left out is not checked).
    """
    nodes = [
        {
            "name": entry.get("Node"),
            "status": entry.get("Status"),
            "attempts": entry.get("Attempts") or 0,
            "restarts": entry.get("Restarts") or 0,
            **({"boot_type": entry["BootType"]} if "BootType" in entry else {}),
        }
        for entry in record.get("Nodes") or []
    ]
    events = [
        {
            "time": entry.get("Time"),
            "kind": "node-status",
            "node": entry.get("Node"),
            "detail": entry.get("Status"),
        }
        for entry in record.get("Nodes") or []
        if entry.get("Time") is not None
    ]
    return {
        "status": record.get("Status"),
        "error_id": record.get("ErrorId"),
        "duration_seconds": record.get("Seconds") or 0.0,
        "nodes": nodes,
        "events": events,
    }


class TwinServer:
    """A scenario's world served over WinRM (see module docstring)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        account: Account,
        *,
        port: int = 0,
        tls_dir: Path | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        from simulator.twin import WsmanEndpoint
        from simulator.twin.answers import TwinAnswers
        from simulator.twin.tls import make_certificates
        from simulator.world import build_world

        self.scenario = scenario
        self._echo = echo
        profile = Profile.from_mapping(scenario.profile, source=scenario.source)
        self.world = build_world(scenario, seed, profile.resolved(scenario.cluster.node_names))
        self.answers = TwinAnswers(
            self.world.transport,
            self.world.clock,
            cluster=scenario.cluster.name,
            scenario=scenario.name,
            seed=seed,
            on_run_record=self._record,
        )
        self.ca_cert: Path | None = None
        tls = None
        if tls_dir is not None:
            certificates = make_certificates(tls_dir)
            self.ca_cert, tls = certificates.ca, (certificates.cert, certificates.key)
        self.endpoint: WsmanEndpoint = WsmanEndpoint(
            self.answers, account=account, port=port, tls=tls
        )
        self.finished = threading.Event()
        self.mismatches: list[str] = []
        self.invariants: dict[str, Any] = {}

    def start(self) -> TwinServer:
        self.endpoint.start()
        return self

    def stop(self) -> None:
        self.endpoint.stop()

    def _record(self, record: Mapping[str, Any]) -> None:
        """Called by the answerer (under its lock) for every published run record."""
        if record.get("RunState") != "RunNotInProgress" or not record.get("Status"):
            return
        from simulator.expect import check_expectation

        report = report_from_record(record)
        simulation = self.world.finish(report)
        self.invariants = simulation["invariants"]
        self.mismatches = check_expectation(
            self.scenario.expect, {**report, "simulation": simulation}
        )
        broken = [name for name, v in self.invariants.items() if not v.get("holds")]
        self._echo(
            f"twin: run {record.get('RunId')} ended {record.get('Status')}"
            + (f" ({record.get('ErrorId')})" if record.get("ErrorId") else "")
            + f"; invariants: {'all hold' if not broken else 'VIOLATED ' + ', '.join(broken)}"
        )
        if self.mismatches:
            self._echo(f"twin: expectation of {self.scenario.name} NOT met:")
            for mismatch in self.mismatches:
                self._echo(f"  - {mismatch}")
        else:
            self._echo(f"twin: expectation of {self.scenario.name} met")
        self.finished.set()
