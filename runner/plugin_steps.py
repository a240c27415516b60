"""Several plug-ins in one run: how the work steps scan with the run's plug-ins and install
one plug-in's updates after another (reference cau.md §1.1: RunPluginsSerially,
StopOnPluginFailure, SeparateReboots; §3.1 step 4.4: installs are sequential per plug-in).

Owns: ``scan_action`` (the scan of the run's plug-ins), ``install_group`` (the updates of
the first plug-in, in the profile's plug-in order, that still has updates in the install
pass, and the rest), ``after_plugin`` (what follows one plug-in's install when others wait:
the next plug-in, a restart first with ``separate_reboots``, or — ``stop_on_plugin_failure``
— no more plug-ins on the node), ``plugins_pending`` and ``plugin_warnings`` (CAU's
warnings for the multi-plug-in options given with one plug-in).

Theory of operation: the INSTALL step installs a pass's updates plug-in by plug-in; between
plug-ins it ends with ``MORE`` (the lifecycle's INSTALL → INSTALL) carrying the rest, so the
restart the installs owe comes once after the last plug-in — unless ``separate_reboots``
restarts the node between them (REBOOT → RESCAN offers the later plug-ins' updates again,
as they are not installed yet). A failed update fails the attempt only once every plug-in
had its turn (plug-ins are independent), or at once with ``stop_on_plugin_failure``.

Must not: do I/O, read a clock, or decide anything outside the install of several
plug-ins (``runner.work_steps`` calls in here).
"""

from __future__ import annotations

from runner.actions import Advance, StartScan
from runner.lifecycle import Outcome
from runner.plugins import DEFAULT_PLUGIN, PluginName, PluginSpec
from runner.profile import Profile
from runner.progress import NodeProgress
from runner.step_rules import adv
from runner.types import UpdateInfo, UpdateResult

__all__ = [
    "after_plugin",
    "install_group",
    "plugin_warnings",
    "plugins_pending",
    "scan_action",
]

_MULTI_OPTIONS = ("run_plugins_serially", "stop_on_plugin_failure", "separate_reboots")


def scan_action(node: str, profile: Profile) -> StartScan:
    """The scan of ``node`` with the run's plug-ins (serially when the profile says so)."""
    return StartScan(
        node=node,
        plugins=profile.plugins,
        serially=profile.run_plugins_serially,
        stop_on_failure=profile.stop_on_plugin_failure,
    )


def _spec(profile: Profile, name: PluginName) -> PluginSpec:
    for spec in profile.plugins:
        if spec.name is name:
            return spec
    # An update offered by a plug-in the run does not use (a scan answered for another
    # profile): it goes through that plug-in with CAU's default arguments.
    return DEFAULT_PLUGIN if name is PluginName.WINDOWS_UPDATE else PluginSpec(name=name)


def install_group(
    offered: tuple[UpdateInfo, ...], profile: Profile
) -> tuple[PluginSpec, tuple[UpdateInfo, ...], tuple[UpdateInfo, ...]]:
    """(plug-in, its updates, the other plug-ins' updates) of an install pass: the first
    plug-in in the profile's order with updates offered installs first."""
    order = {name: index for index, name in enumerate(profile.plugin)}
    first = min((u.plugin for u in offered), key=lambda p: order.get(p, len(order)))
    group = tuple(u for u in offered if u.plugin is first)
    rest = tuple(u for u in offered if u.plugin is not first)
    return _spec(profile, first), group, rest


def plugins_pending(node: NodeProgress) -> bool:
    """Whether updates of the install pass wait for their plug-in's turn (a restart between
    plug-ins, ``separate_reboots``): the attempt is judged only after they installed."""
    tried = set(node.attempt_tried)
    return any(u.id not in tried for u in node.offered)


def after_plugin(
    node: NodeProgress,
    profile: Profile,
    spec: PluginSpec,
    results: tuple[UpdateResult, ...],
    rest: tuple[UpdateInfo, ...],
    *,
    restart: bool,
    error: str,
) -> Advance:
    """What follows one plug-in's install while ``rest`` (other plug-ins' updates) waits."""
    failed = any(r.result != "Succeeded" for r in results)
    if failed and profile.stop_on_plugin_failure:
        skipped = ", ".join(dict.fromkeys(u.plugin.value for u in rest))
        note = (
            f"stop_on_plugin_failure: the {spec.name.value} plug-in failed, so {skipped} "
            f"does not run on {node.name} in this attempt"
        )
        outcome = Outcome.RESTART if restart or node.restart_pending else Outcome.FAILED
        # The skipped updates leave the pass: the restart then ends the failed attempt.
        done = tuple(u for u in node.offered if u not in rest)
        return adv(node, outcome, offered=done, results=results, error=error, note=note)
    if restart and profile.separate_reboots:
        # SeparateReboots: the plug-in's restart comes before the next plug-in installs;
        # the re-scan after it offers the rest again (it is not installed yet).
        return adv(node, Outcome.RESTART, results=results, error=error)
    return adv(node, Outcome.MORE, offered=rest, results=results, error=error)


def plugin_warnings(profile: Profile) -> tuple[str, ...]:
    """CAU's warnings: the multi-plug-in options do nothing with one plug-in."""
    if len(profile.plugin) > 1:
        return ()
    return tuple(
        f"{option} has no effect with one plug-in ({profile.plugin[0].value})"
        for option in _MULTI_OPTIONS
        if getattr(profile, option)
    )
