"""Invoke-CauRun's remaining run options (issue 9): profile checks, the pure rules, and
their effect on the engine against the hand-written fake cluster."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fake_cluster import KB1, FakeClock, FakeCluster, run_on
from literal_views import REPAIR, node, run, view

from runner.actions import Suspend
from runner.errors import InputError, RemoteCommandFailed
from runner.journal_codec import decode_as, encode
from runner.lifecycle import NodeStep, Outcome
from runner.maintenance_steps import resync_step, storage_wait_step
from runner.option_rules import order_by_site, suspend_retries_over, unknown_sites
from runner.profile import Profile, ResolvedProfile
from runner.progress import NodeProgress, RunProgress
from runner.report import profile_dict
from runner.run_option_types import NodeSite, RebootMode, soft_restart_asked
from runner.types import BootType, ClusterView, UpdateInfo
from runner.validation import parse_profile

NAMES = ("node1", "node2", "node3", "node4")


def refusal(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_profile(data, "p.yaml").resolved(NAMES, "p.yaml")
    return caught.value


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"force_pause_no_drain": True}, "$.force_pause_no_drain", "never restarts a node"),
        (
            {"force_pause_and_drain": True, "force_pause_drain_and_reboot": True},
            "$.force_pause_drain_and_reboot",
            "set one of them",
        ),
        ({"reboot_mode": "plugin-custom"}, "$.reboot_mode", "does not restart a node itself"),
        ({"reboot_mode": "full", "attempt_soft_reboot": True}, "$.reboot_mode", "keep one"),
        ({"reboot_mode": "cluster-property", "soft_reboot": True}, "$.reboot_mode", "keep one"),
        ({"reboot_mode": "soft", "attempt_soft_reboot": False}, "$.reboot_mode", "is false"),
        ({"attempt_soft_reboot": True, "soft_reboot": False}, "$.attempt_soft_reboot", "disagree"),
        (
            {"node_order": ["node2"], "site_aware_updating_order": ["A"]},
            "$.site_aware_updating_order",
            "give one of them",
        ),
        ({"suspend_retries_per_node": 65}, "$.suspend_retries_per_node", "at most 64"),
        ({"suspend_cluster_node_timeout_minutes": 0}, "$.suspend_cluster_node_timeout_minutes", ""),
    ],
)
def test_conflicting_or_impossible_options_are_one_sentence(
    data: dict[str, Any], path: str, words: str
) -> None:
    """Each option that cannot work, or two that contradict each other, is refused at load
    time with one sentence naming the option's path."""
    error = refusal(data)
    assert error.path == path
    assert words in error.message
    assert "\n" not in str(error)


def test_accepted_options_and_their_defaults() -> None:
    """CAU's defaults (5 retries, 60 minutes, nothing forced) and accepted combinations."""
    default = Profile()
    assert (default.suspend_retries_per_node, default.suspend_cluster_node_timeout_minutes) == (
        5,
        60,
    )
    assert not (default.forced_drain)
    assert not (default.skip_update_checks)
    assert not (default.enable_firewall_rules)
    assert default.reboot_mode is None
    assert default.site_aware_updating_order == ()
    profile = parse_profile(
        {
            "reboot_mode": "soft",
            "attempt_soft_reboot": True,
            "soft_reboot": True,
            "force_pause_drain_and_reboot": True,
            "site_aware_updating_order": ["Redmond", "Seattle"],
            "suspend_retries_per_node": 0,
        }
    ).resolved(NAMES)
    assert profile.reboot_mode is RebootMode.SOFT
    assert profile.forced_drain
    assert profile.site_aware_updating_order == ("Redmond", "Seattle")
    assert profile.suspend_cluster_node_timeout_s == 3600.0


def test_report_lists_the_new_options_only_when_set() -> None:
    """A profile leaving the issue-9 options alone reports as before; set ones are listed in
    their file spelling."""
    plain = profile_dict(Profile())
    assert "reboot_mode" not in plain
    assert "suspend_retries_per_node" not in plain
    assert "soft_reboot" in plain
    assert "max_nodes_out" in plain
    shown = profile_dict(
        Profile(
            reboot_mode=RebootMode.FULL, site_aware_updating_order=("A",), skip_update_checks=True
        )
    )
    assert (shown["reboot_mode"], shown["site_aware_updating_order"]) == ("full", ["A"])
    assert shown["skip_update_checks"] is True


@pytest.mark.parametrize(
    ("mode", "switch", "prop", "soft"),
    [
        (None, False, False, False),
        (None, True, False, True),
        (None, False, True, True),
        (RebootMode.ORCHESTRATOR_DEFAULT, False, True, True),
        (RebootMode.FULL, False, True, False),
        (RebootMode.SOFT, False, False, True),
        (RebootMode.CLUSTER_PROPERTY, False, False, False),
        (RebootMode.CLUSTER_PROPERTY, False, True, True),
    ],
)
def test_reboot_modes(mode: RebootMode | None, switch: bool, prop: bool, soft: bool) -> None:
    """Which reboot mode asks for Kernel Soft Reboot, with the switch and the property."""
    assert soft_restart_asked(mode, switch, prop) is soft


