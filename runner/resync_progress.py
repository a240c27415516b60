"""Resync progress: the storage jobs of one observation summed into what an operator watches.

Owns: ``ResyncProgress`` (jobs, bytes processed, bytes total, percent; ``describe`` gives
``41 % (12.3 of 30.0 GB)``) and ``resync_progress`` — the sum over a ``ClusterView``'s
storage jobs (``Get-StorageJob``: BytesProcessed and BytesTotal of every repair job), or
``None`` when no job runs. The engine tells its listener one ``storage-progress`` event per
poll of a node waiting in RESYNC or STORAGE_WAIT while jobs run (``runner.acts``); the live
view shows it (``runner.cli.live_view``). These events are never part of the report.

Must not: do I/O, read a clock, or decide anything (the guards read the view, not this).
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.types import ClusterView

__all__ = ["ResyncProgress", "resync_progress"]

_GB = 1024**3


@dataclass(frozen=True, slots=True, kw_only=True)
class ResyncProgress:
    """The storage jobs of one observation, summed."""

    jobs: int
    bytes_processed: int
    bytes_total: int

    @property
    def percent(self) -> int:
        """Whole percent of the bytes to repair that are repaired (0 when nothing is known)."""
        if self.bytes_total <= 0:
            return 0
        return min(100, self.bytes_processed * 100 // self.bytes_total)

    def describe(self) -> str:
        """``41 % (12.3 of 30.0 GB)``, and how many jobs when more than one."""
        jobs = f", {self.jobs} jobs" if self.jobs > 1 else ""
        done, total = self.bytes_processed / _GB, self.bytes_total / _GB
        return f"{self.percent} % ({done:.1f} of {total:.1f} GB{jobs})"


def resync_progress(view: ClusterView) -> ResyncProgress | None:
    """The storage jobs of ``view`` summed; ``None`` when there are none."""
    if not view.storage_jobs:
        return None
    return ResyncProgress(
        jobs=len(view.storage_jobs),
        bytes_processed=sum(max(0, j.bytes_processed) for j in view.storage_jobs),
        bytes_total=sum(max(0, j.bytes_total) for j in view.storage_jobs),
    )
