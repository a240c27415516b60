"""Several plug-ins in one run, against the fake cluster: installs one plug-in after another
in plug-in order, one restart after all (or one per plug-in with separate_reboots),
stop_on_plugin_failure, scans naming the run's plug-ins, and CAU's one-plug-in warnings."""

from __future__ import annotations

from fake_cluster import KB1, FakeClock, FakeCluster, run_on

from runner.plugins import PluginName
from runner.profile import Profile
from runner.types import UpdateInfo
from runner.validation import parse_profile

ROOT = r"\\fs01\Hotfixes\Root"
HF1 = UpdateInfo(id="HF1", title="Storage driver hotfix", plugin=PluginName.HOTFIX)


def _two(**options: object) -> Profile:
    return parse_profile(
        {
            "plugin": ["windows-update", "hotfix"],
            "plugin_arguments": [{}, {"hotfix_root_folder_path": ROOT}],
            **options,
        }
    )


def test_default_run_scans_and_installs_through_the_windows_update_plugin() -> None:
    """CAU's default plug-in scans every node and installs what it offered; the report's
    updates name no plug-in (only the default ran)."""
    clock = FakeClock()
    cluster = FakeCluster(clock)
    report, _ = run_on(cluster, clock)
    assert {calls[2] for calls in cluster.plugin_calls} == {(PluginName.WINDOWS_UPDATE,)}
    assert "plugin" not in report.to_dict()["nodes"][0]["updates"][0]


def test_two_plugins_install_in_plugin_order_with_one_restart() -> None:
    """Windows Update's updates install first, then the hotfix plug-in's; one restart after
    both; the report says which plug-in installed what."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2"), updates=(HF1, KB1))
    report, _ = run_on(cluster, clock, _two())
    data = report.to_dict()
    assert data["status"] == "Succeeded"
    installs = [(n, p, ids) for kind, n, p, ids in cluster.plugin_calls if kind == "install"]
    assert installs[:2] == [
        ("node1", (PluginName.WINDOWS_UPDATE,), ("KB1",)),
        ("node1", (PluginName.HOTFIX,), ("HF1",)),
    ]
    scans = {p for kind, _, p, _ in cluster.plugin_calls if kind == "scan"}
    assert scans == {(PluginName.WINDOWS_UPDATE, PluginName.HOTFIX)}
    for node in data["nodes"]:
        assert node["restarts"] == 1
        assert [(u["id"], u["plugin"]) for u in node["updates"]] == [
            ("KB1", "windows-update"),
            ("HF1", "hotfix"),
        ]


def test_separate_reboots_restart_after_each_plugin_that_needs_one() -> None:
    """separate_reboots: a restart after Windows Update's installs, another after the
    hotfix plug-in's (both need one)."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2"), updates=(KB1, HF1))
    report, _ = run_on(cluster, clock, _two(separate_reboots=True))
    assert report.status.value == "Succeeded"
    assert [n.restarts for n in report.nodes] == [2, 2]
    times = [t for t, call, n in cluster.calls if n == "node1" and call in (
        "start_install", "restart_node")]  # fmt: skip
    calls = [c for t, c, n in cluster.calls if n == "node1" and c in (
        "start_install", "restart_node")]  # fmt: skip
    assert calls == ["start_install", "restart_node", "start_install", "restart_node"]
    assert times == sorted(times)


def test_without_stop_on_plugin_failure_the_next_plugin_still_installs() -> None:
    """Plug-ins are independent by default: a failed Windows Update install does not keep
    the hotfix plug-in from installing in the same attempt; the attempt is retried after."""
    clock = FakeClock()
    cluster = FakeCluster(
        clock, names=("node1", "node2"), updates=(KB1, HF1),
        install_failures={("node1", "KB1"): 1},
    )  # fmt: skip
    report, _ = run_on(cluster, clock, _two())
    first = [(p, ids) for kind, n, p, ids in cluster.plugin_calls if kind == "install"
             and n == "node1"]  # fmt: skip
    assert first[:2] == [((PluginName.WINDOWS_UPDATE,), ("KB1",)), ((PluginName.HOTFIX,), ("HF1",))]
    node1 = report.node("node1")
    assert node1.attempts == 2
    assert node1.status.value == "Succeeded"


