"""Value types of Invoke-CauRun's remaining run options, part of the transport contract.

Owns: ``RebootMode`` (CAU's ``-RebootMode``: ClusProp, FullReboot, SoftReboot,
PluginCustomReboot, OrchestratorDefault, spelled as profile files write them) with
``soft_restart_asked`` (what each mode asks for — the runner and the simulator's lower
bound read the same rule), and
``NodeSite`` (which site fault domain a node belongs to, as ``Get-ClusterFaultDomain``
shows it; what ``ClusterTransport.read_node_sites`` answers for
``site_aware_updating_order``).

Must not: do I/O, decide anything about a run, or import anything but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["NodeSite", "RebootMode", "soft_restart_asked"]


class RebootMode(StrEnum):
    """How a node restarts after its install (reference cau.md §1.1 ``RebootMode``, §6.1)."""

    CLUSTER_PROPERTY = "cluster-property"  # ClusProp: the cluster's CauEnableSoftReboot
    FULL = "full"  # FullReboot
    SOFT = "soft"  # SoftReboot: Kernel Soft Reboot where no update needs firmware init
    PLUGIN_CUSTOM = "plugin-custom"  # PluginCustomReboot: the plug-in restarts the node
    ORCHESTRATOR_DEFAULT = "orchestrator-default"  # OrchestratorDefault: switch or property

    @property
    def cau_name(self) -> str:
        return {
            "cluster-property": "ClusProp",
            "full": "FullReboot",
            "soft": "SoftReboot",
            "plugin-custom": "PluginCustomReboot",
            "orchestrator-default": "OrchestratorDefault",
        }[self.value]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSite:
    """One node and the site it belongs to (``""``: the node is in no site fault domain)."""

    node: str
    site: str = ""


def soft_restart_asked(mode: RebootMode | None, switch: bool, cluster_property: bool) -> bool:
    """Whether a run asks for Kernel Soft Reboot (firmware still forces a full restart).

    full: never; soft: always; cluster-property: exactly when the cluster's
    CauEnableSoftReboot is 1; orchestrator-default (also ``None``, the option omitted): the
    AttemptSoftReboot ``switch``, else the cluster property — CAU without -RebootMode.
    plugin-custom is refused at load time; here it asks for nothing.
    """
    if mode is RebootMode.FULL or mode is RebootMode.PLUGIN_CUSTOM:
        return False
    if mode is RebootMode.SOFT:
        return True
    if mode is RebootMode.CLUSTER_PROPERTY:
        return cluster_property
    return switch or cluster_property
