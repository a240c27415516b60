"""Which simulated plug-in offers which update: the scan of one node with the run's plug-ins.

Owns: ``offering_plugins`` (the plug-ins that offer an update of a given kind) and
``scan_plugins`` — each plug-in's offer of a node's applicable updates, in plug-in order,
each update attributed to the first plug-in that offers it — and ``installable_by`` (the
check that an install goes through a plug-in that offers the update).

Theory of operation: the Windows Update plug-in offers what Windows Update offers for the
running version (quality, driver and firmware updates): important updates only unless
``include_recommended_updates``, and, when the profile gives a ``query_string``, only what
that search finds (``simulator.wua_query``; a scenario's update list is what CAU's default
search finds). The RollingUpgrade plug-in offers feature updates (the Upgrades category)
and nothing else, so a feature update is installed only by a RollingUpgrade run and a
quality update never by one; the Hotfix plug-in offers the hotfixes (``kind: hotfix``) its
share's rules install (``simulator.hotfix_share``).

Must not: hold state, start SimPy processes or touch nodes (``simulator.windows_update``
runs the scan and calls in here when it ends).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from runner.errors import RemoteCommandFailed
from runner.plugins import PluginName, PluginSpec
from runner.types import UpdateInfo
from simulator.hotfix_share import hotfix_offer
from simulator.model import HotfixShareSpec, UpdateSpec
from simulator.wua_query import parse_query

__all__ = ["PluginScan", "installable_by", "offering_plugins", "scan_plugins", "update_info"]

HOTFIX_KIND = "hotfix"
FEATURE_KIND = "feature"

# (plug-in, its offer) or (plug-in, the error its scan failed with)
PluginScan = tuple[PluginName, tuple[UpdateInfo, ...] | str]


def update_info(spec: UpdateSpec, plugin: PluginName = PluginName.WINDOWS_UPDATE) -> UpdateInfo:
    """What a scan reports of ``spec``, offered by ``plugin``."""
    return UpdateInfo(
        id=spec.id,
        title=spec.title,
        kind=spec.kind,
        restart_required=spec.restart and spec.kind != "hotfix",  # a hotfix: its exit code
        firmware=spec.firmware or spec.kind == "firmware",
        plugin=plugin,
    )


def offering_plugins(kind: str) -> tuple[PluginName, ...]:
    """The plug-ins that offer an update of ``kind``."""
    if kind == HOTFIX_KIND:
        return (PluginName.HOTFIX,)
    if kind == FEATURE_KIND:
        return (PluginName.ROLLING_UPGRADE,)
    return (PluginName.WINDOWS_UPDATE,)


def _offer(
    spec: PluginSpec, node: str, applicable: Sequence[UpdateSpec], share: HotfixShareSpec
) -> tuple[UpdateSpec, ...] | str:
    """What ``spec`` offers of ``applicable``, or why its scan failed."""
    if spec.name is PluginName.HOTFIX:
        return hotfix_offer(share, spec, node, applicable)
    if spec.name is PluginName.ROLLING_UPGRADE and not spec.flag("wu_connected"):
        return "feature updates from setup media (wu_connected false) are not modelled"
    found = tuple(u for u in applicable if spec.name in offering_plugins(u.kind))
    if spec.name is not PluginName.WINDOWS_UPDATE:
        return found
    if not spec.flag("include_recommended_updates"):
        found = tuple(u for u in found if u.importance == "important")
    query = dict(spec.arguments).get("query_string")
    if query is None:  # CAU's default search: what the scenario says Windows Update offers
        return found
    search = parse_query(str(query))
    if isinstance(search, str):
        return f"the simulated Windows Update agent cannot run the QueryString: {search}"
    return tuple(u for u in found if search.matches(u))


def scan_plugins(
    plugins: Sequence[PluginSpec],
    node: str,
    applicable: Sequence[UpdateSpec],
    info: Callable[[UpdateSpec, PluginName], UpdateInfo],
    *,
    share: HotfixShareSpec,
    stop_on_failure: bool = False,
) -> list[PluginScan]:
    """Each plug-in's offer (or error) in plug-in order; an update two plug-ins offer goes
    to the first. ``stop_on_failure``: no plug-in scans after one failed."""
    seen: set[str] = set()
    out: list[PluginScan] = []
    for spec in plugins:
        offer = _offer(spec, node, applicable, share)
        if isinstance(offer, str):
            out.append((spec.name, offer))
            if stop_on_failure:
                break
            continue
        fresh = tuple(info(u, spec.name) for u in offer if u.id not in seen)
        seen.update(u.id for u in fresh)
        out.append((spec.name, fresh))
    return out


def installable_by(plugin: PluginSpec, specs: Sequence[UpdateSpec], node: str) -> None:
    """``RemoteCommandFailed`` when ``plugin`` does not offer one of ``specs`` (an install
    goes through the plug-in that offered the update)."""
    for spec in specs:
        if plugin.name not in offering_plugins(spec.kind):
            raise RemoteCommandFailed(
                f"Install ({plugin.name.cau_name})",
                f"the {plugin.name.value} plug-in does not install {spec.id} on {node}",
            )
