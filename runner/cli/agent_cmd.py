"""``pycau agent``: run a cluster's updating runs on the profile's schedule, unattended.

Owns: the command's options and exit codes, the profile check made before connecting (a
profile without ``schedule:`` is refused, exit 2), ``--what-if`` (the next firing and the
plan, nothing changed — not even the agent's presence), and the signals: Ctrl-C or SIGTERM
while the agent waits or watches ends it at once (exit 130 or 143; its presence is
withdrawn), while it runs a run they act as in ``pycau run`` (a safe stop first).

Exit codes: ``--once`` exits with the firing's run's status as ``pycau run`` does (0
Succeeded — or nothing due, or the firing run by another agent —, 1 not, 3 the cluster
refused us or the firing was missed while another run held the cluster, or a transport
error); without it the agent runs until stopped: a transport error is said and waited out
with a bounded back-off (``runner.agent``), refused credentials exit 3. 2 bad input.

Must not: decide when to run (``runner.agent``) or hold the run's wiring
(``runner.cli.agent_run``).
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click
from rich.console import Console

from runner.cli.interrupts import Abandoned
from runner.cli.remote import remote_command
from runner.cli.remote_session import Session, connection_options
from runner.errors import InputError
from runner.profile import Profile
from runner.schedule import Schedule, parse_schedule

__all__ = ["agent"]


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGINT and SIGTERM end a wait at once (the clock's sleep is interrupted); a run
    installs its own handlers (``runner.cli.interrupts``) and gives these back after."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Abandoned(signum)  # out at once: nothing of ours is in flight

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _scheduled_profile(ctx: Any, param: Any, value: str | None) -> tuple[Profile, Schedule]:
    """The profile and its schedule, checked before anything connects."""
    from runner.validation import load_profile

    if value is None:
        raise click.UsageError("missing option --profile (the profile with the schedule)")
    try:
        profile = load_profile(value)
    except OSError as exc:
        raise InputError(value, "", exc.strerror or str(exc)) from exc
    if profile.schedule is None:
        raise InputError(
            value, "$.schedule",
            "the profile has no schedule, so pycau agent would never run: add a schedule: "
            "block (start_date, days_of_week, and weeks_of_month or interval_weeks)",
        )  # fmt: skip
    return profile, parse_schedule(profile.schedule, value)


@click.command("agent")
@connection_options
@click.option("--profile", "scheduled", required=True, metavar="FILE",
              callback=_scheduled_profile,
              help="Updating-run profile with a schedule: block (when the runs fire).")  # fmt: skip
@click.option("--once", is_flag=True,
              help="Handle at most the firing due now (within the grace window of one hour) "
                   "and exit; for cron or systemd timers.")  # fmt: skip
@click.option(
    "--what-if",
    is_flag=True,
    help="Print the next firing and the plan the run would follow; change nothing.",
)
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Run journal for the runs this agent starts (default: "
                   "$XDG_STATE_HOME/pycau/journal.sqlite).")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No live progress and no summary tables.")
@remote_command
def agent(
    session: Session, *, scheduled: tuple[Profile, Schedule], once: bool, what_if: bool,
    journal_path: Path | None, quiet: bool, **_: Any,
) -> int:  # fmt: skip
    """Run the cluster's updating runs on the profile's schedule (CAU's self-updating mode).

    Several agents may watch one cluster from several machines: exactly one runs each
    firing (the cluster's run lock); the others watch its lease and one takes the run over
    from the state published in the cluster when its coordinator dies. A firing is due for
    one hour after its time; older, it is missed. Times are the cluster's (pycau schedule
    states the zone)."""
    from runner.agent import Agent, AgentIdentity
    from runner.cli.agent_run import SessionPorts, TwinWatchClock, cluster_calendar
    from runner.cli.remote_run import coordinator_gone, perform_run
    from runner.journal import RunJournal

    profile, schedule = scheduled
    calendar = cluster_calendar(session)
    console = Console(highlight=False)
    view = session.transport.observe()
    identity = AgentIdentity(
        host=socket.gethostname(), pid=os.getpid(), started_at=calendar().isoformat()
    )
    journal = RunJournal(journal_path) if not what_if else None
    ports = SessionPorts(
        session, profile, console, quiet=quiet,
        journal=journal or RunJournal(":memory:"), on_report=lambda report: None,
    )  # fmt: skip
    worker = Agent(
        transport=session.transport, clock=session.clock, calendar=calendar,
        schedule=schedule, cluster=view.cluster, identity=identity, ports=ports,
        holder_gone=coordinator_gone,
        watch_clock=TwinWatchClock(session.clock) if session.twin is not None else None,
    )  # fmt: skip
    if what_if:
        now = worker.now()
        due = worker.due(now)
        at = due or worker.next_after(now)
        when = "none within a year" if at is None else at.isoformat()
        state = " (due now)" if due is not None else ""
        click.echo(f"next firing: {when}{state} — times in {schedule.zone_label}")
        return perform_run(
            session, profile, console, yes=True, what_if=True, force_recovery=False,
            quiet=quiet, on_report=lambda report: None,
        )  # fmt: skip
    try:
        with _stoppable():
            try:
                if once:
                    return worker.once()
                worker.serve()
                return 0
            except Abandoned as exc:
                name = signal.Signals(exc.signum).name
                ports.say(f"stopped by {name} while waiting or watching; no run of this agent "
                          "was in progress")  # fmt: skip
                return 128 + exc.signum
    finally:
        if not session.abandoned:
            worker.withdraw()
        if journal is not None:
            journal.close()
