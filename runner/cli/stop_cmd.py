"""``pycau stop``: ask the run in progress to stop, from any machine (CAU's Stop-CauRun).

Owns: the click command ``stop`` — it writes a stop request (who asked, user@host, and when,
UTC) next to the cluster's run lock through ``ClusterTransport.request_run_stop``, atomic
against the holder's renewals. The coordinator sees it at its next lock renewal (at most
``runner.lease.RENEW_SECONDS`` of its run later) and stops at its next safe point: CAU event
1021, a node already drained finishes its update and is resumed, no other node is started,
the run ends Canceled (``UserCanceled``) and stays resumable.

Exit codes: 0 the request is written (or was already); 3 no run in progress (nothing
written), ``--run`` names another run than the one in progress (nothing written, the
running one named), or the cluster could not be reached; 2 bad input.

Must not: touch a node or the run lock itself, or wait for the run to end.
"""

from __future__ import annotations

import getpass
import socket
from typing import Any

import click

from runner.cli.remote import EXIT_REMOTE_FAILED, remote_command
from runner.cli.remote_session import Session, connection_options
from runner.clock import utc_now
from runner.lease import RENEW_SECONDS
from runner.report import iso_utc
from runner.stop_orders import StopOrder

__all__ = ["stop"]


def requester() -> str:
    """``user@host`` of whoever runs ``pycau stop`` (no secret: the login name only)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@click.command("stop")
@connection_options
@click.option(
    "--run",
    "run_id",
    metavar="RUN_ID",
    default=None,
    help="Stop only this run: refused (exit 3, naming the running one) when another run "
    "holds the cluster's run lock.",
)
@remote_command
def stop(session: Session, run_id: str | None, **_: Any) -> int:
    """Ask the run in progress to stop at its next safe point, from any machine (Stop-CauRun).

    The request (who asked, and when) is written next to the cluster's run lock; the
    coordinator sees it at its next lock renewal (within about a minute of its run), lets
    the node in flight finish its update, starts no other node, and ends the run Canceled
    (UserCanceled, CAU event 1021), resumable with `pycau resume`. Exit 0 when the request
    is written, 3 when no run is in progress or --run names another run.
    """
    order = StopOrder(
        run_id=run_id or "", requested_by=requester(), requested_at=iso_utc(utc_now())
    )
    holder = session.transport.request_run_stop(order)
    if holder is None:
        click.echo("error: no run in progress: the cluster's run lock is free", err=True)
        return EXIT_REMOTE_FAILED
    if run_id and holder.run_id != run_id:
        click.echo(
            f"error: run {run_id} is not in progress; the run in progress is "
            f"{holder.describe()}; nothing was asked",
            err=True,
        )
        return EXIT_REMOTE_FAILED
    click.echo(
        f"stop requested by {order.requested_by} for {holder.describe()}: it stops at its "
        f"next safe point (it sees the request at its next lock renewal, at most "
        f"{RENEW_SECONDS:.0f} s of its run)",
    )
    return 0
