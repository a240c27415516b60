"""``pycau post-upgrade``: the guide's post-installation steps on a cluster an earlier run
already moved to a new OS version.

Owns: the ``post-upgrade`` command — the steps asked for (``--functional-level``,
``--storage-pool``, ``--vm-version``, ``--validate``; none given: all four), a plan that says
what is irreversible, a confirmation (unless ``--yes``; without a terminal and without
``--yes`` nothing is contacted, as for ``run``), the run lock taken like a run's, then
``runner.post_run.PostRun.start_post_only`` with the same live progress, report and exit
codes as ``pycau run``. A cluster whose nodes run more than one OS version is refused before
the lock is taken when the functional level or the pool is asked for (exit 3: the cluster
is not ready, one sentence naming the nodes behind).

Must not: decide anything about the steps (``runner.post_steps`` does) or accept a password
on the command line.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from runner.cli.output import write_report
from runner.cli.remote import EXIT_REMOTE_FAILED, remote_command
from runner.cli.remote_run import drive_run, take_run_lock
from runner.cli.remote_session import Session, connection_options, run_options
from runner.cli.run_record import RecordPublisher, RunRecord
from runner.clock import utc_now
from runner.post_steps import IRREVERSIBLE, PostRequest, level_refusal
from runner.profile import Profile
from runner.recorder import Listener
from runner.rehearsal.compose import SIMULATED_STARTED_AT
from runner.report import RunReport, iso_utc
from runner.stop import StopRequest
from runner.transport import Clock

__all__ = ["post_upgrade"]


def _plan(console: Console, request: PostRequest, cluster: str) -> None:
    console.print(f"plan: post-installation steps on {cluster} (no node is updated)")
    if request.functional_level:
        console.print("  • Update-ClusterFunctionalLevel — IRREVERSIBLE: no rollback afterwards")
    if request.storage_pool:
        console.print("  • Update-StoragePool — IRREVERSIBLE")
    if request.vm_version:
        console.print(
            f"  • each VM below the allowed configuration version: stopped, Update-VMVersion, "
            f"started — at most {request.max_vms_down} VM(s) off at once"
        )
    if request.validate:
        console.print("  • Test-Cluster after the steps, its result reported")


@click.command("post-upgrade")
@connection_options
@click.option("--functional-level", is_flag=True, help="Update-ClusterFunctionalLevel.")
@click.option("--storage-pool", is_flag=True, help="Update-StoragePool of the S2D pool.")
@click.option("--vm-version", is_flag=True, help="Update-VMVersion of each VM, one at a time.")
@click.option("--validate", is_flag=True, help="Test-Cluster after the steps.")
@click.option(
    "--max-vms-down", type=click.IntRange(1, 64), default=1, show_default=True,
    help="The most VMs off at once while --vm-version upgrades them.",
)  # fmt: skip
@run_options
@remote_command
def post_upgrade(
    session: Session,
    *,
    functional_level: bool,
    storage_pool: bool,
    vm_version: bool,
    validate: bool,
    max_vms_down: int,
    yes: bool,
    report_path: Path | None,
    quiet: bool,
    **_: Any,
) -> int:  # fmt: skip
    """Run the post-installation steps of a feature update on an upgraded cluster."""
    every = not (functional_level or storage_pool or vm_version or validate)
    request = PostRequest(
        functional_level=functional_level or every, storage_pool=storage_pool or every,
        vm_version=vm_version or every, validate=validate or every, max_vms_down=max_vms_down,
    )  # fmt: skip
    console = Console(highlight=False)
    transport = session.transport
    view = transport.observe()
    refused = level_refusal(view)
    if refused is not None and (request.functional_level or request.storage_pool):
        click.echo(f"error: post-upgrade refused: {refused}; nothing was changed", err=True)
        return EXIT_REMOTE_FAILED
    _plan(console, request, view.cluster)
    irreversible = request.functional_level or request.storage_pool
    if not yes and not click.confirm(
        IRREVERSIBLE if irreversible else "Start the post-installation steps?", default=False
    ):
        console.print("not started: nothing was changed on the cluster")
        return 1
    run_id = str(uuid.uuid4())
    started_at = SIMULATED_STARTED_AT if session.twin is not None else utc_now()
    lease = take_run_lock(session, run_id, iso_utc(started_at), view.cluster, force_recovery=False)
    names = tuple(n.name for n in view.nodes)
    record = RunRecord(
        run_id=run_id, cluster=view.cluster, coordinator=socket.gethostname(),
        started_at=started_at, nodes=(),
    )  # fmt: skip
    publisher = RecordPublisher(transport, record)
    publisher.quietly()
    profile = Profile(max_vms_down=max_vms_down).resolved(names, source="post-upgrade")

    def engine(listener: Listener, clock: Clock, stop: StopRequest) -> RunReport:
        from runner.engine import Engine

        run = Engine(
            transport, clock, profile, run_id=run_id, started_at=started_at,
            listener=listener, lease=lease, stop=stop,
        )  # fmt: skip
        run.start_post_only(request)
        return run.run_to_end()

    def save(report: dict[str, Any]) -> None:
        if report_path is not None:
            write_report(report_path, report)

    return drive_run(
        session, console, engine, run_id=run_id, names=(), title=f"{view.cluster} · post-upgrade",
        quiet=quiet, publisher=publisher, journal=None, on_report=save,
    )  # fmt: skip
