"""A stop request written into the cluster database (``pycau stop``, CAU's Stop-CauRun).

Owns: ``StopOrder`` — the contract value type of a stop request: which run it asks to stop,
who asked (``user@host``) and when (ISO-8601 UTC). It is written atomically next to the run
lock (``ClusterTransport.request_run_stop``) and handed back to the lock's holder by its next
renewal (``ClusterTransport.renew_run_lock``), so a coordinator on another machine sees it
within one renewal period (``runner.lease.RENEW_SECONDS`` of its run).

Must not: do I/O, read a clock, or import anything outside the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StopOrder"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StopOrder:
    """A request to stop run ``run_id`` (empty: whichever run holds the lock)."""

    run_id: str
    requested_by: str
    requested_at: str

    def document(self) -> dict[str, str]:
        """The order as the scripts carry it (stop-request.ps1's ``Stop``, the renewal's)."""
        return {
            "RunId": self.run_id,
            "RequestedBy": self.requested_by,
            "RequestedAt": self.requested_at,
        }

    def reason(self) -> str:
        """The sentence the run's event 1021 and report carry."""
        return f"stopped by {self.requested_by} at {self.requested_at} (pycau stop)"
