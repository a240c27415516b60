"""Simulated cluster validation (Test-Cluster), and its report file.

Owns: ``ClusterValidation`` — ``start`` runs Test-Cluster for ``VALIDATION_SECONDS`` of
simulated time; it passes unless the witness is offline when it ends (the quorum
configuration test fails then). ``poll`` reports it as long work (exit code 0 = passed);
``report`` is the ``Validation Report <date>.htm`` file it leaves on the cluster.

With the known issue switch ``readiness-check-never-completes`` the poll stays Running
forever although Test-Cluster finished and wrote its report, as the seed guide describes.

Must not: decide anything about the run, or use randomness.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from runner.errors import RemoteCommandFailed
from runner.types import ValidationReport, WorkHandle, WorkKind, WorkProgress, WorkState
from simulator.world_port import WorldPort

__all__ = ["NEVER_COMPLETES", "REPORT_DIRECTORY", "VALIDATION_SECONDS", "ClusterValidation"]

VALIDATION_SECONDS = 120.0
NEVER_COMPLETES = "readiness-check-never-completes"
REPORT_DIRECTORY = "C:\\Windows\\Cluster\\Reports"


class ClusterValidation:
    """Test-Cluster runs of one simulated cluster (each start is a new run)."""

    def __init__(self, world: WorldPort) -> None:
        self.world = world
        self.runs: dict[str, tuple[float, bool | None]] = {}  # id → (started, passed)
        self.latest: ValidationReport | None = None

    def start(self) -> WorkHandle:
        run_id = f"validation-{len(self.runs) + 1}"
        cluster = self.world.scenario.cluster.name
        handle = WorkHandle(id=run_id, node=cluster, kind=WorkKind.VALIDATION)
        self.runs[handle.id] = (float(self.world.env.now), None)
        self.world.env.process(self._run(handle.id))
        return handle

    def _run(self, run_id: str) -> Generator[Any, Any, None]:
        yield self.world.env.timeout(VALIDATION_SECONDS)
        started, _ = self.runs[run_id]
        passed = self.world.quorum.witness_online or self.world.witness_type.value == "none"
        self.runs[run_id] = (started, passed)
        minute = int(float(self.world.env.now) // 60)
        self.latest = ValidationReport(
            passed=passed,
            path=f"{REPORT_DIRECTORY}\\Validation Report {run_id} minute {minute}.htm",
            summary="all tests passed" if passed else "Validate Quorum Configuration failed",
        )
        self.world.record("validation", None, "passed" if passed else "failed")

    def poll(self, handle: WorkHandle) -> WorkProgress:
        if handle.id not in self.runs:
            raise RemoteCommandFailed("Test-Cluster", f"no such validation {handle.id}")
        started, passed = self.runs[handle.id]
        stuck = NEVER_COMPLETES in self.world.scenario.known_issues
        if passed is None or stuck:
            elapsed = float(self.world.env.now) - started
            percent = min(99, int(100 * elapsed / VALIDATION_SECONDS))
            return WorkProgress(handle=handle, state=WorkState.RUNNING, percent=percent)
        state = WorkState.SUCCEEDED if passed else WorkState.FAILED
        code = 0 if passed else 1
        return WorkProgress(handle=handle, state=state, percent=100, exit_code=code)
