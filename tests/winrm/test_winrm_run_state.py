"""The run state in the cluster over the real WinRM transport against the twin (issue 12):
stage-run-state.ps1 (parts that fit a command line), publish-run-state.ps1 (fenced) and
get-run-state.ps1; in the slow suite, a coordinator's take-over from it and the
self-updating scenarios over WinRM (each a whole run)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from winrm_support import PASSWORD

from runner.errors import RunLocked
from runner.lease import RunLease
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearsal_holder
from runner.remote_protocol import (
    MAX_COMMAND_LINE,
    ScriptName,
    encode_command_line,
    pack_run_state,
)
from runner.winrm.connection import AuthMethod
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.scripts import compose
from runner.winrm.transport import WinRMTransport
from simulator.scenario import load_scenario
from simulator.twin import WsmanEndpoint
from simulator.twin.answers import TwinAnswers
from simulator.world import SimulatedCluster, build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _world() -> SimulatedCluster:
    scenario = load_scenario(SCENARIOS / "four-node-rolling.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    return build_world(scenario, scenario.seed, profile)


def test_a_full_part_fits_a_command_line() -> None:
    """A part of the largest size in stage-run-state.ps1, and the fenced publication with
    the lock library, stay under 80 % of CreateProcess' limit."""
    noise = random.Random(7)
    text = "".join(chr(noise.randrange(33, 127)) for _ in range(40_000))  # incompressible
    parts, digest = pack_run_state(text)
    assert len(parts) > 1
    fence = {"RunId": "r" * 36, "Coordinator": "m" * 63, "Pid": 99999, "StartedAt": "x" * 20}
    stage = {"Generation": 12345, "Index": 3, "Part": max(parts, key=len)}
    publish = {"Generation": 12345, "Count": len(parts), "Sha256": digest, "Fence": fence}
    for name, args in (
        (ScriptName.STAGE_RUN_STATE, stage),
        (ScriptName.PUBLISH_RUN_STATE, publish),
    ):
        _, arguments = encode_command_line(compose(name, args))
        assert len(" ".join(arguments)) < MAX_COMMAND_LINE * 0.8, name


def test_publish_in_parts_and_read_back_through_the_twin(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A state of several parts published by the lock's holder reads back byte for byte;
    the world holds it whole; a coordinator that does not hold the lock is refused."""
    world = _world()
    answers = TwinAnswers(world.transport, world.clock, cluster="hci01")
    transport = transport_factory(endpoint_factory(answers), auth=AuthMethod.BASIC)
    assert transport.read_run_state() is None
    holder = rehearsal_holder("run-1")
    assert transport.create_run_lock(holder) is None
    noise = random.Random(3)
    text = '{"big":"' + "".join(chr(noise.randrange(97, 123)) for _ in range(30_000)) + '"}'
    assert len(pack_run_state(text)[0]) > 1
    transport.publish_run_state(holder, text)
    assert answers.scripts["stage-run-state"] == len(pack_run_state(text)[0])
    assert answers.scripts["publish-run-state"] == 1
    assert world.run_lock.published == text
    assert transport.read_run_state() == text
    transport.publish_run_state(holder, '{"small":1}')  # the next generation, one part
    assert transport.read_run_state() == '{"small":1}'
    with pytest.raises(RunLocked):
        transport.publish_run_state(replace(holder, pid=2), '{"foreign":1}')
    digest = hashlib.sha256(world.run_lock.published.encode()).hexdigest()
    assert digest == hashlib.sha256(b'{"small":1}').hexdigest()


@pytest.mark.slow
def test_a_take_over_over_winrm_finishes_the_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """A coordinator dies mid-run over WinRM; a second WinRM coordinator takes the run over
    from the published state once the lease expired: every node Succeeded, each restarted
    once (the world's truth), every invariant holds."""
    from runner.cluster_state import ClusterStateLink
    from runner.takeover import take_over_run
    from runner.updating_run import updating_engine

    world = _world()
    answers = TwinAnswers(world.transport, world.clock, cluster="hci01")
    endpoint = endpoint_factory(answers)
    first = transport_factory(endpoint, auth=AuthMethod.BASIC)
    holder = rehearsal_holder("run-1")
    clock = EndpointClock(first)  # the twin's simulated time, as `pycau run` to a twin
    lease = RunLease.acquire(first, clock, holder, cluster="hci01")
    engine = updating_engine(
        first, clock, world.profile, run_id="run-1", started_at=SIMULATED_STARTED_AT,
        lease=lease,
    )  # fmt: skip
    link = ClusterStateLink.attach(engine)
    engine.start()
    while engine.checkpoints < 150 and engine.step():
        pass
    assert 0 < link.publications < engine.checkpoints
    assert PASSWORD not in (world.run_lock.published or "")  # never a secret
    world.clock.sleep(1000)  # the dead coordinator's heartbeat goes stale
    second = transport_factory(endpoint, auth=AuthMethod.BASIC)
    taken = take_over_run(second, EndpointClock(second), replace(holder, pid=2), cluster="hci01")
    report = taken.run_to_end()
    assert {n.status.value for n in report.nodes} == {"Succeeded"}
    restarts = [node for _t, kind, node, _d in world.timeline if kind == "restart"]
    assert sorted(restarts) == ["node1", "node2", "node3", "node4"]
    section = world.finish(report.to_dict())
    assert all(v["holds"] for v in section["invariants"].values())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["self-updating-four-node", "self-updating-host-crash"])
def test_self_updating_scenario_through_winrm_is_the_simulated_run(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
    name: str,
) -> None:
    """The role's moves and its host's crash over WinRM: every take-over reads the state
    the WinRM coordinators published through the twin, and the report is pycau simulate's."""
    from test_winrm_twin import run_through_twin

    simulated, report, simulation, _ = run_through_twin(
        name, endpoint_factory, transport_factory, AuthMethod.BASIC
    )
    assert report == {k: v for k, v in simulated.items() if k != "simulation"}
    assert simulation["invariants"] == simulated["simulation"]["invariants"]
