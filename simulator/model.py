"""The resolved scenario: what a simulated world is built from.

Owns: the frozen dataclasses a validated scenario file becomes (``simulator.scenario``
parses YAML into these; ``simulator.world`` builds a SimPy world from them). Everything is
resolved: nodes are listed by name, every VM has an owner, every fault has its fields.

Must not: read files, validate shapes (the JSON Schema does that at the edge) or run SimPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from runner.hotfix_config import DEFAULT_HOTFIX_CONFIG, HotfixConfig, parse_hotfix_config
from runner.plugins import DEFAULT_CONFIG_FILE
from runner.types import Resiliency, WitnessType
from simulator.distributions import Distribution, Variability

__all__ = [
    "ClusterSpec",
    "Expect",
    "FaultDomainSpec",
    "FaultSpec",
    "HotfixShareSpec",
    "NodeSpec",
    "Scenario",
    "ScriptSpec",
    "StorageSpec",
    "UpdateSpec",
    "VmSpec",
    "VolumeSpec",
    "default_configs",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    name: str
    memory_gb: float = 384
    boot_minutes: float = 8
    soft_boot_minutes: float = 2
    scan_minutes: float = 1  # one Windows Update scan of the node
    os_build: str = "20348.2031"
    online: bool = True  # False: node is Down when the run starts
    vote: int = 1  # configured NodeWeight
    # Opted into a preview channel (Set-PreviewChannel) and not restarted since.
    channel_restart_pending: bool = False
    # The Remote Shutdown firewall rule group: enabled | disabled | policy-disabled (a Group
    # Policy disables it; enabling it locally does not take effect).
    remote_shutdown: str = "enabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumeSpec:
    name: str
    resiliency: Resiliency
    size_gb: float = 1024
    write_mb_s: float = 20  # data written while a node is away (or in storage maintenance)


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageSpec:
    """Storage Spaces Direct; a scenario without ``storage`` is SAN-backed (no S2D rules)."""

    repair_mb_s: float = 400
    volumes: tuple[VolumeSpec, ...] = ()
    drives_per_node: int = 4
    pool_version: str = ""  # the OS version the pool's version belongs to ("" = functional level)
    # Storage maintenance mode on pause (simulator.storage_maintenance): True/False forces
    # it; None follows each node's OS build (Windows Server 2022 / Azure Stack HCI 21H2+).
    maintenance_mode: bool | None = None
    # After a repair job finishes, Suspend-ClusterNode still refuses with 5987 this long
    # (the cluster's clustered-space state lags Get-VirtualDisk and Get-StorageJob).
    space_settle_minutes: float = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class VmSpec:
    name: str
    owner: str
    memory_gb: float = 16
    movable: bool = True  # False: live migration refuses (drain fails)
    migration_mb_s: float | None = None  # this VM's drawn throughput; None: the cluster's
    config_version: str = ""  # Hyper-V configuration version; "" = the functional level's


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultDomainSpec:
    """Rack or chassis fault domains of an S2D cluster: every node in exactly one."""

    kind: str  # rack | chassis
    domain_of: Mapping[str, str]  # node → its domain's name


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSpec:
    name: str
    witness: WitnessType
    nodes: tuple[NodeSpec, ...]
    storage: StorageSpec | None = None
    vms: tuple[VmSpec, ...] = ()
    migration_mb_s: float = 1000  # live-migration throughput of one migration
    max_parallel_migrations: int = 2  # per host (Set-VMHost default)
    # OS versions (``runner.versions``; "" = not known): the version the cluster runs, and
    # the one its functional level belongs to (a node's own version is its build's).
    version: str = ""
    functional_level: str = ""
    sites: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # node → site fault domain
    cau_enable_soft_reboot: bool = False  # the cluster property CauEnableSoftReboot is 1
    fault_domains: FaultDomainSpec | None = None  # None: each node is its own fault domain

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    def fault_domain(self, node: str) -> str:
        """The S2D fault domain ``node`` belongs to: its rack or chassis, else the node."""
        if self.fault_domains is None:
            return node
        return self.fault_domains.domain_of.get(node, node)

    def domain_mates(self, node: str) -> tuple[str, ...]:
        """The nodes of ``node``'s fault domain (itself included), in node order."""
        domain = self.fault_domain(node)
        return tuple(n for n in self.node_names if self.fault_domain(n) == domain)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateSpec:
    id: str
    title: str
    kind: str = "quality"  # quality | feature | driver | firmware
    install_minutes: float = 15
    restart: bool = True
    after: str | None = None  # applicable only once this KB is installed (multi-pass)
    nodes: tuple[str, ...] | None = None  # offered only to these nodes; None = all
    firmware: bool = False  # needs firmware init: no soft reboot
    os_build: str | None = None  # the OS build a (feature) update brings; None: build + 1
    importance: str = "important"  # important | recommended (Windows Update's selection)
    file: str | None = None  # hotfix: its path inside its folder; None: <id>.msu
    exit_code: int = 0  # hotfix: what its installer returns
    to_version: str | None = None  # a feature update: the OS version it brings
    # Drawn install minutes per node (simulator.variability); a node not listed: install_minutes.
    install_minutes_on: Mapping[str, float] = field(default_factory=lambda: _EMPTY)

    def install_minutes_for(self, node: str) -> float:
        """Minutes this update takes to install on ``node``."""
        return self.install_minutes_on.get(node, self.install_minutes)


