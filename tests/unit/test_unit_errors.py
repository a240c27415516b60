"""The one exception tree: every exception class runner and simulator define belongs to
``RunnerError`` (drawn in ``runner/errors.py``) and is rebuilt from its args."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import runner.errors as errors
from runner.errors import RunnerError

ROOT = Path(__file__).resolve().parents[2]
# Control-flow signals that are not errors of pycau: a simulated coordinator's death (nothing
# may catch it, as nothing survives a real crash), the stop of the coordinator on the
# self-updating role's host before that host is paused (runner.rehearsal.roles), the CLI's
# abandon-at-once, and the twin's connection drop and broken NTLM seal (server internals).
NOT_ERRORS = {"CoordinatorCrashed", "RoleMoving", "Abandoned", "DropConnection", "SealBroken"}


def _exception_classes() -> list[tuple[str, str]]:
    found = []
    for package in ("runner", "simulator"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(b) for b in node.bases]
                    if any(b.endswith(("Error", "Exception")) or b in dir(errors) for b in bases):
                        found.append((path.relative_to(ROOT).as_posix(), node.name))
    return found


def test_every_exception_class_is_in_the_one_tree() -> None:
    """No exception class outside runner/errors.py; the tree's module draws every class."""
    outside = [(p, n) for p, n in _exception_classes() if p != "runner/errors.py"]
    assert [(p, n) for p, n in outside if n not in NOT_ERRORS] == []
    drawn = inspect.getdoc(errors) or ""
    for name in errors.__all__:
        assert name in drawn, f"{name} is not drawn in runner/errors.py's docstring"


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_is_a_runner_error_rebuilt_from_its_args(name: str) -> None:
    """``type(e)(*e.args)`` gives the same error (SimPy re-raises copies that way)."""
    cls = getattr(errors, name)
    assert issubclass(cls, RunnerError)
    try:
        parameters = inspect.signature(cls).parameters.values()
        count = sum(1 for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD)
    except ValueError:  # Exception's own constructor: one message
        count = 1
    error = cls(*[f"arg{i}" for i in range(max(count, 1))])
    copy = type(error)(*error.args)
    assert (type(copy), copy.args, str(copy)) == (type(error), error.args, str(error))
