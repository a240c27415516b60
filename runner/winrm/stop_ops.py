"""Stop requests over WinRM (``scripts/stop-request.ps1``): ``pycau stop`` from any machine.

Owns: ``StopOps`` — ``request_run_stop``, the contract's write of a stop request next to the
run lock (unfenced: whoever may reach the cluster may ask). The holder reads it back with
its renewal (``RunLockOps.renew_run_lock``).

Must not: decide whether the run may be stopped (the cluster's holder check does) or sleep.
"""

from __future__ import annotations

from runner.remote_protocol import ScriptName
from runner.stop_orders import StopOrder
from runner.types import LockHolder
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_stop import parse_stop_answer

__all__ = ["StopOps"]


class StopOps(WinRMEndpoints):
    """The stop-request part of the transport contract."""

    def request_run_stop(self, order: StopOrder) -> LockHolder | None:
        args = {"Stop": order.document()}
        document = self._on_cluster(
            ScriptName.STOP_REQUEST, args, deadline=self.deadlines.read, about=None
        )
        return self._parsed(ScriptName.STOP_REQUEST, parse_stop_answer, document)
