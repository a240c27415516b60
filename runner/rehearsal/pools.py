"""Opening a backend of ``runner.rehearsal.backends``: local processes here, Dask elsewhere.

Owns: ``open_pool`` — the backend opened as a ``runner.rehearsal.backends.Pool`` and
closed (processes, clusters, connections) on every path — and the local-process pool.
Local processes are a ``ProcessPoolExecutor`` (one job: this process, no pool); the Dask
backends are ``runner.rehearsal.dask_pool``'s, imported only when one is opened, so the
default pool never loads dask.

Must not: import dask or the simulator at module level, print, or know what a seed does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from runner.rehearsal.backends import Backend, Pool, Processes, chunked, run_chunk

__all__ = ["open_pool"]

C = TypeVar("C")
T = TypeVar("T")


@dataclass(slots=True)
class _ProcessPool:
    """Local processes: a ``ProcessPoolExecutor`` (or this process for one job)."""

    jobs: int
    executor: ProcessPoolExecutor | None

    @property
    def workers(self) -> int:
        return self.jobs

    @property
    def label(self) -> str:
        return f"{self.jobs} local process{'es' if self.jobs != 1 else ''}"

    def map(
        self,
        function: Callable[[C, int], T],
        context: C,
        seeds: Sequence[int],
        progress: Callable[[int], None] | None = None,
    ) -> list[T]:
        chunks = chunked(seeds, self.jobs)
        if self.executor is None:
            results: list[T] = []
            for chunk in chunks:
                results.extend(run_chunk(function, context, chunk))
                if progress is not None:
                    progress(len(results))
            return results
        futures = [self.executor.submit(run_chunk, function, context, c) for c in chunks]
        sizes = {id(f): len(c) for f, c in zip(futures, chunks, strict=True)}
        pending: set[Future[list[T]]] = set(futures)
        done_seeds = 0
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            done_seeds += sum(sizes[id(f)] for f in done)
            if progress is not None:
                progress(done_seeds)
        return [result for future in futures for result in future.result()]


@contextmanager
def open_pool(backend: Backend) -> Iterator[Pool]:
    """The opened backend, closed (processes, clusters, connections) on every path;
    ``BackendUnavailable`` when a Dask scheduler or its workers cannot be used."""
    if isinstance(backend, Processes):
        if backend.jobs <= 1:
            yield _ProcessPool(jobs=1, executor=None)
            return
        with ProcessPoolExecutor(max_workers=backend.jobs) as executor:
            yield _ProcessPool(jobs=backend.jobs, executor=executor)
        return
    from runner.rehearsal.dask_pool import open_dask

    with open_dask(backend) as pool:
        yield pool
