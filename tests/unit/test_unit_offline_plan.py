"""The offline update's plan and profile: the downtime estimate and its parts, the quorum
guard behind Start-Cluster, the mode option and the refusal of rolling-only options."""

from __future__ import annotations

from typing import Any

import pytest
from literal_views import KB1, view

from runner.errors import InputError
from runner.offline_plan import (
    CLUSTER_STEPS_SECONDS,
    RESTART_MINUTES,
    SOFT_RESTART_MINUTES,
    VM_SECONDS,
    can_form,
    estimate_downtime,
)
from runner.profile import Mode, Profile
from runner.types import RoleState, RoleView, UpdateInfo
from runner.validation import parse_profile

NAMES = ("node1", "node2", "node3")


def _vm(name: str, owner: str, state: RoleState = RoleState.ONLINE) -> RoleView:
    return RoleView(name=name, kind="VirtualMachine", owner=owner, state=state)


def _resolved(**options: Any) -> Any:
    return Profile.from_mapping({"mode": "offline", **options}).resolved(NAMES)


def test_estimate_is_the_slowest_node_plus_one_restart_and_the_cluster_steps() -> None:
    """Two running VMs on the busiest node (one Offline VM does not count), the slowest
    node's installs (20 + 60 min), one full restart, the cluster steps; parts in order."""
    roles = (_vm("a", "node1"), _vm("b", "node1"), _vm("c", "node2"),
             _vm("d", "node2", RoleState.OFFLINE))  # fmt: skip
    feature = UpdateInfo(id="FU", title="24H2", kind="feature")
    estimate = estimate_downtime(
        view(roles=roles), {"node1": (KB1,), "node2": (KB1, feature)}, _resolved()
    )
    assert estimate.parts == (
        ("save VMs", 2 * VM_SECONDS),
        ("cluster steps", CLUSTER_STEPS_SECONDS),
        ("install", 80 * 60.0),
        ("restart", RESTART_MINUTES * 60.0),
        ("start VMs", 2 * VM_SECONDS),
    )
    assert estimate.seconds == sum(s for _, s in estimate.parts)
    assert estimate.describe() == (
        "about 1 h 43 min (save VMs 1 min, cluster steps 12 min, install 1 h 20 min, "
        "restart 10 min, start VMs 1 min)"
    )


def test_estimate_uses_a_soft_restart_unless_firmware_needs_a_full_one() -> None:
    """reboot_mode soft: a Kernel Soft Reboot's minutes; a firmware update: a full restart;
    nothing that needs a restart: none."""
    soft = _resolved(reboot_mode="soft")
    parts = dict(estimate_downtime(view(), {"node1": (KB1,)}, soft).parts)
    assert parts["restart"] == SOFT_RESTART_MINUTES * 60.0
    firmware = UpdateInfo(id="FW", title="BIOS", kind="firmware", firmware=True)
    parts = dict(estimate_downtime(view(), {"node1": (KB1, firmware)}, soft).parts)
    assert parts["restart"] == RESTART_MINUTES * 60.0
    quiet = UpdateInfo(id="KB9", title="Defender", restart_required=False)
    parts = dict(estimate_downtime(view(), {"node1": (quiet,)}, soft).parts)
    assert parts["restart"] == 0.0


@pytest.mark.parametrize(
    ("voters", "witness", "up", "forms"),
    [
        (4, True, 2, True),  # 2 nodes + witness of 5 votes
        (4, True, 1, False),
        (4, False, 3, True),  # one vote zeroed, assumed a present node's: 2 of 3
        (4, False, 2, False),
        (3, False, 2, True),
        (3, True, 1, False),  # odd: the witness does not vote
        (3, False, 0, False),
    ],
)
def test_can_form_needs_a_majority_of_the_votes(
    voters: int, witness: bool, up: int, forms: bool
) -> None:
    """Start-Cluster's quorum guard: a majority of the configured votes among the nodes
    back, the witness voting only while the voters are even."""
    votes = tuple((f"node{i + 1}", 1) for i in range(voters))
    present = [f"node{i + 1}" for i in range(up)]
    assert can_form(votes, witness, present) is forms


def test_a_zero_weight_node_does_not_vote() -> None:
    """A node with NodeWeight 0 neither counts toward the majority nor for the total."""
    votes = (("node1", 1), ("node2", 1), ("node3", 0))
    assert can_form(votes, True, ["node1", "node2"]) is True
    assert can_form(votes, False, ["node3"]) is False


def test_mode_defaults_to_rolling_and_accepts_offline() -> None:
    """No mode: rolling (CAU's run); mode offline is kept; anything else is refused."""
    assert Profile().mode == Mode.ROLLING
    assert parse_profile({"mode": "offline"}, "p.yaml").mode == Mode.OFFLINE
    with pytest.raises(InputError, match=r"p\.yaml at \$\.mode: .*rolling.*offline"):
        parse_profile({"mode": "parallel"}, "p.yaml")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("pre_update_script", "pre.ps1"),
        ("post_update_script", "post.ps1"),
        ("force_pause_and_drain", True),
        ("force_pause_drain_and_reboot", True),
        ("site_aware_updating_order", ["Seattle"]),
        ("skip_update_checks", True),
    ],
)
def test_offline_mode_refuses_rolling_only_options(option: str, value: Any) -> None:
    """Each rolling-only option is refused in an offline profile, naming it, with the way
    out (remove it or use mode rolling)."""
    with pytest.raises(InputError) as refused:
        parse_profile({"mode": "offline", option: value}, "p.yaml").resolved(NAMES, source="p.yaml")
    message = str(refused.value)
    assert message.startswith(f"p.yaml at $.{option}: {option} ")
    assert message.endswith("remove it or use mode rolling")
