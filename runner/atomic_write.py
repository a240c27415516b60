"""Writing a user's file atomically: all of it, or nothing.

Owns: ``write_text_atomically`` — the text goes to a temporary file in the target's own
directory, is flushed to disk, and replaces the target with ``os.replace``, so a reader (or a
crash) never sees a half-written report or reproducer and a failure leaves no stray file.

Must not: decide what is written, or print.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomically"]


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see module docstring); raises ``OSError``, and
    then the target is untouched and no temporary file is left behind."""
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
