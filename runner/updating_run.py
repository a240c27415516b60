"""The two ways to drive a whole updating run: ``run_updating_run`` (Invoke-CauRun) and
``resume_updating_run`` (continue a journaled run after its coordinator died).

Owns: composing an engine for a run and stepping it to its end; the place where a run's
mode chooses its driver (``updating_engine``, ``resumed_engine``): the profile's ``mode``
``rolling`` is CAU's run (``runner.engine.Engine``; with ``policy: fast`` the wave engine
``runner.fast_engine.FastEngine``), ``offline`` the guide's fast offline update
(``runner.offline_engine.OfflineEngine``); a resumed run is driven as its journal's profile
says.

Must not: hold run logic (the engine and the decision core do) or know which world the
transport reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from runner.engine import Engine
from runner.fast_engine import FastEngine
from runner.journal import RunJournal
from runner.journal_codec import decode_as
from runner.lease import RunLease
from runner.offline_engine import OfflineEngine
from runner.profile import Mode, ResolvedProfile
from runner.recorder import Listener
from runner.report import RunReport
from runner.stop import StopRequest
from runner.transport import Clock, ClusterTransport

__all__ = ["resume_updating_run", "resumed_engine", "run_updating_run", "updating_engine"]


def _driver(profile: ResolvedProfile) -> type[Engine]:
    if profile.mode == Mode.OFFLINE:
        return OfflineEngine
    return FastEngine if profile.fast else Engine


def updating_engine(
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
) -> Engine:
    """The engine of a new run, of the driver ``profile.mode`` names (not started yet)."""
    return _driver(profile)(
        transport, clock, profile, run_id=run_id, started_at=started_at, listener=listener,
        journal=journal, lease=lease, stop=stop,
    )  # fmt: skip


def resumed_engine(
    transport: ClusterTransport,
    clock: Clock,
    journal: RunJournal,
    run_id: str,
    *,
    listener: Listener | None = None,
    take_lease: Callable[[], RunLease] | None = None,
    stop: StopRequest | None = None,
) -> Engine:
    """``Engine.resume`` of the driver the journaled run's profile names."""
    run = journal.load(run_id)
    profile = decode_as(ResolvedProfile, run.profile) if run is not None else None
    driver = Engine if profile is None else _driver(profile)
    return driver.resume(
        transport, clock, journal, run_id, listener=listener, take_lease=take_lease, stop=stop
    )


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
    """Perform one updating run (Invoke-CauRun, or the offline update when the profile's
    ``mode`` says ``offline``) and return its report.

    ``profile`` should be resolved (``Profile.resolved``); ``listener`` gets every
    ``RunEvent``; ``journal``: checkpoints after every step (``runner.journaled``);
    ``lease``: the cluster's run lock, taken by the caller before anything touched a node
    (``RunLease.acquire``); ``stop``: an operator's request to stop at the next safe point.
    """
    engine = updating_engine(
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
    engine = resumed_engine(
        transport, clock, journal, run_id, listener=listener, take_lease=take_lease, stop=stop
    )
    return engine.run_to_end()
