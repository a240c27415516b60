"""Scenario files, the OS versions: the cluster's version, per-node exceptions, the functional
level, the storage pool version, VM configuration versions and feature updates' targets.

Owns: ``resolve_node_versions`` (each node's build from ``cluster.version``, its exception in
``nodes.versions`` or its own ``version``/``os_build``, checked to agree), ``cluster_levels``
(the functional level and pool version, defaulting to the oldest node's version, never newer
than it), ``check_vm_versions`` (a VM's configuration version must be one its host runs) and
``resolve_feature_update`` (a feature update's ``to_version`` and build: newer than the
cluster's version, or refused) and ``check_post_steps`` (update_functional_level on nodes of
mixed versions that no feature update brings together: refused). Every refusal is
``Failing.fail(path, message)``: the file, the JSON path and what was expected, as the rest
of the scenario loader does.

Theory of operation: a node's version is its build's (``runner.versions.version_of_build``),
so a version given in the file becomes a build — the version's default build — and a build
given with a version must belong to it. ``cluster.version`` names the version every node
runs unless it has an exception; without it, the oldest node's version stands for the
cluster.

Must not: read files, validate shapes (the JSON Schema did) or build the world.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NoReturn, Protocol

from runner.validation import PathElement
from runner.versions import (
    VERSIONS,
    config_key,
    is_newer,
    oldest,
    rank,
    version_named,
    version_of_build,
)
from simulator.model import NodeSpec, UpdateSpec, VmSpec

__all__ = [
    "Failing",
    "check_post_steps",
    "check_vm_versions",
    "cluster_levels",
    "resolve_feature_update",
    "resolve_node_versions",
]

_NODES: list[PathElement] = ["cluster", "nodes"]


class Failing(Protocol):
    """The scenario resolver's way to refuse input (``ClusterResolver.fail``)."""

    def fail(self, path: Sequence[PathElement], message: str) -> NoReturn: ...


def resolve_node_versions(
    at: Failing, raw: Mapping[str, Any], specs: tuple[NodeSpec, ...]
) -> tuple[tuple[NodeSpec, ...], str]:
    """The nodes with their builds from the file's versions, and the cluster's version."""
    cluster_version = str(raw.get("version", ""))
    nodes_raw = raw["nodes"]
    listed = isinstance(nodes_raw, list)
    exceptions: Mapping[str, str] = {} if listed else nodes_raw.get("versions", {})
    names = [s.name for s in specs]
    for name in exceptions:
        if name not in names:
            shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            at.fail([*_NODES, "versions", name], f"unknown node {name!r}; expected one of {shown}")
    shared_build = None if listed else nodes_raw.get("os_build")
    if shared_build is not None and cluster_version:
        _agree(at, [*_NODES, "os_build"], shared_build, cluster_version, "cluster.version")
    resolved = []
    for index, spec in enumerate(specs):
        item: Mapping[str, Any] = nodes_raw[index] if listed else {}
        own = item.get("version") or exceptions.get(spec.name)
        build = item.get("os_build") if listed else (None if own else shared_build)
        path: list[PathElement] = (
            [*_NODES, index, "version"] if listed else [*_NODES, "versions", spec.name]
        )
        version = own or cluster_version
        if build is not None and version:
            _agree(at, [*_NODES, index, "os_build"] if listed else path, build, version, path)
        if build is None and version:
            spec = replace(spec, os_build=version_named(version).default_build)
        resolved.append(spec)
    known = [version_of_build(s.os_build) for s in resolved]
    return tuple(resolved), cluster_version or oldest(known)


def _agree(at: Failing, path: list[PathElement], build: str, version: str, named: object) -> None:
    """A build given together with a version must belong to it."""
    actual = version_of_build(build)
    if actual != version:
        where = named if isinstance(named, str) else "its version"
        belongs = f"belongs to {actual}" if actual else "belongs to no Azure Stack HCI version"
        expected = version_named(version).build
        at.fail(
            path,
            f"os_build {build} {belongs}, not {version} ({where}); expected a {expected}.* "
            "build or no os_build",
        )


