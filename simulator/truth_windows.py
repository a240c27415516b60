"""Helpers of ``report-truth`` (``simulator.report_truth``) for runs with several nodes in
flight (policy fast): which scans open an attempt, where a node's window begins, and when
the failure budget was exceeded.

Owns: ``rescan`` (a scan that re-scans in the attempt before it: after an install that went
well and left no restart owed — the fast policy installs before, or without, a drain — or
after an install command that never reached the node), ``first_touch`` (the runner's first
act on a node after the preflight) and ``budget_exceeded_at`` (when more nodes had ended
Failed or PartiallyFailed than ``max_failed_nodes`` allows, from the report).

Must not: read the runner's view or events, change the world, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

__all__ = ["budget_exceeded_at", "first_touch", "rescan"]

_INSTALL_COMMAND = "Install-WindowsUpdate"  # what an unanswered install is refused as
# What ends an install badly (a re-scan after it belongs to a retry, not to its attempt).
_INSTALL_TROUBLE = frozenset(
    {"install-failed", "install-refused", "work-interrupted", "hotfix-timeout"}
)
_FAILED = ("Failed", "PartiallyFailed")

Act = tuple[float, str, bool]  # (time, kind, node paused)


class Trouble(Protocol):
    @property
    def time(self) -> float: ...
    @property
    def node(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> str: ...


def rescan(
    acts: Sequence[Act],
    troubles: Sequence[Trouble],
    node: str,
    index: int,
    *,
    owing: frozenset[tuple[str, float]] | set[tuple[str, float]],
) -> bool:
    """Whether the scan ``acts[index]`` of ``node`` re-scans in the attempt before it (see
    the module docstring); ``owing``: (node, time) of scans made while a restart was owed —
    no such scan re-scans a no-drain install."""
    if index == 0:
        return False
    since, until = acts[index - 1][0], acts[index][0]
    between = [t for t in troubles if t.node == node and since <= t.time <= until]
    if any(t.kind == "unreachable" and t.detail == _INSTALL_COMMAND for t in between):
        return True
    good = not any(t.kind in _INSTALL_TROUBLE for t in between)
    return acts[index - 1][1] == "install" and good and (node, until) not in owing


def first_touch(acts: Sequence[Act], first_act: float | None, final: float) -> float:
    """When the runner first acted on the node after the preflight (``final`` if never)."""
    start = final if first_act is None else first_act
    return min((t for t, _, _ in acts if t >= start), default=final)


def budget_exceeded_at(
    report: Mapping[str, Any], final_at: Mapping[str, float], now: float
) -> float | None:
    """When the (max_failed_nodes + 1)-th node ended Failed or PartiallyFailed; None when
    no more nodes failed than the budget allows."""
    limit = report.get("profile", {}).get("max_failed_nodes")
    failed = sorted(
        final_at.get(str(n.get("name")), now)
        for n in report.get("nodes", []) or []
        if n.get("status") in _FAILED
    )
    if not isinstance(limit, int) or len(failed) <= limit:
        return None
    return failed[limit]
