"""Actions: what ``decisions.decide`` asks the engine to do next.

Owns: one frozen value type per act. Commands and work starts go to the transport; ``Wait``
and ``Poll`` pass time through the clock (then observe or poll); ``Advance`` moves a node
along the lifecycle table with what was learnt (results, offers, an error, a CAU event);
the run-level acts warn, stop, cancel, begin the next node or finish.

Must not: do anything — the engine performs actions; this module only names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.lifecycle import Outcome
from runner.plugins import DEFAULT_PLUGIN, DEFAULT_PLUGINS, PluginSpec
from runner.types import FailbackMode, UpdateInfo, UpdateResult, WorkHandle

__all__ = [
    "Action",
    "Advance",
    "BeginNode",
    "CancelRun",
    "Finish",
    "Poll",
    "Restart",
    "Resume",
    "StartInstall",
    "StartScan",
    "StartScript",
    "StopAfter",
    "Suspend",
    "Wait",
    "WarnAfter",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait:
    """Let ``seconds`` pass, then observe the cluster again."""

    seconds: float
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Poll:
    """Let ``seconds`` pass, then poll detached work."""

    handle: WorkHandle
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class StartScript:
    node: str
    script: str
    which: str  # "pre" | "post"


@dataclass(frozen=True, slots=True, kw_only=True)
class StartScan:
    """A scan with the run's plug-ins (``ClusterTransport.start_scan``)."""

    node: str
    plugins: tuple[PluginSpec, ...] = DEFAULT_PLUGINS
    serially: bool = False
    stop_on_failure: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StartInstall:
    """An install of one plug-in's updates, through that plug-in."""

    node: str
    update_ids: tuple[str, ...]
    plugin: PluginSpec = DEFAULT_PLUGIN


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspend:
    """Suspend-ClusterNode -Drain (guards already passed on a fresh view); ``force``: with
    -ForceDrain (force_pause_and_drain)."""

    node: str
    force: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Resume:
    node: str
    failback: FailbackMode
    note: str = ""  # a warning to emit when the resume is issued (e.g. failback withheld)


@dataclass(frozen=True, slots=True, kw_only=True)
class Restart:
    """Restart a drained node; ``boot_id_before`` is what a confirmed restart must change."""

    node: str
    soft: bool
    boot_id_before: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Advance:
    """End the node's current step with ``outcome`` (see ``lifecycle.TRANSITIONS``)."""

    node: str
    outcome: Outcome
    error: str = ""  # becomes the node's error when the node ends Failed
    event_id: int | None = None  # a CAU event to emit with ``detail``
    detail: str = ""
    note: str = ""  # a warning to emit (the run goes on)
    offered: tuple[UpdateInfo, ...] | None = None  # updates for the next install pass
    results: tuple[UpdateResult, ...] = ()  # install results to record
    cancel_run: str | None = None  # error id: the run is canceled with this node
    restart_owed: bool = False  # a scan found a restart pending: the node owes one


@dataclass(frozen=True, slots=True, kw_only=True)
class BeginNode:
    node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WarnAfter:
    """WarnAfter elapsed: log CAU event 1001 once; the run goes on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StopAfter:
    """StopAfter elapsed: event 1002; bring the current node to a safe state, then stop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRun:
    error_id: str
    detail: str
    event_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finish:
    """No node is in flight and nothing more is to be done."""


Action = (
    Wait
    | Poll
    | StartScript
    | StartScan
    | StartInstall
    | Suspend
    | Resume
    | Restart
    | Advance
    | BeginNode
    | WarnAfter
    | StopAfter
    | CancelRun
    | Finish
)
