"""Simulator switches that reproduce the seed guide's known issues (``known_issues: [id]``).

Owns: ``SWITCHES`` (the ids a scenario may list; each is an entry of
``runner.known_issues``), ``apply_known_issues`` — the scenario with the conditions the listed
issues need, expressed in the world's ordinary terms (faults, updates, volume write rates) —
and ``managed_by``, the management product the cluster reports.

- ``lost-management-connectivity``: a ``management-disconnect`` fault from minute 5 for 15
  minutes (while the first node installs in a typical run).
- ``mixed-patch-levels``: each node whose ``os_build`` is below the cluster's highest is also
  offered a second build of every feature update (``<id>.<build>``), as the RollingUpgrade
  scan does for servers at mixed patch levels.
- ``os-version-naming-mismatch``: every feature update is offered under the header
  ``MISMATCH_TITLE`` (22H2) but brings ``GA_21H2_BUILD``, the 21H2 GA build.
- ``storage-needs-sync``: every volume is written at ``SYNC_WRITE_MB_S`` or more while a node
  is away, so each restart leaves a sync the run must wait for.
- ``storage-replica-second-restart``: after a feature update takes effect at a boot, the
  node's scans report a restart pending until it boots again (``simulator.windows_update``).
- ``vmm-2019-managed``: the cluster reports ``VMM_2019`` as its manager.
- ``readiness-check-never-completes``: Test-Cluster's poll stays Running forever though its
  report is written (``simulator.cluster_validation``).
- ``credssp-left-enabled``: the first Disable-WSManCredSSP of a run is refused (no effect), so
  CredSSP stays enabled unless the runner tries again (``simulator.wsman_config``).
- ``credssp-already-enabled``: the CredSSP server role is enabled on every node before the
  run (``simulator.wsman_config``).
- ``credssp-delegation-refused``: enabling the CredSSP server role is refused with access
  denied on the last node (``simulator.wsman_config``).
- ``session-expiry``: served by ``pycau twin``, every session of the endpoint expires each
  ``SESSION_LIFETIME_MINUTES`` simulated minutes (``simulator.twin.expiry``): NTLM
  connections get 401, WinRS shells are gone. It lives on the wire only, so a pure
  simulation (``pycau simulate``) is not changed by it at all.
Issues without a switch here are not reproducible yet (their entries say so).

Must not: change the world while it runs (this only rewrites the resolved scenario before the
world is built) or use randomness.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from simulator.model import FaultSpec, Scenario, UpdateSpec

__all__ = [
    "GA_21H2_BUILD",
    "MISMATCH_TITLE",
    "SESSION_LIFETIME_MINUTES",
    "SWITCHES",
    "SYNC_WRITE_MB_S",
    "VMM_2019",
    "apply_known_issues",
    "managed_by",
    "session_lifetime_minutes",
]

SWITCHES = (
    "credssp-already-enabled",
    "credssp-delegation-refused",
    "credssp-left-enabled",
    "lost-management-connectivity",
    "mixed-patch-levels",
    "os-version-naming-mismatch",
    "readiness-check-never-completes",
    "session-expiry",
    "storage-needs-sync",
    "storage-replica-second-restart",
    "vmm-2019-managed",
)
SYNC_WRITE_MB_S = 200.0
# The header the offer shows, and the build that really installs (21H2 GA).
MISMATCH_TITLE = "Feature update to Azure Stack HCI, version 22H2"
GA_21H2_BUILD = "20348.288"
VMM_2019 = "System Center Virtual Machine Manager 2019"
# Short enough that every run of a few nodes sees several expiries.
SESSION_LIFETIME_MINUTES = 20.0


def _build_key(build: str) -> tuple[int, ...]:
    return tuple(int(p) for p in build.split(".") if p.isdigit())


def _mixed_offers(scenario: Scenario) -> tuple[UpdateSpec, ...]:
    nodes = scenario.cluster.nodes
    if not nodes:
        return ()
    top = max(_build_key(n.os_build) for n in nodes)
    behind: dict[str, list[str]] = {}  # build → its nodes, in declaration order
    for node in nodes:
        if _build_key(node.os_build) < top:
            behind.setdefault(node.os_build, []).append(node.name)
    return tuple(
        replace(
            update,
            id=f"{update.id}.{build}",
            title=f"{update.title} (for OS build {build})",
            nodes=tuple(names),
        )
        for update in scenario.updates
        if update.kind == "feature"
        for build, names in behind.items()
    )


def apply_known_issues(scenario: Scenario) -> Scenario:
    """``scenario`` with the conditions of its listed known issues added."""
    issues = scenario.known_issues
    if not issues:
        return scenario
    faults = scenario.faults
    updates = scenario.updates
    cluster = scenario.cluster
    if "lost-management-connectivity" in issues:
        outage = FaultSpec(
            type="management-disconnect", at_minute=5, params=MappingProxyType({"minutes": 15})
        )
        faults = (*faults, outage)
    if "mixed-patch-levels" in issues:
        updates = (*updates, *_mixed_offers(scenario))
    if "os-version-naming-mismatch" in issues:
        updates = tuple(
            replace(u, title=MISMATCH_TITLE, os_build=GA_21H2_BUILD) if u.kind == "feature" else u
            for u in updates
        )
    if "storage-needs-sync" in issues and cluster.storage is not None:
        volumes = tuple(
            replace(v, write_mb_s=max(v.write_mb_s, SYNC_WRITE_MB_S))
            for v in cluster.storage.volumes
        )
        cluster = replace(cluster, storage=replace(cluster.storage, volumes=volumes))
    return replace(scenario, faults=faults, updates=updates, cluster=cluster)


def managed_by(scenario: Scenario) -> str:
    """What the cluster reports as its management product ("" = none)."""
    return VMM_2019 if "vmm-2019-managed" in scenario.known_issues else ""


def session_lifetime_minutes(scenario: Scenario) -> float | None:
    """Simulated minutes between two expiries of every twin session; None = they never expire."""
    return SESSION_LIFETIME_MINUTES if "session-expiry" in scenario.known_issues else None
