"""The parser of get-run-state.ps1's answer (issue 12: the run state in the cluster).

Owns: ``parse_run_state`` — the answer's ``State`` (head and parts) → the published text
(``runner.remote_protocol.unpack_run_state``), or ``None`` when no run published one. A
malformed, torn or damaged state raises ``MalformedOutput``, which the endpoint plumbing
turns into ``RemoteCommandFailed``.

Must not: talk to the network or decide anything about the run.
"""

from __future__ import annotations

from typing import Any

from runner.remote_protocol import ScriptProtocolError, unpack_run_state
from runner.winrm.psjson import MalformedOutput, as_mapping

__all__ = ["parse_run_state"]


def parse_run_state(raw: Any) -> str | None:
    """get-run-state.ps1's ``State``: the published text, or ``None`` when none is."""
    state = as_mapping(raw, "the run state answer").get("State")
    if state is None:
        return None
    head = as_mapping(state, "the run state")
    parts = head.get("Parts")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise MalformedOutput("the run state's Parts is not a list of strings")
    if len(parts) != head.get("Count"):
        raise MalformedOutput("the run state's Parts do not match its Count")
    try:
        return unpack_run_state(tuple(parts), str(head.get("Sha256")))
    except ScriptProtocolError as exc:
        raise MalformedOutput(str(exc)) from exc
