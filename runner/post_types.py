"""Value types of the post-installation steps of a feature update — part of the transport
contract: each VM's configuration version, and what a cluster answers about them.

Owns: ``VmVersion`` (one VM: its host, its configuration version, whether it runs),
``VmVersions`` (every VM, and the highest configuration version the cluster's functional
level lets a VM be upgraded to), ``ClusterFacts`` (the cluster-wide versions a run reports
before and after) and ``PostStepResult`` (how one post-installation step ended).

Must not: import more of the runner than the standard library, do I/O, or know about SimPy,
WinRM or the runner's decisions. Everything here is immutable and tuples stand for lists.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClusterFacts", "PostStepResult", "VmVersion", "VmVersions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class VmVersion:
    """One VM as Get-VM reports it: its owner node, configuration version and state."""

    name: str
    owner: str
    config_version: str  # Get-VM's Version, e.g. "9.2"
    running: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VmVersions:
    """Every clustered VM (in name order) and ``supported``: the configuration version
    Update-VMVersion upgrades a VM to — the highest the cluster's functional level allows
    (``""``: not known, no VM is upgraded)."""

    vms: tuple[VmVersion, ...] = ()
    supported: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterFacts:
    """The cluster's versions at one moment: the OS version it runs (its oldest node's,
    ``""`` unknown), the functional level and pool version as it reports them (0 unknown),
    and each VM's configuration version (name order)."""

    version: str = ""
    functional_level: int = 0
    storage_pool_version: int = 0
    vm_versions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PostStepResult:
    """One post-installation step: ``step`` (functional-level, storage-pool, vm-version,
    validation), ``result`` (done, unchanged, skipped, failed, passed) and why, in words."""

    step: str
    result: str
    detail: str
