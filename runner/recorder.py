"""The run's recorder: events in order, told to the listener as they happen, and the
per-node phase timing of the last attempt.

Owns: ``Recorder`` — the one mutable log of a run. The engine tells it about CAU events,
phase starts/ends, attempts and node statuses; it stamps them with seconds since run start
(from the time source it was given), keeps them for the report and calls the listener.

Must not: decide anything, read a clock of its own, or swallow listener errors silently (a
listener that raises stops the run, as any bug should).
"""

from __future__ import annotations

from collections.abc import Callable

from runner.report import EVENT_KINDS, RunEvent

__all__ = ["Listener", "Recorder"]

Listener = Callable[[RunEvent], None]


class Recorder:
    """Events and phase timing; ``now`` returns seconds since run start."""

    def __init__(self, now: Callable[[], float], listener: Listener | None = None) -> None:
        self._now = now
        self._listener = listener
        self.events: list[RunEvent] = []
        self._timing: dict[str, dict[str, list[float]]] = {}
        self._open: dict[str, str] = {}
        self._attempt: dict[str, int] = {}  # node → its current attempt (1 = first)

    def emit(
        self,
        kind: str,
        node: str | None = None,
        detail: str = "",
        *,
        event_id: int | None = None,
        phase: str | None = None,
        installed: int | None = None,
    ) -> RunEvent:
        """Record one event now and tell the listener; a node's phase events carry the
        node's current attempt (``new_attempt``)."""
        event = RunEvent(
            time=round(self._now(), 3),
            kind=kind,
            node=node,
            detail=detail,
            event_id=event_id,
            phase=phase,
            attempt=self._attempt.get(node) if phase is not None and node is not None else None,
            installed=installed,
        )
        self.events.append(event)
        if self._listener is not None:
            self._listener(event)
        return event

    @property
    def listening(self) -> bool:
        """Whether a listener takes the events: without one, what only ``notify`` would
        carry (how far a resync is) need not be worked out at all."""
        return self._listener is not None

    def notify(self, kind: str, node: str | None, detail: str, *, percent: int) -> None:
        """Tell the listener something passing (``storage-progress``) without keeping it:
        the report's events stay what the run did, not how often it looked."""
        if self._listener is not None:
            event = RunEvent(
                time=round(self._now(), 3), kind=kind, node=node, detail=detail, percent=percent
            )
            self._listener(event)

    def cau(self, event_id: int, node: str | None = None, detail: str = "") -> RunEvent:
        """A CAU event (reference §4.5) with its kind name."""
        return self.emit(EVENT_KINDS[event_id], node, detail, event_id=event_id)

    def warning(self, detail: str, node: str | None = None) -> RunEvent:
        return self.emit("warning", node, detail)

    def new_attempt(self, node: str, attempt: int) -> None:
        """``node`` starts attempt ``attempt``: its phase events say so from now on, and
        timing keeps only the last attempt (the phases of earlier ones are forgotten)."""
        self._timing[node] = {}
        self._attempt[node] = attempt

    def new_pass(self) -> None:
        """A new pass over the nodes (a feature-update run's follow-up): every node's timing
        and attempt number start afresh."""
        self._timing = {}
        self._open = {}
        self._attempt = {}

    def phase_start(self, node: str, phase: str) -> None:
        """Open ``phase``; a phase entered again in the same attempt (a second install pass)
        keeps its first start and gets the later end."""
        self.phase_end(node)
        now = round(self._now(), 3)
        spans = self._timing.setdefault(node, {})
        if phase in spans:
            spans[phase][1] = now
        else:
            spans[phase] = [now, now]
        self._open[node] = phase
        self.emit("phase-start", node, phase=phase)

    def phase_end(self, node: str, detail: str = "", *, installed: int | None = None) -> None:
        """Close the node's open phase, if any (``installed``: see ``RunEvent``)."""
        phase = self._open.pop(node, None)
        if phase is None:
            return
        self._timing[node][phase][1] = round(self._now(), 3)
        self.emit("phase-end", node, detail, phase=phase, installed=installed)

    def open_phase(self, node: str) -> str | None:
        return self._open.get(node)

    def timing(self, node: str) -> tuple[tuple[str, float, float], ...]:
        spans = self._timing.get(node, {})
        return tuple((phase, span[0], span[1]) for phase, span in spans.items())

    def timing_state(self) -> dict[str, object]:
        """Phase timing and open phases as JSON data (the run journal's checkpoint)."""
        return {"spans": self._timing, "open": self._open}

    def restore_timing(self, state: dict[str, object], attempts: dict[str, int]) -> None:
        """Phase timing from ``timing_state`` and each node's current attempt (from the
        journaled node progress), for a resumed run."""
        spans = state["spans"]
        opened = state["open"]
        assert isinstance(spans, dict)
        assert isinstance(opened, dict)
        self._timing = {n: {p: list(s) for p, s in ph.items()} for n, ph in spans.items()}
        self._open = dict(opened)
        self._attempt = dict(attempts)

    def node_status(self, node: str, status: str) -> None:
        self.phase_end(node)
        self.emit("node-status", node, status)
