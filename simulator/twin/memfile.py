"""Secrets for libraries that read them only from a path: kept in memory, never on disk.

Owns: ``SecretFile`` — a file whose content (the twin's NTLM account line, its TLS private
key) a library can open by path while the bytes never reach a disk, and ``close`` that
makes the content unreachable.

Theory of operation: pyspnego's NTLM acceptor reads accounts from the path in
``NTLM_USER_FILE`` (``os.path.isfile`` then ``open``) on every handshake, and
``ssl.SSLContext.load_cert_chain`` takes file names only. On Linux, ``os.memfd_create``
gives an anonymous file that lives in RAM: ``/proc/self/fd/N`` names it for ``open`` and
for OpenSSL, it has no directory entry anywhere, and it vanishes with its last descriptor
— on ``close``, and on every kind of process end, ``SIGKILL`` included. Where memfd or
``/proc`` is missing (macOS, Windows), the fallback is a 0600 file in a private 0700
directory from ``tempfile.mkdtemp``, removed by ``close`` and, for the paths that skip it
(an exception escaping to the interpreter's exit), by an ``atexit`` hook. Signals are the
owner's to turn into an orderly unwind (``pycau twin`` does); only ``SIGKILL`` or a power
loss can leave the fallback file behind, which is why the memory file is preferred.

Must not: log, print or ``repr`` the content; keep a fallback file after ``close``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

__all__ = ["SecretFile", "memory_files_available"]

_PROC_FD = Path("/proc/self/fd")


def memory_files_available() -> bool:
    """Whether this platform has anonymous memory files that can be opened by path."""
    return hasattr(os, "memfd_create") and _PROC_FD.is_dir()


class SecretFile:
    """One secret readable by path (see module docstring). Thread-safe; ``close`` is idempotent.

    ``in_memory=None`` picks the memory file where the platform has one; ``False`` forces
    the private-file fallback (what other platforms get).
    """

    def __init__(self, name: str, content: bytes = b"", *, in_memory: bool | None = None) -> None:
        self._lock = threading.Lock()
        self.in_memory = memory_files_available() if in_memory is None else in_memory
        self._fd: int | None = None
        self._directory: Path | None = None
        if self.in_memory:
            self._fd = os.memfd_create(f"pycau-{name}", os.MFD_CLOEXEC)
            self.path = str(_PROC_FD / str(self._fd))
        else:
            self._directory = Path(tempfile.mkdtemp(prefix="pycau-secret-"))  # mode 0700
            atexit.register(self.close)
            target = self._directory / name
            flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            self._fd = os.open(target, flags, 0o600)
            self.path = str(target)
        self.write(content)

    def __repr__(self) -> str:
        where = "memory" if self.in_memory else "private file"
        return f"SecretFile({where}, closed={self.closed})"

    @property
    def closed(self) -> bool:
        return self._fd is None

    def write(self, content: bytes) -> None:
        """Replace the content (in place: the path stays the same)."""
        with self._lock:
            if self._fd is None:
                raise ValueError("write to a closed SecretFile")
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            view = memoryview(content)
            while view:
                view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        """Drop the content: the memory file is freed, the fallback file and its directory go."""
        with self._lock:
            fd, self._fd = self._fd, None
            directory, self._directory = self._directory, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # readers still holding it see nothing
            os.close(fd)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
            atexit.unregister(self.close)

    def __enter__(self) -> SecretFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
