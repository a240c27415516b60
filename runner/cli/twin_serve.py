"""``pycau twin``'s process lifetime: start the twin, say where it listens, serve, and stop it
on every way out.

Owns: ``serve`` — serving until one run has finished (``--exit-after-run``) or a signal;
SIGTERM and SIGHUP end it the way Ctrl-C does, once (a second signal cannot cut the cleanup
short). The twin itself (the world, the endpoint, the verdict) is
``runner.rehearsal.twin.TwinServer``.

Must not: import ``simulator`` (the rehearsal package composes the world), or print the
account's password.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.rehearsal.twin import TwinServer

__all__ = ["serve"]

_ENDING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def _signals_end_serving() -> Iterator[None]:
    """SIGTERM and SIGHUP end serving the way Ctrl-C does (``KeyboardInterrupt``), once.

    Only the first of these signals interrupts; later ones are ignored, so a second Ctrl-C
    or a ``kill`` cannot cut the cleanup short (``stop`` is bounded: a few seconds at
    most). A signal that is ignored already (a background job's SIGINT) stays ignored.
    Only the main thread can install handlers; elsewhere nothing changes. The previous
    handlers come back at the end.
    """
    numbers = [getattr(signal, name) for name in _ENDING_SIGNALS if hasattr(signal, name)]
    previous: dict[int, Any] = {}
    interrupted = threading.Event()

    def end(signum: int, frame: object) -> None:
        if not interrupted.is_set():
            interrupted.set()
            raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        for number in numbers:
            if signal.getsignal(number) is not signal.SIG_IGN:
                previous[number] = signal.signal(number, end)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop(server: TwinServer) -> None:
    """``server.stop()``, finished even when the one interrupting signal lands inside it."""
    try:
        server.stop()
    except KeyboardInterrupt:
        server.stop()  # stop is idempotent, and no second KeyboardInterrupt can come


def serve(server: TwinServer, *, exit_after_run: bool, echo: Callable[[str], None]) -> int:
    """``pycau twin``'s lifetime: start, say where, serve, always stop.

    Serves until one run has finished (``exit_after_run``) or until Ctrl-C, SIGTERM or
    SIGHUP; on every way out — those signals and exceptions included — the server stops,
    which withdraws its NTLM account and removes the CA file. Returns 1 when a finished
    run did not meet the scenario's expectation, else 0.
    """
    with _signals_end_serving():
        try:
            try:
                server.start()
                name, cluster = server.scenario.name, server.scenario.cluster.name
                ca, endpoint = server.ca_cert, server.endpoint
                flags = " --insecure-http" if ca is None else f" --ca-cert {ca}"
                echo(f"twin: {name} (cluster {cluster}) on {endpoint.url}")
                echo(f"twin: try  pycau run --cluster 127.0.0.1:{endpoint.port}{flags} --yes")
                for note in server.notes():
                    echo(note)
                # Without --exit-after-run only a signal ends serving (the Event never sets).
                until = server.finished if exit_after_run else threading.Event()
                while not until.wait(0.2):
                    pass
            except KeyboardInterrupt:
                echo("twin: stopped")
        finally:
            _stop(server)
    return 1 if server.mismatches else 0
