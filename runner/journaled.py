"""The engine's link to the run journal: one checkpoint of the ``RunState`` after every step.

Owns: ``JournalLink`` — recording a run's start, checkpointing its ``RunState`` (with the
events recorded since the last checkpoint and the actions pycau took on the cluster, derived
by comparing each node's snapshot with the one before: suspended, resumed, restart issued
with the boot id before it, install started), the run's end, and picking a journaled run up
again (``resumed``). The run lock is not the journal's: it lives in the cluster
(``runner.lease``). A ``publisher`` (``runner.cluster_state.ClusterStateLink``) gets every
checkpoint after the journal has it, to publish the run in the cluster; ``preflight``
journals and publishes the run before its first checkpoint (step 0, no state), with the
changes its preflight makes (action ``credssp-enabling`` before CredSSP is enabled on a node,
``firewall-rules-enabled`` after), so a successor continues a run that died there.

Theory of operation: the engine's progress is immutable snapshots, so a checkpoint is their
JSON (``runner.run_state``); a node whose snapshot object did not change since the last
checkpoint reuses its encoding, which keeps a checkpoint per poll cheap. A resumed engine
restores exactly the state the last checkpoint held and then observes the cluster afresh: a
restart recorded as issued is confirmed by a changed boot id, never issued again.

Must not: talk to the transport, decide anything, or know the engine (it is handed a
``RunState`` and the event log, and hands them back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from runner.journal import JournalRun, RunJournal
from runner.journal_codec import decode_as, encode
from runner.progress import NodeProgress
from runner.report import RunEvent
from runner.run_state import RunState, decode_state, encode_state
from runner.types import WorkKind

__all__ = ["ENABLING", "JournalLink", "Publisher", "RunJournal", "journaled_run"]

ENABLING = "credssp-enabling"  # the action a preflight journals before enabling CredSSP


class Publisher(Protocol):
    """Who hears of each checkpoint once the journal holds it (``runner.cluster_state``)."""

    closed: bool

    def published(self, state: RunState, events: Sequence[RunEvent]) -> None: ...

    def announced(self) -> None:
        """Publish the journaled run as it stands in its preflight (``JournalLink.preflight``)."""
        ...


def journaled_run(
    journal: RunJournal, run: JournalRun
) -> tuple[RunState | None, tuple[RunEvent, ...]]:
    """The last checkpoint of ``run`` (``None`` if it died before its first) and its log."""
    state = decode_state(run.state) if run.state is not None else None
    return state, tuple(decode_as(RunEvent, e) for e in run.events)


class JournalLink:
    """One run's journaling (none when ``journal`` is None); ``step`` counts checkpoints
    (1 = after the preflight scan)."""

    def __init__(self, journal: RunJournal | None, run_id: str, started_at: str) -> None:
        self.journal = journal
        self.run_id = run_id
        self.started_at = started_at
        self.step = 0
        self.started = False
        self._sent = 0  # events already in the journal
        self._seen: dict[str, NodeProgress] = {}
        self._encoded: dict[str, tuple[NodeProgress, Any]] = {}  # node snapshot → its JSON
        self.publisher: Publisher | None = None  # publishes the run in the cluster
        # Nodes an earlier coordinator of this run announced it enabled CredSSP on in its
        # preflight (before its first checkpoint): this run's to undo (``runner.run_control``).
        self.inherited_credssp: tuple[str, ...] = ()

    def preflight(
        self, state_of: Callable[[], RunState], actions: Sequence[tuple[str, str | None, str]] = ()
    ) -> None:
        """In the preflight, before the first checkpoint: journal the run with no state yet
        (step 0) and ``actions`` (a change the preflight is about to make, or made), and
        publish it, so a coordinator that takes the run over knows it exists and what its
        preflight changed. The first call picks up what an earlier coordinator of this run
        announced in its own preflight (``inherited_credssp``). Nothing after the first
        checkpoint (a resumed run is past its preflight)."""
        if self.journal is None or self.step > 0:
            return
        if not self.started:
            state = state_of()
            self.journal.begin_run(
                run_id=self.run_id, cluster=state.cluster, profile=encode(state.profile),
                started_at=self.started_at,
            )  # fmt: skip
            self.started = True
            before = self.journal.load(self.run_id)
            enabling = [a.node for a in (before.actions if before else ()) if a.kind == ENABLING]
            self.inherited_credssp = tuple(dict.fromkeys(n for n in enabling if n))
        self.journal.checkpoint(run_id=self.run_id, step=0, state=None, actions=actions)
        if self.publisher is not None:
            self.publisher.announced()

    def checkpoint(self, state_of: Callable[[], RunState], events: Sequence[RunEvent]) -> None:
        """Journal the run's state (``state_of()``, built only when there is a journal: not
        in a rehearsal's hot loop) after one step, atomically, with the events since the
        last checkpoint."""
        if self.journal is None:
            return
        state = state_of()
        if not self.started:
            self.journal.begin_run(
                run_id=self.run_id,
                cluster=state.cluster,
                profile=encode(state.profile),  # the codec's form round-trips (resume)
                started_at=self.started_at,
            )
            self.started = True
        self.step += 1
        stored = self.step >= self.journal.state_from_step
        self.journal.checkpoint(
            run_id=self.run_id,
            step=self.step,
            state=encode_state(state, self._encoded) if stored else None,
            events=[encode(e) for e in events[self._sent :]],
            actions=self._actions(state),
        )
        self._sent = len(events)
        if self.publisher is not None:
            self.publisher.published(state, events)

    def finish(
        self,
        state_of: Callable[[], RunState],
        events: Sequence[RunEvent],
        status: str | None,
        report: dict[str, Any] | None = None,
    ) -> None:
        """The final checkpoint and the run's status and report (``None``: the run stays
        open)."""
        if self.journal is None or not self.started:
            return
        if self.publisher is not None:  # the run lock is freed by now: nothing to publish
            self.publisher.closed = True
        self.checkpoint(state_of, events)
        if status is not None:
            self.journal.finish_run(self.run_id, status, report)

    def resumed(self, run: JournalRun, state: RunState) -> None:
        """Go on journaling ``run`` from its last checkpoint, which restored ``state``."""
        self.step = run.step
        self._sent = len(run.events)
        self._seen = {node.name: node for node in state.nodes}
        self.started = True

    def _actions(self, state: RunState) -> list[tuple[str, str | None, str]]:
        """What pycau did to the cluster since the last checkpoint."""
        actions: list[tuple[str, str | None, str]] = []
        for new in state.nodes:
            name = new.name
            old = self._seen.get(name)
            if old is new:
                continue
            self._seen[name] = new
            if old is None:
                old = NodeProgress(name=name)
            if new.suspend_issued and not old.suspend_issued:
                actions.append(("suspended", name, f"attempt {new.attempt}"))
            if new.resume_issued and not old.resume_issued:
                actions.append(("resumed", name, ""))
            if new.restart_issued and not old.restart_issued:
                actions.append(("restart-issued", name, new.boot_id_before))
            handle = new.handle
            if handle is not None and handle != old.handle and handle.kind is WorkKind.INSTALL:
                actions.append(("install-started", name, handle.id))
        return actions
