"""The resolved scenario: what a simulated world is built from.

Owns: the frozen dataclasses a validated scenario file becomes (``simulator.scenario``
parses YAML into these; ``simulator.world`` builds a SimPy world from them). Everything is
resolved: nodes are listed by name, every VM has an owner, every fault has its fields.

Must not: read files, validate shapes (the JSON Schema does that at the edge) or run SimPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from runner.types import Resiliency, WitnessType

__all__ = [
    "ClusterSpec",
    "Expect",
    "FaultSpec",
    "NodeSpec",
    "Scenario",
    "ScriptSpec",
    "StorageSpec",
    "UpdateSpec",
    "VmSpec",
    "VolumeSpec",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    name: str
    memory_gb: float = 384
    boot_minutes: float = 8
    soft_boot_minutes: float = 2
    os_build: str = "20348.2031"
    online: bool = True  # False: node is Down when the run starts
    vote: int = 1  # configured NodeWeight
    # Opted into a preview channel (Set-PreviewChannel) and not restarted since.
    channel_restart_pending: bool = False


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


@dataclass(frozen=True, slots=True, kw_only=True)
class VmSpec:
    name: str
    owner: str
    memory_gb: float = 16
    movable: bool = True  # False: live migration refuses (drain fails)
    config_version: str = ""  # Hyper-V configuration version; "" = the functional level's


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

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)


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
    to_version: str | None = None  # a feature update: the OS version it brings


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
