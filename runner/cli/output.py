"""Writing reports: JSON rendering, atomic file replacement and the shipped report schema.

Owns: how a report dict becomes bytes on disk, and whether a path can take a report (or a
directory new files), checked while the options are parsed, before any run starts. A report
file is written to a temporary file in the target's own directory and moved over the target
with ``os.replace``, so a reader (or a crash) never sees a half-written report and a failed
run never leaves a stray file behind.

Must not: decide what goes into a report (the engine and ``runner.rehearsal`` do) or
print to the terminal.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from runner.atomic_write import write_text_atomically
from runner.errors import InputError
from runner.input_bounds import file_kind

__all__ = [
    "check_directory_target",
    "check_report_target",
    "load_report_schema",
    "render_report",
    "report_target_option",
    "write_report",
    "write_text_atomically",
]

REPORT_SCHEMA = "report.schema.json"


def render_report(report: dict[str, Any]) -> str:
    """The report as pretty, stable JSON text (key order kept, UTF-8, trailing newline)."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def check_report_target(path: Path) -> str | None:
    """Why ``path`` cannot take a report (checked before a run starts), or ``None``.

    The target must be absent or a regular file that is not read-only (a device such as
    ``/dev/null`` would be replaced by the atomic rename; a read-only file is protected on
    purpose, also from root), and its directory must exist and take a new file — probed by
    creating and at once removing the temporary file ``write_report`` would use (so
    ``/proc``, read-only mounts and directories without write permission are caught)."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        return f"cannot inspect it: {exc.strerror or exc}"
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            return "is a directory"
        if not stat.S_ISREG(info.st_mode):
            return f"it is {file_kind(info.st_mode)}; expected a regular file or a new file"
        if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
            return "the file is read-only"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        return f"directory {str(parent)!r} does not exist"
    return _takes_new_files(parent, f".{path.name}.")


def check_directory_target(path: Path) -> str | None:
    """Why files cannot be written into directory ``path`` (created with its parents when
    missing), or ``None``: checked on the nearest directory that exists, as above."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        return "is not a directory"
    return _takes_new_files(existing, ".pycau-probe.")


def _takes_new_files(directory: Path, prefix: str) -> str | None:
    if not directory.is_dir():
        return f"{str(directory)!r} is not a directory"
    shown = repr(str(directory))
    if not directory.stat().st_mode & 0o222 or not os.access(directory, os.W_OK | os.X_OK):
        return f"directory {shown} is not writable"
    try:
        fd, probe = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    except OSError as exc:
        return f"directory {shown} does not take new files: {exc.strerror or exc}"
    os.close(fd)
    os.unlink(probe)
    return None


def report_target_option(ctx: Any, param: Any, value: Path | None) -> Path | None:
    """Click callback of every ``--report``: refuse an unwritable target while the options
    are parsed — before a scenario is loaded, a cluster contacted or a run started."""
    if value is not None and (problem := check_report_target(value)):
        raise InputError(str(value), "", f"cannot write the report: {problem}")
    return value


def write_report(path: Path, report: dict[str, Any]) -> None:
    """Write ``report`` to ``path`` atomically: temp file in the same directory + replace.

    Raises ``OSError`` when the directory cannot be written; the target is then untouched
    and no temporary file is left behind.
    """
    write_text_atomically(path, render_report(report))


def load_report_schema() -> dict[str, Any]:
    """The JSON Schema of report files, as shipped in ``runner/schemas``."""
    text = resources.files("runner").joinpath("schemas", REPORT_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
