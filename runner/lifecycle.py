"""The node lifecycle of a CAU rolling run, as data: steps, outcomes and a transition table.

Owns: ``NodeStep`` (where a node is in its per-node pipeline), ``Outcome`` (how a step
ended), ``TRANSITIONS`` (the only legal moves) and ``advance``, which raises
``IllegalTransition`` — changing nothing — for any move not in the table (h11's rule).

Theory of operation (reference cau.md §3.1 step 4 and its checklist)::

    WAITING ─ok→ PRE_SCRIPT ─ok→ SCAN ─ok→ STORAGE_WAIT ─ok→ DRAIN ─ok→ INSTALL
    INSTALL ─restart→ REBOOT ─ok→ RESCAN ─more→ INSTALL … ─ok→ RESUME
    INSTALL ─ok→ RESCAN  (nothing needed a restart)
    RESCAN ─restart→ REBOOT  (a restart is still pending after one: e.g. Storage Replica
                              after a feature update needs a second restart — known issue)
    INSTALL ─more→ INSTALL  (start_install unanswered: re-scanned, install what is left)
    RESUME ─ok→ RESYNC ─ok→ POST_SCRIPT ─ok→ DONE    (RESUME ─skip→ POST_SCRIPT without S2D)
    WAITING ─skip→ DONE  (nothing offered: Succeeded with no updates, never drained)
    SCAN ─skip→ POST_SCRIPT  (a retry after a post-script failure: nothing left to install)
    any failure ─failed→ RECOVER ─retry→ PRE_SCRIPT (next attempt) | ─give_up→ FAILED
    REBOOT ─lost→ FAILED  (never came back: left as is)   RESUME ─failed→ FAILED (left paused)
    RESYNC ─failed→ FAILED  (Down when the resync wait ends: not Succeeded while out of service)
    STORAGE_WAIT/WAITING ─cancel→ CANCELED  (quorum at risk: the run is canceled)
    STORAGE_WAIT ─give_up→ FAILED  (suspend retries on 5987 over: the run moves on, no retry)
    SCAN ─cancel→ CANCELED  (skip_update_checks and a feature update offered: the run stops)
    any live step ─stop→ STOPPED, or RECOVER first when the node is out (StopAfter)
    policy fast only (``runner.fast_steps``): SCAN ─stage→ STAGE (install before the drain)
    STAGE ─ok→ STORAGE_WAIT (a restart is owed)   STAGE ─no_drain→ RESCAN (none owed)
    RESCAN ─stage→ STAGE (a node never drained: what the re-scan offers is staged too)

Each step maps to at most one report phase (``STEP_PHASE``); SCAN/RESCAN have none.

Must not: do I/O, read a clock, or know how a step's outcome is found (``decisions`` does).
"""

from __future__ import annotations

from enum import StrEnum

from runner.errors import IllegalTransition

__all__ = [
    "LIVE_STEPS",
    "STEP_PHASE",
    "TERMINAL_STEPS",
    "TRANSITIONS",
    "IllegalTransition",
    "NodeStep",
    "Outcome",
    "advance",
]


class NodeStep(StrEnum):
    WAITING = "waiting"
    PRE_SCRIPT = "pre_script"
    SCAN = "scan"
    STORAGE_WAIT = "storage_wait"
    DRAIN = "drain"
    INSTALL = "install"
    REBOOT = "reboot"
    RESCAN = "rescan"
    RESUME = "resume"
    RESYNC = "resync"
    POST_SCRIPT = "post_script"
    RECOVER = "recover"
    STAGE = "stage"  # policy fast: the install before the drain (runner.fast_steps)
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"
    CANCELED = "canceled"


class Outcome(StrEnum):
    OK = "ok"
    SKIP = "skip"  # nothing to do in this step or the next
    FAILED = "failed"  # a failed attempt
    RESTART = "restart"  # install done, a restart is pending
    MORE = "more"  # the re-scan offers newly applicable updates
    RETRY = "retry"  # recovered; another attempt is allowed
    GIVE_UP = "give_up"  # recovered; no attempt left
    LOST = "lost"  # the node did not come back from a restart
    CANCEL = "cancel"  # the run is canceled before the node is touched
    STOP = "stop"  # StopAfter: end the node's work once it is safe
    STAGE = "stage"  # policy fast: install before the drain (runner.fast_steps)
    NO_DRAIN = "no_drain"  # policy fast: staged, nothing owes a restart: no drain at all


S, O = NodeStep, Outcome  # noqa: E741 - short names keep the table readable

