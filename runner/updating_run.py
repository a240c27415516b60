"""The two ways to drive a whole updating run: ``run_updating_run`` (Invoke-CauRun) and
``resume_updating_run`` (continue a journaled run after its coordinator died).

Owns: composing an ``Engine`` for a run and stepping it to its end; the place where a run's
mode chooses its driver (today CAU's rolling run).

Must not: hold run logic (the engine and the decision core do) or know which world the
transport reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from runner.engine import Engine
from runner.journal import RunJournal
from runner.lease import RunLease
from runner.profile import ResolvedProfile
from runner.recorder import Listener
from runner.report import RunReport
from runner.stop import StopRequest
from runner.transport import Clock, ClusterTransport

__all__ = ["resume_updating_run", "run_updating_run"]


def run_updating_run(
    transport: ClusterTransport,
    clock: Clock,
    profile: ResolvedProfile,
    *,
    run_id: str,
    started_at: datetime,
    listener: Listener | None = None,
    journal: RunJournal | None = None,
    lease: RunLease | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Perform one CAU rolling updating run (Invoke-CauRun) and return its report.

    ``profile`` should be resolved (``Profile.resolved``); ``listener`` gets every
    ``RunEvent``; ``journal``: checkpoints after every step (``runner.journaled``);
    ``lease``: the cluster's run lock, taken by the caller before anything touched a node
    (``RunLease.acquire``); ``stop``: an operator's request to stop at the next safe point.
    """
    engine = Engine(
        transport, clock, profile, run_id=run_id, started_at=started_at, listener=listener,
        journal=journal, lease=lease, stop=stop,
    )  # fmt: skip
    engine.start()
    return engine.run_to_end()


def resume_updating_run(
    transport: ClusterTransport,
    clock: Clock,
    journal: RunJournal,
    run_id: str,
    *,
    listener: Listener | None = None,
    take_lease: Callable[[], RunLease] | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Continue run ``run_id`` of ``journal`` to its end (``Engine.resume``, then steps)."""
    engine = Engine.resume(
        transport, clock, journal, run_id, listener=listener, take_lease=take_lease, stop=stop
    )
    return engine.run_to_end()
