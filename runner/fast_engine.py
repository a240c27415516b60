"""The engine of the fast policy: the rolling engine's API and run, several nodes in flight.

Owns: ``FastEngine`` — an ``runner.engine.Engine`` whose turn decides with
``runner.fast_decisions.decide_fast``: the nodes of a wave go out together, each along the
classic per-node lifecycle (the same step rules, guards, events and timing), and the next
wave begins when this one is done. At the start it reads the cluster's capacity facts
(``ClusterTransport.read_capacity_facts``), plans the waves with ``runner.capacity``
(event ``wave-plan``, the report's ``waves.planned``); each wave is sized again when it
begins, on the view and facts of that moment (``wave-started`` 1050, ``wave-finished``
1051); while a wave runs the next nodes may begin ahead of theirs (``staged-ahead`` 1052:
scan and staged install, never a drain). The report's ``waves`` section lists the plan and
the waves run.

Theory of operation: the classic acts (``runner.acts``) act on ``progress.current``; this
engine puts the node an action is for there for the act only, so every act, its error
handling and its bookkeeping are the classic ones. ``WaitAll`` lets the shortest wait of the
nodes in flight pass, then polls each node's work and observes once.

Must not: decide anything itself (``decide_fast`` and ``runner.capacity`` do), import the
simulator, or sleep except through the injected clock.
"""

from __future__ import annotations

from typing import Any

from runner.actions import CancelRun, Poll
from runner.capacity import plan_waves
from runner.capacity_types import CapacityFacts
from runner.engine import Engine
from runner.errors import AuthenticationFailed, TransportError
from runner.evolve import evolve
from runner.fast_actions import BeginWave, StageAhead, WaitAll
from runner.fast_decisions import decide_fast
from runner.progress import WaveProgress
from runner.run_control import disrupted

__all__ = ["STAGED_AHEAD", "WAVE_FINISHED", "WAVE_STARTED", "FastEngine", "describe_waves"]

WAVE_STARTED = 1050  # pycau's own event ids (CAU's end at 1023)
WAVE_FINISHED = 1051
STAGED_AHEAD = 1052


def describe_waves(waves: tuple[tuple[str, ...], ...]) -> str:
    """``wave 1: node1, node2; wave 2: node3`` — the plan in one line."""
    return "; ".join(f"wave {i}: {', '.join(nodes)}" for i, nodes in enumerate(waves, start=1))