def test_stop_on_plugin_failure_keeps_the_later_plugins_from_running() -> None:
    """stop_on_plugin_failure: after Windows Update's install failed, the hotfix plug-in does
    not run on that node in that attempt (a warning says so); the retry installs both."""
    clock = FakeClock()
    cluster = FakeCluster(
        clock, names=("node1", "node2"), updates=(KB1, HF1),
        install_failures={("node1", "KB1"): 1},
    )  # fmt: skip
    report, events = run_on(cluster, clock, _two(stop_on_plugin_failure=True))
    installs = [(p, ids) for kind, n, p, ids in cluster.plugin_calls if kind == "install"
                and n == "node1"]  # fmt: skip
    assert installs[0] == ((PluginName.WINDOWS_UPDATE,), ("KB1",))
    assert installs[1][0] == (PluginName.WINDOWS_UPDATE,)  # the retry, not the hotfix
    assert any("stop_on_plugin_failure" in e.detail and e.node == "node1" for e in events)
    assert report.node("node1").attempts == 2
    assert report.node("node1").status.value == "Succeeded"


def test_run_plugins_serially_asks_the_transport_to_scan_one_after_another() -> None:
    """run_plugins_serially: every scan is started with serially=True (and the stop flag)."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2"), updates=(KB1, HF1))
    seen: list[tuple[bool, bool]] = []
    original = cluster.start_scan

    def spy(node, plugins=(), *, serially=False, stop_on_failure=False):  # type: ignore[no-untyped-def]
        seen.append((serially, stop_on_failure))
        return original(node, plugins, serially=serially, stop_on_failure=stop_on_failure)

    cluster.start_scan = spy  # type: ignore[method-assign]
    run_on(cluster, clock, _two(run_plugins_serially=True, stop_on_plugin_failure=True))
    assert seen
    assert set(seen) == {(True, True)}


def test_multi_plugin_options_with_one_plugin_warn_as_cau_does() -> None:
    """Each of the three options given with one plug-in gets CAU's warning; the run goes on."""
    clock = FakeClock()
    cluster = FakeCluster(clock, names=("node1", "node2"))
    profile = Profile(run_plugins_serially=True, separate_reboots=True)
    report, events = run_on(cluster, clock, profile)
    warnings = [e.detail for e in events if e.kind == "warning"]
    assert "run_plugins_serially has no effect with one plug-in (windows-update)" in warnings
    assert "separate_reboots has no effect with one plug-in (windows-update)" in warnings
    assert not any("stop_on_plugin_failure" in w for w in warnings)
    assert report.status.value == "Succeeded"


class _ForcedDrainCluster(FakeCluster):
    """The fake cluster with Suspend-ClusterNode -ForceDrain (a plain suspend here)."""

    def suspend_node_forced(self, node: str) -> None:
        self.calls.append((self.clock.t, "suspend_node_forced", node))
        self.suspend_node(node)


def test_force_pause_drain_and_reboot_restarts_once_after_the_last_plugin() -> None:
    """Two plug-ins whose updates need no restart, with force_pause_drain_and_reboot: each
    node restarts once, after the hotfix plug-in's install (not between the plug-ins)."""
    quiet_wu = UpdateInfo(id="KB9", title=".NET update", restart_required=False)
    quiet_hf = UpdateInfo(
        id="HF9", title="Tool hotfix", plugin=PluginName.HOTFIX, restart_required=False
    )
    clock = FakeClock()
    cluster = _ForcedDrainCluster(clock, names=("node1", "node2"), updates=(quiet_wu, quiet_hf))
    report, _ = run_on(cluster, clock, _two())
    assert [n.restarts for n in report.nodes] == [0, 0]  # without the option: no restart
    clock = FakeClock()
    cluster = _ForcedDrainCluster(clock, names=("node1", "node2"), updates=(quiet_wu, quiet_hf))
    report, _ = run_on(cluster, clock, _two(force_pause_drain_and_reboot=True))
    assert report.status.value == "Succeeded"
    assert [n.restarts for n in report.nodes] == [1, 1]
    calls = [c for _, c, n in cluster.calls if n == "node1" and c in (
        "start_install", "restart_node")]  # fmt: skip
    assert calls == ["start_install", "start_install", "restart_node"]
