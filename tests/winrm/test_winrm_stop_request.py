"""`pycau stop` over real WinRM against an in-process twin: the stop request is written next
to the run lock for its holder only, comes back with the holder's renewal, and dies with the
lock; no run in progress or another run named is exit 3 with one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.rehearsal.twin import TwinServer
from runner.types import LockHolder
from runner.winrm.connection import ConnectionOptions, Credentials
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario
from simulator.twin import Account

ROOT = Path(__file__).resolve().parents[2]
HOLDER = LockHolder(run_id="r-7", coordinator="ops-vm7", pid=4242, started_at="2026-01-13T01:00Z")


@pytest.fixture
def twin() -> Iterator[TwinServer]:
    scenario = load_scenario(ROOT / "scenarios" / "two-node-cloud-witness.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def coordinator(twin: TwinServer) -> Iterator[WinRMTransport]:
    """Another coordinator's transport, holding nothing yet."""
    options = ConnectionOptions(
        host="127.0.0.1", port=twin.endpoint.port, insecure_http=True, single_endpoint=True
    )
    transport = WinRMTransport(options, Credentials(username=USERNAME, password=PASSWORD))
    try:
        yield transport
    finally:
        transport.close()


def stop(twin: TwinServer, *args: str) -> Result:
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    where = ["--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http"]
    return CliRunner().invoke(cli, ["stop", *where, *args], env=env, catch_exceptions=False)


def test_stop_reaches_the_lock_holder_at_its_next_renewal(
    twin: TwinServer, coordinator: WinRMTransport
) -> None:
    """Before any stop the renewal carries none; `pycau stop --run r-7` exits 0 and the
    holder's next renewal carries the request (who asked); release clears it."""
    assert coordinator.create_run_lock(HOLDER) is None
    assert coordinator.renew_run_lock(HOLDER) is None
    asked = stop(twin, "--run", "r-7")
    assert asked.exit_code == 0, asked.output
    assert "stop requested by " in asked.output
    assert "run r-7 (coordinator ops-vm7, process 4242" in asked.output
    order = coordinator.renew_run_lock(HOLDER)
    assert order is not None
    assert order.run_id == "r-7"
    assert "@" in order.requested_by
    assert order.requested_at.endswith("Z")
    assert coordinator.renew_run_lock(HOLDER) == order  # kept until the lock goes
    coordinator.release_run_lock(HOLDER)
    assert coordinator.create_run_lock(HOLDER) is None
    assert coordinator.renew_run_lock(HOLDER) is None  # a new lock starts without a stop


def test_stop_naming_another_run_is_refused_and_writes_nothing(
    twin: TwinServer, coordinator: WinRMTransport
) -> None:
    """`--run` that is not the lock holder's run: exit 3 naming the running run; the holder's
    renewal carries no stop."""
    assert coordinator.create_run_lock(HOLDER) is None
    refused = stop(twin, "--run", "r-other")
    assert refused.exit_code == 3
    flat = " ".join(refused.output.split())
    assert flat.startswith("error: run r-other is not in progress; the run in progress is run r-7")
    assert coordinator.renew_run_lock(HOLDER) is None


def test_stop_without_a_run_in_progress_is_exit_3(twin: TwinServer) -> None:
    """No run holds the lock: exit 3, one sentence, nothing written."""
    result = stop(twin)
    assert result.exit_code == 3
    assert result.output.strip() == "error: no run in progress: the cluster's run lock is free"
    assert twin.world.run_lock.read() is None


def test_stop_while_an_offline_run_has_the_cluster_stopped_is_exit_3() -> None:
    """An offline run's Stop-Cluster takes the lock group offline: `pycau stop` then finds no
    cluster to write to (exit 3, one sentence, nothing written) and the holder's renewal, in
    the nodes' claims, carries no stop."""
    scenario = load_scenario(ROOT / "scenarios" / "offline-four-node.yaml")
    account = Account(username=USERNAME, password=PASSWORD)
    server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    options = ConnectionOptions(
        host="127.0.0.1", port=server.endpoint.port, insecure_http=True, single_endpoint=True
    )
    transport = WinRMTransport(options, Credentials(username=USERNAME, password=PASSWORD))
    try:
        assert transport.create_run_lock(HOLDER) is None
        transport.observe_hosts(scenario.cluster.node_names)
        transport.stop_cluster()
        assert server.world.offline.stopped
        result = stop(server)
        assert result.exit_code == 3, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1, result.output
        assert lines[0].startswith("error: ")
        assert transport.renew_run_lock(HOLDER) is None
        assert server.world.run_lock.renew(HOLDER) is None  # nothing was written
    finally:
        transport.close()
        server.stop()
