"""Ctrl-C and SIGTERM during a real run: stop at a safe point first, abandon on the second.

Owns: ``graceful_stop`` — a context around the engine of ``pycau run`` / ``pycau resume``
that turns the first SIGINT or SIGTERM into a ``StopRequest`` (the engine stops at its next
safe point: a node already drained finishes its update and is resumed, no other node is
started, the run ends Canceled and stays resumable) and the second into ``Abandoned`` (out
at once, wherever the run is: the journal's last checkpoint and the cluster's run lock
stay, for ``pycau resume --force-recovery``); ``StoppableClock``, which wakes a wait early
when a stop is asked, so the first Ctrl-C takes effect within a second, not after a 30 s
poll; and ``resume_hint``, the exact command that continues the run.

Must not: decide anything about the run, or print from the signal handler beyond one line.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from runner.report import RunEvent
from runner.stop import StopRequest
from runner.transport import Clock

__all__ = [
    "Abandoned",
    "InFlight",
    "Signals",
    "StoppableClock",
    "graceful_stop",
    "resume_hint",
    "signal_name",
]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_SLICE_SECONDS = 0.5  # how promptly a wait notices a stop request


class Abandoned(BaseException):
    """The second Ctrl-C/SIGTERM: leave at once. ``signum`` is the signal that did it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StoppableClock:
    """A ``Clock`` whose waits end early (in slices) once a stop is requested."""

    def __init__(self, inner: Clock, stop: StopRequest, *, real_time: bool) -> None:
        self.inner = inner
        self.stop = stop
        self.real_time = real_time  # only a wall-clock wait is sliced; a twin's is instant

    def now(self) -> float:
        return self.inner.now()

    def sleep(self, seconds: float) -> None:
        if not self.real_time or self.stop.requested:
            self.inner.sleep(seconds)
            return
        end = self.inner.now() + seconds
        while not self.stop.requested:
            left = end - self.inner.now()
            if left <= 0:
                return
            self.inner.sleep(min(left, _SLICE_SECONDS))


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


class Signals:
    """Which signal asked the run to stop (``None``: none did)."""

    def __init__(self) -> None:
        self.signum: int | None = None


class InFlight:
    """An engine listener that knows the node in flight and its phase (for the message of
    an abandoned run: a node mid-reboot is never left without saying so)."""

    def __init__(self) -> None:
        self.node: str | None = None
        self.phase: str | None = None
        self.restarting = False

    def __call__(self, event: RunEvent) -> None:
        if event.kind == "phase-start" and event.node:
            self.node, self.phase, self.restarting = event.node, event.phase, False
        elif event.event_id == 1010:
            self.restarting = True
        elif event.event_id in (1011, 1012) or event.kind == "node-status":
            self.restarting = False
            if event.kind == "node-status":
                self.node = self.phase = None

    def describe(self) -> str:
        if self.node is None:
            return "no node was in flight"
        if self.restarting:
            return (
                f"{self.node} was restarting (restart issued; pycau resume confirms it by its "
                "boot id and resumes the node) and is left as is"
            )
        return f"{self.node} was in phase {self.phase} and is left as it is now"


@contextmanager
def graceful_stop(stop: StopRequest) -> Iterator[Signals]:
    """Handle SIGINT/SIGTERM inside the block as described above; restore them after."""
    previous: dict[int, Any] = {}
    signals = Signals()

    def handler(signum: int, frame: FrameType | None) -> None:
        name = signal_name(signum)
        if stop.requested:
            raise Abandoned(signum)
        signals.signum = signum
        stop.request(f"stopped by the operator ({name})")
        click.echo(
            f"\n{name}: stopping at the next safe point — a node already drained finishes its "
            "update first, no other node is started. Press Ctrl-C again to abandon at once.",
            err=True,
        )

    for number in _SIGNALS:
        previous[number] = signal.signal(number, handler)
    try:
        yield signals
    finally:
        for restored, old in previous.items():
            signal.signal(restored, old)


def resume_hint(
    run_id: str, options: Mapping[str, Any], journal: str | None, *, force: bool
) -> str:
    """The exact ``pycau resume`` command line for ``run_id`` (no secret ever appears)."""
    parts: list[str] = ["pycau", "resume", run_id, "--cluster", _address(options)]
    if options.get("insecure_http"):
        parts.append("--insecure-http")
    if options.get("ca_cert"):
        parts += ["--ca-cert", str(options["ca_cert"])]
    if options.get("auth") not in (None, "ntlm"):
        parts += ["--auth", str(options["auth"])]
    if journal:
        parts += ["--journal", journal]
    if force:
        parts.append("--force-recovery")
    return " ".join(_quoted(parts))


def _address(options: Mapping[str, Any]) -> str:
    host, port = str(options["host"]), options.get("port")
    return f"{host}:{port}" if port else host


def _quoted(parts: Sequence[str]) -> list[str]:
    if sys.platform == "win32":
        return [f'"{p}"' if " " in p else p for p in parts]
    import shlex

    return [shlex.quote(p) for p in parts]
