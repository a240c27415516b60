"""The oracle of the fast offline update: its own four invariants, and which of the rolling
ones do not apply to it.

Owns: ``OFFLINE_INVARIANTS`` (the stable names the report uses), ``NOT_APPLICABLE`` (the
rolling invariants an offline run waives, each with the reason the report states) and
``OfflineJudge``, which watches the offline update in the world (VMs turned off hard,
Start-Cluster attempts) and judges at the end:

- ``workloads-restored``: every VM that ran when the run began runs at its end, and none
  was turned off hard (running when the cluster stopped or its host restarted: not saved);
- ``disks-restored``: every virtual disk is online at the end and healthy — Warning
  (online, its redundancy not yet rebuilt) only while the report names a failed node;
- ``cluster-service-restored``: no node has its cluster service Disabled at the end —
  also when the run fails — unless it is down and the report names it in
  ``offline.service_left_disabled`` (and every node named there really is Disabled);
- ``quorum-at-start``: every Start-Cluster the runner issued found a majority of the votes
  able to form the cluster, and a cluster the run stopped runs again at its end, unless the
  report ends with ``QuorumNotPossible`` (too few nodes came back).

Must not: read the runner's view or events (only the report it is handed), change the
world, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from runner.offline_types import ServiceStartup
from runner.types import HealthStatus, SummaryStatus
from simulator.world_port import OfflineWorld

__all__ = ["NOT_APPLICABLE", "OFFLINE_INVARIANTS", "OfflineJudge"]

OFFLINE_INVARIANTS = (
    "workloads-restored",
    "disks-restored",
    "cluster-service-restored",
    "quorum-at-start",
)
NOT_APPLICABLE: Mapping[str, str] = {
    "quorum": "the offline update stops the cluster on purpose; quorum-at-start judges its start",
    "storage-redundancy": (
        "the offline update takes every virtual disk offline on purpose; disks-restored "
        "judges their return"
    ),
    "resync-before-next": "every node restarts at once: no node waits for another's resync",
    "workload-availability": (
        "waived: the offline update's downtime was consented to; workloads-restored judges the VMs"
    ),
    "max-nodes-out": "every node is out of service at once, by design",
    "redundancy-margin": "every node is out of service at once, by design: no margin is left",
}
_FAILED = (SummaryStatus.FAILED.value, SummaryStatus.PARTIALLY_FAILED.value)


class Services(Protocol):
    """The offline subsystem's ground truth the judge reads."""

    @property
    def stopped(self) -> bool: ...
    @property
    def startup(self) -> Mapping[str, ServiceStartup]: ...


class OfflineJudge:
    """Evidence of the offline invariants, and their verdicts at the end."""

    def __init__(self, world: OfflineWorld, services: Services) -> None:
        self.world = world
        self.services = services
        self.before = [vm.name for vm in world.workloads.vms if vm.online]
        self.hard: list[tuple[float, str]] = []
        self.starts: list[tuple[float, tuple[str, ...], bool]] = []

    def _now(self) -> float:
        return float(self.world.env.now)

    def hard_stop(self, why: str, vms: list[str]) -> None:
        """VMs were running when ``why``: turned off, not saved."""
        shown = ", ".join(vms[:5]) + (" …" if len(vms) > 5 else "")
        self.hard.append((self._now(), f"{len(vms)} VM(s) running when {why}: {shown}"))

    def start_attempt(self, members: list[str], formed: bool) -> None:
        self.starts.append((self._now(), tuple(members), formed))

    def verdicts(self, report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The waived rolling invariants' sections (``not_applicable``: why), then the four
        offline invariants' sections, in ``OFFLINE_INVARIANTS`` order."""
        found = {
            "workloads-restored": self._workloads(),
            "disks-restored": self._disks(report),
            "cluster-service-restored": self._services(report),
            "quorum-at-start": self._start(report),
        }
        waived: dict[str, dict[str, Any]] = {
            name: {"holds": True, "not_applicable": why, "violations": []}
            for name, why in NOT_APPLICABLE.items()
        }
        return waived | {
            name: {
                "holds": not found[name],
                "violations": [{"time": round(t, 3), "detail": d} for t, d in found[name]],
            }
            for name in OFFLINE_INVARIANTS
        }

    def _workloads(self) -> list[tuple[float, str]]:
        out = list(self.hard)
        online = {vm.name for vm in self.world.workloads.vms if vm.online}
        down = [name for name in self.before if name not in online]
        if down:
            shown = ", ".join(down[:5]) + (" …" if len(down) > 5 else "")
            out.append(
                (self._now(), f"{len(down)} VM(s) ran before the run, not at its end: {shown}")
            )
        return out

    def _disks(self, report: Mapping[str, Any]) -> list[tuple[float, str]]:
        storage = self.world.storage
        if storage is None:
            return []
        failed = any(n.get("status") in _FAILED for n in report.get("nodes", []) or [])
        out: list[tuple[float, str]] = []
        for disk in storage.disk_views():
            if disk.healthy:
                continue
            if disk.health is HealthStatus.WARNING and failed:
                continue  # online; its redundancy waits for a failed node's drives
            states = ", ".join(s.label for s in disk.operational)
            out.append((self._now(), f"{disk.name} is {disk.health.value} ({states}) at the end"))
        return out

    def _services(self, report: Mapping[str, Any]) -> list[tuple[float, str]]:
        offline = report.get("offline") or {}
        named = list(offline.get("service_left_disabled", []) or [])
        out: list[tuple[float, str]] = []
        for node, startup in self.services.startup.items():
            disabled = startup is ServiceStartup.DISABLED
            if disabled and not (node in named and not self.world.nodes[node].up):
                out.append((self._now(), f"{node} has its cluster service Disabled at the end"))
            if node in named and not disabled:
                why = f"the report says {node}'s cluster service is left Disabled; it is {startup}"
                out.append((self._now(), why))
        return out

    def _start(self, report: Mapping[str, Any]) -> list[tuple[float, str]]:
        out = [
            (t, f"Start-Cluster was issued with too few votes to form: {', '.join(members)}")
            for t, members, formed in self.starts
            if not formed
        ]
        if self.services.stopped and report.get("error_id") != "QuorumNotPossible":
            out.append((self._now(), "the run stopped the cluster and it is still stopped"))
        return out
