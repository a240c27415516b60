"""What every real run does once it holds the cluster's run lock: one code path for
``pycau run``, ``pycau resume`` and ``pycau agent``.

Owns: ``run_under_lock`` — the published run record, the boot beacons on every Up or
Paused node (a new run only), the engine made by the caller (``new_run``, or a continued
one: ``runner.takeover.continued_engine``), which publishes its run state in the cluster
(``runner.cluster_state``: another coordinator can take the run over) from its preflight
on, then ``drive_run`` (an engine driven with live progress, the published record and
Ctrl-C/SIGTERM handling; the exit status).

Must not: take the run lock (the caller did), ask the operator anything, or decide
anything about the run.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.console import Console

from runner.cli.interrupts import (
    Abandoned,
    InFlight,
    StoppableClock,
    graceful_stop,
    resume_hint,
    signal_name,
)
from runner.cli.live_view import LiveView, render_summary, run_verdict
from runner.cli.remote_session import Session
from runner.cli.run_record import RecordPublisher, RunRecord
from runner.cluster_state import ClusterStateLink
from runner.engine import Engine
from runner.errors import TransportError
from runner.journal import RunJournal
from runner.lease import RunLease
from runner.profile import ResolvedProfile
from runner.recorder import Listener
from runner.report import RunEvent, RunReport
from runner.stop import USER_CANCELED, StopRequest
from runner.transport import Clock
from runner.types import ClusterView, NodeState
from runner.updating_run import updating_engine

__all__ = ["EXIT_REFUSED", "REFUSED_US", "EngineMaker", "drive_run", "new_run", "run_under_lock"]

# A run that ended because the cluster refused this coordinator (its credentials, or its
# run lock taken over) exits 3, as such a refusal at the start does.
REFUSED_US = frozenset({"AuthenticationFailed", "RunLockLost"})
EXIT_REFUSED = 3

EngineMaker = Callable[[Listener, Clock, StopRequest], Engine]


def new_run(
    session: Session, profile: ResolvedProfile, lease: RunLease, *, run_id: str,
    started_at: datetime, journal: RunJournal | None,
) -> EngineMaker:  # fmt: skip
    """The engine of a new run under ``lease``, publishing its state (not started)."""

    def make(listener: Listener, clock: Clock, stop: StopRequest) -> Engine:
        engine = updating_engine(
            session.transport, clock, profile, run_id=run_id, started_at=started_at,
            listener=listener, journal=journal, lease=lease, stop=stop,
        )  # fmt: skip
        ClusterStateLink.attach(engine)  # from the preflight's first look on
        engine.start()
        return engine

    return make


def run_under_lock(
    session: Session,
    console: Console,
    make: EngineMaker,
    *,
    view: ClusterView,
    run_id: str,
    started_at: datetime,
    title: str,
    quiet: bool,
    journal: RunJournal | None,
    on_report: Callable[[dict[str, Any]], None],
    beacons: bool = True,
    warn: Callable[[str], None] | None = None,
) -> int:
    """The run ``make`` builds, driven to its end with the published record (module
    docstring); the exit status of ``drive_run``."""
    transport = session.transport
    names = tuple(n.name for n in view.nodes)
    record = RunRecord(
        run_id=run_id, cluster=view.cluster, coordinator=socket.gethostname(),
        started_at=started_at, nodes=names,
    )  # fmt: skip
    publisher = RecordPublisher(transport, record)
    publisher.quietly()  # pycau status reads it; only the lock's holder may publish
    say = warn or (lambda line: console.print(line))
    for node in view.nodes if beacons else ():
        if node.state in (NodeState.UP, NodeState.PAUSED):
            try:
                transport.install_beacon(node.name)
            except TransportError as exc:
                say(f"warning: boot beacon not installed on {node.name}: {exc}")

    def engine(listener: Listener, clock: Clock, stop: StopRequest) -> RunReport:
        return make(listener, clock, stop).run_to_end()

    return drive_run(
        session, console, engine, run_id=run_id, names=names, title=title, quiet=quiet,
        publisher=publisher, journal=journal, on_report=on_report,
    )  # fmt: skip


def drive_run(
    session: Session,
    console: Console,
    engine: Callable[[Listener, Clock, StopRequest], RunReport],
    *,
    run_id: str,
    names: tuple[str, ...],
    title: str,
    quiet: bool,
    publisher: RecordPublisher,
    journal: RunJournal | None,
    on_report: Callable[[dict[str, Any]], None],
) -> int:
    """Run ``engine`` with live progress, the published record and Ctrl-C/SIGTERM handling
    (``runner.cli.interrupts``); the exit status: 0 Succeeded, 1 not, 3 when the cluster
    refused this coordinator mid-run (credentials, or the run lock taken over), 128 + the
    signal when the operator stopped (safe point) or abandoned (at once) the run — with the
    command that continues it; 1 when ``pycau stop`` stopped it (Canceled, at a safe point)."""
    stop = StopRequest()
    clock = StoppableClock(session.clock, stop, real_time=session.twin is None)
    options = session.transport.options
    hint = {"host": options.host, "port": options.port, "insecure_http": options.insecure_http,
            "ca_cert": options.ca_cert, "auth": options.auth.value}  # fmt: skip
    where = journal.path if journal is not None else None
    flight = InFlight()
    try:
        with (
            graceful_stop(stop) as signals,
            LiveView(console, names, title=title, quiet=quiet, world=session.world) as progress,
        ):

            def listener(event: RunEvent) -> None:
                flight(event)
                progress(event)
                publisher(event)

            report = engine(listener, clock, stop).to_dict()
    except Abandoned as exc:
        session.abandoned = True  # no goodbyes on the wire: leave now
        console.print(
            f"abandoned at once ({signal_name(exc.signum)}): run {run_id} stopped where it was; "
            f"{flight.describe()}. The run lock stays held by this dead process; journal "
            f"{where or '(none)'}.",
            highlight=False,
        )
        console.print(
            f"To continue: {resume_hint(run_id, hint, where, force=True)}", soft_wrap=True
        )
        return 128 + exc.signum
    record = publisher.record
    record.finish(report)
    publisher.quietly()
    on_report(report)
    if not quiet:
        render_summary(console, report)
    for failure in publisher.failures[:3]:
        console.print(f"warning: the run record could not be published: {failure}")
    console.print(run_verdict(report), highlight=False, soft_wrap=True)
    if report.get("error_id") == USER_CANCELED:
        console.print(
            f"stopped at a safe point: run {run_id} is Canceled and can go on; journal "
            f"{where or '(none: it cannot be resumed)'}.",
            highlight=False,
        )
        console.print(
            f"To continue: {resume_hint(run_id, hint, where, force=False)}", soft_wrap=True
        )
        # A signal here stopped it (128 + signal); pycau stop from elsewhere: not succeeded.
        return 128 + signals.signum if signals.signum is not None else 1
    if report.get("error_id") in REFUSED_US:
        return EXIT_REFUSED  # the cluster refused us mid-run: as a refusal at the start
    return 0 if report["status"] == "Succeeded" else 1
