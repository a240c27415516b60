"""The twin's answer to stop-request.ps1 (``pycau stop``), and the renewal's ``Stop`` field.

Owns: ``stop_request`` — ONE call of the world's transport (``request_run_stop``), answered
as the real script writes it (the lock's holder then, and whether the request was written);
``stop_field`` — a renewal's stop request as lock-renew.ps1 answers it.

Must not: touch the world except through its transport; hold state of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.stop_orders import StopOrder
from runner.transport import ClusterTransport
from runner.types import LockHolder

__all__ = ["stop_field", "stop_request_answer"]

Answer = tuple[Mapping[str, Any], bool]


def stop_field(order: StopOrder | None) -> Mapping[str, str] | None:
    """lock-renew.ps1's ``Stop``: the stop request written next to the lock, or null."""
    return None if order is None else order.document()


def stop_request_answer(
    transport: ClusterTransport, holder_doc: Callable[[LockHolder | None], Any]
) -> Callable[[Mapping[str, Any]], Answer]:
    """The handler of stop-request.ps1 for ``transport`` (``holder_doc``: the twin's
    rendering of a lock holder)."""

    def answer(args: Mapping[str, Any]) -> Answer:
        stop = args.get("Stop") or {}
        order = StopOrder(
            run_id=str(stop.get("RunId") or ""),
            requested_by=str(stop.get("RequestedBy") or ""),
            requested_at=str(stop.get("RequestedAt") or ""),
        )
        holder = transport.request_run_stop(order)
        written = holder is not None and order.run_id in ("", holder.run_id)
        return {"Holder": holder_doc(holder), "Requested": written}, False

    return answer
