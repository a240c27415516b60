"""The report's ``cluster_versions`` section: the cluster-wide versions before and after a
run with a feature update or post-installation steps, and whether a rollback is still
possible.

Owns: ``ClusterReport`` (built from two ``ClusterFacts``, the nodes' versions and the post
steps' results) and ``rollback_possible``.

Theory of operation: after a feature update the cluster still runs at the old functional
level, and the guide says a rollback to the previous OS version is possible until
Update-ClusterFunctionalLevel raises it. ``rollback_possible`` is false once the run raised
the level, or when the level the cluster reports is not below the figure ``runner.versions``
gives the newest version a node runs (the figures the simulator and the twin report): true
while some node runs a newer version than the functional level's. ``None`` (unknown) when
the nodes run no Azure Stack HCI version pycau knows.

Must not: talk to the cluster or decide anything; it only shapes what the run found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.post_types import ClusterFacts, PostStepResult
from runner.versions import newest, rank, version_named

__all__ = ["ClusterReport", "rollback_possible"]


def rollback_possible(
    after: ClusterFacts, nodes: tuple[tuple[str, str], ...], steps: tuple[PostStepResult, ...]
) -> bool | None:
    """Whether the cluster may still roll back to its previous OS version (see docstring);
    ``None`` when its nodes run no version pycau knows."""
    top = newest(version for _, version in nodes)
    if rank(top) < 0:
        return None
    if any(s.step == "functional-level" and s.result == "done" for s in steps):
        return False
    return after.functional_level < version_named(top).functional_level


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterReport:
    """The section as the report shows it (``to_dict``)."""

    before: ClusterFacts
    after: ClusterFacts
    nodes: tuple[tuple[str, str], ...]  # (node, OS version at the end)
    steps: tuple[PostStepResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        b, a = self.before, self.after
        after_vms = dict(a.vm_versions)
        names = [name for name, _ in b.vm_versions]
        names += [name for name, _ in a.vm_versions if name not in dict(b.vm_versions)]
        before_vms = dict(b.vm_versions)
        return {
            "version": {"before": b.version, "after": a.version},
            "functional_level": {"before": b.functional_level, "after": a.functional_level},
            "storage_pool_version": {
                "before": b.storage_pool_version,
                "after": a.storage_pool_version,
            },
            "vm_config_versions": [
                {"name": n, "before": before_vms.get(n, ""), "after": after_vms.get(n, "")}
                for n in names
            ],
            "nodes": [{"name": name, "version": version} for name, version in self.nodes],
            "rollback_possible": rollback_possible(a, self.nodes, self.steps),
            "post_steps": [
                {"step": s.step, "result": s.result, "detail": s.detail} for s in self.steps
            ],
        }
