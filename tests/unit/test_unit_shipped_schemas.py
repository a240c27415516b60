"""The shipped JSON Schemas are checked here, once, instead of on every start of pycau."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from runner import validation
from runner.validation import SchemaValidator, load_schema, profile_validator
from simulator.scenario import scenario_validator

SHIPPED = sorted(
    (package, entry.name)
    for package in ("runner", "simulator")
    for entry in resources.files(package).joinpath("schemas").iterdir()
    if entry.name.endswith(".json")
)


def test_every_schema_directory_is_seen() -> None:
    """The check below covers the profile, report, sweep, rehearse and scenario schemas."""
    names = {name for _, name in SHIPPED}
    assert {
        "profile.schema.json",
        "report.schema.json",
        "sweep.schema.json",
        "rehearse.schema.json",
        "scenario.schema.json",
    } <= names


@pytest.mark.parametrize(("package", "filename"), SHIPPED)
def test_shipped_schema_is_a_valid_draft_2020_12_schema(package: str, filename: str) -> None:
    """Each shipped schema passes the 2020-12 metaschema (its author's check)."""
    Draft202012Validator.check_schema(load_schema(package, filename))


def test_compiling_a_validator_does_not_check_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """SchemaValidator compiles without a metaschema check (that is the test above)."""
    calls: list[Any] = []
    monkeypatch.setattr(
        validation.Draft202012Validator, "check_schema", classmethod(lambda cls, s: calls.append(s))
    )
    SchemaValidator(load_schema("runner", "profile.schema.json"))
    assert calls == []


def test_the_validators_are_built_once() -> None:
    """The profile and scenario validators are compiled once per process and reused."""
    assert profile_validator() is profile_validator()
    assert scenario_validator() is scenario_validator()
