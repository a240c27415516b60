"""Taking over a run whose coordinator died, from the run state it published in the cluster.

Owns: ``take_over_run`` — the public API a coordinator on another machine (``pycau agent``,
the simulator's coordinator role after a fail-over) uses to continue a run with no journal
of its own: it reads the run lock and the published state (``runner.cluster_state``), takes
the lock over with ``runner.lease``'s policy (force recovery of a holder that is gone: its
heartbeat stale for ``LOCK_STALE_SECONDS``, or known dead), rebuilds the run's journal in
memory from the published state and returns the engine ``Engine.resume`` makes of it — so
exactly ``pycau resume``'s rules apply: no double install or restart (a restart recorded as
issued is confirmed by a changed boot id, never issued again; an install whose effect is
unknown is re-scanned first), only pycau's own pauses are undone, and the run's seconds
and events go on from the state's. The engine publishes its run from then on.

Theory of operation, in order (nothing is touched before step 3):

1. ``read_run_lock``: no lock → ``NoRunToTakeOver`` (no run is in progress);
2. ``read_run_state``: no state, or the state of another run than the lock's holder's (a
   run that died between taking the lock and its first publication — which comes right
   after its first look at the cluster, before any change — or one that does not publish:
   its journal is the way back, ``pycau resume --force-recovery``) → ``NoRunToTakeOver``;
3. ``RunLease.acquire(force_recovery=True)``: a live holder → ``RunLocked`` (CAU event
   1015, nothing changed); of two coordinators taking over at once, one wins, the other
   gets ``RunLocked``. A lock freed meanwhile (the run ended) is created by the acquire:
   it is released again and ``NoRunToTakeOver`` raised;
4. the state is read again, now that this coordinator's lock fences every other writer, and
   must still be the taken-over run's (else the lock is released, ``NoRunToTakeOver``);
5. ``continued_engine`` over the rebuilt journal: ``Engine.resume`` of the driver the run's
   profile names — or, when the state is the run's preflight (published before its first
   checkpoint, with no state yet), the preflight started again under the same run id, which
   also undoes the CredSSP the dead coordinator announced it was enabling.

The new holder takes the run's id (``holder.run_id`` is replaced by it): a run keeps its id
across coordinators, as ``pycau resume`` keeps it.

Must not: decide whether a holder is gone (``runner.lease`` does), sleep, or read a clock
other than the injected one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from runner.cluster_state import ClusterStateLink, published_run
from runner.engine import Engine
from runner.errors import NoRunToTakeOver
from runner.journal import RUN_IN_PROGRESS, JournalRun, RunJournal
from runner.journal_codec import decode_as
from runner.lease import RunLease
from runner.profile import ResolvedProfile
from runner.recorder import Listener
from runner.stop import StopRequest
from runner.transport import Clock, ClusterTransport
from runner.types import LockHolder
from runner.updating_run import resumed_engine, updating_engine

__all__ = ["continued_engine", "rebuilt_journal", "take_over_run"]


def rebuilt_journal(run: JournalRun) -> RunJournal:
    """An in-memory journal holding ``run`` as its journal held it: its row, its actions
    (at their steps), its events and its last checkpoint."""
    journal = RunJournal(":memory:")
    journal.begin_run(
        run_id=run.run_id, cluster=run.cluster, profile=run.profile, started_at=run.started_at
    )
    steps: list[int] = []
    for action in run.actions:
        if action.step not in steps:
            steps.append(action.step)
    for step in steps:  # the actions at their own steps; the state comes with the last
        acts = [(a.kind, a.node, a.detail) for a in run.actions if a.step == step]
        journal.checkpoint(run_id=run.run_id, step=step, state=None, actions=acts)
    journal.checkpoint(run_id=run.run_id, step=run.step, state=run.state, events=run.events)
    if run.status != RUN_IN_PROGRESS:
        journal.finish_run(run.run_id, run.status)
    return journal


def _published(transport: ClusterTransport, cluster: str, run_id: str) -> JournalRun:
    text = transport.read_run_state()
    run = published_run(text) if text is not None else None
    if run is None or run.run_id != run_id:
        raise NoRunToTakeOver(
            cluster,
            f"run {run_id} holds the run lock of {cluster} but published no run state in the "
            "cluster (it died before its first checkpoint, or its coordinator does not "
            "publish, as a plain `pycau run`): continue it with `pycau resume "
            f"{run_id} --force-recovery` where its journal is",
        )
    return run


def take_over_run(
    transport: ClusterTransport,
    clock: Clock,
    holder: LockHolder,
    *,
    cluster: str,
    listener: Listener | None = None,
    stop: StopRequest | None = None,
    holder_gone: Callable[[LockHolder], bool] | None = None,
) -> Engine:
    """The run holding ``cluster``'s lock, taken over by ``holder`` from the state it
    published, ready to ``step`` (see module docstring). ``RunLocked``: its coordinator is
    alive (nothing changed); ``NoRunToTakeOver``: there is no such run (nothing changed);
    ``InputError``: the published state is not pycau's (nothing changed); transport errors
    propagate (the lock may be this coordinator's then: its heartbeat goes stale)."""
    current = transport.read_run_lock()
    if current is None:
        raise NoRunToTakeOver(cluster, f"the cluster {cluster} is not locked: no run to take over")
    _published(transport, cluster, current.run_id)  # before touching the lock
    mine = replace(holder, run_id=current.run_id)
    lease = RunLease.acquire(
        transport, clock, mine, cluster=cluster, force_recovery=True, holder_gone=holder_gone
    )
    taken = lease.taken_over
    if taken is None or taken.run_id != current.run_id:
        lease.release()  # the run ended (its lock freed) or another took the lock meanwhile
        raise NoRunToTakeOver(
            cluster, f"run {current.run_id} of {cluster} ended while it was being taken over"
        )
    try:
        run = _published(transport, cluster, current.run_id)  # fenced now: the last word
    except BaseException:
        lease.release()
        raise
    return continued_engine(
        transport, clock, rebuilt_journal(run), run.run_id, listener=listener,
        take_lease=lambda: lease, stop=stop,
    )  # fmt: skip


def continued_engine(
    transport: ClusterTransport,
    clock: Clock,
    journal: RunJournal,
    run_id: str,
    *,
    listener: Listener | None = None,
    take_lease: Callable[[], RunLease] | None = None,
    stop: StopRequest | None = None,
) -> Engine:
    """Run ``run_id`` of ``journal`` continued by this coordinator, publishing its state in
    the cluster (``pycau resume`` and a take-over): ``Engine.resume``'s engine — or, for a
    run journaled only in its preflight (step 0, no state: its coordinator died before the
    first checkpoint), the preflight of the same run started again (``start`` done, ready to
    ``step``; its lock taken first), which undoes at the end the CredSSP its predecessor
    announced it was enabling (``runner.journaled``)."""
    run = journal.load(run_id)
    if run is None or run.state is not None or run.step != 0 or run.status != RUN_IN_PROGRESS:
        engine = resumed_engine(
            transport, clock, journal, run_id, listener=listener, take_lease=take_lease,
            stop=stop,
        )  # fmt: skip
        ClusterStateLink.attach(engine)
        return engine
    engine = updating_engine(
        transport, clock, decode_as(ResolvedProfile, run.profile), run_id=run_id,
        started_at=datetime.fromisoformat(run.started_at), listener=listener, journal=journal,
        lease=take_lease() if take_lease is not None else None, stop=stop,
    )  # fmt: skip
    ClusterStateLink.attach(engine)
    engine.rec.emit(
        "run-resumed", None, "the coordinator stopped in the run's preflight: it starts again"
    )
    engine.start()
    return engine
