"""The twin's answers to stage-run-state.ps1, publish-run-state.ps1 and get-run-state.ps1
(issue 12: the run state in the cluster).

Owns: ``RunStateAnswers`` — the cluster parameters those scripts write and read
(``runner/winrm/run_state_ops.py``), kept as the scripts keep them: a generation's staged
parts, then the fenced publication, which checks their hash and makes ONE call of the
world's transport (``publish_run_state`` with the whole state's text and the script's
``Fence``), as ``pycau simulate``'s coordinator makes one; a read is one
``read_run_state`` call, answered as one part with its head. So the simulated time a
publication takes is the same over WinRM and in the simulator, and so are the reports.

Must not: touch the world except through its transport; interpret the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.remote_protocol import (
    ScriptName,
    ScriptProtocolError,
    pack_run_state,
    read_holder,
    unpack_run_state,
)
from runner.transport import ClusterTransport

__all__ = ["RunStateAnswers"]

Answer = tuple[Mapping[str, Any], bool]


class RunStateAnswers:
    """The run-state scripts of one twin over ``transport``."""

    def __init__(self, transport: ClusterTransport) -> None:
        self._transport = transport
        self._generation = 0  # the head's generation (the world keeps the text)
        self._parts: dict[int, dict[int, str]] = {}  # slot (generation mod 2) → its parts

    def stage(self, args: Mapping[str, Any]) -> Answer:
        given = args.get("Generation")
        generation = self._generation + 1 if given is None else int(given)
        parts = self._parts.setdefault(generation % 2, {})
        if given is None:
            parts.clear()  # part 0 opens the generation in its slot
        parts[int(args.get("Index") or 0)] = str(args.get("Part") or "")
        return {"Generation": generation, "Staged": int(args.get("Index") or 0)}, False

    def publish(self, args: Mapping[str, Any]) -> Answer:
        name = ScriptName.PUBLISH_RUN_STATE.value
        try:
            fence = read_holder(args.get("Fence"))
        except ScriptProtocolError:
            fence = None
        if fence is None:
            raise RemoteCommandFailed(name, "publish-run-state carries no Fence")
        generation, count = int(args.get("Generation") or 0), int(args.get("Count") or 0)
        staged = self._parts.get(generation % 2, {})
        parts = tuple(staged.get(i, "") for i in range(count))
        try:
            text = unpack_run_state(parts, str(args.get("Sha256")))
        except ScriptProtocolError as exc:
            raise RemoteCommandFailed(name, f"{exc}: not published") from None
        self._transport.publish_run_state(fence, text)  # RunLocked: the fence refused
        self._generation = generation
        return {"Generation": generation, "Published": True}, False

    def read(self, args: Mapping[str, Any]) -> Answer:
        text = self._transport.read_run_state()
        if text is None:
            return {"State": None}, False
        parts, digest = pack_run_state(text)
        head = {"Generation": self._generation, "Count": len(parts), "Sha256": digest}
        return {"State": {**head, "Parts": list(parts)}}, False
