"""Bundled scenarios run through the real WinRM transport against the simulated twin.

The runner drives the SimPy world over real HTTP: each transport call is a pycau script,
sent by pywinrm to the loopback WS-Management endpoint, decoded by the twin, answered from
the world in the JSON shape PowerShell 5.1 writes, and parsed back. The runner's waits go
through the endpoint's clock. The run must be the same run as ``pycau simulate``: the same
report (byte for byte), the same oracle verdict, the same counters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from runner.profile import Profile
from runner.rehearsal.compose import (
    SIMULATED_STARTED_AT,
    coordinator_crash_step,
    rehearse,
    run_coordinator,
    simulated_run_id,
)
from runner.types import (
    ClusterView,
    DrainStatus,
    HealthStatus,
    NodeState,
    NodeView,
    OperationalStatus,
    Resiliency,
    RoleState,
    RoleView,
    StorageJobState,
    StorageJobView,
    VirtualDiskView,
    WitnessType,
    WitnessView,
)
from runner.winrm.connection import AuthMethod
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.parse import parse_cluster_view
from runner.winrm.psjson import load_document
from runner.winrm.transport import WinRMTransport
from simulator.issue_switches import session_lifetime_minutes
from simulator.scenario import load_scenario
from simulator.twin import WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.twin.encode import observe_document
from simulator.twin.expiry import SessionExpiry
from simulator.twin.ps_output import dumps
from simulator.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def run_through_twin(
    name: str,
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    auth: AuthMethod,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], WsmanEndpoint]:
    """(simulated report, remote report, remote world's simulation section, endpoint)."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    simulated = rehearse(scenario, scenario.seed).to_dict()
    profile = Profile.from_mapping(scenario.profile, source=scenario.source).resolved(
        scenario.cluster.node_names
    )
    world = build_world(scenario, scenario.seed, profile)
    answers = TwinAnswers(world.transport, world.clock, cluster=scenario.cluster.name)
    lifetime = session_lifetime_minutes(scenario)  # the scenario's session-expiry switch
    expiry = None if lifetime is None else SessionExpiry(every_s=lifetime * 60, now=world.clock.now)
    endpoint = endpoint_factory(answers, session_expiry=expiry)
    transport = transport_factory(endpoint, auth=auth)
    clock = EndpointClock(transport)
    report = run_coordinator(  # the coordinator-crash fault strikes as in `pycau simulate`
        transport,
        clock,
        profile,
        world,
        run_id=simulated_run_id(scenario.name, scenario.seed),
        started_at=SIMULATED_STARTED_AT,
        crash_at_step=coordinator_crash_step(scenario),
    ).to_dict()
    return simulated, report, world.finish(report), endpoint


@pytest.mark.parametrize(
    ("name", "auth"),
    [("four-node-rolling", AuthMethod.BASIC), ("two-node-cloud-witness", AuthMethod.NTLM)],
)
def test_scenario_through_winrm_is_the_simulated_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    name: str,
    auth: AuthMethod,
) -> None:
    """Same report, same invariant verdicts and counters as pycau simulate; one shell for
    the cluster and one per node, plus a new one after each restart (a reboot kills it)."""
    simulated, report, simulation, endpoint = run_through_twin(
        name, endpoint_factory, transport_factory, auth
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["invariants"] == simulated["simulation"]["invariants"]
    assert simulation["counters"] == simulated["simulation"]["counters"]
    restarts = sum(node["restarts"] for node in report["nodes"])
    assert restarts == len(report["nodes"])
    assert endpoint.actions.count("Create") == 1 + len(report["nodes"]) + restarts


def test_vmm_2019_refusal_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """observe.ps1's ManagedBy reaches readiness: a VMM 2019 cluster offered a feature
    update is refused before any node is touched, as in the simulation."""
    simulated, report, _, endpoint = run_through_twin(
        "known-issue-vmm-2019-managed", endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report["error_id"] == simulated["error_id"] == "UnsupportedManagement"
    assert "Virtual Machine Manager 2019" in report["error"]
    assert {node["status"] for node in report["nodes"]} == {"Canceled"}
    assert endpoint.actions.count("Create") == 1 + len(report["nodes"])  # no restart


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    path: Path,
) -> None:
    """Every bundled scenario gives the simulated report and verdict through WinRM."""
    simulated, report, simulation, _ = run_through_twin(
        path.stem, endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["invariants"] == simulated["simulation"]["invariants"]


def _all_codes_view() -> ClusterView:
    """A view that uses every value of every enum the observe answer carries."""
    pairs = zip(list(NodeState), list(DrainStatus) * 2, strict=False)
    nodes = tuple(
        NodeView(
            name=f"n{i}",
            state=state,
            drain_status=drain,
            dynamic_weight=i % 2,
            boot_id=f"boot-{i}",
            os_build="20348.2031",
            reachable=state is not NodeState.DOWN,
            version="21H2",
            storage_maintenance=i % 2 == 0,
        )
        for i, (state, drain) in enumerate(pairs)
    )
    roles = tuple(
        RoleView(name=f"vm ‘{s.value}’", owner="n0", state=s, memory_gb=12.5) for s in RoleState
    )
    disks = tuple(
        VirtualDiskView(
            name=f"vol-{r.value}",
            resiliency=r,
            health=h,
            size_gb=1024,
            operational=(OperationalStatus.DEGRADED, OperationalStatus.INCOMPLETE),
        )
        for r, h in zip(Resiliency, HealthStatus, strict=False)
    )
    jobs = tuple(
        StorageJobView(
            name=f"vol-{s.name}-Repair",
            volume="vol-two-way-mirror",
            state=s,
            percent_complete=40,
            bytes_processed=4 << 30,
            bytes_total=10 << 30,
        )
        for s in StorageJobState
    )
    return ClusterView(
        cluster="hci'01 <&>",
        taken_at=42.5,
        nodes=nodes,
        witness=WitnessView(type=WitnessType.FILE_SHARE, online=True, dynamic_weight=1),
        s2d_enabled=True,
        roles=(*roles, RoleView(name="sofs", owner="n1", kind="ScaleoutFileServer")),
        virtual_disks=disks,
        storage_jobs=jobs,
        functional_level=11,
        storage_pool_version=11,
        soft_reboot_property=True,  # CauEnableSoftReboot = 1 (reboot_mode)
    )


def test_observation_round_trip_through_powershell_json() -> None:
    """The twin's 5.1-shaped observe answer parses back to the view it was made from (node
    versions, functional level and pool version included); boot ids become distinct
    LastBootUpTimes."""
    view = _all_codes_view()
    boots: dict[str, int] = {}

    def boot_ms(boot_id: str) -> int:
        return boots.setdefault(boot_id, 1_768_269_600_000 + 1000 * len(boots))

    text = dumps(observe_document(view, boot_ms=boot_ms))
    assert "\\u0027" in text  # JavaScriptSerializer escapes ' < > &
    parsed = parse_cluster_view(load_document(text.encode("utf-8")), taken_at=42.5)
    assert len({n.boot_id for n in parsed.nodes}) == len(view.nodes)
    assert [replace(n, boot_id="") for n in parsed.nodes] == [
        replace(n, boot_id="") for n in view.nodes
    ]
    assert replace(parsed, nodes=()) == replace(view, nodes=())


@pytest.mark.slow  # a whole bundled run through WinRM (the default suite's time)
def test_stuck_readiness_check_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """Test-Cluster through start-work/poll-work and validation-report.ps1: the stuck check is
    waited out, the report read, and the run goes on exactly as in the simulation."""
    simulated, report, _, _ = run_through_twin(
        "known-issue-readiness-check-never-completes",
        endpoint_factory,
        transport_factory,
        AuthMethod.BASIC,
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert report["status"] == "Succeeded"
    assert any("readiness-check-never-completes" in e["detail"] for e in report["events"])


@pytest.mark.slow  # a whole bundled run through WinRM (the default suite's time)
def test_storage_replica_second_restart_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """The re-scan's RestartRequired (a restart still pending) reaches the runner over WinRM:
    every node is restarted twice, exactly as in the simulation."""
    simulated, report, _, endpoint = run_through_twin(
        "known-issue-storage-replica-second-restart",
        endpoint_factory,
        transport_factory,
        AuthMethod.BASIC,
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert report["status"] == "Succeeded"
    assert [node["restarts"] for node in report["nodes"]] == [2] * len(report["nodes"])
    restarts = sum(node["restarts"] for node in report["nodes"])
    assert endpoint.actions.count("Create") == 1 + len(report["nodes"]) + restarts


@pytest.mark.slow  # a whole bundled run through WinRM (the default suite's time)
def test_credssp_disabled_after_a_refusal_through_winrm(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """set-credssp.ps1 on each node's endpoint: the refused disable is retried and the
    cluster ends with CredSSP off, exactly as in the simulation."""
    simulated, report, simulation, _ = run_through_twin(
        "known-issue-credssp-left-enabled", endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["credssp"] == {"enabled_at_end": False, "calls": 9}
    kinds = [e["kind"] for e in report["events"] if "credssp" in e["kind"]]
    assert kinds == ["credssp-enabled", "credssp-disabled"]
