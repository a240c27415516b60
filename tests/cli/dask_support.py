"""A real Dask scheduler and workers on loopback, as separate processes, for tests and
``benchmarks/bench_sweep.py``: started with the ``dask scheduler`` / ``dask worker`` command
lines (``python -m distributed.cli.…`` of this interpreter), each in its own session, and
torn down on every path (SIGTERM to the process group, SIGKILL after a grace period)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

STARTUP_SECONDS = 60.0


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the teardown reaches its children
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    else:  # the leader is gone; a straggler of its group may not be
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def start_worker(address: str, preload: Path | None = None) -> subprocess.Popen[bytes]:
    """One single-threaded worker process (no nanny) of the scheduler at ``address``."""
    args = ["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"]
    args += ["--no-dashboard", "--host", "127.0.0.1"]
    if preload is not None:
        args += ["--preload", str(preload)]
    return _start(args)


def wait_for_workers(address: str, count: int) -> None:
    """Block until the scheduler at ``address`` has ``count`` workers."""
    from distributed import Client

    with Client(address, timeout=STARTUP_SECONDS, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=STARTUP_SECONDS)


def wait_for_tasks(address: str) -> None:
    """Block until the scheduler at ``address`` has a task being processed."""
    from distributed import Client

    deadline = time.monotonic() + STARTUP_SECONDS
    with Client(address, timeout=STARTUP_SECONDS, set_as_default=False) as client:
        while not any(client.processing().values()):
            if time.monotonic() > deadline:
                raise RuntimeError("no task reached the Dask scheduler")
            time.sleep(0.05)


@contextmanager
def dask_processes(
    workers: int, preload: Path | None = None
) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler on 127.0.0.1 (a free port) and ``workers`` worker processes, all
    registered; yields the scheduler address and the worker processes."""
    started: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="pycau-dask-") as directory:
        scheduler_file = Path(directory) / "scheduler.json"
        try:
            started.append(
                _start(
                    [
                        "distributed.cli.dask_scheduler",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--no-dashboard",
                        "--scheduler-file",
                        str(scheduler_file),
                    ]
                )
            )
            deadline = time.monotonic() + STARTUP_SECONDS
            address = ""
            while not address:
                if started[0].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Dask scheduler did not start")
                try:
                    address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
                except (OSError, ValueError, KeyError):
                    time.sleep(0.05)
            worker_processes = [start_worker(address, preload) for _ in range(workers)]
            started.extend(worker_processes)
            if workers:
                wait_for_workers(address, workers)
            yield address, worker_processes
        finally:
            for process in reversed(started):
                _stop(process)
