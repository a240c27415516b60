"""A ``pycau rehearse`` report's JSON turned into what its renderings show.

Owns: ``RehearseView`` and ``rehearse_view(report)`` — the scenario, runs and seed range,
fault rate, the duration figures (P50/P95/P99, min, mean, max), the window and the share of
runs that ended (and ended Succeeded) inside it, the outcome shares, each node's P50/P95 time
out of service, the fault causes, the report's own histogram bins (as sweep ``Bin``s, so
``histogram_svg`` draws them), every run as a ``SeedView`` and the runs that were not a clean
Succeeded run (``flagged``: another status, no final status, or a violation), each with the
command that replays it.

Must not: read anything but the report dictionary, or produce markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.render.spans import as_list, as_map
from runner.render.sweep_model import Bin, SeedView

__all__ = ["NodeOutage", "RehearseView", "Window", "rehearse_view"]

PERCENTILES = ("p50", "p95", "p99", "min", "mean", "max")


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    seconds: float
    finished_inside: float  # share of all runs, 0..1
    succeeded_inside: float


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeOutage:
    name: str
    p50: float
    p95: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RehearseView:
    scenario: str
    runs: int
    first_seed: int
    fault_rate: float
    durations: tuple[tuple[str, float], ...]  # P50, P95, P99, min, mean, max
    window: Window | None
    outcomes: tuple[tuple[str, int, float], ...]  # status, runs, share
    nodes: tuple[NodeOutage, ...]
    causes: tuple[Mapping[str, Any], ...]
    bins: tuple[Bin, ...]
    results: tuple[SeedView, ...]
    flagged: tuple[SeedView, ...]
    unfinished: tuple[Mapping[str, Any], ...]
    violations: int

    @property
    def last_seed(self) -> int:
        return self.first_seed + self.runs - 1

    def figure(self, name: str) -> float:
        """One of ``PERCENTILES`` (0 when the report lacks it)."""
        return dict(self.durations).get(name, 0.0)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _result(run: Mapping[str, Any]) -> SeedView:
    fired = as_map(run.get("fired"))
    return SeedView(
        seed=int(run.get("seed") or 0),
        status=run.get("status"),
        error=run.get("error"),
        duration=_number(run.get("duration_seconds")),
        violations=int(run.get("violations") or 0),
        faults=tuple(str(name) for name in fired),
        replay=run.get("replay"),
    )


def _maps(value: Any) -> tuple[Mapping[str, Any], ...]:
    return tuple(item for item in as_list(value) if isinstance(item, Mapping))


def _window(value: Any) -> Window | None:
    if not isinstance(value, Mapping):
        return None
    return Window(
        seconds=_number(value.get("seconds")),
        finished_inside=_number(value.get("finished_inside")),
        succeeded_inside=_number(value.get("succeeded_inside")),
    )


def rehearse_view(report: Mapping[str, Any]) -> RehearseView:
    """The view of a rehearse report (``runner/schemas/rehearse.schema.json``)."""
    results = tuple(_result(run) for run in _maps(report.get("results")))
    durations = as_map(report.get("duration_seconds"))
    outcomes = as_map(report.get("outcomes"))
    histogram = as_map(report.get("histogram"))
    bins = tuple(
        Bin(low=_number(b.get("from_seconds")), high=_number(b.get("to_seconds")),
            count=int(b.get("runs") or 0))
        for b in _maps(histogram.get("bins"))
    )  # fmt: skip
    nodes = tuple(
        NodeOutage(
            name=str(node.get("name")),
            p50=_number(as_map(node.get("out_of_service_seconds")).get("p50")),
            p95=_number(as_map(node.get("out_of_service_seconds")).get("p95")),
        )
        for node in _maps(report.get("nodes"))
    )
    return RehearseView(
        scenario=str(report.get("scenario")),
        runs=int(report.get("runs") or len(results)),
        first_seed=int(report.get("first_seed") or 0),
        fault_rate=_number(report.get("fault_rate")),
        durations=tuple((k, _number(durations[k])) for k in PERCENTILES if k in durations),
        window=_window(report.get("window")),
        outcomes=tuple(
            (str(k), int(as_map(v).get("runs") or 0), _number(as_map(v).get("share")))
            for k, v in outcomes.items()
        ),
        nodes=nodes,
        causes=_maps(report.get("causes")),
        bins=bins,
        results=results,
        flagged=tuple(r for r in results if r.status != "Succeeded" or r.violations),
        unfinished=_maps(report.get("unfinished")),
        violations=int(report.get("violations") or 0),
    )
