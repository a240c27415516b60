"""Resume an updating run from the run journal (``pycau resume``, the coordinator-crash fault).

Owns: ``resume_updating_run`` — load the run's last checkpoint, record the recovery (kind
``coordinator-crash``, CAU event 1014, kind ``run-resumed``), observe the cluster afresh and
let the same engine go on. A node already finished is never touched again; a node mid-way
goes on from its journaled progress checked against the fresh view (a restart journaled as
issued counts only if the boot id changed, so it is never issued twice; a node pycau paused
is resumed by the normal lifecycle). A node Paused by someone else is left alone and
reported. CredSSP the dead coordinator enabled is disabled at the end.

A run an operator stopped (Ctrl-C, SIGTERM: Canceled with ``UserCanceled``) resumes too: the
nodes it did not finish are put back in line (``_reopen``) with their attempts, results and
owed restarts, and the run goes on as a run does, CredSSP included.

The run lock is taken once the cluster answers (a coordinator that died during a management
outage resumes into it, and waits it out, bounded), before anything is touched:
``take_lease`` is the caller's ``RunLease.acquire`` (the dead coordinator still holds the
lock, so that needs ``force_recovery`` and a holder that is gone); its ``RunLocked``
propagates with nothing changed.

Must not: decide anything itself or act on the cluster except through the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from runner.credssp import ENABLE_FAILED, credssp_for_run, disable_credssp
from runner.decisions import node_status
from runner.engine import _Engine
from runner.errors import InputError
from runner.journal import RUN_IN_PROGRESS, JournalRun, RunJournal
from runner.journal_codec import decode_as
from runner.journaled import JournalLink
from runner.lease import RunLease
from runner.lifecycle import NodeStep
from runner.profile import Profile
from runner.recorder import Listener
from runner.report import RunReport
from runner.stop import USER_CANCELED, StopRequest
from runner.transport import Clock, ClusterTransport
from runner.types import NodeState, SummaryStatus
from runner.work_steps import BACK_STATES, POLL_ACTIVE_SECONDS, UNREACHABLE_LIMIT_SECONDS

__all__ = ["resumable_after_stop", "resume_updating_run"]


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
    """Continue run ``run_id`` of ``journal``; ``InputError`` when there is nothing to resume."""
    run = journal.load(run_id)
    if run is None:
        raise InputError(journal.path, "$", f"the journal holds no run {run_id}")
    reopening = resumable_after_stop(run)
    if run.status != RUN_IN_PROGRESS and not reopening:
        raise InputError(journal.path, "$", f"run {run_id} already ended {run.status}")
    profile = decode_as(Profile, run.profile)
    started_at = datetime.fromisoformat(run.started_at)
    link = JournalLink(journal, run_id)
    engine = _Engine(transport, clock, profile, run_id, started_at, listener, link)
    engine.stop = stop
    if run.state is None:
        # The coordinator died before its first checkpoint: it changed nothing but scans.
        if take_lease is not None:
            engine.hold(take_lease())
        return engine.run()
    link.restore(engine, run)
    rec = engine.rec
    again = _reopen(engine) if reopening else []
    if not reopening:
        rec.emit(
            "coordinator-crash", None, f"the coordinator stopped after journal step {run.step}"
        )
    engine._observe()
    while engine.view is None:  # no view at all yet: wait out a management outage, bounded
        since = engine.progress.unreachable_since
        if since is not None and engine._elapsed() - since >= UNREACHABLE_LIMIT_SECONDS:
            engine._end("ClusterUnreachable", "the cluster did not answer when the run resumed")
            return engine._finish()
        engine.clock.sleep(POLL_ACTIVE_SECONDS)
        engine._observe()
    took = ""
    if take_lease is not None:
        lease = take_lease()  # RunLocked: refused, nothing touched
        engine.hold(lease)
        if lease.taken_over is not None:
            took = f"; took the run lock over from {lease.taken_over.describe()}"
    if reopening:
        journal.reopen_run(run_id)  # only now that the lock is ours
    done = sum(1 for node in engine.book.nodes.values() if node.terminal)
    rec.cau(1014, None, f"recovering cluster from previous run ({done} node(s) finished){took}")
    view = engine.view
    if view is not None and not engine.progress.stale:
        for node in view.nodes:
            ours = engine.book.nodes.get(node.name)
            mine = ours is not None and (
                ours.paused_by_us or ours.suspend_issued or ours.suspend_attempted
            )
            if node.state is NodeState.PAUSED and not mine:
                rec.warning("Paused by someone else: left alone", node.name)
    back = f"; the stopped run's nodes put back in line: {', '.join(again)}" if again else ""
    rec.emit("run-resumed", None, f"resumed from journal step {run.step}{back}")
    if reopening:  # the stopped run disabled CredSSP at its end: enable it again, as a run does
        nodes = [n.name for n in view.nodes if n.state in BACK_STATES] if view is not None else []
        with credssp_for_run(transport, engine.clock, rec, profile, nodes, engine.may_act) as found:
            if found.refusal is not None:
                engine._end(ENABLE_FAILED, found.refusal)
            else:
                engine._loop()
        return engine._finish()
    try:
        engine._loop()
    finally:
        enabled = engine.progress.credssp_enabled_on  # the dead coordinator left it on
        if enabled and engine.may_act():
            disable_credssp(transport, clock, rec, enabled)
    return engine._finish()


def resumable_after_stop(run: JournalRun) -> bool:
    """Whether ``run`` ended because an operator stopped it (Ctrl-C, SIGTERM): such a run is
    Canceled in the journal yet may be resumed, from its last checkpoint."""
    state = run.state or {}
    return run.status == SummaryStatus.CANCELED.value and state.get("error_id") == USER_CANCELED


def _reopen(engine: _Engine) -> list[str]:
    """Put the nodes a stopped run did not finish back in line, in run order: each keeps its
    attempts, results and any restart it owes; a node that ended Succeeded or Failed stays
    done. The run's end reason is forgotten. The nodes put back, in order."""
    again = []
    for name in engine.order:
        node = engine.book.nodes[name]
        if node.step in (NodeStep.STOPPED, NodeStep.CANCELED) and (
            node_status(node) is not SummaryStatus.SUCCEEDED
        ):
            engine.book.nodes[name] = replace(
                node, step=NodeStep.WAITING, deadline=None, handle=None, work=None, error=""
            )
            again.append(name)
    engine.progress = replace(
        engine.progress,
        current=None,
        remaining=tuple(again),
        stopping=False,
        cancel_error_id=None,
        credssp_enabled_on=(),
    )
    engine.error_id = engine.error = None
    return again
