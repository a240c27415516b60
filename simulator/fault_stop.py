"""The ``stop-request`` fault: an operator runs ``pycau stop`` (CAU's Stop-CauRun) from
another machine at ``at_minute`` after the run started.

Owns: ``StopRequested`` — registered in ``simulator.faults.FAULT_TYPES`` when this module is
imported (``simulator.world`` imports it). At its minute it writes a ``StopOrder`` next to
the world's run lock, as ``pycau stop`` does through ``request_run_stop``; the coordinator
sees it at its next lock renewal and stops at a safe point, so the oracle judges a stopped
run. Nothing is written when no run holds the lock then, or while an offline update has
the cluster stopped (its lock group is offline then, as ``pycau stop`` finds it); the
timeline says so.

Must not: change the world except through its run lock (it only reads whether the cluster
is stopped), or read the wall clock.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from runner.stop_orders import StopOrder
from simulator.faults import FAULT_TYPES, Fault

__all__ = ["DEFAULT_REQUESTED_BY", "StopRequested"]

DEFAULT_REQUESTED_BY = "operator@admin-host"


class StopRequested(Fault):
    """``pycau stop`` at ``at_minute`` (``params.requested_by``: who asked)."""

    type_name = "stop-request"
    needs_node = False

    def validate(self) -> None:
        super().validate()
        if self.spec.at_minute is None or self.spec.at_minute < 0:
            raise self.invalid("at_minute", "must be a number of minutes, at least 0")

    def arm(self) -> None:
        self.world.env.process(self._run(float(self.spec.at_minute or 0) * 60.0))

    def _run(self, at: float) -> Generator[Any, Any, None]:
        if at > 0:
            yield self.world.env.timeout(at)
        who = str(self.spec.params.get("requested_by") or DEFAULT_REQUESTED_BY)
        when = f"minute {at / 60:g} of the run"
        order = StopOrder(run_id="", requested_by=who, requested_at=when)
        if self.world.offline.stopped:  # the lock group is offline with the database
            self.world.record(
                "fault", None, "stop-request: the cluster is stopped, nothing written"
            )
            return
        holder = self.world.run_lock.request_stop(order)
        if holder is None:
            self.world.record("fault", None, "stop-request: no run in progress, nothing written")
            return
        self.book.fired_one(self, f"by {who} for run {holder.run_id}")


FAULT_TYPES[StopRequested.type_name] = StopRequested
