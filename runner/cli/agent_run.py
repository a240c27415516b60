"""What ``pycau agent`` does through a connected session: the agent's ports and calendar.

Owns: ``SessionPorts`` — ``runner.agent.AgentPorts`` over a ``Session``: a firing's run
(the plan, then the same engine, live progress, run record, journal and exit codes as
``pycau run``, and the run state published in the cluster so another agent can take it
over), the take-over of a run whose coordinator is gone (``runner.takeover``: from the
cluster's published state, no local journal), whether a firing's run already ran (the
cluster's published run record and run history) and the operator's lines; and
``cluster_calendar`` — the cluster's time as ``pycau schedule`` states it: against pycau's
twin its simulated calendar (UTC, from the simulated start), against a real cluster this
machine's clock in its local time zone (the cluster's local time of a schedule without a
zone: run the agents in the cluster's time zone, or give ``time_zone``).

Must not: decide when to run or whom to take over (``runner.agent`` does), or sleep except
through the session's clock.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import click
from rich.console import Console

from runner.agent import Firing
from runner.cli.locked_run import new_run, run_under_lock
from runner.cli.remote_run import coordinator_gone, drive_run, render_plan
from runner.cli.remote_session import Session
from runner.cli.run_record import RecordPublisher, RunRecord
from runner.clock import SystemClock, utc_now
from runner.errors import NoRunToTakeOver, RunLocked
from runner.journal import RunJournal
from runner.lease import RunLease
from runner.profile import Mode, Profile
from runner.recorder import Listener
from runner.rehearsal.compose import SIMULATED_STARTED_AT
from runner.report import RunReport
from runner.stop import StopRequest
from runner.takeover import take_over_run
from runner.transport import Clock
from runner.types import LockHolder

__all__ = ["TWIN_WATCH_PACE", "SessionPorts", "TwinWatchClock", "cluster_calendar"]

# A watcher against the twin: one simulated second and 50 ms of real time per look.
TWIN_WATCH_PACE = (1.0, 0.05)


def cluster_calendar(session: Session) -> Callable[[], datetime]:
    """The cluster's calendar now (aware), as the agent and ``pycau status`` read it."""
    if session.twin is not None:
        clock = session.clock
        return lambda: SIMULATED_STARTED_AT + timedelta(seconds=clock.now())
    return lambda: utc_now().astimezone()


class TwinWatchClock:
    """A watching agent's clock against pycau's twin. The twin's clock advances only when
    someone waits on it, so a watcher sleeping a minute per look would age the running
    agent's heartbeat by that minute while the runner is busy between its own waits (a
    live holder would look gone). Each look therefore advances the twin by one second and
    waits 50 ms of real time: the run in progress keeps the world's time to itself, and a
    dead holder's heartbeat still ages — by the watcher's looks alone."""

    def __init__(self, inner: Clock) -> None:
        self.inner = inner

    def now(self) -> float:
        return self.inner.now()

    def sleep(self, seconds: float) -> None:
        simulated, real = TWIN_WATCH_PACE
        SystemClock().sleep(real)
        self.inner.sleep(min(seconds, simulated))


class SessionPorts:
    """The agent's ports over ``session`` (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        profile: Profile,
        console: Console,
        *,
        quiet: bool,
        journal: RunJournal,
        on_report: Callable[[dict[str, Any]], None],
    ) -> None:
        self.session = session
        self.profile = profile
        self.console = console
        self.quiet = quiet
        self.journal = journal
        self.on_report = on_report

    def say(self, line: str) -> None:
        click.echo(f"pycau agent: {line}")

    def already_ran(self, run_id: str) -> bool:
        transport = self.session.transport
        record = transport.get_run()
        if record is not None and record.get("RunId") == run_id:
            return True
        return any(entry.get("RunId") == run_id for entry in transport.get_run_history())

    def _record(
        self, run_id: str, started_at: datetime, cluster: str, names: tuple[str, ...]
    ) -> RecordPublisher:
        record = RunRecord(
            run_id=run_id, cluster=cluster, coordinator=socket.gethostname(),
            started_at=started_at, nodes=names,
        )  # fmt: skip
        return RecordPublisher(self.session.transport, record)

    def start_run(self, lease: RunLease, firing: Firing) -> int:
        """The firing's run, as ``pycau run --yes`` runs it, publishing its state."""
        session, transport = self.session, self.session.transport
        try:
            view = transport.observe()
            names = tuple(n.name for n in view.nodes)
            profile = self.profile.resolved(names, source="profile")
            if profile.mode != Mode.OFFLINE:
                from runner.cli.plan_options import planned_order

                render_plan(self.console, view, profile, planned_order(transport, view, profile))
        except BaseException:
            lease.release()  # nothing was touched: free the firing for another agent
            raise
        run_id = firing.run_id
        started_at = SIMULATED_STARTED_AT if session.twin is not None else utc_now()
        make = new_run(
            session, profile, lease, run_id=run_id, started_at=started_at, journal=self.journal
        )
        return run_under_lock(
            session, self.console, make, view=view, run_id=run_id, started_at=started_at,
            title=f"{view.cluster} · run {run_id} (firing {firing.at.isoformat()})",
            quiet=self.quiet, journal=self.journal, on_report=self.on_report, warn=self.say,
        )  # fmt: skip

    def take_over(self, holder: LockHolder, firing: Firing) -> int | None:
        """Continue ``holder``'s run from the cluster's published state (``None``: another
        agent took it first, or it cannot be continued from the cluster)."""
        session, transport = self.session, self.session.transport
        view = transport.observe()
        names = tuple(n.name for n in view.nodes)
        me = LockHolder(
            run_id=holder.run_id, coordinator=socket.gethostname(), pid=os.getpid(),
            started_at=holder.started_at,
        )  # fmt: skip
        started = datetime.fromisoformat(holder.started_at.replace("Z", "+00:00"))
        publisher = self._record(holder.run_id, started, view.cluster, names)
        refused: list[str] = []

        def engine(listener: Listener, clock: Clock, stop: StopRequest) -> RunReport:
            run = take_over_run(
                transport, clock, me, cluster=view.cluster, listener=listener, stop=stop,
                holder_gone=coordinator_gone,
            )  # fmt: skip
            self.say(f"took over run {holder.run_id} from {holder.describe()}")
            publisher.quietly()
            return run.run_to_end()

        try:
            return drive_run(
                session, self.console, engine, run_id=holder.run_id, names=names,
                title=f"{view.cluster} · run {holder.run_id} (taken over)", quiet=self.quiet,
                publisher=publisher, journal=None, on_report=self.on_report,
            )  # fmt: skip
        except RunLocked as exc:
            refused.append(f"not taken over: {exc}")
        except NoRunToTakeOver as exc:
            refused.append(f"not taken over: {exc}")
        self.say(refused[0])
        return None
