"""The twin: a scenario's simulated cluster served as a WinRM endpoint on loopback.

Owns: ``TwinServer`` — builds the scenario's world (as ``pycau simulate`` does), wraps it in
the twin's script answerer and a ``WsmanEndpoint`` on 127.0.0.1 (HTTP, or HTTPS with a
generated CA when ``tls`` is set), accepting the one account given, with the scenario's
``session-expiry`` switch applied to the endpoint (every session expires each
``SESSION_LIFETIME_MINUTES`` simulated minutes); and when a run against it publishes its
final record, the oracle's verdict on that run and whether the scenario's expectation held.
``pycau twin``'s process lifetime (signals, always stopping) is ``runner.cli.twin_serve``'s.

Secrets: the server's TLS key and the NTLM account's hashes stay in memory
(``simulator.twin.memfile``; on platforms without memory files, private files that
``stop`` removes). The one real file is the CA certificate clients pass as ``--ca-cert``
(public), in a private temporary directory that ``stop`` removes.

Theory of operation: the verdict needs a report, and the twin sees only what travels over
WinRM — the published run record (status, error id, each node's status, attempts,
restarts and boot type, and when it became final). That is what the oracle's
report-dependent checks read (``report-truth`` included, all but its check of update
results); the live checks (quorum, storage, workloads) were recorded as the run went.

A port that cannot be listened on (in use, privileged) is bad input (``InputError``, exit 2)
naming the port, never a traceback.

Must not: listen on anything but loopback, or print the account's password; import
``simulator`` at module level (it loads inside the functions that need it).
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.errors import InputError
from runner.profile import Profile

if TYPE_CHECKING:
    from simulator.model import Scenario
    from simulator.twin import Account, WsmanEndpoint
    from simulator.twin.expiry import SessionExpiry

__all__ = ["TwinServer", "account", "port_problem", "report_from_record"]

_FIRST_UNPRIVILEGED_PORT = 1024


def port_problem(port: int, exc: OSError) -> str:
    """Why the twin cannot listen on 127.0.0.1:``port``, in one sentence."""
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on 127.0.0.1 is already in use (another twin or listener?): choose "
            "another --port, or --port 0 for any free one"
        )
    if exc.errno in (errno.EACCES, errno.EPERM) and 0 < port < _FIRST_UNPRIVILEGED_PORT:
        return (
            f"port {port} is a privileged port (below {_FIRST_UNPRIVILEGED_PORT}) and this "
            "user may not listen on it: choose a port from 1024, or --port 0 for any free one"
        )
    return f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}"


def account(username: str, password: str) -> Account:
    """The one account the twin accepts (its ``repr`` hides the password)."""
    from simulator.twin import Account

    return Account(username=username, password=password)


def report_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a run report the oracle's final checks read, from a final run record.

    The record carries each node's status, attempts, restarts and boot type, so
    ``report-truth`` checks all of them; it carries no update results, so the check of
    updates reported Succeeded is not made for a WinRM run (a key left out is not checked).
    A feature-update run's follow-up pass (``FollowUp``) becomes the report's ``follow_up``
    and its start event, so the oracle judges each pass on its own.
    """
    follow = record.get("FollowUp")
    entries = list(record.get("Nodes") or [])
    again = list(follow.get("Nodes") or []) if follow else []
    events = [
        {
            "time": entry.get("Time"),
            "kind": "node-status",
            "node": entry.get("Node"),
            "detail": entry.get("Status"),
        }
        for entry in (*entries, *again)
        if entry.get("Time") is not None
    ]
    report: dict[str, Any] = {
        "status": record.get("Status"),
        "error_id": record.get("ErrorId"),
        "duration_seconds": record.get("Seconds") or 0.0,
        "nodes": [_node_entry(entry) for entry in entries],
        "events": events,
    }
    if follow:  # a feature-update run's follow-up pass: its own entries and start
        started = {"time": follow.get("Started"), "kind": "follow-up-started", "node": None}
        report["events"] = sorted([*events, started], key=lambda e: float(e["time"] or 0.0))
        report["follow_up"] = {
            "ran": True,
            "plugin": follow.get("Plugin") or "windows-update",
            "nodes": [_node_entry(entry) for entry in again],
        }
    return report


