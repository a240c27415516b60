"""Mixed-mode clusters in the simulated world: the live migrations an OS-version mix
refuses, and the ledger of the ``mixed-mode-migration`` invariant.

Owns: ``can_live_migrate`` (from a node of one version to a node of another: same or newer
only), ``may_receive`` (the nodes a VM may be placed on), ``drain_refusal`` and
``failback_refusal`` (why the cluster refuses a drain's or a failback's live migration),
``can_host`` (a host runs a VM only if its version supports the VM's configuration
version), ``vm_config_version`` (a VM's version, defaulting to the functional level's) and
``MixedModeLedger`` — whether the cluster ever ran more than one OS version during the run,
and every live migration the runner's acts made the cluster refuse for it.

Theory of operation: while a feature update rolls through the cluster, updated nodes run a
newer version than the rest (mixed mode). Live migration works from an older node to a newer
one and never back, so a drain of an updated node can only move its VMs to other updated
nodes, and a failback from an updated node to an older one is refused
(``simulator.workloads`` asks these rules). Drains and failbacks happen only because the
runner suspended or resumed a node, so each refusal is the runner's: the invariant
``mixed-mode-migration`` holds when there was none. It applies only to runs in which the
cluster ran mixed at some moment, and is listed in the report's invariants only then.

Must not: move VMs, schedule anything, or iterate sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from runner.versions import config_key, is_newer, rank, version_named
from simulator.model import VmSpec

__all__ = [
    "MIXED_MODE_INVARIANT",
    "MixedModeLedger",
    "can_host",
    "can_live_migrate",
    "drain_refusal",
    "failback_refusal",
    "may_receive",
    "vm_config_version",
]

MIXED_MODE_INVARIANT = "mixed-mode-migration"


def can_live_migrate(source: str, target: str) -> bool:
    """Whether a VM live-migrates from a node at version ``source`` to one at ``target``: to
    the same version or a newer one; an unknown version (not Azure Stack HCI) is not judged."""
    return not is_newer(source, target)


def can_host(version: str, config_version: str) -> bool:
    """Whether a node at ``version`` runs a VM of ``config_version`` (unknown: it does)."""
    if not config_version or rank(version) < 0:
        return True
    return config_key(config_version) <= config_key(version_named(version).vm_config_version)


def vm_config_version(vm: VmSpec, functional_level: str) -> str:
    """A VM's configuration version: as given, else the functional level's version's."""
    if vm.config_version or rank(functional_level) < 0:
        return vm.config_version
    return version_named(functional_level).vm_config_version


class _Node(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def active(self) -> bool: ...


def may_receive(
    nodes: Mapping[str, _Node], config_version: str, live_from: str | None
) -> Callable[[str], bool]:
    """Which nodes may receive a VM of ``config_version``: active ones whose version runs it
    and, for a live migration from ``live_from``, at that node's version or newer."""
    source = nodes[live_from].version if live_from is not None else ""

    def receives(name: str) -> bool:
        node = nodes[name]
        if not node.active or not can_host(node.version, config_version):
            return False
        return live_from is None or can_live_migrate(source, node.version)

    return receives


def drain_refusal(nodes: Mapping[str, _Node], vm: str, source: str) -> str | None:
    """Why draining ``source`` cannot live-migrate ``vm`` anywhere: other active nodes exist,
    but none runs ``source``'s version or a newer one; ``None`` when that is not the case."""
    version = nodes[source].version
    others = [n for name, n in nodes.items() if name != source and n.active]
    if not others or any(can_live_migrate(version, n.version) for n in others):
        return None
    return f"{vm}: live migration from {source} ({version}) to an older version refused"


def failback_refusal(nodes: Mapping[str, _Node], vm: str, owner: str, node: str) -> str | None:
    """Why failing ``vm`` back from ``owner`` to ``node`` is refused (an older node)."""
    old, new = nodes[owner].version, nodes[node].version
    if can_live_migrate(old, new):
        return None
    return f"failback of {vm} from {owner} ({old}) to {node} ({new}) refused"


class MixedModeLedger:
    """Whether the cluster ran mixed, and the refusals the runner caused (see docstring)."""

    def __init__(self) -> None:
        self.ever_mixed = False
        self.refusals: list[tuple[float, str]] = []

    def versions_now(self, versions: Iterable[str]) -> None:
        """The nodes' versions after a change (the start, a boot): mixed if they differ."""
        known = {v for v in versions if rank(v) >= 0}
        if len(known) > 1:
            self.ever_mixed = True

    def refused(self, time: float, detail: str) -> None:
        """A live migration the runner's drain or failback asked for was refused."""
        self.refusals.append((time, detail))

    def noted(
        self,
        time: float,
        node: str,
        why: str | None,
        record: Callable[[str, str | None, str], None],
    ) -> bool:
        """Whether mixed mode refused a live migration (``why``); if so it is counted and
        recorded as the world's ``migration-refused`` event of ``node``."""
        if why is not None:
            self.refused(time, f"{why} (mixed mode)")
            record("migration-refused", node, why)
        return why is not None

    def section(self) -> dict[str, Any]:
        """The invariant's entry for the report (none when the cluster never ran mixed)."""
        if not self.ever_mixed and not self.refusals:
            return {}
        violations = [{"time": round(t, 3), "detail": d} for t, d in self.refusals]
        return {MIXED_MODE_INVARIANT: {"holds": not violations, "violations": violations}}
