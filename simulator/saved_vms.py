"""Saving and starting VMs on purpose: the fast offline update's steps 2 and 10 on the
simulated workloads.

Owns: ``SavedVms`` — the part of ``simulator.workloads.Workloads`` (its base class) that
saves a running VM (Save-VM / Stop-ClusterGroup with the offline action Save: the VM goes
offline with its memory kept, and no failover restarts it) and starts saved VMs again (on
their own host when it is active, else wherever the placement finds room, through the
workloads' own restart path). A saved VM counts as down from its save to its start.

Must not: decide when VMs are saved (the runner does, through the transport), or touch
quorum, storage or updates.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from simulator.clock import SimEnvironment

__all__ = ["SavedRecord", "SavedVms"]


class SavedRecord(Protocol):
    """What saving needs of a VM record (``simulator.workloads.SimVm``)."""

    online: bool
    saved: bool
    down_since: float | None


V = TypeVar("V", bound=SavedRecord)


class SavedVms(Generic[V]):
    """The base of ``Workloads``; uses its VM records and its restart path."""

    env: SimEnvironment
    by_name: dict[str, V]

    def _abort_migration(self, vm: V) -> None:
        raise NotImplementedError

    def changed(self, vm: V) -> None:
        raise NotImplementedError

    def _wait(self, vm: V) -> None:
        raise NotImplementedError

    def retry_pending(self) -> None:
        raise NotImplementedError

    def save(self, name: str) -> bool:
        """Save the running VM ``name``: offline, waiting for ``start_saved`` only."""
        vm = self.by_name.get(name)
        if vm is None or not vm.online:
            return False
        self._abort_migration(vm)
        vm.online, vm.saved, vm.down_since = False, True, float(self.env.now)
        self.changed(vm)
        return True

    def start_saved(self, names: tuple[str, ...]) -> None:
        """Start the saved VMs ``names`` (on their own host when it is active)."""
        for name in names:
            vm = self.by_name.get(name)
            if vm is not None and vm.saved:
                vm.saved = False
                self._wait(vm)
        self.retry_pending()
