"""The script library: the ``.ps1`` resources and how a sendable script is composed.

Owns: loading the templates under ``runner/winrm/scripts/``, composing one script from a
name and its arguments (header, prelude, ``$PycauArgs`` line, body in try/catch), and the
payload resources that scripts carry in their arguments (the detached ``worker.ps1``, which
``install-worker`` writes under its hash, and the boot ``beacon.ps1``). The run-lock library
``lock.ps1`` is composed into the scripts that take, read or are fenced by the run lock, and
only those (the hot observe/poll path stays small).

Theory of operation: the house style keeps templates free of interpolation — a template is
fixed text and every value arrives in ``$PycauArgs`` (base64 JSON, quoted with
``ps_quote``). Full-line comments and blank lines are documentation for readers of the
``.ps1`` files and are stripped before sending, with the indentation, which keeps every
poll small. The catch
block turns any failure into one ``{"Error": …}`` document with exit code 1.

Must not: talk to the network or parse answers (``runner.winrm.parse`` does).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
from collections.abc import Mapping
from importlib import resources
from typing import Any

from runner.remote_protocol import (
    ARGS_PREFIX,
    ARGS_SUFFIX,
    FENCED_SCRIPTS,
    LOCK_SCRIPTS,
    SCRIPT_HEADER,
    ScriptName,
    encode_args,
    encode_command_line,
)
from runner.winrm.quoting import ps_quote

__all__ = [
    "PAYLOADS",
    "beacon_source",
    "command_line",
    "compose",
    "hotfix_library_payload",
    "template",
    "worker_hash",
    "worker_payload",
    "worker_source",
]

# Resources that are not sent as scripts of their own but travel inside arguments.
PAYLOADS = ("prelude", "lock", "worker", "beacon", "hotfix")

_EPILOGUE = (
    "} catch {",
    "    Write-PycauResult -Document (Get-PycauErrorDocument -ErrorRecord $_)",
    "    exit 1",
    "}",
)


@functools.cache
def template(name: str) -> str:
    """The text of ``scripts/<name>.ps1`` as shipped (comments included)."""
    resource = resources.files("runner.winrm").joinpath("scripts", f"{name}.ps1")
    return resource.read_text(encoding="utf-8")


@functools.cache
def _wire_text(name: str) -> str:
    """A template without comments, blank lines and indentation (the templates use no
    here-strings, multi-line strings or block comments, so a line starting with ``#`` is
    always a comment and leading blanks never matter)."""
    lines = [
        line.strip()
        for line in template(name).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return "\n".join(lines)


def worker_source() -> str:
    """The detached worker that ``start-work`` writes to the node."""
    return _wire_text("worker")


@functools.cache
def worker_payload() -> str:
    """The worker as ``install-worker`` carries it: gzip (``mtime=0``, so the same bytes every
    time) in base64; install-worker.ps1 unpacks it. A third of the plain text's size."""
    packed = gzip.compress(worker_source().encode("utf-8"), mtime=0)
    return base64.b64encode(packed).decode("ascii")


@functools.cache
def worker_hash() -> str:
    """The first 16 hex digits of the worker's SHA-256: the name it is installed under on a
    node (``worker-<hash>.ps1``), which ``start-work`` asks for."""
    return hashlib.sha256(worker_source().encode("utf-8")).hexdigest()[:16]


@functools.cache
def hotfix_library_payload() -> str:
    """The Hotfix plug-in's library (``hotfix.ps1``) as ``install-hotfix-library`` carries
    it: gzip (``mtime=0``) in base64, like the worker."""
    packed = gzip.compress(_wire_text("hotfix").encode("utf-8"), mtime=0)
    return base64.b64encode(packed).decode("ascii")


def beacon_source() -> str:
    """The startup beacon that ``install-beacon`` writes to the node."""
    return _wire_text("beacon")


def compose(name: ScriptName, args: Mapping[str, Any]) -> str:
    """The full text of script ``name`` with ``args`` bound to ``$PycauArgs``."""
    args_line = f"{ARGS_PREFIX}{ps_quote(encode_args(args))}{ARGS_SUFFIX}"
    library = (_wire_text("lock"),) if name in LOCK_SCRIPTS or name in FENCED_SCRIPTS else ()
    parts = (
        f"{SCRIPT_HEADER}{name.value}",
        _wire_text("prelude"),
        *library,
        args_line,
        "try {",
        _wire_text(name.value),
        *_EPILOGUE,
    )
    return "\n".join(parts)


def command_line(name: ScriptName, args: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Executable and arguments that run script ``name`` (``-EncodedCommand``)."""
    return encode_command_line(compose(name, args))