def _node_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": entry.get("Node"),
        "status": entry.get("Status"),
        "attempts": entry.get("Attempts") or 0,
        "restarts": entry.get("Restarts") or 0,
        **({"boot_type": entry["BootType"]} if "BootType" in entry else {}),
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
        tls: bool = False,
        echo: Callable[[str], None] = print,
    ) -> None:
        from simulator.issue_switches import session_lifetime_minutes
        from simulator.twin import WsmanEndpoint
        from simulator.twin.answers import TwinAnswers
        from simulator.twin.expiry import SessionExpiry
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
        self._certificates = make_certificates() if tls else None
        self.ca_cert: Path | None = None  # written by start(), removed by stop()
        lifetime = session_lifetime_minutes(scenario)
        self.expiry: SessionExpiry | None = None
        if lifetime is not None:  # on simulated time: the same expiries in every run
            self.expiry = SessionExpiry(every_s=lifetime * 60, now=self.world.clock.now)
        try:
            self.endpoint: WsmanEndpoint = WsmanEndpoint(
                self.answers,
                account=account,
                port=port,
                tls=self._certificates,
                session_expiry=self.expiry,
            )
        except OSError as exc:
            raise InputError("--port", "", port_problem(port, exc)) from exc
        self.finished = threading.Event()
        self.mismatches: list[str] = []
        self.invariants: dict[str, Any] = {}
        self.simulation: dict[str, Any] = {}  # the final run's simulation section

    def start(self) -> TwinServer:
        if self._certificates is not None and self.ca_cert is None:
            directory = Path(tempfile.mkdtemp(prefix="pycau-twin-ca-"))
            self.ca_cert = directory / "ca.pem"
            self.ca_cert.write_bytes(self._certificates.ca_pem)
        self.endpoint.start()
        return self

    def notes(self) -> list[str]:
        """What the twin of this scenario does not do, to print when it starts serving."""
        from runner.rehearsal.compose import coordinator_crash_step

        notes = []
        step = coordinator_crash_step(self.scenario)
        if step is not None:  # the fault kills the coordinator: here the client's process
            notes.append(
                f"twin: note: the scenario's coordinator-crash fault (after journal step {step}) "
                "is not injected: the coordinator is your `pycau run`, which the twin cannot "
                "kill; to rehearse the crash, kill pycau run mid-run and continue with "
                "`pycau resume RUN_ID --force-recovery` (same --cluster, same --journal)"
            )
        played = ["self-updating role"] if self.scenario.coordinator == "self-updating" else []
        played += [
            f"{f.type} fault"
            for f in self.scenario.faults
            if f.type in ("coordinator-host-crash", "agents-down")
        ]
        if played:
            notes.append(
                f"twin: note: the scenario's {' and '.join(played)} is not played: the "
                "coordinator is your "
                "`pycau run`, off the cluster, which publishes no run state for another "
                "coordinator to take over (`pycau simulate` plays it)"
            )
        return notes

    def stop(self) -> None:
        """Stop serving and remove the CA file (safe to call twice, or without start)."""
        try:
            self.endpoint.stop()
        finally:
            if self.ca_cert is not None:
                shutil.rmtree(self.ca_cert.parent, ignore_errors=True)
                self.ca_cert = None

    def _record(self, record: Mapping[str, Any]) -> None:
        """Called by the answerer (under its lock) for every published run record."""
        if record.get("RunState") != "RunNotInProgress" or not record.get("Status"):
            return
        from simulator.expect import check_expectation

        report = report_from_record(record)
        simulation = self.simulation = self.world.finish(report)
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
        fenced = self.answers.fenced_commands
        self._echo(
            f"twin: commands that change the cluster came from {len(fenced)} run(s): "
            + (", ".join(f"{run} ({count})" for run, count in sorted(fenced.items())) or "none")
        )
        if self.expiry is not None:
            self._echo(
                f"twin: every session expired {self.expiry.expiries} time(s) during the run "
                f"(known issue session-expiry): {self.expiry.refused} request(s) refused with "
                f"401, {self.expiry.shells_ended} shell(s) ended"
            )
        if self.mismatches:
            self._echo(f"twin: expectation of {self.scenario.name} NOT met:")
            for mismatch in self.mismatches:
                self._echo(f"  - {mismatch}")
        else:
            self._echo(f"twin: expectation of {self.scenario.name} met")
        self.finished.set()
