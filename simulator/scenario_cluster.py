"""Scenario files, the ``cluster:`` block: nodes, S2D storage and VMs, resolved and checked.

Owns: ``ClusterResolver`` — the conveniences of the cluster block (``nodes: {count: 4}`` →
node1..node4, ``volumes: {count: 2}`` → vol01, vol02, ``vms: {count: 24}`` → vm01..vm24
placed round-robin, ``sites: {A: [node1]}`` → node → site) and the checks a schema cannot
express there (unique names, known owners and site members, a node in one site at most,
S2D's 16-node and fault-domain limits, VM memory that fits), plus the shared
``fail``/``known``/``unique`` helpers that raise ``InputError(file, "$.json.path", …)``.
``simulator.scenario`` subclasses it for the rest of the file.

Must not: read files or validate shapes (the JSON Schema did that before this runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any, NoReturn

from runner.errors import InputError
from runner.types import Resiliency, WitnessType
from runner.validation import Locator, PathElement, format_path
from simulator.distributions import DRAWN_KINDS, Distribution, distribution_of
from simulator.model import ClusterSpec, NodeSpec, StorageSpec, VmSpec, VolumeSpec
from simulator.scenario_domains import resolve_fault_domains
from simulator.scenario_versions import check_vm_versions, cluster_levels, resolve_node_versions

__all__ = ["MAX_S2D_NODES", "MAX_VMS_PER_NODE", "ClusterResolver"]

# Storage Spaces Direct supports at most 16 servers per cluster.
MAX_S2D_NODES = 16
MAX_VMS_PER_NODE = 1024  # Hyper-V's limit of running VMs on one host


class ClusterResolver:
    """Turns a schema-valid mapping into model dataclasses, checking cross-references."""

    def __init__(self, data: Mapping[str, Any], source: str, locate: Locator) -> None:
        self.data = data
        self.source = source
        self.locate = locate
        self.distributions: dict[str, Distribution] = {}  # by key, see Scenario.distributions

    def fail(self, path: Sequence[PathElement], message: str) -> NoReturn:
        line = self.locate(path)
        if line is not None:
            message += f" (line {line})"
        raise InputError(self.source, format_path(path), message)

    def unique(self, path: list[PathElement], name: str, seen: dict[str, str], what: str) -> None:
        # Windows names are case-insensitive: NODE1 and node1 are one machine.
        folded = name.casefold()
        if folded in seen:
            self.fail(path, f"{what} {name!r} is listed twice (as {seen[folded]!r})")
        seen[folded] = name

    def known_node(self, path: list[PathElement], name: str, names: Iterable[str]) -> None:
        self.known(path, name, names, "node", "a node of this cluster")

    def known(self, path: list[PathElement], name: str, names: Iterable[str], *what: str) -> None:
        listed = list(names)
        if name not in listed:
            shown = ", ".join(listed[:8]) + (", ..." if len(listed) > 8 else "")
            self.fail(path, f"unknown {what[0]} {name!r}; expected {what[1]} ({shown})")

    def drawn(
        self, raw: Mapping[str, Any], path: list[PathElement], owners: Sequence[str]
    ) -> dict[str, Any]:
        """``raw`` with each distribution (``{median, p95}``, ``{min, max}``, ``{min, mode,
        max}``) replaced by its median, and recorded for each owner as ``kind/owner`` (no
        owners: ``kind``) in ``self.distributions``."""
        out = dict(raw)
        for kind in DRAWN_KINDS:
            value = raw.get(kind)
            if not isinstance(value, Mapping):
                continue
            try:
                distribution = distribution_of(value)
            except ValueError as exc:
                key, reason = exc.args
                self.fail([*path, kind, key], reason)
            out[kind] = distribution.median
            for owner in owners or [""]:
                self.distributions[f"{kind}/{owner}" if owner else kind] = distribution
        return out

    def host(self, path: list[PathElement], name: str, nodes: Mapping[str, NodeSpec]) -> None:
        self.known_node(path, name, nodes)
        if not nodes[name].online:
            self.fail(path, f"node {name!r} is offline and hosts no VMs")

    # ----------------------------------------------------------------------- cluster

    def cluster(self, raw: Mapping[str, Any]) -> ClusterSpec:
        nodes, version = resolve_node_versions(self, raw, self.nodes(raw["nodes"]))
        level, pool = cluster_levels(self, raw, nodes)
        witness = WitnessType(raw.get("witness", "none"))
        storage = self.storage(raw["storage"], nodes) if "storage" in raw else None
        if storage is not None and witness is WitnessType.DISK:
            no_disk = "a disk witness is not supported with S2D; expected cloud, file-share or none"
            self.fail(["cluster", "witness"], no_disk)
        if storage is not None:
            storage = replace(storage, pool_version=pool)
        vms_raw = raw.get("workloads", {}).get("vms", [])
        vms = self.vms(vms_raw, nodes)
        check_vm_versions(self, vms, nodes, isinstance(vms_raw, list))
        keys = ("migration_mb_s", "max_parallel_migrations", "cau_enable_soft_reboot")
        extra = self.drawn({k: raw[k] for k in keys if k in raw}, ["cluster"], [])
        sites = self.sites(raw.get("sites", {}), nodes)
        if "fault_domains" in raw:
            extra["fault_domains"] = resolve_fault_domains(
                self, raw["fault_domains"], nodes, storage
            )
        return ClusterSpec(
            name=raw["name"], witness=witness, nodes=nodes, storage=storage, vms=vms,
            version=version, functional_level=level, sites=sites, **extra,
        )  # fmt: skip

    def sites(self, raw: Mapping[str, Any], nodes: tuple[NodeSpec, ...]) -> Mapping[str, str]:
        """Node → site from ``{site: [nodes]}``: known nodes, each in one site at most."""
        names = [n.name for n in nodes]
        site_of: dict[str, str] = {}
        seen: dict[str, str] = {}
        for site, members in raw.items():
            self.unique(["cluster", "sites", site], site, seen, "site")
            for i, name in enumerate(members):
                at: list[PathElement] = ["cluster", "sites", site, i]
                self.known_node(at, name, names)
                if name in site_of:
                    self.fail(at, f"node {name!r} is already in site {site_of[name]!r}")
                site_of[name] = site
        return MappingProxyType(site_of)

    def nodes(self, raw: Any) -> tuple[NodeSpec, ...]:
        at: list[PathElement] = ["cluster", "nodes"]
        if isinstance(raw, list):  # a node's ``version`` becomes its build (scenario_versions)
            specs = tuple(
                NodeSpec(
                    **self.drawn(
                        {k: v for k, v in item.items() if k != "version"}, [*at, i], [item["name"]]
                    )
                )
                for i, item in enumerate(raw)
            )
            paths: list[list[PathElement]] = [[*at, i, "name"] for i in range(len(raw))]
        else:
            per_node = ("count", "names", "offline", "versions", "channel_restart_pending")
            shared = {k: v for k, v in raw.items() if k not in per_node}
            if "count" in raw:
                names = [f"node{i}" for i in range(1, raw["count"] + 1)]
                paths = [[*at, "count"]] * len(names)
            else:
                names = list(raw["names"])
                paths = [[*at, "names", i] for i in range(len(names))]
            shared = self.drawn(shared, at, names)
            offline = list(raw.get("offline", []))
            for i, name in enumerate(offline):
                self.known_node([*at, "offline", i], name, names)
            pending = list(raw.get("channel_restart_pending", []))
            for i, name in enumerate(pending):
                self.known_node([*at, "channel_restart_pending", i], name, names)
            specs = tuple(
                NodeSpec(
                    name=n, online=n not in offline, channel_restart_pending=n in pending, **shared
                )
                for n in names
            )
        seen: dict[str, str] = {}
        for spec, path in zip(specs, paths, strict=True):
            self.unique(path, spec.name, seen, "node")
        return specs

    def storage(self, raw: Mapping[str, Any], nodes: tuple[NodeSpec, ...]) -> StorageSpec:
        at: list[PathElement] = ["cluster", "storage"]
        if len(nodes) > MAX_S2D_NODES:
            self.fail(
                at,
                f"Storage Spaces Direct supports at most {MAX_S2D_NODES} nodes, this cluster "
                f"has {len(nodes)}; omit storage for a SAN-backed cluster",
            )
        volumes_raw = raw["volumes"]
        if isinstance(volumes_raw, list):
            volumes = tuple(
                VolumeSpec(
                    **{
                        **self.drawn(v, [*at, "volumes", i], [v["name"]]),
                        "resiliency": Resiliency(v["resiliency"]),
                    }
                )
                for i, v in enumerate(volumes_raw)
            )
            paths: list[list[PathElement]] = [[*at, "volumes", i] for i in range(len(volumes_raw))]
        else:
            count = volumes_raw["count"]
            width = max(2, len(str(count)))
            shared = {k: v for k, v in volumes_raw.items() if k not in ("count", "resiliency")}
            resiliency = Resiliency(volumes_raw["resiliency"])
            names = [f"vol{i:0{width}d}" for i in range(1, count + 1)]
            shared = self.drawn(shared, [*at, "volumes"], names)
            volumes = tuple(
                VolumeSpec(name=name, resiliency=resiliency, **shared) for name in names
            )
            paths = [[*at, "volumes"]] * count
        seen: dict[str, str] = {}
        for volume, path in zip(volumes, paths, strict=True):
            self.unique([*path, "name"], volume.name, seen, "volume")
            needed = volume.resiliency.min_fault_domains
            if needed > len(nodes):
                self.fail(
                    [*path, "resiliency"],
                    f"{volume.resiliency.value} needs at least {needed} nodes, "
                    f"the cluster has {len(nodes)}",
                )
        keys = ("repair_mb_s", "drives_per_node", "space_settle_minutes", "maintenance_mode")
        extra = self.drawn({k: raw[k] for k in keys if k in raw}, at, [])
        return StorageSpec(volumes=volumes, **extra)

    def vms(self, raw: Any, nodes: tuple[NodeSpec, ...]) -> tuple[VmSpec, ...]:
        at: list[PathElement] = ["cluster", "workloads", "vms"]
        by_name = {n.name: n for n in nodes}
        if isinstance(raw, list):
            seen: dict[str, str] = {}
            for i, item in enumerate(raw):
                self.host([*at, i, "owner"], item["owner"], by_name)
                self.unique([*at, i, "name"], item["name"], seen, "VM")
            result = tuple(VmSpec(**item) for item in raw)
        else:
            result = self.vm_set(raw, nodes, at)
        self.check_fit(result, nodes, at)
        return result

    def vm_set(
        self, raw: Mapping[str, Any], nodes: tuple[NodeSpec, ...], at: list[PathElement]
    ) -> tuple[VmSpec, ...]:
        count: int = raw["count"]
        width = max(2, len(str(count)))
        names = [f"vm{i:0{width}d}" for i in range(1, count + 1)]
        placement: Mapping[str, int] = raw.get("placement", {})
        by_name = {n.name: n for n in nodes}
        for node_name, placed in placement.items():
            if placed:
                self.host([*at, "placement", node_name], node_name, by_name)
            else:
                self.known_node([*at, "placement", node_name], node_name, by_name)
        placed_total = sum(placement.values())
        if placed_total > count:
            self.fail([*at, "placement"], f"places {placed_total} VMs but count is {count}")
        # Declaration order, not mapping order, so a file's key order never changes owners.
        owners = [n.name for n in nodes for _ in range(placement.get(n.name, 0))]
        spread = [n.name for n in nodes if n.online and n.name not in placement]
        rest = count - placed_total
        if rest and not spread:
            online = [n.name for n in nodes if n.online]
            if not online:
                self.fail(
                    [*at, "count"],
                    f"{rest} VMs need an online node to run on and every node is offline; "
                    "expected count 0 or a node that is not offline",
                )
            self.fail(
                [*at, "placement"],
                f"{rest} VMs are not placed and every online node ({', '.join(online)}) is "
                f"named in placement; expected placement to add up to count ({count})",
            )
        owners += [spread[i % len(spread)] for i in range(rest)]
        unmovable = list(raw.get("unmovable", []))
        for i, vm_name in enumerate(unmovable):
            if vm_name not in names:
                named = f"{names[0]}..{names[-1]}" if names else "none: count is 0"
                self.fail([*at, "unmovable", i], f"unknown VM {vm_name!r}; expected one of {named}")
        shared = {k: raw[k] for k in ("memory_gb", "config_version") if k in raw}
        return tuple(
            VmSpec(name=name, owner=owner, movable=name not in unmovable, **shared)
            for name, owner in zip(names, owners, strict=True)
        )

    def check_fit(
        self, vms: tuple[VmSpec, ...], nodes: tuple[NodeSpec, ...], at: list[PathElement]
    ) -> None:
        used: dict[str, float] = {n.name: 0.0 for n in nodes}
        hosted: dict[str, int] = {n.name: 0 for n in nodes}
        for vm in vms:
            used[vm.owner] += vm.memory_gb
            hosted[vm.owner] += 1
        for node in nodes:
            if used[node.name] > node.memory_gb:
                self.fail(
                    at,
                    f"the VMs on {node.name} need {used[node.name]:g} GB but it has "
                    f"{node.memory_gb:g} GB (memory_gb); expected them to fit",
                )
            if hosted[node.name] > MAX_VMS_PER_NODE:
                self.fail(
                    at, f"{node.name} hosts {hosted[node.name]} VMs; at most {MAX_VMS_PER_NODE}"
                )
