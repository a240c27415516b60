"""Fixtures of the CLI tests: a click runner, the report validator and scenario files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from runner.cli.output import load_report_schema
from runner.rehearsal.compose import default_scenario_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_runner() -> CliRunner:
    """A click test runner (stdout is not a terminal, so progress prints plain lines)."""
    return CliRunner()


@pytest.fixture(scope="session")
def report_validator() -> Draft202012Validator:
    """The shipped report schema, checked once."""
    schema = load_report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture
def assert_valid_report(
    report_validator: Draft202012Validator,
) -> Callable[[Path], dict[str, Any]]:
    """Load a report file, assert it matches the schema, return it."""

    def check(path: Path) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        errors = [
            f"{error.json_path}: {error.message}" for error in report_validator.iter_errors(report)
        ]
        assert errors == [], "report does not match report.schema.json:\n" + "\n".join(errors)
        return report

    return check


@pytest.fixture
def default_scenario() -> dict[str, Any]:
    """The bundled default scenario as a mutable mapping."""
    data: dict[str, Any] = yaml.safe_load(default_scenario_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a scenario mapping to a YAML file under tmp_path and return its path."""

    def write(data: dict[str, Any], name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write
