"""A request to stop an updating run at its next safe point (Ctrl-C, SIGTERM, Stop-CauRun).

Owns: ``StopRequest`` — set from outside the run (a signal handler, an operator's stop),
read by the engine at the top of every turn. The engine then does what CAU does for
Stop-CauRun: event 1021, the node in flight is brought to a safe state (a restart already
issued is waited out; a node the run paused is resumed) and the run ends Canceled
(``UserCanceled``), still resumable with ``pycau resume``.

Must not: do I/O, read a clock, or block (a signal handler calls ``request``).
"""

from __future__ import annotations

__all__ = ["USER_CANCELED", "StopRequest"]

USER_CANCELED = "UserCanceled"  # the run's error id when an operator stopped it


class StopRequest:
    """Set once by whoever wants the run to stop; ``reason`` says who and why."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def request(self, reason: str) -> None:
        """Ask the run to stop at its next safe point (the first reason is kept)."""
        if self.reason is None:
            self.reason = reason

    @property
    def requested(self) -> bool:
        return self.reason is not None
