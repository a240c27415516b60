"""The pure decision core, table-driven over literal ClusterView values (no SimPy, no I/O):
the steps in maintenance and after (install, restart, re-scan, resume, resync, recover)."""

from __future__ import annotations

import pytest
from literal_views import (
    DOWN,
    H_INSTALL,
    H_SCAN,
    KB1,
    PAUSED,
    PROFILE,
    REPAIR,
    UP,
    adv,
    install_failed,
    installed,
    node,
    run,
    running,
    scan_new,
    scan_none,
    summary,
    view,
)

from runner.actions import Poll, Restart, Resume, StartInstall, Wait
from runner.decisions import decide
from runner.lifecycle import NodeStep, Outcome
from runner.progress import NodeProgress
from runner.types import ClusterView, DrainStatus, RoleView

CASES = [
    (
        "install starts",
        view(PAUSED),
        node(NodeStep.INSTALL, offered=(KB1,)),
        {},
        (StartInstall, None),
    ),
    (
        "install polls",
        view(PAUSED),
        node(NodeStep.INSTALL, offered=(KB1,), handle=H_INSTALL, work=running),
        {},
        (Poll, None),
    ),
    (
        "install timeout",
        view(PAUSED),
        node(NodeStep.INSTALL, offered=(KB1,), handle=H_INSTALL, work=running),
        {"now": 1000.0},
        adv(Outcome.FAILED),
    ),
    (
        "install needs restart",
        view(PAUSED),
        node(NodeStep.INSTALL, offered=(KB1,), handle=H_INSTALL, work=installed),
        {},
        adv(Outcome.RESTART),
    ),
    (
        "install failed",
        view(PAUSED),
        node(NodeStep.INSTALL, offered=(KB1,), handle=H_INSTALL, work=install_failed),
        {},
        adv(Outcome.FAILED),
    ),
    (
        "restart after drain",
        view(PAUSED, drain=DrainStatus.COMPLETED),
        node(NodeStep.REBOOT, paused_by_us=True),
        {},
        (Restart, None),
    ),
    (
        "no restart with roles on node",
        view(PAUSED, drain=DrainStatus.COMPLETED, roles=(RoleView(name="vm1", owner="node1"),)),
        node(NodeStep.REBOOT),
        {},
        adv(Outcome.FAILED),
    ),
    (
        "restart waits while a node is down (two-way mirror)",
        view(PAUSED, drain=DrainStatus.COMPLETED, others=(UP, DOWN)),
        node(NodeStep.REBOOT),
        {},
        (Wait, None),
    ),
    (
        "restart gives up on unsafe storage at its deadline",
        view(PAUSED, drain=DrainStatus.COMPLETED, others=(UP, DOWN)),
        node(NodeStep.REBOOT),
        {"now": 1000.0},
        adv(Outcome.FAILED),
    ),
    (
        "no restart undrained",
        view(PAUSED, drain=DrainStatus.IN_PROGRESS),
        node(NodeStep.REBOOT),
        {},
        adv(Outcome.FAILED),
    ),
    (
        "restarting, same boot id",
        view(PAUSED, boot="b1"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=90.0),
        {},
        (Wait, None),
    ),
    (
        "restarting, down",
        view(DOWN, boot="b1"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=90.0),
        {},
        (Wait, None),
    ),
    (
        "restarted, boot id changed",
        view(PAUSED, boot="b2"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=90.0),
        {},
        adv(Outcome.OK),
    ),
    (
        "restarted after a failed install",
        view(PAUSED, boot="b2"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", attempt_failed=True),
        {},
        adv(Outcome.FAILED),
    ),
    (
        "never came back",
        view(DOWN, boot="b1"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=0.0),
        {"now": 901.0},
        adv(Outcome.LOST),
    ),
    (
        "boot id never changed",
        view(PAUSED, boot="b1"),
        node(NodeStep.REBOOT, restart_issued=True, boot_id_before="b1", restart_at=0.0),
        {"now": 901.0},
        adv(Outcome.FAILED),
    ),
    (
        "rescan finds more",
        view(PAUSED),
        node(NodeStep.RESCAN, handle=H_SCAN, work=scan_new, attempt_tried=("KB1",)),
        {},
        adv(Outcome.MORE),
    ),
    (
        "rescan finds nothing",
        view(PAUSED),
        node(NodeStep.RESCAN, handle=H_SCAN, work=scan_none),
        {},
        adv(Outcome.OK),
    ),
    ("rescan loop bound", view(PAUSED), node(NodeStep.RESCAN, passes=10), {}, adv(Outcome.OK)),
    ("resume issues", view(PAUSED), node(NodeStep.RESUME), {}, (Resume, None)),
    ("resumed", view(UP), node(NodeStep.RESUME, resume_issued=True), {}, adv(Outcome.OK)),
    ("resync waits for jobs", view(jobs=(REPAIR,)), node(NodeStep.RESYNC), {}, (Wait, None)),
    ("resync done", view(), node(NodeStep.RESYNC), {}, adv(Outcome.OK)),
    (
        "recover resumes paused node",
        view(PAUSED),
        node(NodeStep.RECOVER, paused_by_us=True),
        {},
        (Resume, None),
    ),
    (
        "recover waits for a down node",
        view(DOWN),
        node(NodeStep.RECOVER, paused_by_us=True),
        {},
        (Wait, None),
    ),
    (
        "recover gives up on a down node",
        view(DOWN),
        node(NodeStep.RECOVER, paused_by_us=True),
        {"now": 1000.0},
        adv(Outcome.FAILED),
    ),
    (
        "recover retries",
        view(UP),
        node(NodeStep.RECOVER, paused_by_us=True),
        {},
        adv(Outcome.RETRY),
    ),
    ("recover gives up", view(UP), node(NodeStep.RECOVER, attempt=3), {}, adv(Outcome.GIVE_UP)),
    (
        "recover when stopping",
        view(UP),
        node(NodeStep.RECOVER),
        {"stopping": True},
        adv(Outcome.STOP),
    ),
    (
        "stop while draining recovers",
        view(PAUSED),
        node(NodeStep.DRAIN, paused_by_us=True),
        {"stopping": True},
        adv(Outcome.STOP),
    ),
    (
        "stop before maintenance",
        view(),
        node(NodeStep.STORAGE_WAIT),
        {"stopping": True},
        adv(Outcome.STOP),
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
