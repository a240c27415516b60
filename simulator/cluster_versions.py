"""The cluster-wide OS version figures of the simulated world: the cluster functional level
and the storage pool version.

Owns: ``ClusterVersions`` — the OS version (``runner.versions``) the cluster's functional
level belongs to and the one its S2D pool's version belongs to (from the scenario: the
version the cluster was created on or last raised to), and the figures ``observe`` reports
for them (``functional_level``, ``pool_version``: 0 when not known or without a pool).

Theory of operation: a feature update changes the nodes' versions, never these: the
functional level stays where it was until Update-ClusterFunctionalLevel raises it, and the
pool version until Update-StoragePool (the guide's post-installation steps), so after a
feature update the cluster still runs at the old level and a rollback is still possible.

Must not: change nodes or workloads, or read the runner's view.
"""

from __future__ import annotations

from runner.versions import rank, version_named
from simulator.model import ClusterSpec

__all__ = ["ClusterVersions"]


class ClusterVersions:
    """The functional level's and the pool's OS versions, and their reported figures."""

    def __init__(self, spec: ClusterSpec) -> None:
        self.functional_level = spec.functional_level
        self.pool = spec.storage.pool_version if spec.storage is not None else ""

    @property
    def functional_level_code(self) -> int:
        """Get-Cluster's ClusterFunctionalLevel as the simulated cluster reports it."""
        return (
            version_named(self.functional_level).functional_level
            if self._known(self.functional_level)
            else 0
        )

    @property
    def pool_code(self) -> int:
        """The S2D pool's Version as the simulated cluster reports it (0: no pool)."""
        return version_named(self.pool).pool_version if self._known(self.pool) else 0

    @staticmethod
    def _known(version: str) -> bool:
        return rank(version) >= 0
