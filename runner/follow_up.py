"""Feature-update runs: the RollingUpgrade plug-in's run and its follow-up quality pass.

Owns: ``FeatureRun`` — the engine's layer for runs whose profile names the rolling-upgrade
plug-in (``feature_run``): cluster validation always runs before any node is touched (the
guide makes Test-Cluster a step of every feature update), each node's OS version is kept
when the run begins and reported before/after, and — once the feature update is on every
node — the follow-up quality pass (``_begin_follow_up``): every node is scanned again with
the Windows Update plug-in and what it offers is installed node by node, with every
rolling-run guarantee (drain, restart, resync, quorum), in the same run and under the same
run lock and journal. ``FollowUpReport`` is the pass as the report shows it, and
``follow_up_refusal`` the pure rule that says whether it runs.

Theory of operation: the run is one engine with two passes. The feature-update pass uses the
profile's plug-ins; when it is over (``decide`` answers ``Finish``) the engine asks
``_begin_follow_up``: the pass's node reports are kept (``feature_pass``, journaled with the
run state), the recorder starts a new pass, the nodes start afresh from a scan of every Up
node, and the run goes on with ``RunProgress.follow_up`` set — from then on ``step_profile``
is the profile with the Windows Update plug-in alone (its arguments kept if the profile gave
any), which every decision reads. The follow-up pass runs only when the feature update
succeeded on every node and the run is not ending: an administrator following the guide
installs further updates on an upgraded cluster, not on a half-upgraded one (and so the
pass never meets a mixed-mode cluster). The run's status is that of both passes together.

Must not: decide a step (``runner.decisions``), sleep except through the injected clock, or
import the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from runner.evolve import evolve
from runner.plugin_steps import scan_action
from runner.plugins import PluginName
from runner.preflight import scan_all
from runner.profile import Profile, ResolvedProfile
from runner.progress import NodeProgress
from runner.report import FollowUpReport, NodeReport
from runner.run_control import RunControl
from runner.types import SummaryStatus, UpdateInfo

__all__ = [
    "FOLLOW_UP_PLUGIN",
    "FeatureRun",
    "FollowUpReport",
    "feature_run",
    "follow_up_profile",
    "follow_up_refusal",
]

FOLLOW_UP_PLUGIN = PluginName.WINDOWS_UPDATE


def feature_run(profile: Profile) -> bool:
    """Whether the run installs a feature update (its plug-ins include RollingUpgrade)."""
    return PluginName.ROLLING_UPGRADE in profile.plugin


def follow_up_refusal(
    profile: Profile,
    statuses: Sequence[SummaryStatus],
    *,
    error_id: str | None,
    stopping: bool,
) -> str | None:
    """Why the follow-up quality pass does not run (``None``: it runs)."""
    if not profile.follow_up_quality_pass:
        return "follow_up_quality_pass is false"
    if error_id is not None or stopping:
        return f"the run ended early ({error_id or 'stopped'})"
    if any(s is not SummaryStatus.SUCCEEDED for s in statuses):
        return "the feature update did not succeed on every node"
    return None


def follow_up_profile(profile: ResolvedProfile) -> ResolvedProfile:
    """The profile with the Windows Update plug-in alone (its arguments, if given)."""
    given = dict(zip(profile.plugin, profile.plugin_arguments, strict=False))
    arguments = (given[FOLLOW_UP_PLUGIN],) if FOLLOW_UP_PLUGIN in given else ()
    return replace(profile, plugin=(FOLLOW_UP_PLUGIN,), plugin_arguments=arguments)


class FeatureRun(RunControl):
    """The feature-update parts of the engine (the engine subclasses it)."""

    feature_pass: tuple[NodeReport, ...] = ()  # the feature pass's nodes, once it is over
    follow_up_skipped: str = ""  # why the follow-up pass did not run
    order: tuple[str, ...]

    def may_act(self) -> bool:
        raise NotImplementedError

    @property
    def step_profile(self) -> ResolvedProfile:
        """The profile the decisions read: the follow-up pass's during that pass."""
        if self.progress.follow_up:
            return follow_up_profile(self.profile)
        return self.profile

    def validation_profile(self) -> ResolvedProfile:
        """A feature-update run always validates the cluster first (the guide's step)."""
        if feature_run(self.profile):
            return replace(self.profile, validate_cluster=True)
        return self.profile

    def versioned(self, report: NodeReport, node: NodeProgress) -> NodeReport:
        """A feature-update node's report with its OS version before and after the run."""
        if not feature_run(self.profile) or self.progress.follow_up:
            return report
        after = ""
        if self.view is not None:
            after = next((n.version for n in self.view.nodes if n.name == node.name), "")
        return replace(report, version=(node.version_before, after))

    def _begin_follow_up(self) -> bool:
        """The feature pass is over: begin the follow-up pass, or record why not (False)."""
        if not feature_run(self.profile) or self.progress.follow_up or self.follow_up_skipped:
            return False
        nodes = [self.book.nodes[name] for name in self.order]
        why = follow_up_refusal(
            self.profile,
            [self.book.report(n).status for n in nodes],
            error_id=self.error_id,
            stopping=self.progress.stopping or not self.may_act(),
        )
        if why is not None:
            self.follow_up_skipped = why
            self.rec.emit("follow-up-skipped", None, f"no follow-up quality pass: {why}")
            return False
        self.feature_pass = tuple(self.versioned(self.book.report(n), n) for n in nodes)
        self.rec.new_pass()
        self.rec.emit(
            "follow-up-started",  # simulator.report_passes splits a report's passes here
            None,
            f"the feature update is on every node; checking every node for further updates "
            f"({FOLLOW_UP_PLUGIN.cau_name})",
        )
        self.progress = evolve(self.progress, follow_up=True)
        self._observe()
        view = self.view
        offers: dict[str, tuple[UpdateInfo, ...]] = {}  # none: each node scans at its turn
        if view is not None:
            deadline = self._elapsed() + self.profile.install_timeout_s
            if self.profile.stop_after_s is not None:
                deadline = min(deadline, self.profile.stop_after_s)
            offers = scan_all(
                self.transport, self.clock, self.rec, view, self.order, self._elapsed,
                deadline, scan_action("", self.step_profile),
            )  # fmt: skip
        self.book.nodes = {
            name: NodeProgress(name=name, initial_offer=offers.get(name)) for name in self.order
        }
        self.progress = evolve(
            self.progress, remaining=self.order, current=None, failed_nodes=0,
            view_at=self._elapsed(),
        )  # fmt: skip
        self._observe()
        return True

    def pass_reports(
        self, reports: list[NodeReport]
    ) -> tuple[tuple[NodeReport, ...], FollowUpReport | None]:
        """(the run's ``nodes``, its ``follow_up`` section) from the current pass's reports."""
        if not feature_run(self.profile):
            return tuple(reports), None
        if not self.progress.follow_up:
            why = self.follow_up_skipped or follow_up_refusal(
                self.profile, [r.status for r in reports], error_id=self.error_id,
                stopping=self.progress.stopping,
            )  # fmt: skip
            reason = why or "the run ended before the feature update was done"
            return tuple(reports), FollowUpReport(ran=False, reason=reason)
        statuses = [r.status for r in reports]
        bad = [s for s in statuses if s is not SummaryStatus.SUCCEEDED]
        status = SummaryStatus.SUCCEEDED
        if bad:
            ok = any(s is SummaryStatus.SUCCEEDED for s in statuses)
            status = SummaryStatus.PARTIALLY_FAILED if ok else bad[0]
        return self.feature_pass, FollowUpReport(ran=True, status=status, nodes=tuple(reports))
