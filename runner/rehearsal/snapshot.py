"""Checking a snapshot's scenario text the way ``pycau simulate`` will read it.

Owns: ``check_scenario_text`` — the YAML text ``pycau snapshot`` is about to write, parsed
and validated by the simulator's scenario loader (schema and the checks a schema cannot
make), so a snapshot file is written only when ``pycau simulate`` will run it.

Must not: write files, or import ``simulator`` at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from runner.errors import InputError

if TYPE_CHECKING:
    from simulator.model import Scenario

__all__ = ["check_scenario_text"]


def check_scenario_text(text: str, source: str) -> Scenario:
    """The scenario ``text`` describes; ``InputError`` naming ``source`` when it is none."""
    from simulator.scenario import parse_scenario

    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(source, "$", f"not YAML: {exc}") from exc
    return parse_scenario(mapping, source)
