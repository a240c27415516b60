"""The runner's mixed-mode rules over literal views: no drain or failback that needs a live
migration from a newer OS version to an older one."""

from __future__ import annotations

from dataclasses import replace

import pytest
from literal_views import PROFILE, node, run

from runner.actions import Advance, Resume, Suspend
from runner.lifecycle import NodeStep, Outcome
from runner.maintenance_steps import recover_step, resume_step, storage_wait_step
from runner.mixed_mode import drain_risk, failback_mode, mixed
from runner.types import ClusterView, FailbackMode, NodeState, NodeView, RoleState, RoleView


def cluster(
    *versions: str, roles_on: tuple[str, ...] = ("node1",), down: tuple[str, ...] = ()
) -> ClusterView:
    nodes = tuple(
        NodeView(
            name=f"node{i}",
            state=NodeState.DOWN if f"node{i}" in down else NodeState.UP,
            version=v,
            reachable=f"node{i}" not in down,
        )
        for i, v in enumerate(versions, start=1)
    )
    roles = tuple(RoleView(name=f"vm-{n}", owner=n) for n in roles_on)
    return ClusterView(cluster="c", taken_at=0.0, nodes=nodes, roles=roles)


@pytest.mark.parametrize(
    ("versions", "roles_on", "down", "risky"),
    [
        (("21H2", "20H2", "20H2"), ("node1",), (), True),  # the only new node, VMs on it
        (("21H2", "21H2", "20H2"), ("node1",), (), False),  # another new node takes them
        (("21H2", "21H2", "20H2"), ("node1",), ("node2",), True),  # ... unless it is down
        (("21H2", "20H2", "20H2"), ("node2",), (), False),  # nothing runs on node1
        (("20H2", "21H2", "21H2"), ("node1",), (), False),  # old → new is allowed
        (("20H2", "20H2", "20H2"), ("node1",), (), False),  # not mixed
        (("", "", ""), ("node1",), (), False),  # not Azure Stack HCI: not judged
    ],
)
def test_drain_risk_only_when_every_other_node_is_older(
    versions: tuple[str, ...], roles_on: tuple[str, ...], down: tuple[str, ...], risky: bool
) -> None:
    """Draining node1 is refused exactly when its running roles could go only to older nodes."""
    risk = drain_risk(cluster(*versions, roles_on=roles_on, down=down), "node1")
    assert (risk is not None) is risky
    if risk:
        assert "not draining node1: it runs 21H2" in risk


def test_drain_risk_ignores_offline_roles() -> None:
    """An offline role does not live-migrate: it asks nothing of the cluster."""
    view = cluster("21H2", "20H2")
    offline = ClusterView(
        cluster="c", taken_at=0.0, nodes=view.nodes,
        roles=(RoleView(name="vm", owner="node1", state=RoleState.OFFLINE),),
    )  # fmt: skip
    assert drain_risk(offline, "node1") is None


@pytest.mark.parametrize(
    ("versions", "after_failure", "expected"),
    [
        (("20H2", "20H2", "20H2"), False, FailbackMode.IMMEDIATE),  # not mixed
        (("20H2", "20H2", "20H2"), True, FailbackMode.IMMEDIATE),
        (("21H2", "20H2", "20H2"), False, FailbackMode.IMMEDIATE),  # node1 is the newest
        (("21H2", "20H2", "20H2"), True, FailbackMode.NONE),  # a retry would drain it again
        (("20H2", "21H2", "20H2"), False, FailbackMode.NONE),  # newer nodes cannot give back
        (("20H2", "21H2", "20H2"), True, FailbackMode.NONE),
    ],
)
def test_failback_is_withheld_when_it_would_move_roles_to_an_older_node(
    versions: tuple[str, ...], after_failure: bool, expected: FailbackMode
) -> None:
    """Resume node1 with failback only when no role must come from a newer node, and not
    after a failed attempt in a mixed cluster; a withheld failback carries a note."""
    mode, note = failback_mode(
        cluster(*versions), "node1", FailbackMode.IMMEDIATE, after_failure=after_failure
    )
    assert mode is expected
    assert bool(note) is (expected is not FailbackMode.IMMEDIATE)


def test_no_failback_asked_stays_none() -> None:
    """A profile without failback is never given one."""
    mode, note = failback_mode(
        cluster("20H2", "21H2"), "node1", FailbackMode.NONE, after_failure=False
    )
    assert (mode, note) == (FailbackMode.NONE, "")


def test_mixed_counts_known_versions_only() -> None:
    """Mixed means two known versions among the nodes."""
    assert mixed(cluster("20H2", "21H2"))
    assert not mixed(cluster("20H2", "20H2", ""))


def _steps_view(versions: tuple[str, ...], *, node1: NodeState = NodeState.UP) -> ClusterView:
    view = cluster(*versions)
    nodes = (replace(view.nodes[0], state=node1), *view.nodes[1:])
    return replace(view, nodes=nodes)


def test_storage_wait_fails_the_attempt_instead_of_a_drain_mixed_mode_refuses() -> None:
    """STORAGE_WAIT on the only new node that hosts roles: a failed attempt, no Suspend."""
    view = _steps_view(("21H2", "20H2", "20H2"))
    action = storage_wait_step(
        view, run(node(NodeStep.STORAGE_WAIT)), node(NodeStep.STORAGE_WAIT), PROFILE
    )
    assert isinstance(action, Advance)
    assert action.outcome is Outcome.FAILED
    assert "a mixed-mode cluster does not live-migrate to an older version" in action.error
    fine = _steps_view(("21H2", "21H2", "20H2"))
    assert isinstance(
        storage_wait_step(
            fine, run(node(NodeStep.STORAGE_WAIT)), node(NodeStep.STORAGE_WAIT), PROFILE
        ),
        Suspend,
    )


def test_resume_and_recover_choose_the_failback_mixed_mode_allows() -> None:
    """RESUME of an old node among newer ones withholds failback with a note; RECOVER of the
    newest node withholds it too (a retry drains it again); RESUME of the newest keeps it."""
    old_among_new = _steps_view(("20H2", "21H2", "21H2"), node1=NodeState.PAUSED)
    newest = _steps_view(("21H2", "20H2", "20H2"), node1=NodeState.PAUSED)
    resume = node(NodeStep.RESUME)
    first = resume_step(old_among_new, run(resume), resume, PROFILE)
    assert isinstance(first, Resume)
    assert first.failback is FailbackMode.NONE
    assert first.note
    kept = resume_step(newest, run(resume), resume, PROFILE)
    assert isinstance(kept, Resume)
    assert kept.failback is FailbackMode.IMMEDIATE
    recover = node(NodeStep.RECOVER, paused_by_us=True)
    again = recover_step(newest, run(recover), recover, PROFILE)
    assert isinstance(again, Resume)
    assert again.failback is FailbackMode.NONE
    assert again.note
