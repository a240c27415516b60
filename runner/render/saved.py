"""Saved report files: which kind of pycau report a file holds, checked against its schema.

Owns: ``KINDS`` (run, sweep, rehearse, test-setup, scan: the JSON ``--report`` writes, and
the schema each is checked against), ``report_kind`` (recognised by its keys: a run report has
``run_id``, ``nodes`` and ``events``; a sweep report ``runs`` and ``seeds``; a rehearse
report ``results``, ``outcomes`` and ``first_seed``; the
``test-setup`` and ``scan`` reports say their ``kind``) and ``load_saved_report`` — read a
file (at most 4 MiB, regular, UTF-8 JSON), recognise it and validate it: anything else is
one ``InputError`` naming the file, the JSON path and what was expected.

Must not: render, print, or read more than the one file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.input_bounds import read_user_file

__all__ = ["KINDS", "load_saved_report", "report_kind"]

# kind → schema file in runner/schemas/
KINDS = {
    "run": "report.schema.json",
    "sweep": "sweep.schema.json",
    "rehearse": "rehearse.schema.json",
    "test-setup": "setup.schema.json",
    "scan": "scan.schema.json",
}


def _not_ours(why: str = "") -> str:
    reason = f" ({why})" if why else ""
    return (
        f"not a pycau report{reason}: expected the JSON that `pycau simulate`, `run`, `resume`, "
        "`sweep`, `rehearse` or `test-setup` write with --report"
    )


def report_kind(report: Any, source: str = "report") -> str:
    """``run``, ``sweep``, ``rehearse``, ``test-setup`` or ``scan``; ``InputError`` for
    anything else."""
    if isinstance(report, Mapping):
        if report.get("kind") in ("test-setup", "scan"):
            return str(report["kind"])
        if {"run_id", "nodes", "events"} <= report.keys():
            return "run"
        if {"results", "outcomes", "first_seed"} <= report.keys():
            return "rehearse"
        if {"runs", "seeds"} <= report.keys():
            return "sweep"
    raise InputError(source, "$", _not_ours())


def load_saved_report(path: str | Path) -> tuple[str, dict[str, Any]]:
    """(kind, report) of a saved report file, valid against its kind's shipped schema."""
    from runner.validation import SchemaValidator, load_schema

    source = str(path)
    data = read_user_file(path)
    try:
        report = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(source, "$", _not_ours("the file is not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(source, "$", _not_ours(f"not JSON: {exc.msg} at {where}")) from None
    kind = report_kind(report, source)
    SchemaValidator(load_schema("runner", KINDS[kind])).validate(report, source)
    return kind, report
