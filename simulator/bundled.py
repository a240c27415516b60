"""The scenarios pycau ships: their names, files and one-line descriptions.

Owns: finding the bundled scenario files through ``importlib.resources`` (the data package
``simulator.scenarios``, built from ``scenarios/`` at the repository root, so a wheel install
and an editable install read the same files), and ``resolve_scenario``, which turns a
command's SCENARIO argument into a file:

- no argument: the bundled default, ``four-node-rolling``;
- a path that exists (file, directory or anything else) is that path, even when a bundled
  scenario has the same spelling — what the user sees on disk wins, and the loader reports
  a path that is not a scenario file;
- otherwise a bundled NAME (the file name without ``.yaml``; ``NAME.yaml`` works too);
- otherwise bad input naming the argument and listing the bundled names.

Must not: validate or load scenarios (``simulator.scenario`` does), or print.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from runner.errors import InputError
from runner.validation import read_document

__all__ = [
    "DEFAULT_NAME",
    "PACKAGE",
    "BundledScenario",
    "bundled_directory",
    "bundled_names",
    "bundled_path",
    "bundled_scenarios",
    "resolve_scenario",
]

PACKAGE = "simulator.scenarios"
DEFAULT_NAME = "four-node-rolling"
_SUFFIX = ".yaml"


@dataclass(frozen=True, slots=True, kw_only=True)
class BundledScenario:
    """One bundled scenario: its NAME, its file and its description on one line."""

    name: str
    path: Path
    description: str


def bundled_directory() -> Path:
    """The directory of the bundled scenario files (``InputError`` if not on a file system)."""
    root = resources.files(PACKAGE)
    if not isinstance(root, Path):
        # pip installs unpacked; only a zip import (zipapp, zipped egg) lands here, and the
        # loader and the sweep's worker processes need real files.
        raise InputError(
            PACKAGE,
            "",
            f"the bundled scenarios are inside an archive ({root}); pycau needs them as "
            "files: install pycau with pip, or pass a scenario file",
        )
    return root


def bundled_names() -> tuple[str, ...]:
    """The names of the bundled scenarios, sorted."""
    directory = bundled_directory()
    return tuple(sorted(p.stem for p in directory.iterdir() if p.name.endswith(_SUFFIX)))


def bundled_path(name: str) -> Path | None:
    """The file of bundled scenario ``name`` (with or without ``.yaml``), or ``None``."""
    stem = name.removesuffix(_SUFFIX)
    if not stem or stem != Path(stem).name or stem.startswith("."):
        return None  # a NAME never has a directory part
    candidate = bundled_directory() / f"{stem}{_SUFFIX}"
    return candidate if candidate.is_file() else None


def bundled_scenarios() -> tuple[BundledScenario, ...]:
    """Every bundled scenario with its ``description`` collapsed to one line, by name."""
    found = []
    for name in bundled_names():
        path = bundled_directory() / f"{name}{_SUFFIX}"
        data = read_document(path).data
        text = data.get("description", "") if isinstance(data, dict) else ""
        found.append(BundledScenario(name=name, path=path, description=" ".join(str(text).split())))
    return tuple(found)


def resolve_scenario(argument: str | os.PathLike[str] | None) -> Path:
    """The scenario file a command's SCENARIO argument names (see module docstring)."""
    if argument is None:
        default = bundled_path(DEFAULT_NAME)
        if default is None:
            raise InputError(PACKAGE, "", f"the bundled default {DEFAULT_NAME} is missing")
        return default
    text = os.fspath(argument)
    if os.path.lexists(text):
        return Path(text)
    bundled = bundled_path(text)
    if bundled is not None:
        return bundled
    names = bundled_names()
    hint = ""
    stem = Path(text).name.removesuffix(_SUFFIX)
    if stem in names:
        hint = f" (a bundled scenario is named {stem!r}: give the name alone)"
    raise InputError(
        text,
        "",
        "no such file, and no bundled scenario of that name"
        + hint
        + "; bundled scenarios: "
        + ", ".join(names)
        + " (`pycau scenarios` describes them)",
    )
