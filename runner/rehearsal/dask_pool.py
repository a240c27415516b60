"""Seeds over ``dask.distributed``: a running scheduler and its workers, or a LocalCluster.

Owns: ``open_dask`` (connect or start, check the workers, close on every path),
``DaskPool.map`` (the ``runner.rehearsal.backends.Pool`` interface on Dask, opened by
``runner.rehearsal.pools.open_pool``) and
``build_identity`` (what a worker must share with this process to give the same results).

What a worker needs: this pycau — the same build, checked by ``build_identity`` (version and
a digest of the ``runner`` and ``simulator`` sources) on every worker before any seed is
sent — with its dependencies (``pip install pycau`` brings dask, SimPy and the rest). No
shared file system: the scenario travels as data (the text of its file, scattered once to
every worker), and workers send back small outcomes. A worker that cannot import pycau, or
runs another build, is refused by name before the sweep starts (exit 3); so is an address
that does not answer within the timeout, or a scheduler without workers. Tasks go only to
the workers checked at the start; when none of them is left for longer than the timeout,
the sweep stops with ``BackendUnavailable`` instead of waiting for ever.

Must not: be imported unless a Dask backend is asked for (the default pool never loads
dask), print, or import the simulator.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import time
from asyncio import CancelledError
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, LocalCluster

import runner
import simulator
from runner.errors import BackendUnavailable
from runner.rehearsal.backends import DaskLocal, DaskScheduler, chunked, run_chunk

__all__ = ["DaskPool", "build_identity", "open_dask"]

C = TypeVar("C")
T = TypeVar("T")

_POLL_SECONDS = 0.5


def build_identity() -> dict[str, str]:
    """This process's pycau: its version and a digest of every ``.py`` and ``.json`` file of
    the ``runner`` and ``simulator`` packages (equal builds give equal rehearsals)."""
    digest = hashlib.sha256()
    for package in (runner, simulator):
        root = Path(package.__file__ or ".").parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(b"\0" + path.read_bytes() + b"\0")
    return {"pycau": runner.__version__, "sources": digest.hexdigest()[:16]}


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_workers(client: Client, address: str, where: str) -> tuple[str, ...]:
    """The workers' addresses, after checking each runs this very pycau."""
    ours = build_identity()
    needs = (
        f"each worker needs pycau {ours['pycau']} (the same build as here, sources "
        f"{ours['sources']}) and its dependencies installed; the scenario travels as data, "
        "so no shared file system is needed"
    )
    try:
        theirs: dict[str, Any] = client.run(build_identity)
    except Exception as exc:  # a worker that cannot import pycau fails to unpickle the probe
        raise BackendUnavailable(
            address, f"the workers of {where} cannot run pycau ({_describe(exc)}): {needs}"
        ) from None
    if not theirs:
        raise BackendUnavailable(address, f"{where} has no workers left")
    other = {addr: ident for addr, ident in sorted(theirs.items()) if ident != ours}
    if other:
        addr, ident = next(iter(other.items()))
        raise BackendUnavailable(
            address,
            f"{len(other)} of the {len(theirs)} worker(s) of {where} run another pycau "
            f"build (e.g. {addr}: {ident}): {needs}",
        )
    return tuple(sorted(theirs))


