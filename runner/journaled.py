"""The engine's link to the run journal: checkpoint after every step, restore on resume.

Owns: ``JournalLink`` — what of the engine's state a checkpoint holds (the resolved
profile, node order, every ``NodeProgress``, the ``RunProgress``, the end reason, the
recorder's phase timing, seconds since run start), the events recorded since the last
checkpoint, the actions pycau took on the cluster (derived by comparing each node's snapshot
with the previous one: suspended, resumed, restart issued with the boot id before it,
install started) and ``restore``, which puts a checkpoint back into a fresh engine. The run
lock is not the journal's: it lives in the cluster (``runner.lease``).

Theory of operation: the engine's progress is immutable snapshots, so a checkpoint is their
JSON (``runner.journal_codec``); a node whose snapshot object did not change since the last
checkpoint reuses its encoding, which keeps a checkpoint per poll cheap. A resumed engine
gets exactly the state the last checkpoint held and then observes the cluster afresh: a
restart recorded as issued is confirmed by a changed boot id, never issued again.

Must not: talk to the transport, decide anything, or import the engine (the engine imports
this module; the engine's state is reached through the ``EngineState`` protocol).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from runner.bookkeeping import Bookkeeper
from runner.journal import JournalRun, RunJournal
from runner.journal_codec import decode_as, encode
from runner.profile import Profile
from runner.progress import NodeProgress, RunProgress
from runner.recorder import Recorder
from runner.report import RunEvent, RunReport, iso_utc, profile_dict
from runner.transport import Clock
from runner.types import WorkKind

__all__ = ["EngineState", "JournalLink", "RunJournal"]


class EngineState(Protocol):
    """The engine attributes a checkpoint reads and a restore writes."""

    clock: Clock
    profile: Profile
    run_id: str
    started_at: datetime
    t0: float
    rec: Recorder
    book: Bookkeeper
    cluster: str
    order: tuple[str, ...]
    progress: RunProgress
    error_id: str | None
    error: str | None


class JournalLink:
    """One run's journaling (none when ``journal`` is None); ``step`` counts checkpoints
    (1 = after the preflight scan)."""

    def __init__(self, journal: RunJournal | None, run_id: str) -> None:
        self.journal = journal
        self.run_id = run_id
        self.step = 0
        self.started = False
        self._sent = 0  # events already in the journal
        self._seen: dict[str, NodeProgress] = {}
        self._encoded: dict[str, tuple[NodeProgress, Any]] = {}  # node snapshot → its JSON
        self._encoded_profile: Any = None

    # ------------------------------------------------------------------------ run life

    def start(self, engine: EngineState) -> None:
        """Record the run."""
        assert self.journal is not None
        self.journal.begin_run(
            run_id=self.run_id,
            cluster=engine.cluster,
            profile=profile_dict(engine.profile),
            started_at=iso_utc(engine.started_at),
        )
        self.started = True

    def checkpoint(self, engine: EngineState) -> None:
        """Journal the engine's state after one step (atomically)."""
        if self.journal is None:
            return
        if not self.started:
            self.start(engine)
        self.step += 1
        events = engine.rec.events[self._sent :]
        self.journal.checkpoint(
            run_id=self.run_id,
            step=self.step,
            state=self._state(engine) if self.step >= self.journal.state_from_step else None,
            events=[encode(e) for e in events],
            actions=self._actions(engine),
        )
        self._sent += len(events)

    def finish(self, engine: EngineState, report: RunReport) -> None:
        """The final checkpoint and the run's status."""
        if self.journal is None or not self.started:
            return
        self.checkpoint(engine)
        self.journal.finish_run(self.run_id, report.status.value)

    # ------------------------------------------------------------------------ state

    def _state(self, engine: EngineState) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for name, node in engine.book.nodes.items():
            cached = self._encoded.get(name)
            if cached is None or cached[0] is not node:
                cached = self._encoded[name] = (node, encode(node))
            nodes[name] = cached[1]
        progress = engine.progress
        current = progress.current
        state: dict[str, Any] = {
            "elapsed": engine.clock.now() - engine.t0,
            "cluster": engine.cluster,
            "order": list(engine.order),
            "profile": self._profile(engine),
            "s2d": engine.book.s2d,
            "error_id": engine.error_id,
            "error": engine.error,
            "progress": encode(replace(progress, current=None)),
            "nodes": nodes,
            "timing": engine.rec.timing_state(),
        }
        if current is not None:
            same = engine.book.nodes.get(current.name) is current
            state["current"] = current.name if same else encode(current)
        return state

    def _profile(self, engine: EngineState) -> Any:
        """The profile never changes during a run: encode it once."""
        if self._encoded_profile is None:
            self._encoded_profile = encode(engine.profile)
        return self._encoded_profile

    def _actions(self, engine: EngineState) -> list[tuple[str, str | None, str]]:
        """What pycau did to the cluster since the last checkpoint."""
        actions: list[tuple[str, str | None, str]] = []
        for name, new in engine.book.nodes.items():
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

    def restore(self, engine: EngineState, run: JournalRun) -> None:
        """Put the last checkpoint of ``run`` back into a fresh ``engine``."""
        state = run.state
        assert state is not None
        engine.profile = decode_as(Profile, state["profile"])
        engine.book.profile = engine.profile
        engine.book.s2d = bool(state["s2d"])
        engine.cluster = state["cluster"]
        engine.order = tuple(state["order"])
        engine.error_id, engine.error = state["error_id"], state["error"]
        engine.book.nodes = {
            name: decode_as(NodeProgress, data) for name, data in state["nodes"].items()
        }
        progress = decode_as(RunProgress, state["progress"])
        current = state.get("current")
        if isinstance(current, str):
            progress = replace(progress, current=engine.book.nodes[current])
        elif current is not None:
            progress = replace(progress, current=decode_as(NodeProgress, current))
        engine.progress = progress
        # Seconds since run start go on from the checkpoint: the coordinator's downtime is
        # not counted (another process's monotonic clock has another origin).
        engine.t0 = engine.clock.now() - float(state["elapsed"])
        engine.rec.events[:] = [decode_as(RunEvent, e) for e in run.events]
        engine.rec.restore_timing(state["timing"])
        self.step = run.step
        self._sent = len(run.events)
        self._seen = dict(engine.book.nodes)
        self._encoded = {
            name: (node, state["nodes"][name])
            for name, node in engine.book.nodes.items()
            if name in state["nodes"]
        }
        self.started = True
