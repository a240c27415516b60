"""Pure rules of Invoke-CauRun's remaining run options (issue 9): how a node restarts, the
site-aware node order, and when a node is restarted although no update asks for it.

Owns: ``wants_soft_restart`` (reboot_mode with AttemptSoftReboot and the cluster's
CauEnableSoftReboot property, reference cau.md §6.1), ``order_by_site`` and
``unknown_sites`` (site_aware_updating_order: every node of the first site, then of the
next; within a site the default order; nodes of no listed site last), ``reboot_after_install``
(force_pause_drain_and_reboot) and ``suspend_retries_over`` (SuspendRetriesPerNode and
SuspendClusterNodeTimeoutMinutes after ERROR_CLUSTER_SPACE_DEGRADED).

Must not: do I/O, read a clock (``run.now`` is the time), or decide a step (the step
modules ask these rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from runner.profile import ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.run_option_types import NodeSite, soft_restart_asked
from runner.timing import blind, in_minutes
from runner.types import ClusterView

__all__ = [
    "order_by_site",
    "reboot_after_install",
    "site_map",
    "suspend_retries_over",
    "unknown_sites",
    "wants_soft_restart",
]


def wants_soft_restart(profile: ResolvedProfile, view: ClusterView) -> bool:
    """Whether the run asks for a Kernel Soft Reboot now (``soft_restart_asked`` with the
    profile's reboot_mode and switch and the cluster's CauEnableSoftReboot as observed)."""
    return soft_restart_asked(
        profile.reboot_mode, profile.soft_reboot_switch, view.soft_reboot_property
    )


def site_map(sites: Sequence[NodeSite]) -> dict[str, str]:
    """Node → site name (``""``: in no site)."""
    return {entry.node: entry.site for entry in sites}


def unknown_sites(sites: Mapping[str, str], order: Sequence[str]) -> list[str]:
    """The sites ``order`` names that no node of the cluster belongs to."""
    present = {site.casefold() for site in sites.values() if site}
    return [site for site in order if site.casefold() not in present]


def order_by_site(
    default: Sequence[str], sites: Mapping[str, str], order: Sequence[str]
) -> tuple[str, ...]:
    """``default`` (the node order without sites) regrouped by site in ``order``: a stable
    sort, so within a site the default order stays. Site names compare case-insensitively
    (Windows names)."""
    rank = {site.casefold(): index for index, site in enumerate(order)}
    last = len(order)
    return tuple(sorted(default, key=lambda node: rank.get(sites.get(node, "").casefold(), last)))


def reboot_after_install(profile: ResolvedProfile) -> bool:
    """force_pause_drain_and_reboot: a node that has not restarted in its update restarts
    after its install even when no installed update asks for a restart."""
    return profile.force_pause_drain_and_reboot


def suspend_retries_over(
    run: RunProgress, node: NodeProgress, profile: ResolvedProfile
) -> str | None:
    """Why the retries of a Suspend-ClusterNode refused with ERROR_CLUSTER_SPACE_DEGRADED
    (5987) are over — one refusal more than SuspendRetriesPerNode, or
    SuspendClusterNodeTimeoutMinutes since the first refusal — or ``None`` (retry, or no
    refusal yet). A deadline passing while the cluster is silent is not watched."""
    refusals, first = node.storage_refusals, node.suspend_refused_at
    if not refusals or first is None:
        return None
    # The first suspend is no retry: N retries allow N + 1 refusals before giving up.
    if refusals > profile.suspend_retries_per_node:
        limit = f"{profile.suspend_retries_per_node} retries"
    elif run.now >= first + profile.suspend_cluster_node_timeout_s and not blind(run):
        limit = f"{in_minutes(profile.suspend_cluster_node_timeout_s)} minutes"
    else:
        return None
    return (
        f"Suspend-ClusterNode refused {refusals} time(s) with ERROR_CLUSTER_SPACE_DEGRADED "
        f"(5987) ({node.last_refusal or 'storage degraded'}); no more retries after {limit}, "
        "moving on to the next node"
    )
