"""Readiness of a feature-update run: refuse, before any node is touched, what the seed's
known issues say must not be attempted.

Owns: ``Refusal`` and ``readiness_refusal(view, offers)`` — pure checks over the first
observation and the preflight scan's offers per node:
- ``MixedFeatureUpdateOffers``: a node is offered more than one feature update, or two nodes
  are offered different ones (mixed patch levels make the RollingUpgrade scan do this); the
  refusal names every node's feature offers and the prerequisite update KB5003237.
- ``UnsupportedManagement``: a feature update is offered to a cluster that Virtual Machine
  Manager 2019 manages (``ClusterView.managed_by``); System Center 2022 is needed first.
A run offering only quality, driver or firmware updates is never refused here.

Must not: do I/O, read a clock or change the run; the engine ends the run with the refusal's
``error_id`` and ``detail`` when one is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from runner.known_issues import PREREQUISITE_KB
from runner.types import ClusterView, UpdateInfo

__all__ = ["FEATURE", "Refusal", "readiness_refusal"]

FEATURE = "feature"  # UpdateInfo.kind of a feature update (RollingUpgrade plugin)


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    error_id: str
    detail: str
    known_issue: str  # id in ``runner.known_issues``


def _features(offer: tuple[UpdateInfo, ...]) -> tuple[str, ...]:
    return tuple(sorted(u.id for u in offer if u.kind == FEATURE))


def readiness_refusal(
    view: ClusterView, offers: Mapping[str, tuple[UpdateInfo, ...]]
) -> Refusal | None:
    """The first reason not to start this run, or ``None`` when it may go ahead."""
    features = {name: _features(offers[name]) for name in sorted(offers)}
    offered = {name: ids for name, ids in features.items() if ids}
    if not offered:
        return None
    if any(len(ids) > 1 for ids in offered.values()) or len(set(offered.values())) > 1:
        listed = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in offered.items())
        return Refusal(
            error_id="MixedFeatureUpdateOffers",
            detail=(
                f"the nodes are not offered one and the same feature update ({listed}); "
                f"the nodes are at mixed patch levels: install {PREREQUISITE_KB} on every "
                "node, then run again"
            ),
            known_issue="mixed-patch-levels",
        )
    manager = view.managed_by
    if "virtual machine manager 2019" in manager.casefold():
        update = next(iter(offered.values()))[0]
        return Refusal(
            error_id="UnsupportedManagement",
            detail=(
                f"the cluster is managed by {manager}, which does not support the feature "
                f"update {update}; upgrade to System Center 2022 first, or install quality "
                "updates only"
            ),
            known_issue="vmm-2019-managed",
        )
    return None
