"""The real clock: the one module of pycau allowed to read wall time and to sleep.

Owns: ``SystemClock``, the ``runner.transport.Clock`` of real runs, wrapping
``time.monotonic`` and ``time.sleep``, and ``utc_now`` — the wall-clock instant a real run
starts at (its report's ``started_at``). Everything else waits through an injected ``Clock``
(the simulator supplies one whose ``sleep`` advances the SimPy world), so the engine never
knows which world it is in.

Must not: be imported by the simulator, or hold any run logic.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["SystemClock", "utc_now"]


def utc_now() -> datetime:
    """The current wall-clock instant, in UTC (a real run's ``started_at``; never for timing)."""
    return datetime.now(UTC)


class SystemClock:
    """Monotonic seconds and real waiting; implements ``runner.transport.Clock``."""

    __slots__ = ()

    def now(self) -> float:
        """Seconds on the monotonic clock (an arbitrary origin; never goes back)."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``; zero or negative returns at once."""
        if seconds > 0:
            time.sleep(seconds)
