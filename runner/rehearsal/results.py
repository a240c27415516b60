"""What a rehearsal returns, typed: the runner's report, the simulation section, the world.

Owns: ``Rehearsal`` (one simulated run: its scenario and seed, the engine's ``RunReport``,
the ``Simulation`` section the simulator and oracle add, and the world itself for tests that
read its ground-truth timeline), ``Simulation`` and ``InvariantOutcome`` (whether one
invariant held), and their JSON form — the same bytes the report always had:
``Rehearsal.to_dict()`` is the report JSON with ``simulation`` last, keys in the schema's
order.

Must not: run anything or import the simulator (the world is carried as an opaque value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.report import RunReport

__all__ = ["InvariantOutcome", "Rehearsal", "Simulation", "Violation", "Wall"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    time: float
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InvariantOutcome:
    """One invariant of the oracle: whether it held, and each violation with its time;
    ``not_applicable`` says why an invariant does not apply to this run (the offline
    update waives some rolling ones), ``None`` when it does; ``consented``: what the
    profile consented to (a forced drain's stopped VMs under ``workload-availability``),
    listed only when there is some."""

    holds: bool
    violations: tuple[Violation, ...] = ()
    not_applicable: str | None = None
    consented: tuple[Violation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"holds": self.holds}
        if self.not_applicable is not None:
            out["not_applicable"] = self.not_applicable
        out["violations"] = [{"time": v.time, "detail": v.detail} for v in self.violations]
        if self.consented:
            out["consented"] = [{"time": v.time, "detail": v.detail} for v in self.consented]
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Wall:
    """Wall-clock figures of the rehearsal: the only part of a report a second run changes."""

    seconds: float
    events_per_second: float
    peak_memory_mb: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Simulation:
    """The report's ``simulation`` section (see ``runner/schemas/report.schema.json``)."""

    scenario: str
    seed: int
    invariants: Mapping[str, InvariantOutcome]
    fault_losses: tuple[Mapping[str, Any], ...] = ()
    credssp: Mapping[str, Any] | None = None
    lower_bound_seconds: float = 0.0
    counters: Mapping[str, Any] = field(default_factory=dict)
    wall: Wall | None = None

    @classmethod
    def from_world(cls, section: Mapping[str, Any], wall: Wall | None = None) -> Simulation:
        """From the simulator's ``world.finish`` section."""
        invariants = {
            name: InvariantOutcome(
                holds=bool(v["holds"]),
                not_applicable=v.get("not_applicable"),
                violations=tuple(
                    Violation(time=x["time"], detail=x["detail"]) for x in v["violations"]
                ),
                consented=tuple(
                    Violation(time=x["time"], detail=x["detail"]) for x in v.get("consented", ())
                ),
            )
            for name, v in section["invariants"].items()
        }
        return cls(
            scenario=section["scenario"],
            seed=section["seed"],
            invariants=invariants,
            fault_losses=tuple(section.get("fault_losses", ())),
            credssp=section.get("credssp"),
            lower_bound_seconds=section["lower_bound_seconds"],
            counters=section["counters"],
            wall=wall,
        )

    @property
    def all_hold(self) -> bool:
        return all(v.holds for v in self.invariants.values())

    def violated(self) -> list[str]:
        return [name for name, v in self.invariants.items() if not v.holds]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "invariants": {name: v.to_dict() for name, v in self.invariants.items()},
            "fault_losses": [dict(loss) for loss in self.fault_losses],
        }
        if self.credssp is not None:
            out["credssp"] = dict(self.credssp)
        out["lower_bound_seconds"] = self.lower_bound_seconds
        out["counters"] = dict(self.counters)
        if self.wall is not None:
            out["wall"] = {
                "seconds": self.wall.seconds,
                "events_per_second": self.wall.events_per_second,
                "peak_memory_mb": self.wall.peak_memory_mb,
            }
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Rehearsal:
    """One simulated run (see module docstring); ``world`` is the ``SimulatedCluster``."""

    scenario: Any
    seed: int
    report: RunReport
    simulation: Simulation
    world: Any = field(repr=False, compare=False)

    @property
    def status(self) -> str:
        return self.report.status.value

    def to_dict(self) -> dict[str, Any]:
        """The full report JSON (``--report``), byte for byte as it always was."""
        return {**self.report.to_dict(), "simulation": self.simulation.to_dict()}
