"""The run state a coordinator publishes in the simulated cluster (issue 12).

Owns: ``RunStateOps`` — the ``publish_run_state`` / ``read_run_state`` part of
``SimTransport`` (a base class of it, so ``simulator.transport`` does not grow): the state
lives in the world's lock group (``RunLockGroup.publish_state``), as on a real cluster it
lives in cluster parameters beside the lock group. A publication is one fenced write naming
its holder and takes no simulated time (``PUBLISH_SECONDS``: the coordinator's bookkeeping,
as its journal); a read takes a read's round trip.

Must not: decide anything or interpret the state (it is the runner's opaque text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from runner.errors import ClusterUnreachable
from runner.types import LockHolder

if TYPE_CHECKING:
    from simulator.world_port import ClusterOperations

__all__ = ["RunStateOps"]

# A publication is the coordinator's bookkeeping, as its journal is: it takes no simulated
# time, so a real run (every one publishes) is the run `pycau simulate` rehearses, whose
# coordinator publishes only when the scenario needs take-overs (self-updating).
PUBLISH_SECONDS = 0.0
READ_SECONDS = 0.5  # one read on the cluster endpoint (as OBSERVE_SECONDS)


class RunStateOps:
    """``publish_run_state`` and ``read_run_state`` over the world's lock group."""

    world: ClusterOperations
    _spend: Callable[[float], None]  # SimTransport's round trip (simulated time passes)

    def _state_reachable(self) -> None:
        if self.world.offline.stopped:  # the cluster database is offline
            raise ClusterUnreachable("the cluster is stopped: its run state is offline")

    def publish_run_state(self, holder: LockHolder, state: str) -> None:
        self._spend(PUBLISH_SECONDS)  # a call (the management network must be up)
        self._state_reachable()
        self.world.run_lock.publish_state(holder, state)

    def read_run_state(self) -> str | None:
        self._spend(READ_SECONDS)
        self._state_reachable()
        return self.world.run_lock.published
