"""Session expiry of the twin endpoint: the known issue ``session-expiry`` on the wire.

Owns: ``SessionExpiry`` — when every session of the endpoint expires (once each ``every_s``
seconds of an injected clock: the simulated world's for ``pycau twin``) and the counters a
test reads afterwards: expiries, requests refused with 401 on an expired connection, shells
ended.

Theory of operation: what a Windows server drops when a logon session expires mid-run is
the authenticated connection — NTLM authenticates the TCP connection, so its context (and
its message sealing) dies and the next request on it gets HTTP 401 — and the WinRS shells,
whose next Command gets the WSManFault "shell not found" (2150858843). ``due`` is asked at
the start of each exchange (a Create or a Command), never in the middle of one, and a shell
whose command is still running is kept, as WinRM keeps a shell with an operation in
progress: an expiry never cuts an answer a command already produced. Basic authentication
sends the credentials with every request, so for it only the shells expire. The period runs
on simulated time, so the same scenario and seed expire at the same points of every run.

Must not: read the wall clock, or know HTTP (``simulator.twin.server`` applies an expiry).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

__all__ = ["SessionExpiry"]


class SessionExpiry:
    """Every session of an endpoint expires once each ``every_s`` seconds of ``now()``."""

    def __init__(self, *, every_s: float, now: Callable[[], float]) -> None:
        if not every_s > 0:  # also refuses NaN
            raise ValueError("the session lifetime must be a positive number of seconds")
        self.every_s = every_s
        self._now = now
        self._lock = threading.Lock()
        self._next = every_s
        self.expiries = 0  # how many times every session expired (the generation)
        self.refused = 0  # requests answered 401 because their connection's session expired
        self.shells_ended = 0  # WinRS shells removed by an expiry

    @property
    def generation(self) -> int:
        """Connections authenticated before the latest expiry have a smaller generation."""
        return self.expiries

    def due(self) -> bool:
        """Whether the sessions expire now (at most once per period, even after a long gap)."""
        with self._lock:
            now = self._now()
            if now < self._next:
                return False
            self.expiries += 1
            self._next = (math.floor(now / self.every_s) + 1) * self.every_s
            return True

    def count_refused(self) -> None:
        with self._lock:
            self.refused += 1

    def count_shells(self, ended: int) -> None:
        with self._lock:
            self.shells_ended += ended
