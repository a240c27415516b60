"""What users install works: the wheel, in a fresh venv, run from outside the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Build output and local state that a fresh clone does not have.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    "sweep-reproducers", "out",
)  # fmt: skip


def _run(args: list[str | Path], cwd: Path, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_the_bundled_scenarios(tmp_path: Path) -> None:
    """`pip install` of the built wheel, then from another directory: `pycau simulate`,
    `pycau simulate NAME` and `pycau scenarios` work, reading the scenarios the wheel ships."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source], tmp_path)
    (wheel,) = dist.glob("pycau-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], tmp_path)
    shutil.rmtree(source)  # nothing may still be read from the source tree

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pycau = venv / "bin" / "pycau"
    where = _run([venv / "bin" / "python", "-c", "import simulator; print(simulator.__file__)"],
                 elsewhere)  # fmt: skip
    assert Path(where.strip()).is_relative_to(venv)
    default = _run([pycau, "simulate", "--quiet"], elsewhere)
    assert default == "four-node-rolling (seed 7): Succeeded — expectation met\n"
    named = _run([pycau, "simulate", "fault-install-failure", "--quiet"], elsewhere)
    assert named.startswith("fault-install-failure (seed ")
    assert named.endswith("expectation met\n")
    listing = _run([pycau, "scenarios"], elsewhere).splitlines()
    names = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert [line.split()[0] for line in listing[:-1]] == names
    assert list(elsewhere.iterdir()) == []
