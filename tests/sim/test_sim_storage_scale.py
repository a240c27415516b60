"""Observing storage scales with the number of volumes (found by the fuzz test: 400
volumes took 90 s because running repair jobs were found by field-wise comparison)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sim_driver import make_scenario, make_world

from runner.types import Resiliency, StorageJobState
from simulator.model import VolumeSpec
from simulator.storage import REPAIR_START_DELAY, RepairJob

BOOT = 8 * 60.0


def test_job_views_find_running_jobs_without_comparing_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 50 volumes repairing, observe() reports each job Running and never compares two
    repair jobs field by field (which made each observation quadratic in volumes)."""
    scenario = make_scenario(4, vms_per_node=0, maintenance_mode=False)
    assert scenario.cluster.storage is not None
    volumes = tuple(
        VolumeSpec(name=f"vol{i:02d}", resiliency=Resiliency.TWO_WAY_MIRROR, write_mb_s=40)
        for i in range(1, 51)
    )
    storage = replace(scenario.cluster.storage, volumes=volumes)
    world = make_world(replace(scenario, cluster=replace(scenario.cluster, storage=storage)))
    world.transport.suspend_node("node1")
    world.transport.restart_node("node1")
    world.clock.advance_to(world.clock.now() + BOOT + REPAIR_START_DELAY + 5)

    def no_comparison(self: RepairJob, other: object) -> bool:
        raise AssertionError("repair jobs compared field by field")

    monkeypatch.setattr(RepairJob, "__eq__", no_comparison)
    jobs = world.transport.observe().storage_jobs
    assert len(jobs) == 50
    assert {job.state for job in jobs} == {StorageJobState.RUNNING}
