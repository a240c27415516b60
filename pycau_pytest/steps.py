"""pycau's step definitions and fixtures for users' features (registered by ``pycau_pytest``).

Owns: the documented steps (README, "pytest plugin") over three fixtures — ``scenario_doc``
(the scenario as a mapping in the scenario-file format, which Given-steps edit),
``scenario_source`` (its file, for error messages) and ``report`` (the rehearsed run's JSON
report with its ``simulation`` section):

- ``Given the scenario "PATH"`` — a scenario file relative to the feature file, or the name
  of a bundled scenario (``pycau scenarios``);
- ``Given the profile option "NAME" is "VALUE"`` — VALUE read as YAML (``3``, ``true``,
  ``fast``);
- ``Given the fault "TYPE" on node "NODE"`` — the fault's other fields at their defaults
  (a required ``at_minute`` 0, ``minutes`` 10, ``script`` pre, ``at_step`` 1);
- ``When the updating run is rehearsed`` — ``pycau simulate`` of the scenario;
- ``Then the run status is "STATUS"``, ``Then node "NODE" is "STATUS"``, ``Then every
  invariant holds``, ``Then the run takes at most N minutes``.

A failing Then-step's message starts with the step's own text, so pytest's output names it.

Must not: import ``simulator`` or ``runner.rehearsal`` at load time (pytest's startup pays
for this module); they are imported when a step runs.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

__all__ = ["pytest_bdd_before_scenario"]

Doc = dict[str, Any]
_FEATURE = pytest.StashKey[str]()
# Values for a fault's required fields other than type and node ("at their defaults").
_FAULT_DEFAULTS: dict[str, Any] = {"at_minute": 0, "minutes": 10, "script": "pre", "at_step": 1}


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any) -> None:
    """Remember the feature file of the scenario about to run (relative scenario paths)."""
    request.node.stash[_FEATURE] = str(feature.filename)


@pytest.fixture
def scenario_source() -> dict[str, str]:
    """Where the scenario came from, for error messages."""
    return {"source": "<inline scenario>"}


@given(parsers.parse('the scenario "{path}"'), target_fixture="scenario_doc")
def the_scenario(request: pytest.FixtureRequest, scenario_source: dict[str, str], path: str) -> Doc:
    """A scenario file next to the feature (relative path), or a bundled scenario's name."""
    feature = request.node.stash.get(_FEATURE, None)
    base = Path(feature).parent if feature else Path.cwd()
    candidate = base / path
    if not candidate.is_file():
        from simulator.bundled import bundled_path

        bundled = bundled_path(path)
        if bundled is None:
            raise AssertionError(
                f'Given the scenario "{path}": no file {candidate} and no bundled scenario '
                f"of that name (pycau scenarios lists them)"
            )
        candidate = bundled
    doc = yaml.safe_load(candidate.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f'Given the scenario "{path}": {candidate} is not a mapping'
    scenario_source["source"] = str(candidate)
    return doc


@given(parsers.parse('the profile option "{name}" is "{value}"'))
def profile_option(scenario_doc: Doc, name: str, value: str) -> None:
    """One profile option of the scenario's ``profile:`` block (VALUE read as YAML)."""
    scenario_doc.setdefault("profile", {})[name] = yaml.safe_load(value)


@given(parsers.parse('the fault "{kind}" on node "{node}"'))
def fault_on_node(scenario_doc: Doc, kind: str, node: str) -> None:
    """A fault of type ``kind`` on ``node``; its other required fields at their defaults."""
    fault: dict[str, Any] = {"type": kind, "node": node}
    for field in _required_fault_fields(kind):
        if field not in fault and field in _FAULT_DEFAULTS:
            fault[field] = _FAULT_DEFAULTS[field]
    scenario_doc.setdefault("faults", []).append(fault)


def _required_fault_fields(kind: str) -> list[str]:
    """The fields the scenario schema requires of a fault of type ``kind`` (none if unknown:
    the scenario's validation then names the unknown type)."""
    text = resources.files("simulator").joinpath("schemas/scenario.schema.json").read_text()
    definition = json.loads(text)["$defs"].get(kind.replace("-", "_"), {})
    return [str(f) for f in definition.get("required", [])]


@when("the updating run is rehearsed", target_fixture="report")
def rehearsed(scenario_doc: Doc, scenario_source: dict[str, str]) -> dict[str, Any]:
    """Rehearse the scenario in the simulator, as ``pycau simulate`` does (its own seed)."""
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(copy.deepcopy(scenario_doc), source=scenario_source["source"])
    report: dict[str, Any] = rehearse(scenario).to_dict()
    return report


@then(parsers.parse('the run status is "{status}"'))
def run_status(report: dict[str, Any], status: str) -> None:
    """The run's SummaryStatus."""
    assert report["status"] == status, (
        f'Then the run status is "{status}": the run ended {report["status"]} '
        f"({report.get('error_id')}: {report.get('error')})"
    )


@then(parsers.parse('node "{node}" is "{status}"'))
def node_status(report: dict[str, Any], node: str, status: str) -> None:
    """One node's SummaryStatus."""
    found = {n["name"]: n["status"] for n in report["nodes"]}
    assert node in found, f'Then node "{node}" is "{status}": no such node in {sorted(found)}'
    assert found[node] == status, f'Then node "{node}" is "{status}": it is {found[node]}'


@then("every invariant holds")
def every_invariant_holds(report: dict[str, Any]) -> None:
    """The oracle judged the run — each of its ten invariants among them — and found no
    invariant violated."""
    from simulator.oracle import INVARIANTS  # not at pytest's startup

    verdicts = report["simulation"]["invariants"]
    broken = {name: v["violations"] for name, v in verdicts.items() if not v["holds"]}
    missing = [name for name in INVARIANTS if name not in verdicts]
    assert not missing, f"Then every invariant holds: the oracle did not judge {missing}"
    assert not broken, f"Then every invariant holds: violated {broken}"


@then(parsers.parse("the run takes at most {minutes:d} minutes"))
def takes_at_most(report: dict[str, Any], minutes: int) -> None:
    """The run's simulated duration."""
    taken = report["duration_seconds"] / 60.0
    assert taken <= minutes, (
        f"Then the run takes at most {minutes} minutes: it took {taken:.1f} minutes"
    )
