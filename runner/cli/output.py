"""Writing reports: JSON rendering, atomic file replacement and the shipped report schema.

Owns: how a report dict becomes bytes on disk. A report file is written to a temporary file
in the target's own directory and moved over the target with ``os.replace``, so a reader (or
a crash) never sees a half-written report and a failed run never leaves a stray file behind.

Must not: decide what goes into a report (the engine and ``runner.cli.compose`` do) or
print to the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "check_report_target",
    "load_report_schema",
    "render_report",
    "write_report",
    "write_text_atomically",
]

REPORT_SCHEMA = "report.schema.json"


def render_report(report: dict[str, Any]) -> str:
    """The report as pretty, stable JSON text (key order kept, UTF-8, trailing newline)."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def check_report_target(path: Path) -> str | None:
    """Why ``path`` cannot take a report (checked before a run starts), or ``None``."""
    if path.is_dir():
        return "is a directory"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"directory {str(parent)!r} does not exist"
    if not os.access(parent, os.W_OK):
        return f"directory {str(parent)!r} is not writable"
    return None


def write_report(path: Path, report: dict[str, Any]) -> None:
    """Write ``report`` to ``path`` atomically: temp file in the same directory + replace.

    Raises ``OSError`` when the directory cannot be written; the target is then untouched
    and no temporary file is left behind.
    """
    write_text_atomically(path, render_report(report))


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see ``write_report``); raises ``OSError``."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a report is an ordinary user file.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def load_report_schema() -> dict[str, Any]:
    """The JSON Schema of report files, as shipped in ``runner/schemas``."""
    text = resources.files("runner").joinpath("schemas", REPORT_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
