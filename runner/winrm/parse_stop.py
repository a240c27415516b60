"""Parsers of the stop-request answers (``scripts/stop-request.ps1`` and the ``Stop`` field
of ``scripts/lock-renew.ps1``) into the contract's values.

Owns: ``parse_stop_order`` (the renewal's ``Stop``: the order, or ``None``) and
``parse_stop_answer`` (the lock's holder when the request was made, or ``None`` when no run
held it). A malformed answer raises
``MalformedOutput``, which the endpoint plumbing turns into ``RemoteCommandFailed``.

Must not: talk to the network or decide anything about the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.remote_protocol import ScriptProtocolError, read_holder
from runner.stop_orders import StopOrder
from runner.types import LockHolder
from runner.winrm.psjson import MalformedOutput, as_mapping

__all__ = ["parse_stop_answer", "parse_stop_order"]


def parse_stop_order(raw: Any) -> StopOrder | None:
    """The ``Stop`` field of lock-renew.ps1's answer: ``None`` when nobody asked."""
    stop = as_mapping(raw, "the renewal answer").get("Stop")
    if stop is None:
        return None
    if not isinstance(stop, Mapping):
        raise MalformedOutput("the renewal's Stop is not an object")
    try:
        return StopOrder(
            run_id=str(stop["RunId"]),
            requested_by=str(stop["RequestedBy"]),
            requested_at=str(stop["RequestedAt"]),
        )
    except KeyError as exc:
        raise MalformedOutput(f"the renewal's Stop has no {exc}") from exc


def parse_stop_answer(raw: Any) -> LockHolder | None:
    """stop-request.ps1's answer: the lock's holder then, or ``None`` (no run held it)."""
    try:
        return read_holder(as_mapping(raw, "the stop-request answer").get("Holder"))
    except ScriptProtocolError as exc:
        raise MalformedOutput(str(exc)) from exc