def cluster_levels(
    at: Failing, raw: Mapping[str, Any], nodes: tuple[NodeSpec, ...]
) -> tuple[str, str]:
    """The functional level's and the pool version's OS versions, defaults filled in."""
    floor = oldest(version_of_build(n.os_build) for n in nodes)
    level = str(raw.get("functional_level", floor))
    if is_newer(level, floor):
        at.fail(
            ["cluster", "functional_level"],
            f"{level} is newer than the oldest node's version ({floor}); a cluster runs at "
            f"most at its oldest node's level, expected {floor} or older",
        )
    storage = raw.get("storage") or {}
    pool = str(storage.get("pool_version", level))
    if is_newer(pool, level):
        at.fail(
            ["cluster", "storage", "pool_version"],
            f"{pool} is newer than the functional level ({level}); Update-StoragePool comes "
            f"after Update-ClusterFunctionalLevel, expected {level} or older",
        )
    return level, pool


def check_vm_versions(
    at: Failing, vms: tuple[VmSpec, ...], nodes: tuple[NodeSpec, ...], listed: bool
) -> None:
    """A VM's configuration version must be one its host's version runs."""
    builds = {n.name: n.os_build for n in nodes}
    for index, vm in enumerate(vms):
        version = version_of_build(builds[vm.owner])
        if not vm.config_version or not version:
            continue
        highest = version_named(version).vm_config_version
        if config_key(vm.config_version) > config_key(highest):
            path: list[PathElement] = ["cluster", "workloads", "vms"]
            path += [index, "config_version"] if listed else ["config_version"]
            at.fail(
                path,
                f"{vm.name}'s configuration version {vm.config_version} is newer than its "
                f"host {vm.owner} runs ({version}: at most {highest})",
            )


def resolve_feature_update(
    at: Failing, item: Mapping[str, Any], spec: UpdateSpec, index: int, cluster_version: str
) -> UpdateSpec:
    """A feature update with its target version and build; refused when it does not move
    the cluster to a newer version. Other kinds must not name a ``to_version``."""
    path: list[PathElement] = ["updates", index]
    if spec.kind != "feature":
        if "to_version" in item:
            at.fail([*path, "to_version"], "to_version applies only to kind: feature")
        return spec
    if not cluster_version:
        at.fail(
            [*path, "kind"],
            "a feature update needs the cluster's version; expected cluster.version or node "
            "builds of an Azure Stack HCI version",
        )
    build = item.get("os_build")
    target = item.get("to_version") or (version_of_build(build) if build else "")
    if not target:
        later = [v.name for v in VERSIONS if rank(v.name) == rank(cluster_version) + 1]
        if not later:
            at.fail([*path, "kind"], f"no version is newer than {cluster_version}")
        target = later[0]
    if not is_newer(target, cluster_version):
        at.fail(
            [*path, "to_version"],
            f"a feature update to {target} does not upgrade a {cluster_version} cluster; "
            f"expected a version newer than {cluster_version}",
        )
    if build is not None:
        _agree(at, [*path, "os_build"], build, target, "to_version")
    return replace(spec, to_version=target, os_build=build or version_named(target).default_build)


def check_post_steps(
    at: Failing,
    profile: Mapping[str, Any],
    nodes: tuple[NodeSpec, ...],
    updates: Sequence[UpdateSpec],
) -> None:
    """``update_functional_level`` needs every node at one version by the end of the run:
    refused when the nodes run mixed versions and no feature update is offered."""
    if not profile.get("update_functional_level"):
        return
    versions = sorted({version_of_build(n.os_build) for n in nodes} - {""}, key=rank)
    if len(versions) > 1 and not any(u.kind == "feature" for u in updates):
        at.fail(
            ["profile", "update_functional_level"],
            f"update_functional_level needs every node at one version, but the nodes run "
            f"{' and '.join(versions)} and no feature update (kind: feature) is offered; "
            "offer the feature update or leave update_functional_level out",
        )
