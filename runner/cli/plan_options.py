"""The run options of issue 9 in ``pycau run``'s plan: the node order by site and the gates
the options add.

Owns: ``planned_order`` (the plan's node order; with site_aware_updating_order the cluster's
site fault domains are read once and a site the order names that the cluster does not have
is bad input — ``InputError``, exit 2, before anything changed) and ``option_gates`` (one
line per option that changes how the run goes: the forced drain, the forced restart, the
reboot mode, the Remote Shutdown firewall rules, the skipped update checks, the suspend
retries, and the post-installation steps of a feature update — the irreversible ones said so).

Must not: change the cluster (a read of the sites is all it asks) or print.
"""

from __future__ import annotations

from runner.decisions import node_order
from runner.errors import InputError
from runner.option_rules import order_by_site, site_map, unknown_sites
from runner.profile import Profile
from runner.run_option_types import RebootMode, soft_restart_asked
from runner.transport import ClusterTransport
from runner.types import ClusterView

__all__ = ["option_gates", "planned_order"]


def planned_order(
    transport: ClusterTransport, view: ClusterView, profile: Profile
) -> tuple[str, ...]:
    """The node order the run will follow (the engine reads the sites again at its start)."""
    order = node_order(view, profile)
    wanted = profile.site_aware_updating_order
    if not wanted:
        return order
    sites = site_map(transport.read_node_sites())
    missing = unknown_sites(sites, wanted)
    if missing:
        have = ", ".join(sorted({site for site in sites.values() if site})) or "none"
        raise InputError(
            "profile",
            "$.site_aware_updating_order",
            f"names site(s) the cluster does not have: {', '.join(missing)} (its sites: {have})",
        )
    return order_by_site(order, sites, wanted)


def option_gates(profile: Profile, view: ClusterView) -> list[str]:
    """The plan's lines for the run options a profile sets (none for a profile that leaves
    them at their defaults on a cluster without CauEnableSoftReboot)."""
    gates = []
    defaults = Profile()
    retries = (profile.suspend_retries_per_node, profile.suspend_cluster_node_timeout_minutes)
    if retries != (
        defaults.suspend_retries_per_node,
        defaults.suspend_cluster_node_timeout_minutes,
    ):
        gates.append(
            f"a suspend refused with 5987 (storage degraded) is retried up to {retries[0]} "
            f"times within {retries[1]:g} min, then the run moves on"
        )
    if profile.forced_drain:
        gates.append(
            "forced drain (-ForceDrain): a role that cannot live-migrate is stopped and moved "
            "to another node — downtime for that role"
        )
    if profile.force_pause_drain_and_reboot:
        gates.append("every updated node restarts, even when no update asks for it")
    if profile.reboot_mode or profile.soft_reboot_switch or view.soft_reboot_property:
        mode = profile.reboot_mode or RebootMode.ORCHESTRATOR_DEFAULT
        soft = soft_restart_asked(
            profile.reboot_mode, profile.soft_reboot_switch, view.soft_reboot_property
        )
        gates.append(
            f"reboot mode {mode.cau_name}: {'Kernel Soft Reboot' if soft else 'full restarts'}"
            f" (CauEnableSoftReboot {'1' if view.soft_reboot_property else 'not set'}); "
            "firmware updates restart fully"
        )
    if profile.enable_firewall_rules:
        gates.append("the Remote Shutdown firewall rules are enabled on every node first")
    if profile.skip_update_checks:
        gates.append("no update scan before the run: each node is scanned at its turn")
    if profile.update_functional_level:
        gates.append(
            "after the last node: Update-ClusterFunctionalLevel, then Update-StoragePool — "
            "IRREVERSIBLE: no rollback to the previous OS version afterwards (asked separately)"
        )
    if profile.update_vm_version:
        gates.append(
            "then each VM below the allowed configuration version is stopped, upgraded "
            f"(Update-VMVersion) and started — at most {profile.max_vms_down} VM(s) off at once"
        )
    return gates
