"""The run state in the cluster over WinRM (``scripts/stage-run-state.ps1``,
``scripts/publish-run-state.ps1``, ``scripts/get-run-state.ps1``; issue 12: coordinator
take-over).

Owns: ``RunStateOps`` — ``publish_run_state`` and ``read_run_state`` of the transport
contract. Where the state lives on a real cluster: cluster parameters of the cluster
object (``Set-ClusterParameter -Create``, beside ``PycauRun``, the run record): the head
``PycauRunState`` ({Generation, Count, Sha256}) and the parts of a generation,
``PycauRunState<Generation mod 2>-<Index>``. The cluster database replicates them to every
node, so any management machine reads them, and they outlive the lock group (the lock
says whether their run is live). Parameters of the lock group itself were rejected: the
group is removed when the lock is freed, and its Description already holds the holder.

Theory of operation: the state's text travels gzip-compressed in base64, cut into parts
that fit one command line (``runner.remote_protocol.pack_run_state``). The parts are
staged by stage-run-state.ps1, which carries no lock library (that library alone fills
two thirds of a command line): part 0 opens the next generation in the slot the head does
not name and answers its number. Then the fenced publish-run-state.ps1 (only the lock's
holder) checks that the staged parts hash to the state's SHA-256 and moves the head. So a
publication is two round trips for a state of one part (every four-node run's), a reader
sees the old state or the new one and never a mix, and a coordinator that lost the lock
publishes nothing. A read whose parts do not match the head's hash (a writer staged over
them meanwhile) is read again once.

Must not: decide when to publish (``runner.cluster_state`` does) or sleep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.remote_protocol import ScriptName, pack_run_state
from runner.types import LockHolder
from runner.winrm.endpoints import WinRMEndpoints
from runner.winrm.parse_run_state import parse_run_state

__all__ = ["RunStateOps"]


class RunStateOps(WinRMEndpoints):
    """The run-state part of the transport contract."""

    def publish_run_state(self, holder: LockHolder, state: str) -> None:
        parts, digest = pack_run_state(state)
        generation: Any = None  # part 0 lets the script open the next generation
        for index, part in enumerate(parts):
            args = {"Generation": generation, "Index": index, "Part": part}
            answer = self._on_cluster(
                ScriptName.STAGE_RUN_STATE, args, deadline=self.deadlines.read, about=None
            )
            generation = answer.get("Generation") if isinstance(answer, Mapping) else None
            if not isinstance(generation, int):
                raise RemoteCommandFailed(
                    ScriptName.STAGE_RUN_STATE.value, "the answer names no Generation"
                )
        args = {"Generation": generation, "Count": len(parts), "Sha256": digest}
        fence, self._fence = self._fence, holder  # fenced with the holder named
        try:
            self._on_cluster(
                ScriptName.PUBLISH_RUN_STATE, args, deadline=self.deadlines.read, about=None
            )
        finally:
            self._fence = fence

    def read_run_state(self) -> str | None:
        try:
            document = self._read_cluster(ScriptName.GET_RUN_STATE, {})
            return self._parsed(ScriptName.GET_RUN_STATE, parse_run_state, document)
        except RemoteCommandFailed:  # a torn read: a writer passed it twice; once more
            document = self._read_cluster(ScriptName.GET_RUN_STATE, {})
            return self._parsed(ScriptName.GET_RUN_STATE, parse_run_state, document)
