"""Timeline pieces: phase bars, marks and rows, built from a report's events.

Owns: ``Bar`` (one phase of one attempt, ``[start, end]`` seconds since run start; ``open``
when the report has its ``phase-start`` but no ``phase-end``: the run ended inside it),
``Mark`` (a failure, restart, retry or warning at an instant, from an event), ``Row`` and
``phase_rows`` (pair ``phase-start``/``phase-end`` events into bars, per row key).

Must not: know which phases exist (any phase name is carried through) or produce markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FAILURE_KINDS", "Bar", "Mark", "Row", "as_list", "as_map", "phase_rows"]

# Events that mark a failure on a node's row: CAU's 1012, 1013, 1016, 1017 and the kinds the
# engine gives them (an event id may be absent, the kind is always there).
FAILURE_KINDS = frozenset(
    ("node-restart-failed", "node-failed", "enter-maintenance-failed", "resume-failed")
)
_FAILURE_IDS = frozenset((1012, 1013, 1016, 1017))


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else empty (a report's optional or odd field)."""
    return value if isinstance(value, list) else []


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else empty."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    phase: str
    start: float
    end: float
    attempt: int | None
    open: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    time: float
    kind: str  # failure | restart | retry | warning
    text: str

    @classmethod
    def of_event(cls, event: Mapping[str, Any]) -> Mark | None:
        """The mark an event puts on its row, if any."""
        kind, detail = str(event.get("kind")), str(event.get("detail") or "")
        time = float(event.get("time") or 0.0)
        label = f"{kind}: {detail}" if detail else kind
        if kind in FAILURE_KINDS or event.get("event_id") in _FAILURE_IDS:
            return cls(time=time, kind="failure", text=label)
        if kind == "node-restarting" or event.get("event_id") == 1010:
            return cls(time=time, kind="restart", text=label)
        if kind == "warning":
            return cls(time=time, kind="warning", text=label)
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    name: str
    status: str | None
    bars: tuple[Bar, ...]
    marks: tuple[Mark, ...]


def phase_rows(
    events: Sequence[Mapping[str, Any]],
    *,
    key: Callable[[Mapping[str, Any]], str],
    end: float,
) -> list[Row]:
    """Rows of bars from phase events, one row per ``key(event)`` in first-seen order.

    A ``phase-end`` closes the open ``phase-start`` of the same phase and attempt; a start
    never closed becomes an ``open`` bar ending at ``end``."""
    bars: dict[str, list[Bar]] = {}
    started: dict[tuple[str, str, int | None], float] = {}
    for event in events:
        row, phase = key(event), str(event.get("phase"))
        attempt = event.get("attempt") if isinstance(event.get("attempt"), int) else None
        time = float(event.get("time") or 0.0)
        bars.setdefault(row, [])
        if event.get("kind") == "phase-start":
            started[(row, phase, attempt)] = time
        elif event.get("kind") == "phase-end" and (row, phase, attempt) in started:
            begin = started.pop((row, phase, attempt))
            bars[row].append(Bar(phase=phase, start=begin, end=time, attempt=attempt, open=False))
    for (row, phase, attempt), begin in started.items():
        bars[row].append(Bar(phase=phase, start=begin, end=end, attempt=attempt, open=True))
    return [
        Row(name=name, status=None, bars=tuple(sorted(found, key=lambda b: b.start)), marks=())
        for name, found in bars.items()
        if found
    ]
