"""Simulated cluster nodes: power state, pause flag, boot identity, OS build.

Owns: ``SimNode``, the mutable ground truth of one node, and the small rules about it — the
state Get-ClusterNode would show, the boot id that changes at every boot, and whether a
soft (kernel) reboot is possible. The world (``simulator.world``) drives the transitions
(restart, crash, boot) because they touch quorum, storage, workloads and updates.

Rules: a node that is restarting or crashed is Down and unreachable; the pause flag survives
reboots (a paused node comes back Paused until resumed); ``boot_count`` starts at 1 and the
boot id is ``"<name>-boot<n>"``; its OS version is its build's, so a feature update that
takes effect at a boot changes it. A node whose cluster service does not run (``in_cluster``
False: the cluster is stopped, or its service is Disabled) is Down to the cluster although
it is up and answers on its own endpoint.

Must not: schedule SimPy processes or know about other subsystems.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.types import BootType, DrainStatus, NodeState
from runner.versions import version_of_build
from simulator.model import NodeSpec

__all__ = ["DownCause", "SimNode", "bump_build"]


class DownCause:
    """Why a node is down; only ``RESTART`` and ``HANG`` after a runner restart are its doing."""

    RESTART = "restart"
    CRASH = "crash"
    HANG = "hang"
    OFFLINE = "offline"


@dataclass(slots=True)
class SimNode:
    spec: NodeSpec
    up: bool = True
    paused: bool = False
    drain_status: DrainStatus = DrainStatus.NOT_INITIATED
    boot_count: int = 1
    os_build: str = ""
    down_cause: str | None = None
    down_since: float | None = None
    restart_by_runner: bool = False
    in_cluster: bool = True  # its cluster service runs (False: stopped or not started)
    last_boot_type: BootType | None = None
    #: monotonically increasing token: a boot scheduled under an older token is stale
    power_token: int = 0
    #: opted into a preview channel and not restarted since (cleared at the next boot)
    channel_restart_pending: bool = False
    #: its drives are in storage maintenance mode (suspended by the runner on WS2022/21H2+)
    storage_maintenance: bool = False

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def boot_id(self) -> str:
        return f"{self.spec.name}-boot{self.boot_count}"

    @property
    def state(self) -> NodeState:
        if not self.up or not self.in_cluster:
            return NodeState.DOWN
        return NodeState.PAUSED if self.paused else NodeState.UP

    @property
    def version(self) -> str:
        """The Azure Stack HCI version the node runs: its build's (``runner.versions``)."""
        return version_of_build(self.os_build)

    @property
    def active(self) -> bool:
        """Up, in the cluster and not paused: may host and receive roles."""
        return self.up and self.in_cluster and not self.paused

    def boot_seconds(self, soft: bool) -> float:
        minutes = self.spec.soft_boot_minutes if soft else self.spec.boot_minutes
        return float(minutes) * 60.0


def bump_build(build: str, count: int) -> str:
    """``build`` with its revision (after the last dot) raised by ``count``: the OS build a
    node runs once ``count`` quality updates took effect (as it is when not numeric)."""
    head, dot, tail = build.rpartition(".")
    if dot and tail.isdigit():
        return f"{head}.{int(tail) + count}"
    return build
