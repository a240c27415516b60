"""The follow-up quality pass of a feature-update run: when it runs, and with which plug-in."""

from __future__ import annotations

import pytest

from runner.follow_up import feature_run, follow_up_profile, follow_up_refusal
from runner.plugins import PluginName, plugin_specs
from runner.profile import Profile
from runner.types import SummaryStatus

OK, FAILED = SummaryStatus.SUCCEEDED, SummaryStatus.FAILED
RU = Profile(plugin=(PluginName.ROLLING_UPGRADE,))


@pytest.mark.parametrize(
    ("profile", "statuses", "error_id", "stopping", "why"),
    [
        (RU, [OK, OK], None, False, None),
        (Profile(plugin=RU.plugin, follow_up_quality_pass=False), [OK], None, False,
         "follow_up_quality_pass is false"),
        (RU, [OK, FAILED], None, False, "the feature update did not succeed on every node"),
        (RU, [OK], "StopAfterExceeded", False, "the run ended early (StopAfterExceeded)"),
        (RU, [OK], None, True, "the run ended early (stopped)"),
    ],
)  # fmt: skip
def test_follow_up_runs_only_after_a_feature_update_on_every_node(
    profile: Profile,
    statuses: list[SummaryStatus],
    error_id: str | None,
    stopping: bool,
    why: str | None,
) -> None:
    """The pass runs when the option is on, every node succeeded and the run goes on."""
    assert follow_up_refusal(profile, statuses, error_id=error_id, stopping=stopping) == why


def test_a_feature_run_is_one_with_the_rolling_upgrade_plugin() -> None:
    """rolling-upgrade alone or among others makes a feature-update run; the default not."""
    assert feature_run(RU)
    assert feature_run(Profile(plugin=(PluginName.ROLLING_UPGRADE, PluginName.WINDOWS_UPDATE)))
    assert not feature_run(Profile())


def test_follow_up_profile_keeps_the_windows_update_arguments_given() -> None:
    """The pass scans with Windows Update alone, with the arguments the profile gave it."""
    specs = plugin_specs(
        ["rolling-upgrade", "windows-update"],
        [{"wu_connected": True}, {"include_recommended_updates": True}],
        "p.yaml",
    )
    profile = Profile(
        plugin=tuple(s.name for s in specs), plugin_arguments=tuple(s.arguments for s in specs)
    ).resolved(("node1", "node2"))
    again = follow_up_profile(profile)
    assert again.plugin == (PluginName.WINDOWS_UPDATE,)
    assert again.plugins[0].argument("include_recommended_updates") is True
    plain = follow_up_profile(RU.resolved(("node1", "node2")))
    assert (plain.plugin, plain.plugin_arguments) == ((PluginName.WINDOWS_UPDATE,), ())
