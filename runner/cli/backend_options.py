"""The options that choose where seeds run, shared by the commands that run many seeds.

Owns: ``backend_options`` (a decorator adding ``--jobs``, ``--dask ADDRESS|local:N`` and
``--dask-timeout`` to a command, which then receives ``jobs``, ``dask`` and
``dask_timeout``), ``choose_backend`` (those values, and the number of seeds, to a
``runner.rehearsal.backends`` backend, local process counts capped), ``backend_name`` (the
report's ``backend``) and ``backend_unavailable`` (print a ``BackendUnavailable`` as one
``error:`` paragraph and give exit 3, as the real-cluster commands do when the other side
cannot be used).

Must not: open pools (``runner.rehearsal.pools`` does), import dask, or run anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from runner.errors import BackendUnavailable
from runner.rehearsal.backends import (
    DASK_CONNECT_SECONDS,
    Backend,
    DaskLocal,
    DaskScheduler,
    Processes,
    capped_workers,
    parse_dask,
)

__all__ = [
    "EXIT_BACKEND_UNAVAILABLE",
    "backend_name",
    "backend_options",
    "backend_unavailable",
    "choose_backend",
]

EXIT_BACKEND_UNAVAILABLE = 3
F = TypeVar("F", bound=Callable[..., Any])


def _dask_value(ctx: click.Context, param: click.Parameter, value: str | None) -> Backend | None:
    """``--dask``: ``local:N`` or ``tcp://HOST:PORT``; anything else is exit 2."""
    if value is None:
        return None
    try:
        return parse_dask(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def backend_options(command: F) -> F:
    """Add ``--jobs``, ``--dask`` and ``--dask-timeout`` to ``command``."""
    for option in reversed(
        [
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=1),
                help="Local worker processes (default: the CPU count); capped at the number "
                "of seeds and at the CPU count, since idle or oversubscribed processes only "
                "cost start-up time.",
            ),
            click.option(
                "--dask",
                "dask",
                metavar="ADDRESS|local:N",
                callback=_dask_value,
                help="Run the seeds on Dask instead of local processes: tcp://HOST:PORT, a "
                "running dask.distributed scheduler whose workers have this pycau installed "
                "(the scenario is sent as data; no shared file system), or local:N, a "
                "LocalCluster of N worker processes (capped like --jobs) that pycau starts "
                "and closes. The results are the same as with local processes.",
            ),
            click.option(
                "--dask-timeout",
                type=click.FloatRange(min=0.1, max=3600),
                default=DASK_CONNECT_SECONDS,
                show_default=True,
                help="With --dask tcp://…: seconds to reach the scheduler, to wait for its "
                "first worker, and to go on without any worker; past it the command stops "
                "with exit 3.",
            ),
        ]
    ):
        command = option(command)
    return command


def choose_backend(dask: Backend | None, timeout: float, jobs: int | None, seeds: int) -> Backend:
    """The backend the options choose for ``seeds`` seeds (``--jobs`` with ``--dask`` is a
    usage error, exit 2)."""
    if jobs is not None and dask is not None:
        raise click.UsageError("--jobs sets local processes; with --dask the workers are Dask's")
    if isinstance(dask, DaskLocal):
        return DaskLocal(workers=capped_workers(dask.workers, seeds))
    if isinstance(dask, DaskScheduler):
        return replace(dask, timeout_seconds=timeout)
    return Processes(jobs=capped_workers(jobs, seeds))


def backend_name(backend: Backend) -> str:
    """``processes``, ``dask-local`` or ``dask``: what ran the seeds, for a report."""
    if isinstance(backend, DaskLocal):
        return "dask-local"
    return "dask" if isinstance(backend, DaskScheduler) else "processes"


def backend_unavailable(exc: BackendUnavailable) -> int:
    """Print ``exc`` as one ``error:`` paragraph on stderr; the exit code (3)."""
    click.echo(f"error: {' '.join(str(exc).split())}", err=True)
    return EXIT_BACKEND_UNAVAILABLE
