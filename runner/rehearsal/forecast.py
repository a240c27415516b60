"""Monte-Carlo forecasts: many seeded runs of one scenario, for planning a maintenance window.

Owns: ``ForecastJob`` (what a worker receives: the scenario as data and the fault rate),
``RunForecast`` (what one seed's run left: status, duration, each node's time out of
service, the fault types that fired, violations, or the error it raised),
``forecast_seed`` (one seed, as a worker runs it), ``run_forecast`` (N seeds on a pool of
``runner.rehearsal.backends``), ``parse_window`` (``6h``, ``90m``, ``1h30m``) and
``replay_args`` and ``fault_replay`` (the ``pycau simulate`` options that replay one seed,
and the scenario they replay).

Theory of operation: seed S of a forecast is ``pycau simulate SCENARIO --seed S`` — the seed
draws every duration and rate the scenario gives as a distribution
(``simulator.variability``) — plus, with a fault rate, ``simulator.swarm.rate_scenario``'s
faults for S added to the scenario's own. Each worker parses the scenario text once, runs
its seeds and sends back only small ``RunForecast`` values, in seed order whatever the
backend, so local processes and Dask give the same forecast. A node's time out of service
is the oracle's ground truth: from the runner's suspend (or restart) of the node until it
is resumed and up again, summed over the run (a node never taken out: 0).
``runner.rehearsal.forecast_report`` summarizes the runs.

Must not: print, parse options, or import ``simulator`` at module level (lazily only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from runner.rehearsal.backends import Pool
from runner.rehearsal.compose import rehearse
from runner.rehearsal.sweep import FINAL_STATUSES, ScenarioSource

if TYPE_CHECKING:
    from simulator.model import Scenario

__all__ = [
    "ForecastJob",
    "RunForecast",
    "fault_replay",
    "forecast_seed",
    "parse_window",
    "replay_args",
    "run_forecast",
]

_WINDOW = re.compile(r"^(?:(?P<hours>\d{1,4})h)?(?:(?P<minutes>\d{1,6})m)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastJob:
    """What every worker receives: the scenario as data, and faults per run (0: none)."""

    source: ScenarioSource
    fault_rate: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RunForecast:
    """One seed's run: its final status (``None`` with ``error`` when it raised), simulated
    duration, each node's seconds out of service, fired fault types and violations."""

    seed: int
    status: str | None = None
    duration_seconds: float = 0.0
    out_of_service: tuple[tuple[str, float], ...] = ()
    fired: Mapping[str, int] = field(default_factory=dict)
    violations: int = 0
    error: str | None = None

    @property
    def finished(self) -> bool:
        """A final status and no exception."""
        return self.error is None and self.status in FINAL_STATUSES


def forecast_seed(job: ForecastJob, seed: int) -> RunForecast:
    """Seed ``seed`` of ``job`` (module docstring); a run that raises is an outcome too."""
    from simulator.swarm import rate_scenario

    scenario = job.source.load()
    try:
        if job.fault_rate > 0:
            scenario = rate_scenario(scenario, seed, job.fault_rate)
        rehearsal = rehearse(scenario, seed)
    except Exception as exc:  # a forecast records a crashing run; it does not stop
        return RunForecast(seed=seed, error=f"{type(exc).__name__}: {exc}")
    world = rehearsal.world
    oracle, now = world.oracle, float(world.env.now)
    out = dict.fromkeys(scenario.cluster.node_names, 0.0)
    spans = [*oracle.out_intervals, *((n, s, now) for n, s in oracle.out_since.items())]
    for node, start, end in spans:
        out[node] += end - start
    simulation = rehearsal.simulation
    return RunForecast(
        seed=seed,
        status=rehearsal.status,
        duration_seconds=round(rehearsal.report.duration_seconds, 3),
        out_of_service=tuple((node, round(seconds, 3)) for node, seconds in out.items()),
        fired=dict(sorted((simulation.counters.get("faults_fired") or {}).items())),
        violations=sum(len(v.violations) for v in simulation.invariants.values()),
    )


def run_forecast(
    job: ForecastJob,
    seeds: Sequence[int],
    pool: Pool,
    progress: Callable[[int], None] | None = None,
) -> list[RunForecast]:
    """The runs of ``seeds`` in seed order, on ``pool``."""
    return pool.map(forecast_seed, job, seeds, progress)


def parse_window(text: str) -> float:
    """Seconds of a window written as hours and/or minutes (``6h``, ``90m``, ``1h30m``);
    ``ValueError`` with one sentence otherwise."""
    match = _WINDOW.match(text.strip().lower())
    if not text.strip() or match is None:
        raise ValueError(
            f"{text!r} is not a window; expected hours and/or minutes such as 6h, 90m or 1h30m"
        )
    seconds = int(match["hours"] or 0) * 3600 + int(match["minutes"] or 0) * 60
    if seconds <= 0:
        raise ValueError(f"{text!r} is an empty window; expected more than 0 minutes")
    return float(seconds)


def replay_args(seed: int, fault_rate: float) -> list[str]:
    """The ``pycau simulate`` options that replay seed ``seed`` of a forecast."""
    return ["--seed", str(seed), *(["--faults", f"{fault_rate:g}"] if fault_rate > 0 else [])]


def fault_replay(scenario: Scenario, seed: int, fault_rate: float) -> Scenario:
    """``scenario`` as seed ``seed`` of a forecast at ``fault_rate`` ran it, expecting only
    what a forecast checks: every invariant holds, any final status."""
    from simulator.model import Expect
    from simulator.swarm import rate_scenario

    return replace(rate_scenario(scenario, seed, fault_rate), expect=Expect(status=None))
