"""A sweep report's JSON turned into what its renderings show.

Owns: ``SweepView`` and ``sweep_view(report)`` — the scenario and seed range, statuses,
duration percentiles, the histogram of simulated run durations (``Bin``s, equal widths,
from ``runs[].duration_seconds`` of the runs that ended with a status), every violation,
and the seeds that were not a clean Succeeded run with the command that replays each.
``pycau rehearse`` reports can reuse ``histogram`` and ``SeedView``.

Must not: read anything but the report dictionary, or produce markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runner.render.spans import as_list, as_map

__all__ = ["Bin", "SeedView", "SweepView", "histogram", "sweep_view"]

_MAX_BINS = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Bin:
    low: float
    high: float
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedView:
    seed: int
    status: str | None
    error: str | None
    duration: float
    violations: int
    faults: tuple[str, ...]  # the swarm's fault types for this seed
    replay: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepView:
    scenario: str
    seeds: int
    first_seed: int
    statuses: tuple[tuple[str, int], ...]
    percentiles: tuple[tuple[str, float], ...]
    bins: tuple[Bin, ...]
    runs: tuple[SeedView, ...]
    flagged: tuple[SeedView, ...]  # not a clean Succeeded run
    violations: tuple[Mapping[str, Any], ...]
    unfinished: tuple[Mapping[str, Any], ...]
    fault_types_fired: tuple[tuple[str, int], ...]


def histogram(values: Sequence[float], max_bins: int = _MAX_BINS) -> tuple[Bin, ...]:
    """Equal-width bins over ``values`` (about √n of them, at most ``max_bins``); the last
    bin includes its upper edge. No values: no bins; one distinct value: one bin."""
    if not values:
        return ()
    low, high = min(values), max(values)
    if high == low:
        return (Bin(low=low, high=high, count=len(values)),)
    count = max(1, min(max_bins, math.ceil(math.sqrt(len(values)))))
    width = (high - low) / count
    counts = [0] * count
    for value in values:
        counts[min(count - 1, int((value - low) / width))] += 1
    return tuple(
        Bin(low=low + i * width, high=low + (i + 1) * width, count=n) for i, n in enumerate(counts)
    )


def _seed(run: Mapping[str, Any]) -> SeedView:
    faults = as_list(run.get("faults"))
    return SeedView(
        seed=int(run.get("seed") or 0),
        status=run.get("status"),
        error=run.get("error"),
        duration=float(run.get("duration_seconds") or 0.0),
        violations=int(run.get("violations") or 0),
        faults=tuple(str(f.get("type")) for f in faults if isinstance(f, Mapping)),
        replay=run.get("replay"),
    )


def _list(report: Mapping[str, Any], key: str) -> tuple[Mapping[str, Any], ...]:
    items = report.get(key)
    return tuple(i for i in items if isinstance(i, Mapping)) if isinstance(items, list) else ()


def sweep_view(report: Mapping[str, Any]) -> SweepView:
    """The view of a sweep report (``runner/schemas/sweep.schema.json``)."""
    runs = tuple(_seed(run) for run in _list(report, "runs"))
    statuses = as_map(report.get("statuses"))
    durations = as_map(report.get("duration_seconds"))
    fired = as_map(report.get("fault_types_fired"))
    return SweepView(
        scenario=str(report.get("scenario")),
        seeds=int(report.get("seeds") or len(runs)),
        first_seed=int(report.get("first_seed") or 0),
        statuses=tuple((str(k), int(v)) for k, v in statuses.items()),
        percentiles=tuple(
            (str(k), float(v))
            for k, v in (durations.items() if isinstance(durations, Mapping) else ())
        ),
        bins=histogram([r.duration for r in runs if r.status is not None]),
        runs=runs,
        flagged=tuple(
            r for r in runs if r.status != "Succeeded" or r.violations or r.replay is not None
        ),
        violations=_list(report, "violations"),
        unfinished=_list(report, "unfinished"),
        fault_types_fired=tuple((str(k), int(v)) for k, v in fired.items()),
    )
