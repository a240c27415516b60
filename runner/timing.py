"""The clock rules of a run: poll cadences, per-step deadlines and how long a silent cluster
is waited for — every figure the decision core compares ``progress.now`` against.

Owns: the poll cadences, the freshness a disruptive act needs, the management-outage limit,
``step_timeout`` (a step's deadline in seconds, read from the resolved profile's ``*_s``
fields), the predicates over them (``late``, ``blind``, ``unreachable_too_long``,
``view_too_old``, ``past_warn_after``, ``past_stop_after``) and ``in_minutes`` for messages.

Theory of operation: time here is the run's elapsed seconds (``RunProgress.now``), never a
wall clock. Profile durations are minutes in the file; ``Profile.resolved`` turns them into
seconds once, so nothing here (or in any other decision module) multiplies by 60.

Must not: do I/O, read a clock, or know what a step does — only when it has run too long.
"""

from __future__ import annotations

from runner.lifecycle import NodeStep
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress

__all__ = [
    "FRESH_VIEW_SECONDS",
    "POLL_ACTIVE_SECONDS",
    "POLL_REBOOT_SECONDS",
    "UNREACHABLE_LIMIT_SECONDS",
    "blind",
    "in_minutes",
    "late",
    "past_stop_after",
    "past_warn_after",
    "step_timeout",
    "unreachable_too_long",
    "view_too_old",
]

POLL_ACTIVE_SECONDS = 15.0  # draining, installing, scripts, resync
POLL_REBOOT_SECONDS = 30.0  # a restarting node: CAU's own cadence is of this order
# No observation for this long: stop waiting for the cluster (steps fail, the run ends
# ClusterUnreachable). Shorter outages never fail a node (issue 3: management disconnects).
UNREACHABLE_LIMIT_SECONDS = 60 * 60.0
FRESH_VIEW_SECONDS = 5.0  # a guard's view must be this recent (one observe round trip)


def step_timeout(step: NodeStep, profile: ResolvedProfile) -> float | None:
    """Seconds ``step`` may last before its attempt fails; ``None`` for a step bounded by
    other rules (WAITING is decided on the spot; terminal steps do not run)."""
    match step:
        case NodeStep.PRE_SCRIPT | NodeStep.POST_SCRIPT:
            return profile.script_timeout_s
        case NodeStep.SCAN | NodeStep.RESCAN | NodeStep.INSTALL | NodeStep.STAGE:
            return profile.install_timeout_s
        case NodeStep.STORAGE_WAIT | NodeStep.RESYNC:
            return profile.wait_for_storage_repair_timeout_s
        case NodeStep.DRAIN | NodeStep.RESUME:
            return profile.drain_timeout_s
        case NodeStep.REBOOT:
            return profile.reboot_timeout_s
        case NodeStep.RECOVER:  # may resume the node, or wait for it to come back first
            return max(profile.drain_timeout_s, profile.reboot_timeout_s)
        case _:
            return None


def blind(run: RunProgress) -> bool:
    """The cluster stopped answering, but not for long enough to give up: no step may
    conclude a failure from a deadline it could not watch (a management outage is not a
    failed node — work on the nodes goes on)."""
    since = run.unreachable_since
    if not run.stale or since is None:
        return False
    return run.now - since < UNREACHABLE_LIMIT_SECONDS


def unreachable_too_long(run: RunProgress) -> bool:
    """The cluster has not answered for ``UNREACHABLE_LIMIT_SECONDS``: stop waiting for it."""
    since = run.unreachable_since
    return run.stale and since is not None and run.now - since >= UNREACHABLE_LIMIT_SECONDS


def late(run: RunProgress, node: NodeProgress) -> bool:
    """The step's deadline has passed and we could watch it pass."""
    return node.deadline is not None and run.now >= node.deadline and not blind(run)


def view_too_old(run: RunProgress) -> bool:
    """A disruptive act needs a view taken just now, not one from before the last wait."""
    return run.now - run.view_at > FRESH_VIEW_SECONDS


def past_stop_after(run: RunProgress, profile: ResolvedProfile) -> bool:
    """StopAfter has elapsed (CAU: the run is canceled then, whatever it is doing)."""
    return profile.stop_after_s is not None and run.now >= profile.stop_after_s


def past_warn_after(run: RunProgress, profile: ResolvedProfile) -> bool:
    """WarnAfter has elapsed (CAU: a warning, once; the run goes on)."""
    return profile.warn_after_s is not None and run.now >= profile.warn_after_s


def in_minutes(seconds: float | None) -> str:
    """A duration for a message, in the profile file's unit (``"?"`` when unbounded)."""
    return "?" if seconds is None else f"{seconds / 60:g}"
