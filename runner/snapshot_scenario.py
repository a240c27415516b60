"""A snapshot of a real cluster as a scenario document (``pycau snapshot``).

Owns: ``snapshot_document`` — one observation (``ClusterView``), the snapshot reads
(``runner.inventory``) and each node's offered updates (a read-only scan) become the
mapping of a scenario file, plus the list of everything that could not be read; and
``render`` — that mapping as YAML text, each unread figure listed as a ``# not read: …``
comment above it. A figure not read is left out, so the scenario's default applies (the
comment says which).

Theory of operation — where each figure comes from:
- nodes: names, state (Down → ``online: false``), NodeWeight (``vote``), OS build and
  Azure Stack HCI version from observe; memory from Get-VMHost's MemoryCapacity (the
  host's memory, not less a reserve); ``boot_minutes`` the median of the node's own
  restarts (event 1074 to the next 6005); ``soft_boot_minutes``, ``scan_minutes`` and
  ``remote_shutdown`` are never read;
- VMs: each VirtualMachine role and its owner from observe, its memory from its host's
  Get-VM (assigned while running, else startup), ``movable: false`` when its only possible
  owner is the node it runs on;
- volumes: each virtual disk's resiliency and size from observe; ``write_mb_s`` the sum over
  the nodes of the mean of five one-second samples of
  ``\\Cluster CSVFS(*)\\Write Bytes/sec`` for the CSV instance named like the volume
  (the counters measure what is written now: a snapshot taken at a quiet hour
  underestimates the maintenance window's rate); ``repair_mb_s``, ``drives_per_node`` and
  ``space_settle_minutes`` are never read;
- witness: observe's quorum resource type; ``cau_enable_soft_reboot`` observe's
  CauEnableSoftReboot; ``sites`` are never read;
- updates: what each node is offered now (the scan), ``nodes:`` when not every scanned
  node is offered one (a node that could not be scanned is taken to be offered what every
  scanned node is); ``install_minutes`` the median over every node's history of installs of
  the same KB, else of the same series (the title without its "YYYY-MM " month and its
  KB number: last month's cumulative update for this month's), else the default;
- ``max_parallel_migrations``: Get-VMHost's MaximumVirtualMachineMigrations (the lowest
  when the nodes differ). Faults, scripts, the profile and ``expect`` are not the cluster's.

Must not: do I/O, import the WinRM stack or the simulator, or read the wall clock (the same
reads give the same text).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from runner.inventory import ClusterInventory, InstallRecord, NodeInventory, kb_of
from runner.types import ClusterView, NodeState, UpdateInfo
from runner.versions import oldest

__all__ = ["SCENARIO_KINDS", "render", "series_of", "snapshot_document"]

_MB = 1024**2
SCENARIO_KINDS = ("quality", "feature", "driver", "firmware")
_BUILD = re.compile(r"^[0-9]+\.[0-9]+$")
_MONTH = re.compile(r"^\s*\d{4}-\d{2}\s+")
_KB_PART = re.compile(r"\(?\bKB\s?\d{4,8}\b\)?", re.IGNORECASE)


def series_of(title: str) -> str:
    """The series an update belongs to: its title without the leading "YYYY-MM " and
    its KB number, case-folded ("2023-10 Cumulative Update for … (KB5031364)" and the
    2023-09 one are the same series)."""
    bare = _KB_PART.sub("", _MONTH.sub("", title))
    return " ".join(bare.split()).casefold()


def _figure(value: float, places: int = 3) -> int | float:
    """A figure as the file writes it: whole numbers without a fraction."""
    rounded = round(value, places)
    return int(rounded) if rounded == int(rounded) else rounded


def _minutes(seconds: Sequence[float]) -> int | float:
    """The median of ``seconds`` in minutes, to a tenth (at least 0.1)."""
    return _figure(max(statistics.median(seconds) / 60, 0.1), 1)


def _kb(update: UpdateInfo) -> str:
    return kb_of(update.id) or kb_of(update.title)


class _Snapshot:
    """Builds the document; collects what was not read in ``notes``."""

    def __init__(
        self,
        view: ClusterView,
        cluster: ClusterInventory | None,
        nodes: Mapping[str, NodeInventory],
        offered: Mapping[str, tuple[UpdateInfo, ...]],
        scan_errors: Mapping[str, str],
        node_errors: Mapping[str, str],
    ) -> None:
        self.view, self.cluster, self.inventory = view, cluster, nodes
        self.offered, self.scan_errors, self.node_errors = offered, scan_errors, node_errors
        self.notes: list[str] = []

    def not_read(self, text: str) -> None:
        self.notes.append(" ".join(text.split()))

    def document(self) -> dict[str, Any]:
        cluster: dict[str, Any] = {
            "name": self.view.cluster,
            "witness": self.view.witness.type.value,
            "nodes": self.nodes(),
        }
        version = oldest(n.version for n in self.view.nodes)
        if version:
            cluster["version"] = version
        self.not_read(
            "functional_level, storage pool version, VM configuration versions: the "
            "defaults (the oldest node's version)"
        )
        if self.view.soft_reboot_property:  # CauEnableSoftReboot, read by every observation
            cluster["cau_enable_soft_reboot"] = True
        self.not_read("sites (Get-ClusterFaultDomain): none")
        storage = self.storage()
        if storage is not None:
            cluster["storage"] = storage
        cluster["workloads"] = {"vms": self.vms()}
        migrations = [i.max_migrations for i in self.inventory.values() if i.max_migrations]
        if migrations:
            cluster["max_parallel_migrations"] = min(migrations)
            if len(set(migrations)) > 1:
                self.not_read("max_parallel_migrations differs between nodes: the lowest")
        else:
            self.not_read("max_parallel_migrations (Get-VMHost): the default, 2")
        self.not_read("migration_mb_s (not measured): the default, 1000 MB/s")
        return {
            "name": self.view.cluster,
            "description": f"Snapshot of cluster {self.view.cluster} taken by pycau snapshot.",
            "cluster": cluster,
            "updates": self.updates(),
        }

    def nodes(self) -> list[dict[str, Any]]:
        entries = []
        version = oldest(n.version for n in self.view.nodes)
        for node in self.view.nodes:
            entry: dict[str, Any] = {"name": node.name}
            read = self.inventory.get(node.name)
            for reason in read.unread if read else ():
                self.not_read(f"on {node.name}: {reason}")
            if read is None:
                why = self.node_errors.get(node.name) or f"it is {node.state.value}"
                self.not_read(
                    f"{node.name} ({why}): its memory, restart time, VMs' memory, write "
                    "rates and history; the defaults"
                )
            elif read.memory_gb is None:
                self.not_read(f"memory of {node.name}: the default, 384 GB")
            else:
                entry["memory_gb"] = _figure(read.memory_gb)
            if read is not None and read.restart_seconds:
                entry["boot_minutes"] = _minutes(read.restart_seconds)
            elif read is not None:
                self.not_read(f"restart time of {node.name} (no restart in its System log): 8 min")
            if _BUILD.match(node.os_build):
                entry["os_build"] = node.os_build
                if node.version and node.version != version:
                    entry["version"] = node.version
            else:
                self.not_read(f"OS build of {node.name} ({node.os_build!r}): the default")
            if node.state is NodeState.DOWN:
                entry["online"] = False
            elif node.state is not NodeState.UP:
                self.not_read(f"{node.name} is {node.state.value} now: written as Up")
            if node.node_weight == 0:  # NodeWeight 0: no vote (1 is the default)
                entry["vote"] = node.node_weight
            entries.append(entry)
        self.not_read("soft_boot_minutes (Kernel Soft Reboot is not told apart): 2 min")
        self.not_read("scan_minutes (a scan is not timed): 1 min")
        self.not_read("remote_shutdown (the Remote Shutdown firewall rules): enabled")
        return entries

    def vms(self) -> list[dict[str, Any]]:
        placements = {vm.name: vm for vm in (self.cluster.vms if self.cluster else ())}
        if self.cluster is None:
            self.not_read("the VMs' possible owners: every VM written movable")
        entries = []
        down = {n.name for n in self.view.nodes if n.state is NodeState.DOWN}
        for role in self.view.roles:
            if role.kind != "VirtualMachine":
                self.not_read(f"role {role.name} ({role.kind}): scenarios model VMs only")
                continue
            if role.owner in down:  # a scenario's offline node hosts no VM
                self.not_read(f"VM {role.name}: its owner {role.owner} is Down; left out")
                continue
            entry: dict[str, Any] = {"name": role.name, "owner": role.owner}
            host = self.inventory.get(role.owner)
            memory = {vm.name: vm for vm in host.vms} if host else {}
            if role.name in memory and memory[role.name].memory_gb > 0:
                entry["memory_gb"] = _figure(memory[role.name].memory_gb)
            else:
                self.not_read(f"memory of VM {role.name}: the default, 16 GB")
            placement = placements.get(role.name)
            if placement is not None and not placement.movable:
                entry["movable"] = False
            entries.append(entry)
        return entries

    def storage(self) -> dict[str, Any] | None:
        if not self.view.virtual_disks:
            if self.view.s2d_enabled:
                self.not_read("Storage Spaces Direct is enabled but has no volume: no storage")
            return None  # SAN-backed: no S2D block
        rates = [i.write_rates for i in self.inventory.values() if i.write_rates is not None]
        volumes = []
        for disk in self.view.virtual_disks:
            volume: dict[str, Any] = {"name": disk.name, "resiliency": disk.resiliency.value}
            if disk.size_gb >= 1:
                volume["size_gb"] = _figure(disk.size_gb)
            matched = [
                rate for node in rates for instance, rate in node if _names(instance, disk.name)
            ]
            if matched:
                volume["write_mb_s"] = _figure(sum(matched) / _MB, 1)
            else:
                self.not_read(f"write rate of {disk.name} (no CSVFS counter for it): 20 MB/s")
            volumes.append(volume)
        self.not_read("repair_mb_s (a repair's throughput is not recorded): 400 MB/s")
        self.not_read("drives_per_node: the default, 4")
        self.not_read("space_settle_minutes (not measured): 0")
        return {"volumes": volumes}

    def updates(self) -> list[dict[str, Any]]:
        for name, error in sorted(self.scan_errors.items()):
            self.not_read(
                f"the updates offered to {name} ({error}): those every scanned node is "
                "offered, as for the others"
            )
        scanned = [n for n in self.view.nodes if n.name in self.offered]
        history = [r for i in self.inventory.values() for r in i.installs]
        found: dict[str, tuple[UpdateInfo, list[str]]] = {}
        for node in scanned:
            for update in self.offered[node.name]:
                found.setdefault(update.id, (update, []))[1].append(node.name)
        entries = []
        for update, nodes in found.values():
            entry: dict[str, Any] = {"id": update.id, "title": update.title}
            if update.kind in SCENARIO_KINDS:
                entry["kind"] = update.kind
            else:
                self.not_read(f"kind of {update.id} ({update.kind!r}): quality")
            minutes = self.install_minutes(update, history)
            if minutes is not None:
                entry["install_minutes"] = minutes
            entry["restart"] = update.restart_required
            if update.firmware:
                entry["firmware"] = True
            if len(nodes) < len(scanned):  # an update every scanned node has is everyone's
                entry["nodes"] = nodes
            entries.append(entry)
        self.not_read(
            "updates that become applicable only after another is installed (a later "
            "scan finds them), and feature updates (offered through the rolling-upgrade "
            "plug-in only)"
        )
        return entries

    def install_minutes(
        self, update: UpdateInfo, history: Sequence[InstallRecord]
    ) -> int | float | None:
        kb = _kb(update)
        same = [r.seconds for r in history if kb and r.kb.casefold() == kb.casefold()]
        series = series_of(update.title)
        alike = [r.seconds for r in history if series and series_of(r.title) == series]
        if same or alike:
            return _minutes(same or alike)
        self.not_read(f"install time of {update.id} (no install of its series in any node's "
                      "history): 15 min")  # fmt: skip
        return None


def _names(instance: str, volume: str) -> bool:
    """A CSVFS counter instance is the volume's: its name or a path ending in it."""
    last = instance.replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1]
    return last.casefold() == volume.casefold()


def snapshot_document(
    view: ClusterView,
    cluster: ClusterInventory | None,
    nodes: Mapping[str, NodeInventory],
    offered: Mapping[str, tuple[UpdateInfo, ...]],
    scan_errors: Mapping[str, str],
    node_errors: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """(the scenario mapping, what was not read); ``node_errors``: why a node's own part
    could not be read."""
    snapshot = _Snapshot(view, cluster, nodes, offered, scan_errors, node_errors or {})
    document = snapshot.document()
    return document, list(dict.fromkeys(snapshot.notes))


def render(document: Mapping[str, Any], notes: Sequence[str]) -> str:
    """The scenario file: a header, one ``# not read: …`` line per note, the YAML."""
    header = [
        f"# A scenario of cluster {document.get('name')}, written by `pycau snapshot` from what",
        "# the cluster answered. Figures not read take the scenario's defaults, as listed.",
        "# Add your run's `profile:` (and `faults:` to rehearse them) before `pycau simulate`.",
    ]
    lines = [*header, *(f"# not read: {note}" for note in notes)]
    body = yaml.safe_dump(
        dict(document), sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )
    return "\n".join(lines) + "\n" + body
