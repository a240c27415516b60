"""Helpers shared by the WinRM tests (importable by name; fixtures live in conftest.py)."""

from __future__ import annotations

import json
from typing import Any

from runner.remote_protocol import ScriptName, decode_command_line, read_script
from simulator.twin import ScriptOutput

__all__ = ["PASSWORD", "USERNAME", "answer_json", "script_of"]

USERNAME = "CONTOSO\\cau-admin"
PASSWORD = "Tr0ub4dor&3-horse-battery"  # the test greps for it in every message


def script_of(command: str, arguments: str) -> tuple[ScriptName, dict[str, Any]]:
    """The pycau script (name and arguments) a command line carries."""
    return read_script(decode_command_line(command, arguments))


def answer_json(document: Any, **kwargs: Any) -> ScriptOutput:
    return ScriptOutput(stdout=json.dumps(document).encode("utf-8"), **kwargs)
