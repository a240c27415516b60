"""The twin's answers to the plug-in scripts that are not transport calls of their own.

Owns: ``install_hotfix_library`` — the answer to ``install-hotfix-library.ps1``. The
simulated world runs the Hotfix plug-in itself (``simulator.hotfix_share``) when the
worker's scan or install reaches it through ``start-work``, so writing the library changes
nothing in the world; the twin checks the payload unpacks to PowerShell text, as the
script's GZipStream would, and answers as the script does.

Must not: touch the world.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from collections.abc import Mapping
from typing import Any

from runner.errors import ScriptProtocolError

__all__ = ["install_hotfix_library"]


def install_hotfix_library(args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """``{"Node", "Installed": true}``; ``ScriptProtocolError`` for a library that does not
    unpack (the real script would throw in its GZipStream)."""
    try:
        text = gzip.decompress(base64.b64decode(str(args.get("Library") or ""), validate=True))
        text.decode("utf-8")
    except (binascii.Error, OSError, EOFError, UnicodeDecodeError) as exc:
        raise ScriptProtocolError(f"the hotfix library does not unpack: {exc}") from exc
    return {"Node": args.get("Node"), "Installed": True}, False


def install_worker(args: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """``{"Node", "Installed": true}``; ``ScriptProtocolError`` for a worker that does not
    unpack or comes without its hash (the real script would throw, or install nothing
    start-work can find)."""
    try:
        text = gzip.decompress(base64.b64decode(str(args.get("Worker") or ""), validate=True))
        text.decode("utf-8")
    except (binascii.Error, OSError, EOFError, UnicodeDecodeError) as exc:
        raise ScriptProtocolError(f"the worker does not unpack: {exc}") from exc
    if not str(args.get("Hash") or ""):
        raise ScriptProtocolError("install-worker without the worker's hash")
    return {"Node": args.get("Node"), "Installed": True}, False
