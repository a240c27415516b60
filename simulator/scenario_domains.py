"""Scenario files, ``cluster.fault_domains``: rack or chassis fault domains, resolved and checked.

Owns: ``resolve_fault_domains`` — ``{type: rack|chassis, domains: {rack1: [node1, …]}}``
into ``FaultDomainSpec`` (node → domain), refusing (``InputError`` at the JSON path, through
the resolver's ``fail``): a node the cluster does not have, a node in two domains, a node in
none (S2D's ``Get-StorageFaultDomain`` would then show it as a domain of its own beside the
racks, which no operator declares on purpose: we refuse rather than guess), two domains
spelt alike, fault domains without S2D storage (only storage places copies by domain), and
fewer domains than a volume's resiliency needs (two-way mirror 2, three-way mirror 3,
single parity 3, dual parity 4: ``Resiliency.min_fault_domains``).

Must not: read files or build the world.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NoReturn, Protocol

from runner.validation import PathElement
from simulator.model import FaultDomainSpec, NodeSpec, StorageSpec

__all__ = ["resolve_fault_domains"]


class _Resolver(Protocol):
    def fail(self, path: list[PathElement], message: str) -> NoReturn: ...
    def unique(
        self, path: list[PathElement], name: str, seen: dict[str, str], what: str
    ) -> None: ...
    def known_node(self, path: list[PathElement], name: str, names: list[str]) -> None: ...


def resolve_fault_domains(
    resolver: _Resolver,
    raw: Mapping[str, Any],
    nodes: tuple[NodeSpec, ...],
    storage: StorageSpec | None,
) -> FaultDomainSpec:
    """``cluster.fault_domains`` checked against the cluster's nodes and volumes."""
    at: list[PathElement] = ["cluster", "fault_domains"]
    kind = str(raw["type"])
    if storage is None:
        resolver.fail(
            at,
            "fault domains need cluster.storage "
            "(Storage Spaces Direct places copies by fault domain)",
        )
    names = [n.name for n in nodes]
    domain_of: dict[str, str] = {}
    seen: dict[str, str] = {}
    domains: Mapping[str, Any] = raw["domains"]
    for domain, members in domains.items():
        resolver.unique([*at, "domains", domain], domain, seen, kind)
        for i, name in enumerate(members):
            where: list[PathElement] = [*at, "domains", domain, i]
            resolver.known_node(where, name, names)
            if name in domain_of:
                resolver.fail(
                    where,
                    f"node {name!r} is already in {kind} {domain_of[name]!r}; "
                    f"expected each node in exactly one {kind}",
                )
            domain_of[name] = domain
    missing = [name for name in names if name not in domain_of]
    if missing:
        resolver.fail(
            [*at, "domains"],
            f"node {missing[0]!r} is in no {kind}; "
            f"expected every node of the cluster in exactly one {kind}",
        )
    for volume in storage.volumes:
        need = volume.resiliency.min_fault_domains
        if len(domains) < need:
            resolver.fail(
                [*at, "domains"],
                f"{len(domains)} {kind}(s), but volume {volume.name} ({volume.resiliency.value}) "
                f"needs {need} fault domains; expected at least {need} {kind}s",
            )
    return FaultDomainSpec(kind=kind, domain_of=MappingProxyType(domain_of))
