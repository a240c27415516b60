"""Azure Stack HCI OS versions: their names, their order, their builds, and the cluster-wide
figures that belong to each — part of the transport contract.

Owns: ``OsVersion`` (one version: its name, OS build number, the build a node of it runs by
default, and the figures a cluster created on it, or raised to it, reports), ``VERSIONS``
(oldest first), ``version_named``, ``version_of_build`` (the version an OS build belongs to)
and the comparisons ``rank``/``is_newer``/``oldest``/``newest``, plus ``config_key`` (a VM
configuration version such as ``"9.2"`` as a comparable tuple).

Theory of operation: a node's version is the version its OS build belongs to (the part
before the dot: 17784 is 20H2, 20348 is 21H2, 20349 is 22H2, 25398 is 23H2) — what it
really runs, whatever an offered update's title says (known issue
os-version-naming-mismatch). A feature update moves a node to a newer version; until every
node runs it the cluster is in mixed mode, where live migration works from an older node to
a newer one and never back (``runner.mixed_mode``).

The cluster functional level, the storage pool version and the VM configuration versions
below are the figures the simulator and the twin report for a cluster created on (or raised
to) each version. They are pycau's own numbering, not Microsoft's: on a real cluster pycau
reads ``Get-Cluster``'s ``ClusterFunctionalLevel`` and the pool's ``Version`` and shows them
as the cluster answers them.

Only Azure Stack HCI versions have names here: a Windows Server 2019/2022/2025 node has no
version name (``""``), so no feature-update rule applies to it.

Must not: do I/O, know about SimPy, WinRM or the runner's decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "VERSIONS",
    "VERSION_NAMES",
    "OsVersion",
    "config_key",
    "is_newer",
    "newest",
    "oldest",
    "rank",
    "version_named",
    "version_of_build",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class OsVersion:
    """One Azure Stack HCI version (see the module docstring for the figures' meaning)."""

    name: str  # "21H2"
    build: int  # the OS build number, the part of a build before the dot
    default_build: str  # the build a node of this version runs unless a scenario says
    functional_level: int  # the cluster functional level a cluster at this version reports
    pool_version: int  # the S2D storage pool version a pool at this version reports
    vm_config_version: str  # the VM configuration version new VMs get (and the highest)


VERSIONS: tuple[OsVersion, ...] = (
    OsVersion(
        name="20H2",
        build=17784,
        default_build="17784.1827",
        functional_level=11,
        pool_version=11,
        vm_config_version="9.2",
    ),
    OsVersion(
        name="21H2",
        build=20348,
        default_build="20348.288",
        functional_level=12,
        pool_version=12,
        vm_config_version="10.0",
    ),
    OsVersion(
        name="22H2",
        build=20349,
        default_build="20349.1129",
        functional_level=13,
        pool_version=13,
        vm_config_version="11.0",
    ),
    OsVersion(
        name="23H2",
        build=25398,
        default_build="25398.469",
        functional_level=14,
        pool_version=14,
        vm_config_version="12.0",
    ),
)
VERSION_NAMES: tuple[str, ...] = tuple(v.name for v in VERSIONS)
_BY_NAME = {v.name: v for v in VERSIONS}
_BY_BUILD = {str(v.build): v.name for v in VERSIONS}


def version_named(name: str) -> OsVersion:
    """The version called ``name`` (``"21H2"``); ``KeyError`` for an unknown name."""
    return _BY_NAME[name]


def version_of_build(build: str) -> str:
    """The version an OS build such as ``"20348.288"`` belongs to; ``""`` when none does."""
    return _BY_BUILD.get(build.partition(".")[0], "")


def rank(name: str) -> int:
    """Position of ``name`` from the oldest (0); -1 for ``""`` or an unknown name."""
    return VERSION_NAMES.index(name) if name in _BY_NAME else -1


def is_newer(name: str, than: str) -> bool:
    """Whether version ``name`` is newer than ``than`` (never, when either is unknown)."""
    return rank(name) > rank(than) >= 0


def oldest(names: Iterable[str]) -> str:
    """The oldest known version among ``names``; ``""`` when none is known."""
    known = [n for n in names if rank(n) >= 0]
    return min(known, key=rank) if known else ""


def newest(names: Iterable[str]) -> str:
    """The newest known version among ``names``; ``""`` when none is known."""
    known = [n for n in names if rank(n) >= 0]
    return max(known, key=rank) if known else ""


def config_key(config_version: str) -> tuple[int, ...]:
    """A VM configuration version (``"9.2"``) as a tuple that compares as versions do."""
    return tuple(int(part) for part in config_version.split(".") if part.isdigit())