def test_site_order_regroups_and_names_unknown_sites() -> None:
    """Sites in the given order, the default order within a site, no site last; unknown
    sites are named (case-insensitively, as Windows names compare)."""
    sites = {"node1": "Seattle", "node2": "Redmond", "node3": "seattle", "node4": ""}
    order = order_by_site(("node3", "node1", "node4", "node2"), sites, ("Redmond", "SEATTLE"))
    assert order == ("node2", "node3", "node1", "node4")
    assert unknown_sites(sites, ("Redmond", "Paris")) == ["Paris"]


def _storage_wait(
    refusals: int, first: float | None, now: float, **profile: Any
) -> tuple[str, str, int | None]:
    prof = Profile(**profile).resolved(NAMES)
    node = NodeProgress(
        name="node2",
        step=NodeStep.STORAGE_WAIT,
        attempt=1,
        deadline=3600.0,
        storage_refusals=refusals,
        suspend_refused_at=first,
        last_refusal="a clustered space is in a degraded condition",
    )
    view = FakeCluster(FakeClock(), NAMES).observe()  # four Up nodes, healthy storage
    action = storage_wait_step(view, RunProgress(now=now, view_at=now), node, prof)
    if isinstance(action, Suspend):
        return "suspend", str(action.force), None
    outcome = getattr(action, "outcome", None)
    return str(outcome), getattr(action, "error", ""), getattr(action, "event_id", None)


def test_suspend_retries_count_then_the_run_moves_on() -> None:
    """5987 refusals are retried up to suspend_retries_per_node (not attempts of
    MaxRetriesPerNode); one more and the node gives up with event 1016 — no retry."""
    assert _storage_wait(5, 100.0, 200.0)[0] == "suspend"  # 4 retries so far, 5 allowed
    outcome, error, event = _storage_wait(6, 100.0, 200.0)
    assert (outcome, event) == (Outcome.GIVE_UP.value, 1016)
    assert "refused 6 time(s)" in error
    assert "moving on to the next node" in error
    assert _storage_wait(1, 100.0, 101.0, suspend_retries_per_node=0)[0] == "give_up"


def test_suspend_timeout_bounds_the_retries_from_the_first_refusal() -> None:
    """suspend_cluster_node_timeout_minutes counts from the first refusal, and once refusals
    began the storage-repair deadline no longer fails the attempt."""
    early = _storage_wait(2, 100.0, 100.0 + 59.0, suspend_cluster_node_timeout_minutes=1)
    assert early[0] == "suspend"
    over = _storage_wait(2, 100.0, 100.0 + 60.0, suspend_cluster_node_timeout_minutes=1)
    assert over[0] == "give_up"
    assert "1 minutes" in over[1]
    # Past the step's storage-repair deadline (3600 s) with refusals: still the suspend rules.
    assert _storage_wait(1, 3590.0, 3700.0)[0] == "suspend"
    assert _storage_wait(0, None, 3700.0)[0] == Outcome.FAILED.value  # no refusal: repair wait
    assert (
        suspend_retries_over(
            RunProgress(now=5.0), NodeProgress(name="n"), Profile().resolved(NAMES)
        )
        is None
    )


def test_forced_drain_variants_suspend_with_force() -> None:
    """force_pause_and_drain and force_pause_drain_and_reboot both suspend with -ForceDrain."""
    assert _storage_wait(0, None, 10.0) == ("suspend", "False", None)
    assert _storage_wait(0, None, 10.0, force_pause_and_drain=True)[1] == "True"
    assert _storage_wait(0, None, 10.0, force_pause_drain_and_reboot=True)[1] == "True"


