"""The forecast report: what many seeded runs of one scenario say about its maintenance window.

Owns: ``Forecast`` (the runs of ``runner.rehearsal.forecast`` and how they were made) with
``to_dict`` — the JSON report, shape in ``runner/schemas/rehearse.schema.json`` — and
``histogram_bins``.

The figures, all over the runs in seed order:
- ``duration_seconds``: P50, P95, P99 (nearest rank), min, mean and max of the simulated run
  durations of the runs that ended with a final status;
- ``window``: the share of all runs that ended (any final status) inside the window, and
  the share that ended Succeeded inside it — a run without a final status counts as outside;
- ``outcomes``: runs and share per final status (all four, 0 when none);
- ``nodes``: per node, P50 and P95 of its time out of service;
- ``causes``: per fault type that fired in some run, the runs it fired in, how many of them
  did not end Succeeded, and that share; most non-Succeeded runs first;
- ``histogram``: run durations in bins of a round width (at most ``MAX_BINS`` bins);
- ``results``: every seed with its status, duration, fired faults, violations and — unless
  it Succeeded without a violation — the command that replays it.

Only ``backend``, ``jobs`` and ``wall`` depend on how the runs were made; the rest is the
same for the same scenario, seeds and fault rate on any backend.

Must not: run anything, print, or import ``simulator``.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runner.rehearsal.forecast import RunForecast, replay_args
from runner.rehearsal.sweep import FINAL_STATUSES, percentile

__all__ = ["MAX_BINS", "Forecast", "histogram_bins"]

MAX_BINS = 20
# Bin widths a planner reads at a glance, in minutes.
_WIDTHS_MINUTES = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440)


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """A forecast's runs and how they were made (``replay_target``: the scenario argument
    as given, a file or a bundled NAME)."""

    scenario: str
    replay_target: str
    runs: tuple[RunForecast, ...]
    fault_rate: float
    window_seconds: float | None
    backend: str
    jobs: int
    wall_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The forecast report (``--report``); key order is stable."""
        runs = self.runs
        finished = [r for r in runs if r.finished]
        durations = [r.duration_seconds for r in finished]
        wall = self.wall_seconds
        return {
            "scenario": self.scenario,
            "runs": len(runs),
            "first_seed": runs[0].seed if runs else 0,
            "fault_rate": self.fault_rate,
            "duration_seconds": {
                "p50": percentile(durations, 0.50),
                "p95": percentile(durations, 0.95),
                "p99": percentile(durations, 0.99),
                "min": min(durations, default=0.0),
                "mean": round(sum(durations) / len(durations), 3) if durations else 0.0,
                "max": max(durations, default=0.0),
            },
            "window": self._window(),
            "outcomes": {
                status: {
                    "runs": (n := sum(1 for r in finished if r.status == status)),
                    "share": _share(n, len(runs)),
                }
                for status in FINAL_STATUSES
            },
            "unfinished": [
                {"seed": r.seed, "status": r.status, "error": r.error}
                for r in runs
                if not r.finished
            ],
            "violations": sum(r.violations for r in runs),
            "nodes": self._nodes(),
            "causes": self._causes(),
            "histogram": histogram_bins(durations),
            "results": [self._result(r) for r in runs],
            "backend": self.backend,
            "jobs": self.jobs,
            "wall": {
                "seconds": round(wall, 3),
                "runs_per_second": round(len(runs) / wall, 1) if wall > 0 else 0.0,
            },
        }

    def _window(self) -> dict[str, Any] | None:
        if self.window_seconds is None:
            return None
        limit, runs = self.window_seconds, self.runs
        inside = [r for r in runs if r.finished and r.duration_seconds <= limit]
        succeeded = [r for r in inside if r.status == "Succeeded"]
        return {
            "seconds": limit,
            "finished_inside": _share(len(inside), len(runs)),
            "succeeded_inside": _share(len(succeeded), len(runs)),
        }

    def _nodes(self) -> list[dict[str, Any]]:
        times: dict[str, list[float]] = {}
        for run in self.runs:
            for node, seconds in run.out_of_service:
                times.setdefault(node, []).append(seconds)
        return [
            {
                "name": node,
                "out_of_service_seconds": {
                    "p50": percentile(seconds, 0.50),
                    "p95": percentile(seconds, 0.95),
                },
            }
            for node, seconds in times.items()
        ]

    def _causes(self) -> list[dict[str, Any]]:
        fired: dict[str, int] = {}
        failed: dict[str, int] = {}
        for run in self.runs:
            for kind in run.fired:
                fired[kind] = fired.get(kind, 0) + 1
                if run.status != "Succeeded":
                    failed[kind] = failed.get(kind, 0) + 1
        rows = [
            {
                "fault_type": kind,
                "runs_fired": count,
                "non_succeeded": failed.get(kind, 0),
                "share": _share(failed.get(kind, 0), count),
            }
            for kind, count in fired.items()
        ]
        return sorted(
            rows, key=lambda row: (-row["non_succeeded"], -row["share"], row["fault_type"])
        )

    def _result(self, run: RunForecast) -> dict[str, Any]:
        clean = run.status == "Succeeded" and run.finished and not run.violations
        command = ["pycau", "simulate", self.replay_target, *replay_args(run.seed, self.fault_rate)]
        return {
            "seed": run.seed,
            "status": run.status,
            "error": run.error,
            "duration_seconds": run.duration_seconds,
            "fired": dict(run.fired),
            "violations": run.violations,
            "replay": None if clean else shlex.join(command),
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def histogram_bins(durations: Sequence[float]) -> dict[str, Any]:
    """Durations counted in bins of the narrowest round width that needs at most
    ``MAX_BINS`` bins, from the width's multiple at or below the shortest run."""
    if not durations:
        return {"bin_seconds": 0, "bins": []}
    low, high = min(durations), max(durations)
    width = 60 * _WIDTHS_MINUTES[-1]
    for minutes in _WIDTHS_MINUTES:
        start = math.floor(low / (minutes * 60)) * minutes * 60
        if math.floor((high - start) / (minutes * 60)) + 1 <= MAX_BINS:
            width = minutes * 60
            break
    start = math.floor(low / width) * width
    counts = [0] * (math.floor((high - start) / width) + 1)
    for value in durations:
        counts[math.floor((value - start) / width)] += 1
    return {
        "bin_seconds": width,
        "bins": [
            {"from_seconds": start + i * width, "to_seconds": start + (i + 1) * width, "runs": n}
            for i, n in enumerate(counts)
        ],
    }
