"""Docs name real things: every dotted ``runner.…``/``simulator.…`` name in a module of
``runner``/``simulator`` or in the README resolves to a module or one of its attributes, and
every path the README names exists. A rename that leaves a docstring pointing at the old
name fails here (the docstrings are the map a new reader follows).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOTTED = re.compile(r"(?<![\w./-])((?:runner|simulator)(?:\.[A-Za-z_]\w*)+)")
PATH = re.compile(
    r"(?<![\w/.-])((?:runner|simulator|tests|benchmarks|features|scenarios)/[\w/.-]*\w)"
)
FILE_SUFFIXES = (".py", ".ps1", ".yaml", ".json", ".feature", ".md", ".toml")
SOURCES = sorted(
    [*ROOT.glob("runner/**/*.py"), *ROOT.glob("simulator/**/*.py"), ROOT / "README.md"]
)


def resolves(dotted: str) -> bool:
    """``dotted`` names an importable module, or an attribute chain on one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dotted_name_resolves(source: Path) -> None:
    """Each ``runner.x.y`` named in this file is a module or an attribute of one."""
    text = source.read_text(encoding="utf-8")
    stale = [
        f"{source.relative_to(ROOT)}:{_line(text, m.start())} names {m.group(1)}"
        for m in DOTTED.finditer(text)
        if not m.group(1).endswith(FILE_SUFFIXES) and not resolves(m.group(1))
    ]
    assert stale == []


def test_every_path_the_readme_names_exists() -> None:
    """Paths in the README (``runner/winrm/scripts/``, ``benchmarks/bench_startup.py`` …)
    exist; a glob or a family prefix (``scenarios/known-issue-*``) is left alone."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for match in PATH.finditer(text):
        following = text[match.end() : match.end() + 1]
        if following in ("*", "{", "-"):
            continue
        if not (ROOT / match.group(1)).exists():
            missing.append(f"README.md:{_line(text, match.start())} names {match.group(1)}")
    assert missing == []


def test_the_resolver_tells_a_stale_name_from_a_real_one() -> None:
    """Guards the checks above: real modules and attributes resolve, renamed ones do not."""
    assert resolves("runner.engine.Engine")
    assert resolves("runner.winrm.error_map")
    assert not resolves("runner.cli.compose")
    assert not resolves("runner.engine.Nothing")
