"""Run options that act once, at the start of a run, before any node is touched.

Owns: ``site_ordered`` (SiteAwareUpdatingOrder: the run's node order regrouped by the site
fault domains the cluster reports, read once; a site the order names that the cluster does
not have is the run's refusal, ``UNKNOWN_SITE``) and ``enable_firewall_rules``
(EnableFirewallRules: the Remote Shutdown rule group enabled on every node that is Up —
reference cau.md §3.1 step 1 — with a warning naming each node where a Group Policy keeps
it disabled or that did not answer: that node's restart will be refused).

Must not: decide anything per node, wait, or touch a node for any other purpose.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.errors import TransportError
from runner.option_rules import order_by_site, site_map, unknown_sites
from runner.recorder import Recorder
from runner.step_rules import BACK_STATES
from runner.transport import ClusterTransport
from runner.types import ClusterView

__all__ = ["UNKNOWN_SITE", "enable_firewall_rules", "site_ordered"]

UNKNOWN_SITE = "UnknownSite"  # the run's error id when the site order names a missing site


def site_ordered(
    transport: ClusterTransport, rec: Recorder, order: tuple[str, ...], sites: Sequence[str]
) -> tuple[tuple[str, ...], str | None]:
    """(the order by site, ``None``) or (``order``, why the run is refused). A cluster that
    does not answer the read is a refusal too: the order cannot be honoured."""
    try:
        found = site_map(transport.read_node_sites())
    except TransportError as exc:
        return order, f"the sites of the nodes could not be read: {exc}"
    missing = unknown_sites(found, sites)
    if missing:
        have = sorted({site for site in found.values() if site}) or ["none"]
        return order, (
            f"site_aware_updating_order names site(s) the cluster does not have: "
            f"{', '.join(missing)} (its sites: {', '.join(have)}); no node was touched"
        )
    ordered = order_by_site(order, found, sites)
    shown = "; ".join(f"{n} ({found.get(n) or 'no site'})" for n in ordered)
    rec.emit("site-order", None, f"nodes by site {', '.join(sites)}: {shown}")
    return ordered, None


def enable_firewall_rules(
    transport: ClusterTransport, rec: Recorder, view: ClusterView
) -> list[str]:
    """The Remote Shutdown rule group on every node that is Up (or Paused) and reachable;
    the nodes where it is enabled now."""
    enabled: list[str] = []
    for node in view.nodes:
        if node.state not in BACK_STATES or not node.reachable:
            continue
        try:
            enabled_here = transport.enable_remote_shutdown_rules(node.name)
        except TransportError as exc:
            rec.warning(f"the Remote Shutdown firewall rules were not enabled: {exc}", node.name)
            continue
        if enabled_here:
            enabled.append(node.name)
            rec.emit("firewall-rules-enabled", node.name, "Remote Shutdown rule group enabled")
        else:
            rec.warning(
                "a Group Policy keeps the Remote Shutdown firewall rules disabled: "
                "this node cannot be restarted",
                node.name,
            )
    return enabled
