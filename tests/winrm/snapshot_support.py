"""Helpers of the snapshot tests: `pycau snapshot` of a twin, and what it can recover.

``take_snapshot`` serves a scenario on a twin, runs ``pycau snapshot`` against it over real
WinRM and loads the file it wrote. ``recoverable`` is the original scenario with every
figure the snapshot cannot read replaced by the scenario default the snapshot file gets
(see ``runner.snapshot_scenario``): soft boot and scan times, the Remote Shutdown rules,
repair rate, drives per node, the space settle time, migration throughput, sites, the
versions' figures, faults, scripts, profile and expect — and the updates a
scan does not see now (``after:`` updates and feature updates).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from simulator.model import ClusterSpec, NodeSpec, Scenario, StorageSpec, VmSpec
from simulator.scenario import load_scenario
from simulator.twin import Account

__all__ = ["ENV", "recoverable", "snapshot_command", "take_snapshot"]

ENV = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}


def snapshot_command(twin: TwinServer, output: Path, *extra: str) -> Result:
    """``pycau snapshot`` against ``twin`` (plain HTTP on loopback)."""
    args = ["snapshot", "--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
    return CliRunner().invoke(
        cli, [*args, "-o", str(output), *extra], env=ENV, catch_exceptions=False
    )


def take_snapshot(original: Scenario, output: Path) -> tuple[Result, Scenario | None]:
    """(the command's result, the scenario it wrote, or None when it wrote none)."""
    account = Account(username=USERNAME, password=PASSWORD)
    twin = TwinServer(original, original.seed, account, echo=lambda line: None).start()
    try:
        result = snapshot_command(twin, output)
    finally:
        twin.stop()
    return result, load_scenario(output) if output.exists() else None


def recoverable(original: Scenario) -> Scenario:
    """What a snapshot of ``original``'s twin can say (see the module docstring)."""
    spec = original.cluster
    defaults = NodeSpec(name="-")
    nodes = tuple(
        replace(
            n,
            soft_boot_minutes=defaults.soft_boot_minutes,
            scan_minutes=defaults.scan_minutes,
            remote_shutdown=defaults.remote_shutdown,
            channel_restart_pending=False,
        )
        for n in spec.nodes
    )
    storage = spec.storage
    if storage is not None:
        default = StorageSpec()
        storage = replace(
            storage,
            repair_mb_s=default.repair_mb_s,
            drives_per_node=default.drives_per_node,
            space_settle_minutes=default.space_settle_minutes,
        )
    vms = tuple(
        replace(vm, config_version=VmSpec(name="-", owner="-").config_version) for vm in spec.vms
    )
    cluster = replace(
        spec,
        nodes=nodes,
        storage=storage,
        vms=vms,
        migration_mb_s=ClusterSpec(name="-", witness=spec.witness, nodes=()).migration_mb_s,
        sites=ClusterSpec(name="-", witness=spec.witness, nodes=()).sites,
    )
    updates = tuple(u for u in original.updates if u.after is None and u.kind != "feature")
    return replace(original, cluster=cluster, updates=updates)