@dataclass(slots=True)
class DaskPool:
    """An opened Dask backend: the client and the checked workers; ``address`` is the
    scheduler's (``local`` for a LocalCluster), ``where`` names the cluster in messages."""

    client: Client
    addresses: tuple[str, ...]
    address: str
    where: str
    label: str
    timeout_seconds: float

    @property
    def workers(self) -> int:
        return len(self.addresses)

    def map(
        self,
        function: Callable[[C, int], T],
        context: C,
        seeds: Sequence[int],
        progress: Callable[[int], None] | None = None,
    ) -> list[T]:
        """``function(context, seed)`` for every seed on the checked workers, in seed order."""
        try:
            return self._map(function, context, seeds, progress)
        except BackendUnavailable:
            raise
        except (Exception, CancelledError) as exc:  # the scheduler went, a task failed, …
            raise BackendUnavailable(self.address, self._failure(exc)) from None

    def _alive(self) -> set[str]:
        """The workers checked at the start that the scheduler still has."""
        return set(self.client.scheduler_info(n_workers=-1)["workers"]) & set(self.addresses)

    def _failure(self, exc: BaseException) -> str:
        """Why the run stopped, as the one sentence the CLI prints."""
        try:
            alive: set[str] | None = self._alive()
        except Exception:  # the scheduler itself does not answer
            alive = None
        if alive is None:
            return f"{self.where} stopped answering during the run ({_describe(exc)})"
        if not alive:
            return (
                f"the workers of {self.where} are gone: none of the {len(self.addresses)} "
                f"checked at the start is left ({_describe(exc)})"
            )
        return f"{self.where} failed during the run: {_describe(exc)}"

    def _map(
        self,
        function: Callable[[C, int], T],
        context: C,
        seeds: Sequence[int],
        progress: Callable[[int], None] | None,
    ) -> list[T]:
        client, workers = self.client, list(self.addresses)
        chunks = chunked(seeds, len(workers))
        shared = client.scatter(context, workers=workers, broadcast=True, hash=False)
        futures = [
            client.submit(
                run_chunk,
                function,
                shared,
                chunk,
                pure=False,
                workers=workers,
                allow_other_workers=False,
            )
            for chunk in chunks
        ]
        results: list[T] = []
        alone_since: float | None = None
        for future in futures:  # in seed order; a poll between waits watches the workers
            while True:
                try:
                    results.extend(future.result(timeout=_POLL_SECONDS))
                    break
                except TimeoutError:
                    alone_since = self._watch_workers(alone_since)
            if progress is not None:
                progress(len(results))
        return results

    def _watch_workers(self, alone_since: float | None) -> float | None:
        """When none of the checked workers is left, since when (``BackendUnavailable`` once
        that lasts longer than the timeout)."""
        if self._alive():
            return None
        if alone_since is None:
            return time.monotonic()
        if time.monotonic() - alone_since > self.timeout_seconds:
            raise BackendUnavailable(
                self.address,
                f"the workers of {self.where} are gone: none of the {len(self.addresses)} "
                f"checked at the start came back within {self.timeout_seconds:g} s",
            )
        return alone_since


def _unreachable(address: str, timeout: float, exc: BaseException) -> str:
    return (
        f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
        f"({_describe(exc)}); is `dask scheduler` running there, and the port open?"
    )


def _probe(address: str, timeout: float) -> None:
    """A scheduler greets every connection at once (its handshake); something that accepts
    and stays silent would hold ``Client`` beyond any timeout, so check first, bounded."""
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as probe:
            probe.settimeout(timeout)
            greeting = probe.recv(1)
    except TimeoutError:
        greeting = b""
    except OSError as exc:
        raise BackendUnavailable(address, _unreachable(address, timeout, exc)) from None
    if not greeting:
        raise BackendUnavailable(
            address,
            f"nothing at {address} answered as a Dask scheduler within {timeout:g} s; is it "
            "the address of `dask scheduler`?",
        )


@contextmanager
def open_dask(backend: DaskLocal | DaskScheduler) -> Iterator[DaskPool]:
    """Connect to the scheduler (or start a LocalCluster), check the workers, and close the
    client — and the LocalCluster — on every path."""
    cluster: LocalCluster | None = None
    client: Client | None = None
    try:
        if isinstance(backend, DaskLocal):
            address, where, timeout = "local", "the local Dask cluster", 60.0
            try:
                cluster = LocalCluster(
                    n_workers=backend.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    scheduler_port=0,
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                client = Client(cluster, set_as_default=False)
            except Exception as exc:
                raise BackendUnavailable(
                    address,
                    f"could not start a Dask LocalCluster of {backend.workers} worker(s): "
                    f"{_describe(exc)}",
                ) from None
        else:
            address, timeout = backend.address, backend.timeout_seconds
            where = f"the Dask scheduler at {address}"
            _probe(address, timeout)
            try:
                client = Client(address, timeout=timeout, set_as_default=False)
            except Exception as exc:
                raise BackendUnavailable(address, _unreachable(address, timeout, exc)) from None
            try:
                client.wait_for_workers(1, timeout=timeout)
            except Exception:
                raise BackendUnavailable(
                    address,
                    f"{where} has no workers (waited {timeout:g} s); start some with "
                    f"`dask worker {address}`",
                ) from None
        addresses = _check_workers(client, address, where)
        kind = "in a LocalCluster" if cluster is not None else f"at {address}"
        label = f"{len(addresses)} Dask worker{'s' if len(addresses) != 1 else ''} {kind}"
        yield DaskPool(
            client=client,
            addresses=addresses,
            address=address,
            where=where,
            label=label,
            timeout_seconds=timeout,
        )
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
