"""Where the seeds of a sweep (or any seeded batch of rehearsals) run: local processes or Dask.

Owns: the backend specifications — ``Processes`` (a pool on this machine, the default),
``DaskLocal`` (a ``distributed.LocalCluster`` that pycau starts and closes) and
``DaskScheduler`` (a running ``dask.distributed`` scheduler and its workers) — with
``parse_dask`` (the ``--dask`` value), ``capped_workers`` (never more workers than seeds or
CPUs), ``chunked`` and ``run_chunk`` (how seeds travel), and ``Pool``, the one interface a
command uses whatever the backend (opened by ``runner.rehearsal.pools.open_pool``)::

    with open_pool(backend) as pool:             # BackendUnavailable: exit 3
        results = pool.map(function, context, seeds, progress)

``function(context, seed)`` must be a module-level function (pickled by reference) and
``context`` plain picklable data; ``map`` returns the results in seed order, so a batch gives
the same results whichever backend ran it.

Theory of operation: seeds travel in chunks (a few per task keeps the pickling and
scheduling overhead small while balancing load). ``run_chunk`` runs a chunk under a
process-wide lock, so a Dask worker with several threads still rehearses one seed at a time
(the simulation is pure Python: threads would not speed it up, and no rehearsal shares its
process with another).

Must not: import dask or the simulator, open pools (``runner.rehearsal.pools`` does), print,
or know what a seed does.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = [
    "DASK_CONNECT_SECONDS",
    "Backend",
    "DaskLocal",
    "DaskScheduler",
    "Pool",
    "Processes",
    "capped_workers",
    "chunked",
    "cpu_count",
    "parse_dask",
    "run_chunk",
]

C = TypeVar("C")
T = TypeVar("T")

DASK_CONNECT_SECONDS = 10.0  # default bound on reaching a scheduler and its first worker


@dataclass(frozen=True, slots=True, kw_only=True)
class Processes:
    """``jobs`` worker processes on this machine (1: in this process, no pool)."""

    jobs: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DaskLocal:
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes, started and
    closed by pycau."""

    workers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DaskScheduler:
    """A running ``dask.distributed`` scheduler at ``address`` (``tcp://HOST:PORT``);
    ``timeout_seconds`` bounds reaching it, waiting for a worker and living without one."""

    address: str
    timeout_seconds: float = DASK_CONNECT_SECONDS


Backend = Processes | DaskLocal | DaskScheduler

_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$")


def parse_dask(value: str, timeout_seconds: float = DASK_CONNECT_SECONDS) -> Backend:
    """The backend a ``--dask`` value names: ``local:N`` (N ≥ 1) or a scheduler address
    ``tcp://HOST:PORT`` (or ``HOST:PORT``); ``ValueError`` with one sentence otherwise."""
    text = value.strip()
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(
                f"{value!r}: local:N needs N, the number of Dask worker processes, to be a "
                "whole number of at least 1 (e.g. local:2)"
            )
        return DaskLocal(workers=int(count))
    rest = text.removeprefix("tcp://")
    host, colon, port = rest.rpartition(":")
    if (
        "://" in rest
        or not colon
        or not _HOST.match(host)
        or not port.isdigit()
        or not 0 < int(port) < 65536
    ):
        raise ValueError(
            f"{value!r} is neither local:N nor a Dask scheduler address tcp://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786)"
        )
    return DaskScheduler(address=f"tcp://{host}:{int(port)}", timeout_seconds=timeout_seconds)


def cpu_count() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def capped_workers(requested: int | None, seeds: int) -> int:
    """Worker processes for ``seeds`` seeds on this machine: ``requested`` (default: the CPU
    count), never more than the seeds or the CPUs — idle or oversubscribed processes only
    cost start-up time (500 workers for 5 seeds took 13 s instead of 0.3 s)."""
    wanted = cpu_count() if requested is None else requested
    return max(1, min(wanted, seeds, cpu_count()))


def chunked(seeds: Sequence[int], workers: int) -> list[list[int]]:
    """Consecutive chunks of ``seeds``: about four per worker, at most 32 seeds each."""
    size = max(1, min(32, len(seeds) // (max(1, workers) * 4)))
    return [list(seeds[i : i + size]) for i in range(0, len(seeds), size)]


_ONE_AT_A_TIME = threading.Lock()


def run_chunk(function: Callable[[C, int], T], context: C, seeds: Sequence[int]) -> list[T]:
    """``function(context, seed)`` for each seed of a chunk, one seed at a time per process."""
    with _ONE_AT_A_TIME:
        return [function(context, seed) for seed in seeds]


class Pool(Protocol):
    """An opened backend."""

    @property
    def workers(self) -> int:
        """Worker processes that run the seeds."""
        ...

    @property
    def label(self) -> str:
        """Where the seeds run, for a summary line (e.g. ``2 local processes``)."""
        ...

    def map(
        self,
        function: Callable[[C, int], T],
        context: C,
        seeds: Sequence[int],
        progress: Callable[[int], None] | None = None,
    ) -> list[T]:
        """``function(context, seed)`` for every seed, in seed order; ``progress`` is called
        with the number of seeds done after each finished chunk."""
        ...
