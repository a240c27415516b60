"""The cluster's run lock over WinRM (``scripts/lock*.ps1``).

Owns: ``RunLockOps`` — create, take over, renew (answering a stop request written next to
the lock), release and read the lock group; a created
or taken-over lock becomes the fence every later cluster-changing command carries.

Must not: decide who may take the lock over (``runner.lease`` does) or sleep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.remote_protocol import ScriptName, holder_document
from runner.stop_orders import StopOrder
from runner.types import LockHolder
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse import parse_lock_answer
from runner.winrm.parse_stop import parse_stop_order

__all__ = ["RunLockOps"]


class RunLockOps(WinRMEndpoints):
    """The run-lock part of the transport contract."""

    def _lock(self, name: ScriptName, args: Mapping[str, Any]) -> LockHolder | None:
        document = self._on_cluster(name, args, deadline=self.deadlines.read, about=None)
        return self._parsed(name, parse_lock_answer, document)

    def create_run_lock(self, holder: LockHolder) -> LockHolder | None:
        current = self._lock(ScriptName.LOCK_CREATE, {"Holder": holder_document(holder)})
        if current is None:
            self._fence = holder
        return current

    def take_over_run_lock(self, holder: LockHolder, previous: LockHolder) -> LockHolder | None:
        args = {"Holder": holder_document(holder), "Previous": holder_document(previous)}
        current = self._lock(ScriptName.LOCK_TAKEOVER, args)
        if current is None:
            self._fence = holder
        return current

    def renew_run_lock(self, holder: LockHolder) -> StopOrder | None:
        args = {"Holder": holder_document(holder)}
        document = self._on_cluster(
            ScriptName.LOCK_RENEW, args, deadline=self.deadlines.read, about=None
        )
        return self._parsed(ScriptName.LOCK_RENEW, parse_stop_order, document)

    def release_run_lock(self, holder: LockHolder) -> None:
        self._lock(ScriptName.LOCK_RELEASE, {"Holder": holder_document(holder)})

    def read_run_lock(self) -> LockHolder | None:
        document = self._read_cluster(ScriptName.LOCK_READ, {})
        return self._parsed(ScriptName.LOCK_READ, parse_lock_answer, document)
