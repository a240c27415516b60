"""The pure decision core, table-driven over literal ClusterView values (no SimPy, no I/O):
the steps up to maintenance (waiting, scripts, scan, storage wait, drain)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from literal_views import (
    DEGRADED,
    DOWN,
    H_SCAN,
    H_SCRIPT,
    KB1,
    KB2,
    OK1,
    PAUSED,
    PROFILE,
    REPAIR,
    UP,
    adv,
    node,
    run,
    scan_none,
    summary,
    view,
)

from runner.actions import Advance, Restart, Resume, StartScan, StartScript, Suspend, Wait
from runner.decisions import decide
from runner.lifecycle import NodeStep, Outcome
from runner.progress import NodeProgress
from runner.types import ClusterView, DrainStatus, FailbackMode, WorkProgress, WorkState

# (case, view, node progress, run overrides, expected (action type, outcome or None))
CASES = [
    (
        "waiting, nothing offered",
        view(),
        node(NodeStep.WAITING, attempt=0, initial_offer=()),
        {},
        adv(Outcome.SKIP),
    ),
    ("waiting, node down", view(DOWN), node(NodeStep.WAITING, attempt=0), {}, adv(Outcome.FAILED)),
    ("waiting, ok", view(), node(NodeStep.WAITING, attempt=0), {}, adv(Outcome.OK)),
    (
        "waiting, quorum at risk",
        view(others=(UP,), witness=False),
        node(NodeStep.WAITING, attempt=0),
        {},
        adv(Outcome.CANCEL),
    ),
    ("pre, no script", view(), node(NodeStep.PRE_SCRIPT), {}, adv(Outcome.OK)),
    ("scan, first attempt uses preflight", view(), node(NodeStep.SCAN), {}, adv(Outcome.OK)),
    ("scan, retry scans again", view(), node(NodeStep.SCAN, attempt=2), {}, (StartScan, None)),
    (
        "scan, retry nothing left",
        view(),
        node(NodeStep.SCAN, attempt=2, handle=H_SCAN, work=scan_none),
        {},
        adv(Outcome.SKIP),
    ),
    (
        "storage degraded waits",
        view(disks=(DEGRADED,)),
        node(NodeStep.STORAGE_WAIT),
        {},
        (Wait, None),
    ),
    ("repair job waits", view(jobs=(REPAIR,)), node(NodeStep.STORAGE_WAIT), {}, (Wait, None)),
    ("storage healthy suspends", view(), node(NodeStep.STORAGE_WAIT), {}, (Suspend, None)),
    (
        "storage wait times out",
        view(jobs=(REPAIR,)),
        node(NodeStep.STORAGE_WAIT),
        {"now": 1000.0},
        adv(Outcome.FAILED),
    ),
    (
        "stale view never suspends",
        view(),
        node(NodeStep.STORAGE_WAIT),
        {"stale": True},
        (Wait, None),
    ),
    (
        "pool quorum at risk cancels",
        view(others=(UP, DOWN), witness=False, disks=()),
        node(NodeStep.STORAGE_WAIT),
        {},
        adv(Outcome.CANCEL),
    ),
    (
        "suspend accepted",
        view(),
        node(NodeStep.STORAGE_WAIT, suspend_issued=True),
        {},
        adv(Outcome.OK),
    ),
    (
        "draining waits",
        view(PAUSED, drain=DrainStatus.IN_PROGRESS),
        node(NodeStep.DRAIN, paused_by_us=True),
        {},
        (Wait, None),
    ),
    (
        "drained",
        view(PAUSED, drain=DrainStatus.COMPLETED),
        node(NodeStep.DRAIN, paused_by_us=True),
        {},
        adv(Outcome.OK),
    ),
    (
        "a drain status older than the suspend is ignored",
        view(PAUSED, drain=DrainStatus.FAILED),
        node(NodeStep.DRAIN, paused_by_us=True, entered_at=100.0),
        {"view_at": 99.0},
        (Wait, None),
    ),
    (
        "drain failed",
        view(PAUSED, drain=DrainStatus.FAILED),
        node(NodeStep.DRAIN, paused_by_us=True),
        {},
        adv(Outcome.FAILED),
    ),
    (
        "drain timeout",
        view(PAUSED, drain=DrainStatus.IN_PROGRESS),
        node(NodeStep.DRAIN, paused_by_us=True),
        {"now": 1000.0},
        adv(Outcome.FAILED),
    ),
]


@pytest.mark.parametrize(
    ("v", "n", "overrides", "expected"),
    [pytest.param(v, n, o, e, id=case) for case, v, n, o, e in CASES],
)
def test_node_step_decisions(
    v: ClusterView, n: NodeProgress, overrides: dict[str, object], expected: tuple[type, object]
) -> None:
    """Each lifecycle step decides from the literal view as the CAU pipeline requires."""
    assert summary(decide(v, run(n, **overrides), PROFILE)) == expected


def test_restart_carries_boot_id_and_soft_only_without_firmware() -> None:
    """The restart names the boot id it must see change; KSR only when no firmware update."""
    v = view(PAUSED, drain=DrainStatus.COMPLETED, boot="b7")
    soft = replace(PROFILE, soft_reboot=True)
    action = decide(v, run(node(NodeStep.REBOOT)), soft)
    assert action == Restart(node="node1", soft=True, boot_id_before="b7")
    action = decide(v, run(node(NodeStep.REBOOT, firmware_pending=True)), soft)
    assert isinstance(action, Restart)
    assert action.soft is False


def test_recover_after_drain_failure_resumes_without_failback() -> None:
    """A node whose drain failed is resumed with NoFailback; otherwise the profile's mode."""
    action = decide(
        view(PAUSED), run(node(NodeStep.RECOVER, paused_by_us=True, drain_failed=True)), PROFILE
    )
    assert action == Resume(node="node1", failback=FailbackMode.NONE)
    action = decide(view(PAUSED), run(node(NodeStep.RESUME)), PROFILE)
    assert action == Resume(node="node1", failback=FailbackMode.IMMEDIATE)


