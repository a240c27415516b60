"""Readiness of a feature-update run: refuse, before any node is touched, what the guide's
prerequisites and its known issues say must not be attempted.

Owns: ``Refusal`` and ``readiness_refusal(view, offers, …)`` — pure checks over the first
observation and the preflight scan's offers per node:
- ``PreviewChannelRestartPending`` (feature-update runs): a node's scan says it opted into a
  preview channel (Set-PreviewChannel) and has not restarted since — the guide: "you'll need
  to restart after opting in" — so the channel's feature update is not offered to it yet;
  the refusal names the nodes to restart.
- ``MixedFeatureUpdateOffers``: a node is offered more than one feature update, two nodes
  are offered different ones (mixed patch levels make the RollingUpgrade scan do this), or —
  in a feature-update run — a node is offered none while a node at its version or an older
  one is (the guide: "verify that each server is offered the same Feature Update"; a node
  already at a newer version, upgraded earlier, needs none); the refusal names every
  node's feature offers and the prerequisite update KB5003237.
- ``UnsupportedManagement``: a feature update is offered to a cluster that Virtual Machine
  Manager 2019 manages (``ClusterView.managed_by``); System Center 2022 is needed first.
A run offering only quality, driver or firmware updates is never refused here.

Must not: do I/O, read a clock or change the run; the engine ends the run with the refusal's
``error_id`` and ``detail`` when one is returned.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from runner.known_issues import PREREQUISITE_KB
from runner.types import ClusterView, UpdateInfo
from runner.versions import is_newer, rank

__all__ = ["FEATURE", "Refusal", "readiness_refusal"]

FEATURE = "feature"  # UpdateInfo.kind of a feature update (RollingUpgrade plugin)
CHANNEL_RESTART = "PreviewChannelRestartPending"


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    error_id: str
    detail: str
    known_issue: str  # id in ``runner.known_issues`` ("" for a prerequisite of the guide)


def _features(offer: tuple[UpdateInfo, ...]) -> tuple[str, ...]:
    return tuple(sorted(u.id for u in offer if u.kind == FEATURE))


def _left_out(view: ClusterView, offered: Mapping[str, tuple[str, ...]], name: str) -> bool:
    """A node offered no feature update while a node at its version or older is offered one
    (a node of unknown version is never taken to be ahead)."""
    versions = {n.name: n.version for n in view.nodes}
    mine = versions.get(name, "")
    if rank(mine) < 0:
        return True
    return any(not is_newer(mine, versions.get(other, "")) for other in offered)


def readiness_refusal(
    view: ClusterView,
    offers: Mapping[str, tuple[UpdateInfo, ...]],
    *,
    feature: bool = False,
    channel_pending: Collection[str] = (),
) -> Refusal | None:
    """The first reason not to start this run, or ``None`` when it may go ahead.
    ``feature``: the run installs a feature update (the rolling-upgrade plug-in);
    ``channel_pending``: nodes whose scan says a preview channel awaits its restart."""
    waiting = sorted(channel_pending)
    if feature and waiting:
        listed = ", ".join(waiting)
        return Refusal(
            error_id=CHANNEL_RESTART,
            detail=(
                f"{listed} opted into a preview channel (Set-PreviewChannel) and must restart "
                "before the channel's feature update is offered; restart each of them, one at "
                "a time and drained first (Suspend-ClusterNode -Drain, Restart-Computer, "
                "Resume-ClusterNode), then run again"
            ),
            known_issue="",
        )
    features = {name: _features(offers[name]) for name in sorted(offers)}
    offered = {name: ids for name, ids in features.items() if ids}
    if not offered:
        return None
    left_out = [n for n, ids in features.items() if not ids and _left_out(view, offered, n)]
    mixed = any(len(ids) > 1 for ids in offered.values()) or len(set(offered.values())) > 1
    if mixed or (feature and left_out):
        named = {**offered, **dict.fromkeys(left_out if feature else (), ())}
        listed = "; ".join(f"{name}: {', '.join(named[name]) or 'none'}" for name in sorted(named))
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
