"""The plan of ``pycau run --mode offline`` (step 1 of the guide's fast, offline update).

Owns: ``render_offline_plan`` — what the run will do, every node at once, and its planned
downtime: the estimate (``runner.offline_plan.estimate_downtime``) from the observation and
the scan of every node ``perform_run`` made (Invoke-CauScan, a read), each part listed so
an operator can judge it, what happens to the VMs (saved, started again at the end: the
guide assumes none must stay up) and the nodes that could not be scanned.

Must not: change the cluster (the plan is also ``--what-if``'s), ask for confirmation
(``runner.cli.remote_run.perform_run`` does), or decide the run.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from runner.offline_lifecycle import VM_ACTION
from runner.offline_plan import DowntimeEstimate, estimate_downtime
from runner.profile import ResolvedProfile
from runner.types import ClusterView, RoleState, UpdateInfo

__all__ = ["render_offline_plan"]


def render_offline_plan(
    console: Console,
    view: ClusterView,
    profile: ResolvedProfile,
    offers: Mapping[str, tuple[UpdateInfo, ...]],
    errors: Mapping[str, str],
) -> DowntimeEstimate:
    """Print the offline plan of the cluster in ``view`` with the scan's ``offers`` (and
    the nodes it could not scan, ``errors``) and its planned downtime; the estimate."""
    estimate = estimate_downtime(view, offers, profile)
    table = Table(title=f"plan: fast offline update of {view.cluster}", title_justify="left")
    for column in ("node", "state", "running VMs", "updates offered"):
        table.add_column(column)
    for node in view.nodes:
        running = sum(
            1
            for role in view.roles_on(node.name)
            if role.kind == "VirtualMachine" and role.state is RoleState.ONLINE
        )
        offered = errors.get(node.name) or str(len(offers.get(node.name, ())))
        table.add_row(node.name, node.state.value, str(running), offered)
    console.print(table)
    lines = [
        f"planned downtime {estimate.describe()}: every VM is down for all of it",
        f"the running VMs are {VM_ACTION}d (Stop-ClusterGroup, offline action Save) and "
        "started again at the end; the guide assumes no VM must stay up",
        "virtual disks offline, Stop-Cluster, cluster service Disabled on every node; every "
        "node installs and restarts at the same time; service Automatic, Start-Cluster, "
        "disks online once the pool is healthy, the VMs started",
        f"a node that is not back within {profile.reboot_timeout_minutes:g} min is Failed; "
        "the cluster starts without it when the others hold a majority of the votes",
        "no update scripts run in an offline update",
    ]
    for line in lines:
        console.print(f"  • {line}", highlight=False)
    return estimate
