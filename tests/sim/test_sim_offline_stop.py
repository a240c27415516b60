"""An operator's stop (Ctrl-C, SIGTERM) of an offline update in the simulated cluster: the
safe point. Before the first VM is saved the run stops at once, changing nothing; once the
window is open it is closed first — installs already running finish, their restarts are
made, the service is Automatic again, the cluster started, disks online, VMs started — and
the run ends Canceled (UserCanceled, event 1021); a resume updates the nodes it left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from runner.journal import RunJournal
from runner.lease import RunLease
from runner.profile import Profile
from runner.rehearsal.compose import SIMULATED_STARTED_AT, rehearsal_holder
from runner.report import RunEvent, RunReport
from runner.stop import USER_CANCELED, StopRequest
from runner.updating_run import resume_updating_run, run_updating_run
from simulator.oracle_offline import OFFLINE_INVARIANTS
from simulator.scenario import load_scenario
from simulator.world import SimulatedCluster, build_world

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "offline-stop"


def _stopped(
    tmp_path: Path, when: str, after: Callable[[Any], bool] = lambda _: True
) -> tuple[SimulatedCluster, RunReport, list[RunEvent], RunJournal]:
    """Run offline-four-node; the operator presses Ctrl-C right after the transport's
    ``when`` call (whose arguments satisfy ``after``)."""
    scenario = load_scenario(ROOT / "scenarios" / "offline-four-node.yaml")
    profile = Profile.from_mapping(scenario.profile).resolved(scenario.cluster.node_names)
    world = build_world(scenario, scenario.seed, profile)
    stop = StopRequest()
    original = getattr(world.transport, when)

    def pressing(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if after(args):
            stop.request("stopped by the operator (SIGINT)")
        return result

    setattr(world.transport, when, pressing)
    events: list[RunEvent] = []
    journal = RunJournal(":memory:")  # the same journal object is resumed from
    lease = RunLease.acquire(
        world.transport, world.clock, rehearsal_holder(RUN_ID), cluster="hci01"
    )
    report = run_updating_run(
        world.transport, world.clock, profile, run_id=RUN_ID, started_at=SIMULATED_STARTED_AT,
        listener=events.append, journal=journal, lease=lease, stop=stop,
    )  # fmt: skip
    setattr(world.transport, when, original)
    return world, report, events, journal


def _offline_invariants(world: SimulatedCluster, report: RunReport) -> dict[str, bool]:
    section = world.oracle.finish(report.to_dict())
    return {name: section[name]["holds"] for name in OFFLINE_INVARIANTS}


def test_a_stop_before_any_vm_is_saved_changes_nothing(tmp_path: Path) -> None:
    """Ctrl-C during the preflight scan: Canceled at once, no VM saved, cluster never
    stopped, no service touched."""
    world, report, events, journal = _stopped(tmp_path, "start_scan")
    journal.close()
    assert (report.status.value, report.error_id) == ("Canceled", USER_CANCELED)
    assert [e.detail for e in events if e.event_id == 1021] == ["stopped by the operator (SIGINT)"]
    kinds = {kind for _, kind, _, _ in world.timeline}
    assert not kinds & {"vms-saved", "cluster-stopped", "cluster-service", "restart"}
    assert world.transport.read_run_lock() is None  # the lock is free again


def test_a_stop_in_the_window_closes_it_before_ending_canceled(tmp_path: Path) -> None:
    """Ctrl-C once node2's install started: every install already running finishes and
    restarts, the service is back to Automatic, the cluster runs, disks and VMs are back,
    the run ends Canceled with every offline invariant holding."""
    world, report, events, journal = _stopped(tmp_path, "start_install", lambda a: a[0] == "node2")
    journal.close()
    assert (report.status.value, report.error_id) == ("Canceled", USER_CANCELED)
    stop = [e.detail for e in events if e.event_id == 1021]
    assert stop == [
        "stopped by the operator (SIGINT); the update window is closed first: cluster, disks "
        "and VMs come back"
    ]
    assert all(holds for holds in _offline_invariants(world, report).values())
    offline = report.to_dict()["offline"]
    assert offline["vms_not_started"] == []
    assert offline["service_left_disabled"] == []
    restarted = {node for _, kind, node, _ in world.timeline if kind == "restart"}
    assert "node2" in restarted  # its install was running: it finished, with its restart


def test_a_stop_after_the_cluster_stopped_installs_nothing_and_resume_finishes(
    tmp_path: Path,
) -> None:
    """Ctrl-C right after Stop-Cluster: no install starts, the window closes (nodes
    Canceled, every offline invariant holding); `pycau resume` opens a new window for them
    and the run ends Succeeded."""
    world, report, _, journal = _stopped(tmp_path, "stop_cluster")
    assert report.status.value == "Canceled"
    assert not [t for t in world.timeline if t[1] == "restart"]
    assert {n.status.value for n in report.nodes} == {"Canceled"}
    assert all(holds for holds in _offline_invariants(world, report).values())
    resumed = resume_updating_run(
        world.transport, world.clock, journal, RUN_ID,
        take_lease=lambda: RunLease.acquire(
            world.transport, world.clock, rehearsal_holder(RUN_ID, pid=2), cluster="hci01"
        ),
    )  # fmt: skip
    journal.close()
    assert resumed.status.value == "Succeeded", resumed.error
    assert {n.status.value for n in resumed.nodes} == {"Succeeded"}
    assert all(holds for holds in _offline_invariants(world, resumed).values())
