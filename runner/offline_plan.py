"""The plan of a fast offline update: its planned downtime, and whether the cluster can start.

Owns: ``estimate_downtime`` (step 1 of the guide, "plan your maintenance window": how long
the hosted VMs will be down, from the preflight's observation and scan — every node
installs at once, so the window is the slowest node's installs plus one restart, plus the
cluster-wide steps around them), ``DowntimeEstimate`` and ``can_form`` (whether nodes that
are back hold a majority of the cluster's votes, so Start-Cluster forms the cluster with
quorum — the guard behind the oracle's ``quorum-at-start``).

Theory of operation: Windows Update does not say how long an update takes, so the
estimate uses typical figures per update kind (``INSTALL_MINUTES``) and per restart
(``RESTART_MINUTES``); the plan prints each part, so an operator can judge it, and the
report sets it beside the downtime the run really had. Quorum: the votes are the configured
NodeWeights; the witness votes only while the voting nodes are even; with an even count and
no witness the cluster zeroes one vote and the coordinator cannot know whose, so the worst
case is assumed (reference cau.md §5.2).

Must not: do I/O, read a clock, or decide the run (``runner.offline_decisions`` does).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from runner.option_rules import wants_soft_restart
from runner.profile import ResolvedProfile
from runner.types import ClusterView, RoleState, UpdateInfo

__all__ = [
    "CLUSTER_STEPS_SECONDS",
    "INSTALL_MINUTES",
    "RESTART_MINUTES",
    "SOFT_RESTART_MINUTES",
    "VM_SECONDS",
    "DowntimeEstimate",
    "can_form",
    "estimate_downtime",
]

# Typical install minutes per update kind (a cumulative update with its servicing stack
# update takes 15-30 minutes on a cluster node; a feature update an hour or more).
INSTALL_MINUTES: Mapping[str, float] = {
    "quality": 20.0,
    "feature": 60.0,
    "driver": 10.0,
    "firmware": 15.0,
}
RESTART_MINUTES = 10.0  # a server's full restart: firmware, OS, auto-start services
SOFT_RESTART_MINUTES = 3.0  # Kernel Soft Reboot
VM_SECONDS = 20.0  # saving (or starting) one VM; a node's VMs one after another
# Disks offline, Stop-Cluster, the service set Disabled, then Automatic, Start-Cluster,
# the pool healthy and the disks online again.
CLUSTER_STEPS_SECONDS = 12 * 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DowntimeEstimate:
    """The planned downtime and its parts, in seconds (``parts`` in step order)."""

    seconds: float
    parts: tuple[tuple[str, float], ...]

    def describe(self) -> str:
        """``about 1 h 05 min (save VMs 2 min, …)`` for the plan and the run's events."""
        listed = ", ".join(f"{name} {_minutes(s)}" for name, s in self.parts)
        return f"about {_minutes(self.seconds)} ({listed})"


def _minutes(seconds: float) -> str:
    whole = round(seconds / 60.0)
    hours, minutes = divmod(whole, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def estimate_downtime(
    view: ClusterView, offers: Mapping[str, tuple[UpdateInfo, ...]], profile: ResolvedProfile
) -> DowntimeEstimate:
    """The planned downtime of an offline update of the cluster in ``view`` with ``offers``
    (the preflight scan: node → updates)."""
    per_node: dict[str, int] = {}
    for role in view.roles:
        if role.kind == "VirtualMachine" and role.state is RoleState.ONLINE:
            per_node[role.owner] = per_node.get(role.owner, 0) + 1
    vms = max(per_node.values(), default=0) * VM_SECONDS
    install = max(
        (sum(INSTALL_MINUTES.get(u.kind, 20.0) for u in updates) for updates in offers.values()),
        default=0.0,
    )
    updates = [u for offered in offers.values() for u in offered]
    restart = 0.0
    if any(u.restart_required for u in updates):
        soft = wants_soft_restart(profile, view) and not any(u.firmware for u in updates)
        restart = SOFT_RESTART_MINUTES if soft else RESTART_MINUTES
    parts = (
        ("save VMs", vms),
        ("cluster steps", CLUSTER_STEPS_SECONDS),
        ("install", install * 60.0),
        ("restart", restart * 60.0),
        ("start VMs", vms),
    )
    return DowntimeEstimate(seconds=sum(s for _, s in parts), parts=parts)


def can_form(votes: Collection[tuple[str, int]], witness: bool, up: Collection[str]) -> bool:
    """Whether the nodes ``up`` (their cluster service able to start) hold a majority of the
    configured votes ``votes`` (node, NodeWeight), with an online ``witness`` or without."""
    voters = [name for name, weight in votes if weight > 0]
    present = sum(1 for name in voters if name in up)
    if not voters or not present:
        return False
    even = len(voters) % 2 == 0
    if even and witness:
        return 2 * (present + 1) > len(voters) + 1
    if even:
        # One vote is zeroed and we cannot know whose: assume one of the present nodes'.
        return 2 * (present - 1) > len(voters) - 1
    return 2 * present > len(voters)
