"""Lint gates run by the test suite, so the README's test command also runs ruff and mypy.

Each tool runs from the same environment as pytest (``sys.executable -m …``) at the repo
root with the configuration in ``pyproject.toml``; the test fails with the tool's output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("ruff", "check", "--no-fix", "."), id="ruff-check"),
        pytest.param(("ruff", "format", "--check", "."), id="ruff-format"),
        pytest.param(("mypy",), id="mypy-strict"),
    ],
)
def test_lint_tool_passes(command: tuple[str, ...]) -> None:
    """ruff check, ruff format --check and mypy --strict (the three packages) exit 0."""
    result = _run(*command)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
