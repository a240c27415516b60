"""Parsers of the offline update's answers as Windows PowerShell 5.1 writes them: numeric
enum codes (or names from PowerShell 6+), a lone volume unwrapped from its list, a cluster
without a pool, and malformed answers refused as MalformedOutput."""

from __future__ import annotations

from typing import Any

import pytest

from runner.offline_types import ServiceStartup, ServiceState
from runner.types import HealthStatus
from runner.winrm.parse_offline import parse_claim, parse_host_view, parse_storage_view
from runner.winrm.psjson import MalformedOutput

BOOT = "/Date(1700000000000)/"


def test_host_view_reads_codes_and_names() -> None:
    """ServiceStatus 1 / StartType 4 (5.1's codes) and "Running"/"Automatic" (names)."""
    host = parse_host_view(
        {"LastBootUpTime": BOOT, "BuildNumber": "20348.2031", "ServiceStatus": 1,
         "ServiceStartType": 4}, "node1",
    )  # fmt: skip
    assert (host.name, host.reachable, host.os_build) == ("node1", True, "20348.2031")
    assert (host.service_state, host.service_startup) == (
        ServiceState.STOPPED,
        ServiceStartup.DISABLED,
    )
    assert host.boot_id.startswith("2023-11-14T22:13:20")
    named = parse_host_view(
        {"LastBootUpTime": BOOT, "ServiceStatus": "Running", "ServiceStartType": "Automatic"},
        "node2",
    )
    assert (named.service_state, named.service_startup) == (
        ServiceState.RUNNING,
        ServiceStartup.AUTOMATIC,
    )
    pending = parse_host_view({"ServiceStatus": 2, "ServiceStartType": 3}, "node3")
    assert (pending.service_state, pending.service_startup, pending.boot_id) == (
        ServiceState.PENDING,
        ServiceStartup.MANUAL,
        "",
    )


def test_storage_view_reads_a_lone_volume_and_a_missing_pool() -> None:
    """A one-volume list arrives unwrapped; no pool (no S2D) reads as healthy and writable;
    a pool still starting is read-only and not healthy."""
    lone = {"Pool": {"HealthStatus": 1, "IsReadOnly": True},
            "Volumes": {"FileSystemLabel": "vol01", "HealthStatus": 0}}  # fmt: skip
    view = parse_storage_view(lone, 12.5)
    assert [(v.name, v.health) for v in view.volumes] == [("vol01", HealthStatus.HEALTHY)]
    assert (view.pool_health, view.pool_read_only, view.pool_healthy) == (
        HealthStatus.WARNING,
        True,
        False,
    )
    assert view.taken_at == 12.5
    bare = parse_storage_view({"Pool": None, "Volumes": []}, 0.0)
    assert bare.pool_healthy
    assert bare.volumes_healthy


@pytest.mark.parametrize(
    "bad",
    [
        ["not", "a", "mapping"],
        {"Pool": {"HealthStatus": 0, "IsReadOnly": "False"}, "Volumes": []},
        {"Pool": None, "Volumes": [{"FileSystemLabel": "v", "HealthStatus": True}]},
        {"Pool": None, "Volumes": "System.Object[]"},
    ],
)
def test_malformed_storage_answers_are_refused(bad: Any) -> None:
    """A non-boolean IsReadOnly, a boolean health, a stringified list: MalformedOutput."""
    with pytest.raises(MalformedOutput):
        parse_storage_view(bad, 0.0)


def test_claim_is_a_holder_or_none_and_garbage_is_malformed() -> None:
    """offline-claim.ps1: no claim is None, a claim names its holder, garbage is refused."""
    assert parse_claim({"Holder": None}) is None
    holder = {"RunId": "r1", "Coordinator": "mgmt1", "Pid": 7, "StartedAt": "t0"}
    claim = parse_claim({"Holder": holder})
    assert claim is not None
    assert (claim.run_id, claim.coordinator, claim.pid) == ("r1", "mgmt1", 7)
    with pytest.raises(MalformedOutput):
        parse_claim({"Holder": {"RunId": 5}})
    with pytest.raises(MalformedOutput):
        parse_host_view({"ServiceStatus": True}, "node1")
