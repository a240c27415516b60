"""``pycau resume RUN_ID``: continue a real updating run after its coordinator died.

Owns: the ``resume`` command — open the run journal ``pycau run`` wrote, take the cluster's
run lock over from the dead coordinator (``runner.lease``), and let
``runner.engine.Engine.resume`` continue from the last checkpoint plus a fresh
observation (``runner.takeover.continued_engine``: a run that died in its preflight starts
its preflight again), with the same live progress, report, exit codes and run state
published in the cluster as ``pycau run`` (``runner.cli.locked_run``).

A run whose coordinator died still holds the cluster's run lock: ``--force-recovery`` (CAU's
``-ForceRecovery``) takes it over from a holder that is gone (a dead process on this host,
or a heartbeat silent for 15 minutes). Without it the resume is refused with exit 3, so two
coordinators never drive one cluster.

Must not: decide anything about the run; it only wires the journal, the session and the
engine's resume together.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from runner.cli.locked_run import run_under_lock
from runner.cli.output import write_report
from runner.cli.remote import remote_command
from runner.cli.remote_run import take_run_lock
from runner.cli.remote_session import Session, connection_options, run_options
from runner.cli.render_options import Renderings
from runner.engine import Engine
from runner.errors import InputError
from runner.journal import RUN_IN_PROGRESS, RunJournal
from runner.recorder import Listener
from runner.recovery import resumable_after_stop
from runner.stop import StopRequest
from runner.takeover import continued_engine
from runner.transport import Clock

__all__ = ["resume"]


@click.command("resume")
@click.argument("run_id")
@connection_options
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The run journal `pycau run` wrote (default: $XDG_STATE_HOME/pycau/journal.sqlite).",
)
@click.option(
    "--force-recovery",
    is_flag=True,
    help="Take over the run lock the dead coordinator still holds (-ForceRecovery).",
)
@run_options
@remote_command
def resume(
    session: Session,
    *,
    run_id: str,
    journal_path: Path | None,
    force_recovery: bool,
    yes: bool,
    report_path: Path | None,
    quiet: bool,
    **rendered: Any,
) -> int:  # fmt: skip
    """Continue run RUN_ID from its journal after the coordinator died."""
    if journal_path is not None and not journal_path.exists():
        raise InputError(str(journal_path), "", "no run journal at this path")
    journal = RunJournal(journal_path)
    try:
        run = journal.load(run_id)
        if run is None:
            raise InputError(journal.path, "", f"the journal holds no run {run_id}")
        if run.status != RUN_IN_PROGRESS and not resumable_after_stop(run):
            raise InputError(journal.path, "", f"run {run_id} already ended {run.status}")
        console = Console(highlight=False)
        console.print(f"resuming run {run_id} on {run.cluster} from journal step {run.step}")
        if not yes and not click.confirm("Resume the updating run?", default=False):
            console.print("not resumed: nothing was changed on the cluster")
            return 1
        view = session.transport.observe()
        # The dead coordinator still holds the lock: RunLocked (exit 3) unless recovering
        # from a holder that is gone. Taken before anything is touched.
        lease = take_run_lock(
            session, run_id, run.started_at, view.cluster, force_recovery=force_recovery
        )

        def make(listener: Listener, clock: Clock, stop: StopRequest) -> Engine:
            return continued_engine(
                session.transport, clock, journal, run_id,
                listener=listener, take_lease=lambda: lease, stop=stop,
            )  # fmt: skip

        renderings = Renderings.of(rendered)

        def save(report: dict[str, Any]) -> None:
            if report_path is not None:
                write_report(report_path, report)
            renderings.write(report)

        return run_under_lock(
            session, console, make, view=view, run_id=run_id,
            started_at=datetime.fromisoformat(run.started_at),
            title=f"{view.cluster} · run {run_id}", quiet=quiet, journal=journal,
            on_report=save, beacons=False,
        )  # fmt: skip
    finally:
        journal.close()
