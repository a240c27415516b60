"""Parsers of the OS-version parts of observe.ps1's answer: each node's Azure Stack HCI
version, the cluster functional level and the storage pool version.

Owns: ``with_versions`` — a parsed ``ClusterView`` completed from the observation document:
``ProductName`` (the product the nodes run, as the registry of the node that answered names
it), ``ClusterFunctionalLevel`` (Get-Cluster) and ``StoragePoolVersion`` (the S2D pool's raw
``Version``). On an Azure Stack HCI cluster a node's version is the version its OS build
belongs to (``runner.versions.version_of_build``); on a Windows Server cluster no node has a
version name. A document without these keys (an older script) leaves them unknown.

Must not: talk to the network or raise anything but ``MalformedOutput``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from runner.types import ClusterView
from runner.versions import version_of_build
from runner.winrm.psjson import MalformedOutput

__all__ = ["HCI_PRODUCT", "with_versions"]

HCI_PRODUCT = "Azure Stack HCI"  # in ProductName: "Azure Stack HCI", "Microsoft Azure Stack HCI"


def _figure(doc: Mapping[str, Any], key: str) -> int:
    value = doc.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedOutput(f"{key} is not a non-negative whole number: {value!r}")
    return value


def with_versions(view: ClusterView, doc: Mapping[str, Any]) -> ClusterView:
    """``view`` with node versions, functional level and pool version from ``doc``."""
    product = doc.get("ProductName", "")
    if not isinstance(product, str):
        raise MalformedOutput(f"ProductName is not a string: {product!r}")
    hci = HCI_PRODUCT.casefold() in product.casefold()
    nodes = tuple(
        replace(n, version=version_of_build(n.os_build) if hci else "") for n in view.nodes
    )
    return replace(
        view,
        nodes=nodes,
        functional_level=_figure(doc, "ClusterFunctionalLevel"),
        storage_pool_version=_figure(doc, "StoragePoolVersion"),
    )