class FastEngine(Engine):
    """One run of the fast policy (see module docstring). Not thread-safe."""

    facts: CapacityFacts | None = None
    _facts_wave = -1  # the wave count when the facts were read
    # No wait inside a restart act: it would hold every other node of the wave (28 nodes'
    # restarts 30 s apart); the restarted node's REBOOT step waits within ``WaitAll``.
    restart_settle_seconds = 0.0

    def start(self) -> None:
        """The classic preflight, then the plan of the waves (event ``wave-plan``)."""
        super().start()
        if self.done or self.view is None:
            return
        facts = self._capacity_facts()
        planned = tuple(w.nodes for w in plan_waves(self.view, self.profile, facts, self.order))
        self.progress = evolve(self.progress, planned_waves=planned)
        limit = self.profile.max_nodes_out
        self.rec.emit("wave-plan", None, f"max_nodes_out {limit}: {describe_waves(planned)}")
        self.link.checkpoint(lambda: self.state, self.rec.events)

    def _capacity_facts(self) -> CapacityFacts:
        """The capacity facts, read again when a new wave is sized (``CapacityFacts()``,
        memory unknown, when the cluster does not answer: waves of one node)."""
        if self.facts is None or self._facts_wave != len(self.progress.waves):
            try:
                self.facts = self.transport.read_capacity_facts()
            except AuthenticationFailed:
                raise
            except TransportError as exc:
                self.rec.warning(f"capacity facts not read ({exc}): one node out at a time")
                self.facts = CapacityFacts()
            self._facts_wave = len(self.progress.waves)
            self.progress = evolve(self.progress, fault_domains=self.facts.domains())
        return self.facts

    def _decide(self) -> Any:
        assert self.view is not None
        flying = any(not self.book.nodes[n].terminal for n in self.progress.in_flight)
        facts = self.facts or CapacityFacts()
        if not flying and self.progress.remaining:
            facts = self._capacity_facts()
        return decide_fast(self.view, self.progress, self.step_profile, self.book.nodes, facts)

    def _act(self, action: Any) -> None:
        if isinstance(action, BeginWave):
            return self._begin_wave(action)
        if isinstance(action, WaitAll):
            return self._wait_all(action)
        if isinstance(action, StageAhead):
            return self._stage_ahead(action)
        name = action.handle.node if isinstance(action, Poll) else getattr(action, "node", None)
        if name is None or name not in (*self.progress.in_flight, *self.progress.staged):
            super()._act(action)  # a run-level act
            if isinstance(action, CancelRun):  # the nodes in flight end as StopAfter's do
                self.progress = evolve(self.progress, stopping=True)
            return None
        self.progress = evolve(self.progress, current=self.book.nodes[name])
        try:
            super()._act(action)
        finally:
            self.progress = evolve(self.progress, current=None)
            served = evolve(self.book.nodes[name], polled_at=self._elapsed())
            self.book.nodes[name] = served  # the fairness of ``decide_fast``
            self._ahead_done(name)
            self._end_wave_if_done()
        return None

    def _stage_ahead(self, action: StageAhead) -> None:
        self.progress = evolve(self.progress, staged=(*self.progress.staged, action.node))
        detail = "begins ahead of its wave: scan and staged install, no drain before its wave"
        self.rec.emit("staged-ahead", action.node, detail, event_id=STAGED_AHEAD)

    def _ahead_done(self, name: str) -> None:
        """A node staged ahead that ended (nothing to install, stopped, or failed for good)
        leaves the line: no wave will take it out. Stopped with a staged install, it still
        owes its restart: a warning says so."""
        node = self.book.nodes[name]
        if node.terminal and node.restart_pending and not node.restarts:
            detail = "staged update(s) installed; its restart is owed (never drained): run again"
            self.rec.warning(detail, name)
        if name in self.progress.staged and node.terminal:
            self.progress = evolve(
                self.progress,
                staged=tuple(n for n in self.progress.staged if n != name),
                remaining=tuple(n for n in self.progress.remaining if n != name),
            )

    def _begin_wave(self, action: BeginWave) -> None:
        taken = set(action.nodes)
        remaining = tuple(n for n in self.progress.remaining if n not in taken)
        number = len(self.progress.waves) + 1
        wave = WaveProgress(
            number=number,
            nodes=action.nodes,
            limited_by=action.limited_by,
            started_at=self._elapsed(),
        )
        self.progress = evolve(
            self.progress,
            remaining=remaining,
            in_flight=action.nodes,
            staged=tuple(n for n in self.progress.staged if n not in taken),
            waves=(*self.progress.waves, wave),
        )
        why = f" (limited by {action.limited_by})" if action.limited_by else ""
        detail = f"wave {number}: {', '.join(action.nodes)}{why}"
        self.rec.emit("wave-started", None, detail, event_id=WAVE_STARTED)

    def _end_wave_if_done(self) -> None:
        flying = self.progress.in_flight
        if not flying or any(not self.book.nodes[n].terminal for n in flying):
            return
        wave = evolve(self.progress.waves[-1], finished_at=self._elapsed())
        self.progress = evolve(self.progress, in_flight=(), waves=(*self.progress.waves[:-1], wave))
        statuses = ", ".join(f"{n} {self.book.nodes[n].step.value}" for n in wave.nodes)
        self.rec.emit(
            "wave-finished", None, f"wave {wave.number}: {statuses}", event_id=WAVE_FINISHED
        )

    def _wait_all(self, action: WaitAll) -> None:
        self.clock.sleep(action.seconds)
        look = action.observe
        for poll in action.polls:
            name = poll.handle.node
            try:
                work = self.transport.poll_work(poll.handle)
            except AuthenticationFailed:
                raise
            except TransportError:
                look = True  # no news: observing marks the run blind while it lasts
                continue
            polled = evolve(self.book.nodes[name], work=work, polled_at=self._elapsed())
            self.book.nodes[name] = polled
        if look:
            self._observe()

    def _stop_if_asked(self) -> None:
        """The classic stop (``RunControl``) with the wave in flight: while any node of it
        is disrupted the nodes of the wave finish their update first."""
        flying = [self.book.nodes[n] for n in self.progress.in_flight]
        busy = [n for n in flying if not n.terminal and disrupted(n)]
        self.progress = evolve(self.progress, current=busy[0] if busy else None)
        try:
            super()._stop_if_asked()
        finally:
            self.progress = evolve(self.progress, current=None)

    def waves_section(self) -> dict[str, Any] | None:
        """The report's ``waves``: the plan made at the start and the waves run."""
        run = [
            {
                "wave": w.number,
                "nodes": list(w.nodes),
                "limited_by": w.limited_by,
                "started": round(w.started_at, 3),
                "finished": None if w.finished_at is None else round(w.finished_at, 3),
            }
            for w in self.progress.waves
        ]
        return {
            "max_nodes_out": self.profile.max_nodes_out,
            "planned": [list(nodes) for nodes in self.progress.planned_waves],
            "run": run,
        }
