"""Lint over ``features/*.feature`` with gherkin-official: the traps pytest-bdd stays silent on.

Owns: ``lint_feature`` and the tests that every feature file passes it. pytest-bdd
collapses two scenarios of one feature with the same name into one test, reads a step
line outside a Scenario/Background as description text, and only fails on an unregistered
tag when ``--strict-markers`` meets it at collection; this lint names each of those at once.

Must not: import the step definitions or run a scenario (that is ``tests/bdd``'s job).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gherkin.errors import CompositeParserException, ParserError
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted((ROOT / "features").glob("**/*.feature"))
REQUIRED = ("rolling_update", "quorum", "storage_resync", "failures")
# A description line that reads like a step: pytest-bdd would silently ignore it.
STEP_LIKE = re.compile(r"^\s*(Given|When|Then|And|But)\b|^\s*\*\s")


def registered_markers() -> set[str]:
    """Marker names registered in pyproject.toml's [tool.pytest.ini_options]."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = config["tool"]["pytest"]["ini_options"]["markers"]
    return {line.split(":", 1)[0].split("(", 1)[0].strip() for line in lines}


def _blocks(feature: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (kind, node) below a feature: rules, backgrounds, scenarios, examples."""
    for child in feature.get("children", []):
        if "rule" in child:
            yield "rule", child["rule"]
            yield from _blocks(child["rule"])
        for kind in ("background", "scenario"):
            if kind in child:
                yield kind, child[kind]
                for examples in child[kind].get("examples", []):
                    yield "examples", examples


def _scenario_names(container: dict[str, Any]) -> list[str]:
    names = [c["scenario"]["name"] for c in container.get("children", []) if "scenario" in c]
    for child in container.get("children", []):
        if "rule" in child:
            names.extend(_scenario_names(child["rule"]))
    return names


def lint_feature(text: str, where: str, known_tags: set[str]) -> list[str]:
    """Problems of one feature file's text; an empty list means clean."""
    try:
        document = Parser().parse(TokenScanner(text))
    except (CompositeParserException, ParserError) as exc:
        return [f"{where}: does not parse: {exc}"]
    feature = document.get("feature")
    if not feature:
        return [f"{where}: no Feature"]
    problems: list[str] = []
    for name, count in sorted(Counter(_scenario_names(feature)).items()):
        if count > 1:
            problems.append(f"{where}: {count} scenarios are named {name!r} (pytest-bdd keeps one)")
    for kind, block in [("feature", feature), *_blocks(feature)]:
        line = block["location"]["line"]
        for offset, text_line in enumerate(block.get("description", "").splitlines(), start=1):
            if STEP_LIKE.match(text_line):
                problems.append(
                    f"{where}:{line + offset}: step line outside a Scenario/Background "
                    f"(in the {kind} description): {text_line.strip()!r}"
                )
        for tag in block.get("tags", []):
            if tag["name"].removeprefix("@") not in known_tags:
                problems.append(
                    f"{where}:{tag['location']['line']}: tag {tag['name']} is not a marker "
                    "registered in pyproject.toml"
                )
        if kind == "scenario":
            problems.extend(_scenario_problems(block, where))
    return problems


def _scenario_problems(scenario: dict[str, Any], where: str) -> list[str]:
    line, name = scenario["location"]["line"], scenario["name"]
    problems = []
    if not name.strip():
        problems.append(f"{where}:{line}: a scenario without a name")
    if not any(step["keywordType"] == "Outcome" for step in scenario.get("steps", [])):
        problems.append(f"{where}:{line}: scenario {name!r} has no Then step")
    if scenario["keyword"] == "Scenario Outline" and not any(
        ex.get("tableBody") for ex in scenario.get("examples", [])
    ):
        problems.append(f"{where}:{line}: outline {name!r} has no Examples rows")
    return problems


@pytest.mark.parametrize("path", FEATURES, ids=[p.name for p in FEATURES])
def test_feature_file_is_clean(path: Path) -> None:
    """Every feature parses, has unique scenario names, no stray steps, registered tags."""
    assert lint_feature(path.read_text(encoding="utf-8"), path.name, registered_markers()) == []


def test_required_features_exist() -> None:
    """The foundation's four features are present."""
    assert {p.stem for p in FEATURES} >= set(REQUIRED)


GOOD = """\
@rolling
Feature: f
  Scenario: one
    Given a
    Then b
"""


def test_lint_accepts_a_clean_feature() -> None:
    """The lint's baseline: a clean feature has no problem."""
    assert lint_feature(GOOD, "good.feature", {"rolling"}) == []


def test_lint_reports_duplicate_scenario_names() -> None:
    """Two scenarios of one name would collapse into one pytest-bdd test."""
    text = GOOD + "  Scenario: one\n    Given c\n    Then d\n"
    (problem,) = lint_feature(text, "dup.feature", {"rolling"})
    assert "2 scenarios are named 'one'" in problem


def test_lint_reports_step_lines_outside_a_scenario() -> None:
    """A step line in a description is ignored by pytest-bdd, so the lint flags it."""
    text = "Feature: f\n  Given a stray step\n  Scenario: one\n    Given a\n    Then b\n"
    (problem,) = lint_feature(text, "stray.feature", set())
    assert "stray.feature:2: step line outside a Scenario/Background" in problem


def test_lint_reports_step_lines_in_a_rule_description() -> None:
    """A step line right under a Rule is description text too."""
    text = (
        "Feature: f\n  Rule: r\n    Given stray\n    Scenario: one\n      Given a\n      Then b\n"
    )
    (problem,) = lint_feature(text, "rule.feature", set())
    assert problem.startswith("rule.feature:3: step line outside a Scenario/Background")


def test_lint_reports_undefined_tags() -> None:
    """A tag that is not a registered marker is named with its line."""
    (problem,) = lint_feature(GOOD, "tag.feature", {"quorum"})
    assert problem == "tag.feature:1: tag @rolling is not a marker registered in pyproject.toml"


def test_lint_reports_a_parse_error() -> None:
    """Unparseable Gherkin is reported, not raised."""
    text = 'Feature: f\n  Scenario: a\n    Given x\n      """\n      never closed\n'
    (problem,) = lint_feature(text, "bad.feature", set())
    assert problem.startswith("bad.feature: does not parse")


def test_lint_reports_a_scenario_without_then() -> None:
    """A scenario that asserts nothing is flagged."""
    text = "Feature: f\n  Scenario: one\n    Given a\n    When b\n"
    (problem,) = lint_feature(text, "nothen.feature", set())
    assert "has no Then step" in problem


def test_registered_markers_include_the_feature_tags() -> None:
    """The markers the features use are read from pyproject.toml."""
    assert {"rolling", "quorum", "storage", "failures", "profile"} <= registered_markers()
