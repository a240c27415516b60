"""What the real-cluster commands do once connected: test-setup, scan and run.

Owns: ``readiness`` (gather facts from every node and judge them), ``scan_cluster``
(Invoke-CauScan: start a scan on every node, poll until all are done), ``render_plan`` and
``perform_run`` (plan → confirmation → run lock → boot beacons → the same engine as
``pycau simulate`` with live progress and the published run record → report).

Theory of operation: everything goes through the session's transport and clock, so the
same code runs against a real cluster (system clock) and against pycau's twin (the
endpoint's clock, which is the simulated one). ``--what-if`` stops after the plan: it
reads, it changes nothing — not even the run record.

Must not: parse options or print errors (``runner.cli.remote`` does); sleep except
through the session's clock.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from runner.cli.fast_plan_view import render_waves
from runner.cli.interrupts import (
    Abandoned,
    InFlight,
    StoppableClock,
    graceful_stop,
    resume_hint,
    signal_name,
)
from runner.cli.live_view import LiveView, render_summary, run_verdict
from runner.cli.offline_plan_view import render_offline_plan
from runner.cli.plan_options import option_gates, planned_order
from runner.cli.remote_session import Session
from runner.cli.run_record import RecordPublisher, RunRecord
from runner.clock import utc_now
from runner.errors import InputError, OperationTimedOut, RunnerError, TransportError
from runner.journal import RunJournal
from runner.lease import RunLease
from runner.post_steps import IRREVERSIBLE
from runner.profile import Mode, Profile
from runner.recorder import Listener
from runner.rehearsal.compose import SIMULATED_STARTED_AT
from runner.report import RunEvent, RunReport, iso_utc
from runner.stop import USER_CANCELED, StopRequest
from runner.transport import Clock
from runner.types import ClusterView, LockHolder, NodeState, UpdateInfo, WorkHandle, WorkState
from runner.updating_run import run_updating_run
from runner.winrm.setup_rules import RuleResult, judge

__all__ = [
    "coordinator_gone",
    "drive_run",
    "perform_run",
    "readiness",
    "render_plan",
    "render_rules",
    "scan_cluster",
    "take_run_lock",
]

_SCAN_POLL_SECONDS = 10.0
# A run that ended because the cluster refused this coordinator (its credentials, or its
# run lock taken over) exits 3, as such a refusal at the start does.
REFUSED_US = frozenset({"AuthenticationFailed", "RunLockLost"})
EXIT_REFUSED = 3


def readiness(session: Session, profile: Profile) -> list[RuleResult]:
    """Test-CauSetup's rules, judged from one observation and each node's facts."""
    view = session.transport.observe()
    profile_problem = None
    try:
        profile = profile.resolved(tuple(n.name for n in view.nodes), source="profile")
    except InputError as exc:
        profile_problem = str(exc)
    scripts = [p for p in (profile.pre_update_script, profile.post_update_script) if p]
    facts: dict[str, Mapping[str, Any] | str] = {}
    for node in view.nodes:
        try:
            facts[node.name] = session.transport.node_facts(node.name, scripts)
        except RunnerError as exc:
            facts[node.name] = str(exc)
    https = not session.transport.options.insecure_http
    return judge(view, facts, profile, https=https, profile_problem=profile_problem)


def render_rules(console: Console, results: list[RuleResult]) -> None:
    table = Table(title="readiness (Test-CauSetup rules)", title_justify="left")
    for column in ("#", "rule", "result", "evidence", "remedy"):
        table.add_column(column, overflow="fold")
    styles = {"Pass": "green", "Warn": "yellow", "Fail": "red", "Skip": "dim"}
    for r in results:
        verdict = f"[{styles[r.verdict.value]}]{r.verdict.value}[/]"
        number = str(r.number) if r.number is not None else "—"
        table.add_row(number, r.rule, verdict, r.evidence, r.remedy)
    console.print(table)


def scan_cluster(
    session: Session, timeout_s: float = 1800.0, *, profile: Profile | None = None
) -> tuple[dict[str, tuple[UpdateInfo, ...]], dict[str, str]]:
    """(offered updates per node, error per node) — every Up/Paused node scanned with the
    profile's plug-ins (CAU's default: Windows Update)."""
    clock, transport = session.clock, session.transport
    how = profile or Profile()
    view = transport.observe()
    handles: dict[str, WorkHandle] = {}
    errors: dict[str, str] = {}
    for node in view.nodes:
        if node.state in (NodeState.UP, NodeState.PAUSED):
            try:
                handles[node.name] = transport.start_scan(
                    node.name, how.plugins, serially=how.run_plugins_serially,
                    stop_on_failure=how.stop_on_plugin_failure,
                )  # fmt: skip
            except RunnerError as exc:
                errors[node.name] = str(exc)
        else:
            errors[node.name] = f"not scanned: the node is {node.state.value}"
    offered: dict[str, tuple[UpdateInfo, ...]] = {}
    deadline = clock.now() + timeout_s
    while handles:
        for name, handle in list(handles.items()):
            try:
                progress = transport.poll_work(handle)
            except TransportError:
                continue  # the node may be busy or briefly away: ask again next round
            if progress.state is WorkState.RUNNING:
                continue
            del handles[name]
            if progress.state is WorkState.SUCCEEDED:
                offered[name] = progress.offered
            else:
                errors[name] = progress.error or f"scan failed {progress.hresult}".strip()
        if handles and clock.now() >= deadline:
            for name in handles:
                errors[name] = str(OperationTimedOut(f"the scan of {name} did not finish"))
            break
        if handles:
            clock.sleep(_SCAN_POLL_SECONDS)
    return offered, errors


def render_plan(
    console: Console, view: ClusterView, profile: Profile, order: tuple[str, ...]
) -> None:
    """The plan of a run: node order, what each node hosts, and the gates."""
    table = Table(title=f"plan: rolling update of {view.cluster}", title_justify="left")
    for column in ("#", "node", "state", "roles", "boot id"):
        table.add_column(column)
    for index, name in enumerate(order, start=1):
        node = view.node(name)
        roles = len(view.roles_on(name))
        table.add_row(str(index), name, node.state.value, str(roles), node.boot_id or "—")
    console.print(table)
    at_once = "in waves (below)" if profile.fast else "one node at a time"
    gates = [
        f"{at_once} (max nodes out {profile.max_nodes_out}); updates come from each "
        "node's scan during the run (`pycau scan` shows them now)",
        "before each drain: quorum survives the node's absence, every volume Healthy/OK and "
        f"no repair job (waits up to {profile.wait_for_storage_repair_timeout_minutes:g} min)",
        f"a restart counts only when the node's boot id changes (within "
        f"{profile.reboot_timeout_minutes:g} min)",
        f"failback {profile.failback_mode.cau_name}; MaxFailedNodes {profile.max_failed_nodes}; "
        f"MaxRetriesPerNode {profile.max_retries_per_node}",
    ]
    if profile.pre_update_script or profile.post_update_script:
        gates.append(
            f"scripts: pre {profile.pre_update_script or '—'}, "
            f"post {profile.post_update_script or '—'} (run on the node as SYSTEM)"
        )
    if profile.stop_after_minutes is not None:
        gates.append(f"StopAfter {profile.stop_after_minutes:g} min")
    if profile.plugin != Profile().plugin:
        plugins = ", ".join(spec.describe() for spec in profile.plugins)
        gates.append(f"plug-ins, installed in this order on each node: {plugins}")
    gates += option_gates(profile, view)
    for gate in gates:
        console.print(f"  • {gate}", highlight=False)


def coordinator_gone(holder: LockHolder) -> bool:
    """Whether ``holder`` is a coordinator process on THIS host that no longer exists (so
    ``--force-recovery`` may take its lock at once). A holder on another host is judged by
    its heartbeat alone: its process cannot be seen from here."""
    if holder.coordinator != socket.gethostname() or holder.pid == os.getpid():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another account
        return False
    return False


def take_run_lock(
    session: Session, run_id: str, started_at: str, cluster: str, *, force_recovery: bool
) -> RunLease:
    """The cluster's run lock for this process, before anything is touched; ``RunLocked``
    (exit 3, naming the holder) when another coordinator holds it."""
    holder = LockHolder(
        run_id=run_id, coordinator=socket.gethostname(), pid=os.getpid(), started_at=started_at
    )
    return RunLease.acquire(
        session.transport,
        session.clock,
        holder,
        cluster=cluster,
        force_recovery=force_recovery,
        holder_gone=coordinator_gone,
    )


def perform_run(
    session: Session,
    profile: Profile,
    console: Console,
    *,
    yes: bool,
    what_if: bool,
    force_recovery: bool,
    quiet: bool,
    on_report: Callable[[dict[str, Any]], None],
    journal: RunJournal | None = None,
    source: str = "profile",
) -> int:
    """The whole ``pycau run``; returns the exit status (0 = Succeeded). ``source`` names
    the profile in an error (its file).

    With ``journal`` every step is checkpointed there, so ``pycau resume`` can continue the
    run after the coordinator died."""
    transport = session.transport
    view = transport.observe()
    names = tuple(n.name for n in view.nodes)
    profile = profile.resolved(names, source=source)
    offline = profile.mode == Mode.OFFLINE
    if offline:
        offers, errors = scan_cluster(session)  # a read: the estimate's updates
        render_offline_plan(console, view, profile, offers, errors)
    else:
        order = planned_order(transport, view, profile)
        render_plan(console, view, profile, order)
        if profile.fast:
            render_waves(console, transport, view, profile, order)
    if what_if:
        console.print("what-if: nothing was changed on the cluster")
        return 0
    question = (
        "Start the offline update (every VM down for the planned downtime)?"
        if offline
        else "Start the updating run?"
    )
    if not yes and not click.confirm(question, default=False):
        console.print("not started: nothing was changed on the cluster")
        return 1
    if (
        profile.update_functional_level
        and not yes
        and not click.confirm(IRREVERSIBLE, default=False)
    ):
        console.print("not started: nothing was changed on the cluster")
        return 1
    # Every run has its own id; a twin's cluster lives on the simulated calendar.
    run_id = str(uuid.uuid4())
    started_at = SIMULATED_STARTED_AT if session.twin is not None else utc_now()
    lease = take_run_lock(
        session, run_id, iso_utc(started_at), view.cluster, force_recovery=force_recovery
    )
    if lease.taken_over is not None:
        console.print(f"force recovery: took the run lock over from {lease.taken_over.describe()}")
    record = RunRecord(
        run_id=run_id,
        cluster=view.cluster,
        coordinator=socket.gethostname(),
        started_at=started_at,
        nodes=names,
    )
    publisher = RecordPublisher(transport, record)
    publisher.quietly()  # pycau status reads it; only the lock's holder may publish
    for node in view.nodes:
        if node.state in (NodeState.UP, NodeState.PAUSED):
            try:
                transport.install_beacon(node.name)
            except TransportError as exc:
                console.print(f"warning: boot beacon not installed on {node.name}: {exc}")
    title = f"{view.cluster} · run {run_id}"

    def engine(listener: Listener, clock: Clock, stop: StopRequest) -> RunReport:
        return run_updating_run(
            transport, clock, profile, run_id=run_id, started_at=started_at,
            listener=listener, journal=journal, lease=lease, stop=stop,
        )  # fmt: skip

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


def load_profile_or_default(path: str | None) -> Profile:
    """The profile file (validated), or CAU's defaults."""
    if path is None:
        return Profile()
    from runner.validation import load_profile

    try:
        return load_profile(path)
    except OSError as exc:
        raise InputError(path, "", exc.strerror or str(exc)) from exc
