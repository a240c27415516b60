"""The fast policy's own per-node step: STAGE, the install before the drain.

Owns: ``stage_step`` (STAGE: install the offered updates while the node still runs its
workloads; a restart owed sends it on to STORAGE_WAIT, the drain and the restart — the
restart still needs a drain — and none owed means no drain at all: RESCAN, then on without a
restart, as for a hotpatch month), ``stageable`` (which offers may be staged) and
``never_out`` (the node was not suspended in this attempt). ``runner.decisions`` dispatches
STAGE here; ``runner.fast_decisions`` chooses it (SCAN ─stage→ STAGE).

Rules: only quality updates of the Windows Update plug-in alone are staged (feature updates,
drivers, firmware and other plug-ins install after the drain, as CAU does), never with
``force_pause_drain_and_reboot`` (its restart must follow the install) nor with a
pre-update script (the fast run's staging ahead would run it long before the drain).

Must not: do I/O, read a clock, or mutate its inputs.
"""

from __future__ import annotations

from dataclasses import replace

from runner.actions import Action, Advance
from runner.lifecycle import Outcome
from runner.option_rules import reboot_after_install
from runner.plugins import PluginName
from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.types import ClusterView, UpdateInfo
from runner.work_steps import install_step

__all__ = ["never_out", "stage_step", "stageable"]


def stageable(offer: tuple[UpdateInfo, ...], profile: ResolvedProfile) -> bool:
    """Whether ``offer`` may be installed before the node is drained (module docstring)."""
    if not offer or reboot_after_install(profile) or profile.pre_update_script:
        return False
    if profile.plugin != (PluginName.WINDOWS_UPDATE,):
        return False
    return all(u.kind == "quality" and not u.firmware for u in offer)


def never_out(node: NodeProgress) -> bool:
    """The node was not suspended (nor asked to be) in this attempt."""
    return not (node.suspend_issued or node.suspend_attempted or node.paused_by_us)


def stage_step(
    view: ClusterView, run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> Action:
    """STAGE: ``install_step``'s install, before the drain (module docstring)."""
    action = install_step(view, run, node, profile)
    if not isinstance(action, Advance) or action.outcome not in (Outcome.OK, Outcome.RESTART):
        return action
    if action.outcome is Outcome.RESTART or node.restart_pending:
        return replace(action, outcome=Outcome.OK, offered=())
    return replace(action, outcome=Outcome.NO_DRAIN, offered=())