TRANSITIONS: dict[tuple[NodeStep, Outcome], NodeStep] = {
    (S.WAITING, O.OK): S.PRE_SCRIPT,
    (S.WAITING, O.SKIP): S.DONE,
    (S.WAITING, O.FAILED): S.FAILED,
    (S.WAITING, O.CANCEL): S.CANCELED,
    (S.WAITING, O.STOP): S.STOPPED,
    (S.PRE_SCRIPT, O.OK): S.SCAN,
    (S.PRE_SCRIPT, O.FAILED): S.RECOVER,
    (S.PRE_SCRIPT, O.STOP): S.STOPPED,
    (S.SCAN, O.OK): S.STORAGE_WAIT,
    (S.SCAN, O.SKIP): S.POST_SCRIPT,
    (S.SCAN, O.FAILED): S.RECOVER,
    (S.SCAN, O.STOP): S.STOPPED,
    (S.SCAN, O.CANCEL): S.CANCELED,
    (S.STORAGE_WAIT, O.OK): S.DRAIN,
    (S.STORAGE_WAIT, O.FAILED): S.RECOVER,
    (S.STORAGE_WAIT, O.CANCEL): S.CANCELED,
    (S.STORAGE_WAIT, O.STOP): S.STOPPED,
    (S.STORAGE_WAIT, O.GIVE_UP): S.FAILED,
    (S.DRAIN, O.OK): S.INSTALL,
    (S.DRAIN, O.FAILED): S.RECOVER,
    (S.DRAIN, O.STOP): S.RECOVER,
    (S.INSTALL, O.OK): S.RESCAN,
    (S.INSTALL, O.RESTART): S.REBOOT,
    (S.INSTALL, O.FAILED): S.RECOVER,
    (S.INSTALL, O.MORE): S.INSTALL,  # an unanswered start: install what is still offered
    (S.INSTALL, O.STOP): S.RECOVER,
    (S.REBOOT, O.OK): S.RESCAN,
    (S.REBOOT, O.FAILED): S.RECOVER,
    (S.REBOOT, O.LOST): S.FAILED,
    (S.REBOOT, O.STOP): S.RECOVER,  # only before the restart is issued; one issued is waited out
    (S.RESCAN, O.MORE): S.INSTALL,
    (S.RESCAN, O.OK): S.RESUME,
    (S.RESCAN, O.RESTART): S.REBOOT,
    (S.RESCAN, O.FAILED): S.RECOVER,
    (S.RESCAN, O.STOP): S.RECOVER,
    (S.RESUME, O.OK): S.RESYNC,
    (S.RESUME, O.SKIP): S.POST_SCRIPT,
    (S.RESUME, O.FAILED): S.FAILED,
    (S.RESYNC, O.OK): S.POST_SCRIPT,
    (S.RESYNC, O.FAILED): S.FAILED,  # went Down after it was resumed: left as is
    (S.RESYNC, O.STOP): S.STOPPED,
    (S.POST_SCRIPT, O.OK): S.DONE,
    (S.POST_SCRIPT, O.FAILED): S.RECOVER,
    (S.POST_SCRIPT, O.STOP): S.STOPPED,
    (S.RECOVER, O.RETRY): S.PRE_SCRIPT,
    (S.RECOVER, O.GIVE_UP): S.FAILED,
    (S.RECOVER, O.FAILED): S.FAILED,
    (S.RECOVER, O.STOP): S.STOPPED,
    (S.SCAN, O.STAGE): S.STAGE,
    (S.STAGE, O.OK): S.STORAGE_WAIT,
    (S.STAGE, O.NO_DRAIN): S.RESCAN,
    (S.STAGE, O.MORE): S.STAGE,
    (S.STAGE, O.FAILED): S.RECOVER,
    (S.STAGE, O.STOP): S.STOPPED,
    (S.RESCAN, O.STAGE): S.STAGE,
}

del S, O

TERMINAL_STEPS = frozenset({NodeStep.DONE, NodeStep.FAILED, NodeStep.STOPPED, NodeStep.CANCELED})
LIVE_STEPS = frozenset(NodeStep) - TERMINAL_STEPS

# The report phase a step is timed under; RECOVER reports as "resume" when it resumes.
STEP_PHASE: dict[NodeStep, str] = {
    NodeStep.PRE_SCRIPT: "pre_script",
    NodeStep.STAGE: "stage",
    NodeStep.STORAGE_WAIT: "storage_wait",
    NodeStep.DRAIN: "drain",
    NodeStep.INSTALL: "install",
    NodeStep.REBOOT: "reboot",
    NodeStep.RESUME: "resume",
    NodeStep.RESYNC: "resync",
    NodeStep.POST_SCRIPT: "post_script",
}


def advance(step: NodeStep, outcome: Outcome) -> NodeStep:
    """The step after ``step`` ends with ``outcome``; ``IllegalTransition`` if none."""
    try:
        return TRANSITIONS[(step, outcome)]
    except KeyError:
        raise IllegalTransition(step, outcome) from None
