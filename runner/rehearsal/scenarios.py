"""The scenarios a rehearsal runs: found by path or bundled NAME, loaded, and judged.

Owns, for the command line: ``load`` (a SCENARIO argument — a file, a bundled NAME, or none
for the default — to a validated scenario; an unreadable file is ``InputError``),
``bundled`` (the scenarios pycau ships, with their one-line descriptions), ``mismatches``
(how a rehearsal's report differs from the scenario's ``expect``; empty = it holds) and
``swarm_types`` (the fault types a sweep's swarm can generate).

Must not: print, or import ``simulator`` at module level (the CLI reaches the simulator only
through this package).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from runner.errors import InputError
from runner.rehearsal.results import Rehearsal

if TYPE_CHECKING:
    from simulator.bundled import BundledScenario
    from simulator.model import Scenario

__all__ = ["DEFAULT", "bundled", "load", "mismatches", "resolve", "swarm_types"]

DEFAULT = "four-node-rolling"  # the bundled scenario `pycau simulate` runs without one


def resolve(argument: str | None) -> Path:
    """The file of a SCENARIO argument: an existing path wins over a bundled NAME; no
    argument is the bundled default (``simulator.bundled.resolve_scenario``)."""
    from simulator.bundled import resolve_scenario

    return resolve_scenario(argument)


def load(argument: str | Path | None) -> Scenario:
    """The validated scenario a SCENARIO argument names (``InputError`` on bad input)."""
    from simulator.scenario import load_scenario

    path = argument if isinstance(argument, Path) else resolve(argument)
    try:
        return load_scenario(path)
    except OSError as exc:
        raise InputError(str(path), "", exc.strerror or str(exc)) from exc


def bundled() -> tuple[BundledScenario, ...]:
    """The bundled scenarios, in name order."""
    from simulator.bundled import bundled_scenarios

    return bundled_scenarios()


def mismatches(scenario: Scenario, rehearsal: Rehearsal) -> list[str]:
    """Sentences saying how ``rehearsal`` misses ``scenario``'s ``expect``; empty = holds."""
    from simulator.expect import check_expectation

    return check_expectation(scenario.expect, rehearsal.to_dict())


def swarm_types() -> tuple[str, ...]:
    """The fault types a sweep's swarm can generate."""
    from simulator.swarm import swarm_types as types

    return types()