class OptionCluster(FakeCluster):
    """The fake cluster with the run options' transport calls: sites, the Remote Shutdown
    rule group per node (a blocked node's restart is refused; a policy keeps it blocked),
    the CauEnableSoftReboot property and the forced drain."""

    def __init__(
        self,
        clock: FakeClock,
        *,
        sites: dict[str, str] | None = None,
        blocked: tuple[str, ...] = (),
        policy: tuple[str, ...] = (),
        soft_property: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(clock, **kwargs)
        self.sites = sites or {}
        self.blocked = set(blocked) | set(policy)
        self.policy = set(policy)
        self.soft_property = soft_property

    def observe(self) -> ClusterView:
        return replace(super().observe(), soft_reboot_property=self.soft_property)

    def suspend_node_forced(self, node: str) -> None:
        self.calls.append((self.clock.t, "suspend_node_forced", node))
        self.suspend_node(node)

    def enable_remote_shutdown_rules(self, node: str) -> bool:
        self.calls.append((self.clock.t, "enable_remote_shutdown_rules", node))
        if node in self.policy:
            return False
        self.blocked.discard(node)
        return True

    def read_node_sites(self) -> tuple[NodeSite, ...]:
        self.calls.append((self.clock.t, "read_node_sites", ""))
        return tuple(NodeSite(node=n, site=self.sites.get(n, "")) for n in self.nodes)

    def restart_node(self, node: str, *, soft: bool = False) -> BootType:
        if node in self.blocked:
            self.calls.append((self.clock.t, "restart_refused", node))
            raise RemoteCommandFailed("Restart-Computer", f"firewall blocks {node}", 1722)
        return super().restart_node(node, soft=soft)


def test_suspend_refusals_past_the_retries_fail_the_node_and_the_run_moves_on() -> None:
    """Three 5987 refusals with one retry allowed: the first node fails in one attempt,
    never suspended, and the next node is updated."""
    clock = FakeClock()
    cluster = OptionCluster(clock, names=("node1", "node2", "node3"), degraded_refusals=3)
    report, events = run_on(cluster, clock, Profile(suspend_retries_per_node=1, max_failed_nodes=1))
    first, second = report.nodes[0], report.nodes[1]
    assert (first.status.value, first.attempts, first.restarts) == ("Failed", 1, 0)
    assert "moving on to the next node" in (first.error or "")
    assert second.status.value == "Succeeded"
    assert sum(1 for e in events if "refused with 5987" in e.detail) == 3
    patient = OptionCluster(FakeClock(), names=("node1", "node2", "node3"), degraded_refusals=3)
    report, _ = run_on(patient, patient.clock, Profile())
    assert report.status.value == "Succeeded"
    assert report.nodes[0].attempts == 1


def test_skip_update_checks_scans_each_node_at_its_turn() -> None:
    """No scan of every node before the run: the first scan happens with the first node,
    each node's scan right before its own suspend."""
    clock = FakeClock()
    cluster = OptionCluster(clock)
    report, events = run_on(cluster, clock, Profile(skip_update_checks=True))
    assert report.status.value == "Succeeded"
    # In call order: each node's first scan comes right before its own suspend.
    calls = [
        (call, node) for _, call, node in cluster.calls if call in ("start_scan", "suspend_node")
    ]
    firsts = [c for i, c in enumerate(calls) if c[0] == "suspend_node" or c not in calls[:i]]
    assert firsts == [(call, n) for n in cluster.nodes for call in ("start_scan", "suspend_node")]
    assert any(e.kind == "scan-skipped" for e in events)


def test_skip_update_checks_stops_the_run_before_a_feature_update() -> None:
    """A feature update needs every node's offer before the run: with skip_update_checks the
    run stops before the node offered one is drained."""
    clock = FakeClock()
    feature = UpdateInfo(id="FU21H2", title="Feature update to 21H2", kind="feature")
    cluster = OptionCluster(clock, updates=(KB1, feature))
    report, _ = run_on(cluster, clock, Profile(skip_update_checks=True))
    assert (report.status.value, report.error_id) == ("Failed", "FeatureUpdateNotChecked")
    assert not cluster.log("suspend_node")
    assert "FU21H2" in (report.error or "")


def test_firewall_rules_are_enabled_before_any_node_is_touched() -> None:
    """enable_firewall_rules enables the group on every node first; a node a Group Policy
    keeps blocked is named in a warning and its restart is refused, so it fails."""
    clock = FakeClock()
    cluster = OptionCluster(clock, blocked=("node1", "node2"), policy=("node3",))
    profile = Profile(enable_firewall_rules=True, max_retries_per_node=1, max_failed_nodes=1)
    report, events = run_on(cluster, clock, profile)
    enabled = cluster.log("enable_remote_shutdown_rules")
    assert [n for _, n in enabled] == list(cluster.nodes)
    order = [call for _, call, _ in cluster.calls]
    assert order.index("start_scan") < order.index("enable_remote_shutdown_rules")
    last_enable = len(order) - 1 - order[::-1].index("enable_remote_shutdown_rules")
    assert last_enable < order.index("suspend_node")
    assert [n.status.value for n in report.nodes] == ["Succeeded", "Succeeded", "Failed"]
    failed = report.node("node3")
    assert "firewall blocks node3" in (failed.error or "")
    assert failed.restarts == 0
    assert any(e.kind == "warning" and "Group Policy" in e.detail for e in events)


def test_without_the_option_a_blocked_node_is_not_restarted() -> None:
    """Without enable_firewall_rules a node whose rule group is disabled fails: its restart
    is refused on every try, and no enable is attempted."""
    clock = FakeClock()
    cluster = OptionCluster(clock, blocked=("node1",))
    report, _ = run_on(cluster, clock, Profile(max_retries_per_node=1, max_failed_nodes=1))
    assert report.node("node1").status.value == "Failed"
    assert not cluster.log("enable_remote_shutdown_rules")
    assert len(cluster.log("restart_refused")) == 3  # MAX_COMMAND_FAILURES refusals


def test_site_order_reads_the_sites_and_refuses_an_unknown_one() -> None:
    """The run updates Redmond's nodes before Seattle's; a site the cluster does not have
    refuses the run (UnknownSite) before any node is touched."""
    clock = FakeClock()
    sites = {"node1": "Seattle", "node2": "Redmond", "node3": "Seattle"}
    cluster = OptionCluster(clock, sites=sites)
    report, _ = run_on(cluster, clock, Profile(site_aware_updating_order=("Redmond", "Seattle")))
    assert [n.name for n in report.nodes] == ["node2", "node1", "node3"]
    clock = FakeClock()
    cluster = OptionCluster(clock, sites=sites)
    report, _ = run_on(cluster, clock, Profile(site_aware_updating_order=("Paris",)))
    assert (report.status.value, report.error_id) == ("Failed", "UnknownSite")
    assert "Paris" in (report.error or "")
    assert not cluster.log("start_scan")


@pytest.mark.parametrize(
    ("profile", "soft_property", "boot"),
    [
        (Profile(), True, "SoftBoot"),
        (Profile(reboot_mode=RebootMode.FULL), True, "FullBoot"),
        (Profile(reboot_mode=RebootMode.CLUSTER_PROPERTY), False, "FullBoot"),
        (Profile(attempt_soft_reboot=True), False, "SoftBoot"),
    ],
)
def test_reboot_mode_decides_the_restart(profile: Profile, soft_property: bool, boot: str) -> None:
    """The cluster's CauEnableSoftReboot as observed, with reboot_mode and the switch."""
    clock = FakeClock()
    cluster = OptionCluster(clock, names=("node1", "node2", "node3"), soft_property=soft_property)
    report, _ = run_on(cluster, clock, profile)
    assert {n.boot_type.value if n.boot_type else None for n in report.nodes} == {boot}


def test_forced_drain_and_reboot_restarts_a_node_no_update_asks_to_restart() -> None:
    """force_pause_drain_and_reboot suspends with -ForceDrain and restarts each updated node
    once although its update needs no restart; without it, no restart."""
    quiet = UpdateInfo(id="KB9", title=".NET update", restart_required=False)
    clock = FakeClock()
    cluster = OptionCluster(clock, updates=(quiet,))
    report, _ = run_on(cluster, clock, Profile(force_pause_drain_and_reboot=True))
    assert [n.restarts for n in report.nodes] == [1, 1, 1]
    assert len(cluster.log("suspend_node_forced")) == 3
    clock = FakeClock()
    cluster = OptionCluster(clock, updates=(quiet,))
    report, _ = run_on(cluster, clock, Profile())
    assert [n.restarts for n in report.nodes] == [0, 0, 0]
    assert not cluster.log("suspend_node_forced")


def test_the_journal_keeps_the_new_options_and_the_first_refusal() -> None:
    """A checkpoint round-trips the run options (enum, tuple) and the first 5987 refusal, so
    a resumed run keeps its reboot mode, site order and suspend-retry clock."""
    profile = Profile(
        reboot_mode=RebootMode.CLUSTER_PROPERTY,
        site_aware_updating_order=("Redmond", "Seattle"),
        force_pause_and_drain=True,
        suspend_retries_per_node=2,
    ).resolved(NAMES)
    assert decode_as(ResolvedProfile, encode(profile)) == profile
    node = NodeProgress(name="node2", storage_refusals=2, suspend_refused_at=75.5)
    assert decode_as(NodeProgress, encode(node)) == node


def test_storage_repair_wait_fails_the_attempt_before_and_notes_after_the_resume() -> None:
    """wait_for_storage_repair_timeout_minutes: a repair still running at the deadline of the
    wait before the suspend fails the attempt, naming the option's minutes; at the deadline
    of the resync wait after the resume the node is done, with a warning note."""
    profile = Profile(wait_for_storage_repair_timeout_minutes=20).resolved(
        ("node1", "node2", "node3")
    )
    late = run(None, now=1000.0)
    before = storage_wait_step(view(jobs=(REPAIR,)), late, node(NodeStep.STORAGE_WAIT), profile)
    assert getattr(before, "outcome", None) is Outcome.FAILED
    assert "storage not ready within 20 minutes" in getattr(before, "error", "")
    after = resync_step(view(jobs=(REPAIR,)), late, node(NodeStep.RESYNC), profile)
    assert getattr(after, "outcome", None) is Outcome.OK
    assert "20 minutes after resume; the next node waits" in getattr(after, "note", "")