@cache
def default_configs() -> Mapping[str, HotfixConfig]:
    """pycau's sample configuration under CAU's default file name."""
    config = parse_hotfix_config(DEFAULT_HOTFIX_CONFIG, "pycau's sample hotfix configuration")
    return MappingProxyType({DEFAULT_CONFIG_FILE: config})


@dataclass(frozen=True, slots=True, kw_only=True)
class HotfixShareSpec:
    """The Hotfix plug-in's root folder: its SMB and permission facts and configuration
    files (parsed; by file name). ``path`` None: wherever the profile's root folder points."""

    path: str | None = None
    smb_signing: bool = True
    smb_encryption: bool = False
    acl: str = "ok"  # ok | users-can-write | users-cannot-read (what the ACL check finds)
    configs: Mapping[str, HotfixConfig] = field(default_factory=default_configs)


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultSpec:
    """One injected fault. ``attempts: N`` = the first N attempts fail, ``None`` (``attempts:
    all`` in a file) = every attempt; ``at_minute`` counts from run start (0 = already in
    effect); ``down_minutes`` None = stays down.

    ``params`` carries the fields of fault types added later (e.g. ``minutes``, ``factor``).
    """

    type: str
    node: str | None = None
    attempts: int | None = 1
    hresult: str = "0x80240022"
    at_minute: float | None = None
    down_minutes: float | None = None
    script: str | None = None  # pre | post
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def fails_attempt(self, attempt: int) -> bool:
        """Whether the ``attempt``-th attempt (counted from 1) fails."""
        return self.attempts is None or attempt <= self.attempts


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptSpec:
    """Pre/post-update scripts as the world runs them (outcomes come from faults)."""

    pre_minutes: float = 1
    post_minutes: float = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Expect:
    """What a scenario expects of its run; ``None`` fields are not checked."""

    status: str | None = "Succeeded"
    error_id: str | None = None
    nodes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    invariants_hold: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    cluster: ClusterSpec
    description: str = ""
    seed: int = 0
    updates: tuple[UpdateSpec, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    scripts: ScriptSpec = field(default_factory=ScriptSpec)
    profile: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    expect: Expect = field(default_factory=Expect)
    source: str = "<scenario>"
    known_issues: tuple[str, ...] = ()  # seed known issues to reproduce (simulator switches)
    hotfix_share: HotfixShareSpec = field(default_factory=lambda: HotfixShareSpec())
    # Values given as distributions, by key (``boot_minutes/node1``, ``install_minutes/KB1``,
    # ``write_mb_s/vol01``, ``repair_mb_s``, ``migration_mb_s``); the field itself holds the
    # distribution's median until ``simulator.variability.realize`` draws them for a seed.
    distributions: Mapping[str, Distribution] = field(default_factory=lambda: _EMPTY)
    variability: Variability | None = None
    # Where the coordinator lives (``simulator.scenario_coordinator``): "off-cluster" or
    # "self-updating" (CAU's clustered role on ``coordinator_node``, then wherever it moves).
    coordinator: str = "off-cluster"
    coordinator_node: str | None = None