def test_never_reinstalls_a_succeeded_update() -> None:
    """A retry's scan drops an update that succeeded while its restart is still owed (the
    restart comes first); once the restart is paid a re-offer was rolled back at boot: the
    node fails as an update loop, at the retry's scan as at the re-scan."""
    offer = WorkProgress(handle=H_SCAN, state=WorkState.SUCCEEDED, offered=(KB1, KB2))
    owed = node(
        NodeStep.SCAN, attempt=2, results=(OK1,), restart_pending=True, handle=H_SCAN, work=offer
    )
    action = decide(view(), run(owed), PROFILE)
    assert isinstance(action, Advance)
    assert (action.outcome, action.offered) == (Outcome.OK, (KB2,))
    paid = replace(owed, restart_pending=False, restarts=1)
    action = decide(view(), run(paid), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert action.error == "update loop detected: KB1 offered again after it reported Succeeded"
    loop = node(
        NodeStep.RESCAN,
        results=(OK1,),
        attempt_tried=("KB1",),
        handle=H_SCAN,
        work=WorkProgress(handle=H_SCAN, state=WorkState.SUCCEEDED, offered=(KB1,)),
    )
    action = decide(view(PAUSED), run(loop), PROFILE)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert "update loop detected: KB1" in action.error


def test_a_retry_scan_with_a_restart_pending_restarts_the_node() -> None:
    """A retry's scan offers nothing but reports a restart pending (an install of the failed
    attempt went ahead unseen): the node goes on to its drain owing the restart; without the
    pending restart it is skipped, nothing left to install; a restart already owed needs no
    warning."""
    pending = WorkProgress(handle=H_SCAN, state=WorkState.SUCCEEDED, restart_required=True)
    unseen = node(NodeStep.SCAN, attempt=2, handle=H_SCAN, work=pending)
    action = decide(view(), run(unseen), PROFILE)
    assert isinstance(action, Advance)
    assert (action.outcome, action.offered, action.restart_owed) == (Outcome.OK, (), True)
    assert action.note == "a restart is pending with nothing left to install: the node restarts"
    action = decide(view(), run(replace(unseen, work=scan_none)), PROFILE)
    assert isinstance(action, Advance)
    assert (action.outcome, action.restart_owed) == (Outcome.SKIP, False)
    action = decide(view(), run(replace(unseen, restart_pending=True)), PROFILE)
    assert isinstance(action, Advance)
    assert (action.outcome, action.offered, action.note) == (Outcome.OK, (), "")


def test_quorum_cancel_names_error_and_event() -> None:
    """A quorum risk cancels the run with QuorumAtRisk and CAU event 1018."""
    action = decide(view(others=(UP,), witness=False), run(node(NodeStep.STORAGE_WAIT)), PROFILE)
    assert isinstance(action, Advance)
    assert (action.cancel_run, action.event_id) == ("QuorumAtRisk", 1018)


def test_scripts_run_and_fail_on_nonzero_exit() -> None:
    """A configured pre-update script is started, polled, and fails on a non-zero exit."""
    prof = replace(PROFILE, pre_update_script="C:\\pre.ps1")
    assert decide(view(), run(node(NodeStep.PRE_SCRIPT)), prof) == StartScript(
        node="node1", script="C:\\pre.ps1", which="pre"
    )
    failed = WorkProgress(handle=H_SCRIPT, state=WorkState.SUCCEEDED, exit_code=3)
    action = decide(view(), run(node(NodeStep.PRE_SCRIPT, handle=H_SCRIPT, work=failed)), prof)
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert "exit code 3" in action.error
