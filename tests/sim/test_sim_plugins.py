"""Plug-ins in the simulated world: which plug-in offers which update, scans serially or
together, and installs only through the plug-in that offers the update."""

from __future__ import annotations

import pytest
from sim_driver import CU, make_scenario, make_world, wait_work

from runner.errors import RemoteCommandFailed
from runner.plugins import PluginName, PluginSpec
from runner.types import WorkState
from simulator.model import UpdateSpec
from simulator.windows_update import SCAN_SECONDS
from simulator.world import SimulatedCluster

FU = UpdateSpec(id="FU-21H2", title="Azure Stack HCI, version 21H2", kind="feature")
WU = PluginSpec(name=PluginName.WINDOWS_UPDATE)
RU = PluginSpec(name=PluginName.ROLLING_UPGRADE)


def world_with(*updates: UpdateSpec) -> SimulatedCluster:
    return make_world(make_scenario(3, resiliency=None, vms_per_node=0, updates=updates))


def test_rolling_upgrade_offers_only_the_feature_update() -> None:
    """The RollingUpgrade plug-in offers feature updates only; Windows Update never offers
    them (quality updates and the feature update are told apart by their plug-in)."""
    world = world_with(CU, FU)
    ru = wait_work(world, world.transport.start_scan("node1", (RU,))).offered
    assert [(u.id, u.plugin) for u in ru] == [(FU.id, PluginName.ROLLING_UPGRADE)]
    wu = wait_work(world, world.transport.start_scan("node1")).offered
    assert [(u.id, u.plugin) for u in wu] == [(CU.id, PluginName.WINDOWS_UPDATE)]


def test_an_update_two_plugins_offer_goes_to_the_first_in_plugin_order() -> None:
    """Scanned with rolling-upgrade then windows-update, each update is listed once, for the
    plug-in that offers it."""
    world = world_with(CU, FU)
    offered = wait_work(world, world.transport.start_scan("node1", (RU, WU))).offered
    assert [(u.id, u.plugin) for u in offered] == [
        (FU.id, PluginName.ROLLING_UPGRADE),
        (CU.id, PluginName.WINDOWS_UPDATE),
    ]


def test_a_serial_scan_takes_one_scan_time_per_plugin() -> None:
    """Together: one SCAN_SECONDS; serially: one per plug-in."""
    world = world_with(CU, FU)
    together = world.transport.start_scan("node1", (WU, RU))
    serial = world.transport.start_scan("node2", (WU, RU), serially=True)
    world.clock.sleep(SCAN_SECONDS + 1)
    assert world.transport.poll_work(together).state is WorkState.SUCCEEDED
    assert world.transport.poll_work(serial).state is WorkState.RUNNING
    world.clock.sleep(SCAN_SECONDS)
    assert world.transport.poll_work(serial).state is WorkState.SUCCEEDED


def test_an_install_goes_only_through_a_plugin_that_offers_the_update() -> None:
    """Installing a quality update through the RollingUpgrade plug-in is refused."""
    world = world_with(CU, FU)
    with pytest.raises(RemoteCommandFailed, match="does not install"):
        world.transport.start_install("node1", (CU.id,), RU)
    done = wait_work(world, world.transport.start_install("node1", (FU.id,), RU))
    assert [(r.id, r.result, r.plugin) for r in done.results] == [
        (FU.id, "Succeeded", PluginName.ROLLING_UPGRADE)
    ]


def test_rolling_upgrade_from_setup_media_is_refused_not_pretended() -> None:
    """wu_connected false (setup media) is not modelled: the scan fails and says so."""
    world = world_with(CU, FU)
    media = PluginSpec(
        name=PluginName.ROLLING_UPGRADE,
        arguments=(("path_to_setup_media", r"\\fs01\iso\21H2"), ("wu_connected", False)),
    )
    done = wait_work(world, world.transport.start_scan("node1", (media,)))
    assert done.state is WorkState.FAILED
    assert "setup media" in done.error


def test_a_serial_scan_with_stop_on_failure_skips_the_plugins_after_a_failed_scan() -> None:
    """Serially with stop_on_failure: the plug-in after a failed scan is not scanned (one
    scan time, nothing offered); without it, it is (two scan times, its updates offered);
    the scan fails either way."""
    world = world_with(CU, FU)
    media = PluginSpec(
        name=PluginName.ROLLING_UPGRADE,
        arguments=(("path_to_setup_media", r"\\fs01\iso\21H2"), ("wu_connected", False)),
    )
    stopped = world.transport.start_scan("node1", (media, WU), serially=True, stop_on_failure=True)
    going = world.transport.start_scan("node2", (media, WU), serially=True)
    world.clock.sleep(SCAN_SECONDS + 1)
    done = world.transport.poll_work(stopped)
    assert (done.state, done.offered) == (WorkState.FAILED, ())
    assert world.transport.poll_work(going).state is WorkState.RUNNING
    world.clock.sleep(SCAN_SECONDS)
    later = world.transport.poll_work(going)
    assert later.state is WorkState.FAILED
    assert [u.id for u in later.offered] == [CU.id]  # Windows Update offers no feature update
