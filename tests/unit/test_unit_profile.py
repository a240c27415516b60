"""Profile defaults (CAU's) and the checks that need the node count."""

from __future__ import annotations

import dataclasses

import pytest

from runner.errors import InputError
from runner.profile import Profile, ResolvedProfile
from runner.report import profile_dict
from runner.types import FailbackMode

NAMES = tuple(f"node{i}" for i in range(1, 7))


def test_cau_defaults() -> None:
    """Defaults are CAU's: 3 retries, 15-minute reboot timeout, Immediate failback, full boot."""
    p = Profile()
    assert p.max_retries_per_node == 3
    assert p.reboot_timeout_minutes == 15
    assert p.failback_mode is FailbackMode.IMMEDIATE
    assert (p.require_all_nodes_online, p.soft_reboot) == (False, False)
    assert (p.warn_after_minutes, p.stop_after_minutes) == (None, None)
    assert (p.policy, p.max_nodes_out) == ("classic", 1)


@pytest.mark.parametrize(("count", "expected"), [(2, 0), (3, 1), (4, 1), (6, 2), (16, 5), (64, 21)])
def test_max_failed_nodes_defaults_to_a_third(count: int, expected: int) -> None:
    """MaxFailedNodes defaults to floor(N/3)."""
    names = tuple(f"n{i}" for i in range(count))
    assert Profile().resolved(names).max_failed_nodes == expected


@pytest.mark.parametrize(
    ("profile", "path"),
    [
        (Profile(max_failed_nodes=6), "$.max_failed_nodes"),
        (Profile(max_retries_per_node=0), "$.max_retries_per_node"),
        (Profile(max_retries_per_node=65), "$.max_retries_per_node"),
        (Profile(node_order=("node9",)), "$.node_order"),
        (Profile(node_order=("node1", "node1")), "$.node_order"),
        (Profile(warn_after_minutes=60, stop_after_minutes=60), "$.warn_after_minutes"),
        (Profile(max_nodes_out=2), "$.max_nodes_out"),
        (Profile(policy="fast", max_nodes_out=7), "$.max_nodes_out"),
    ],
)
def test_resolved_rejects_invalid_options(profile: Profile, path: str) -> None:
    """Out-of-range counts, unknown/duplicate nodes, WarnAfter ≥ StopAfter, more than one
    node out with the classic policy and more nodes out than the cluster has are refused."""
    with pytest.raises(InputError) as info:
        profile.resolved(NAMES)
    assert info.value.path == path


@pytest.mark.parametrize("value", [2, 64, "auto"])
def test_max_nodes_out_other_than_one_is_refused_without_the_fast_policy(value: int | str) -> None:
    """max_nodes_out other than 1 is refused as the profile is loaded unless the policy is
    fast, saying that it needs policy fast; with fast it is accepted."""
    with pytest.raises(InputError) as info:
        Profile.from_mapping({"max_nodes_out": value}, "p.yaml")
    assert (info.value.source, info.value.path) == ("p.yaml", "$.max_nodes_out")
    assert "needs policy: fast" in info.value.message
    assert Profile.from_mapping({"max_nodes_out": 1}).resolved(NAMES).max_nodes_out == 1
    fast = Profile.from_mapping({"policy": "fast", "max_nodes_out": value}).resolved(
        tuple(f"node{i}" for i in range(1, 65))
    )
    assert fast.max_nodes_out == value


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"policy": "fast", "max_nodes_out": 0}, "$.max_nodes_out", "at least 1"),
        ({"policy": "fast", "max_nodes_out": "many"}, "$.max_nodes_out", "whole number or auto"),
        ({"policy": "fast", "mode": "offline"}, "$.policy", "offline update"),
        ({"policy": "fast", "memory_reserve_percent": 100}, "$.memory_reserve_percent", "below"),
    ],
)
def test_fast_policy_options_that_cannot_apply_are_refused(
    data: dict[str, object], path: str, words: str
) -> None:
    """A max_nodes_out below 1 or not a number, fast with the offline mode, and a memory
    reserve of 100 % are refused with one sentence naming the option."""
    with pytest.raises(InputError) as info:
        Profile.from_mapping(data, "p.yaml")
    assert info.value.path == path
    assert words in info.value.message


def test_max_nodes_out_larger_than_the_cluster_is_refused_with_the_node_count() -> None:
    """With fast, max_nodes_out 7 on six nodes is refused naming both numbers; 6 and auto
    are accepted."""
    with pytest.raises(InputError) as info:
        Profile(policy="fast", max_nodes_out=7).resolved(NAMES, "p.yaml")
    assert "is 7, larger than the cluster's 6 node(s)" in info.value.message
    assert Profile(policy="fast", max_nodes_out=6).resolved(NAMES).nodes_out_limit(6) == 6
    assert Profile(policy="fast", max_nodes_out="auto").resolved(NAMES).nodes_out_limit(6) == 6


def test_from_mapping_converts_and_rejects_unknown_keys() -> None:
    """from_mapping builds tuples/enums and rejects unknown options."""
    p = Profile.from_mapping({"node_order": ["node2"], "failback_mode": "policy"})
    assert p.node_order == ("node2",)
    assert p.failback_mode is FailbackMode.POLICY
    with pytest.raises(InputError):
        Profile.from_mapping({"max_failed_node": 1})


def test_profile_dict_is_plain_json() -> None:
    """The report's profile is plain JSON: lists and strings, resolved values."""
    d = profile_dict(Profile(node_order=("node2",)).resolved(NAMES))
    assert d["node_order"] == ["node2"]
    assert d["failback_mode"] == "immediate"
    assert d["max_failed_nodes"] == 2


def test_resolved_profile_reads_every_duration_in_seconds() -> None:
    """The resolved profile is the one place minutes become seconds; a replaced minute field
    moves its seconds with it, and the report still shows the file's own minutes."""
    options = Profile(
        reboot_timeout_minutes=7.5,
        warn_after_minutes=90,
        drain_timeout_minutes=12,
        install_timeout_minutes=45,
        script_timeout_minutes=3,
        wait_for_storage_repair_timeout_minutes=20,
        validation_timeout_minutes=5,
    )
    resolved = options.resolved(NAMES)
    assert isinstance(resolved, ResolvedProfile)
    assert isinstance(resolved.max_failed_nodes, int)
    assert (resolved.reboot_timeout_s, resolved.warn_after_s, resolved.stop_after_s) == (
        450.0,
        5400.0,
        None,
    )
    assert (resolved.drain_timeout_s, resolved.install_timeout_s) == (720.0, 2700.0)
    assert (resolved.script_timeout_s, resolved.validation_timeout_s) == (180.0, 300.0)
    assert resolved.wait_for_storage_repair_timeout_s == 1200.0
    assert dataclasses.replace(resolved, reboot_timeout_minutes=2).reboot_timeout_s == 120.0
    shown = profile_dict(resolved)
    assert shown["reboot_timeout_minutes"] == 7.5
    assert not any(key.endswith("_s") for key in shown)
    assert shown == profile_dict(dataclasses.replace(options, max_failed_nodes=2))


def test_a_profile_is_resolved_only_with_max_failed_nodes_filled_in() -> None:
    """``ResolvedProfile.of`` refuses options whose MaxFailedNodes default was not computed."""
    with pytest.raises(ValueError, match="max_failed_nodes"):
        ResolvedProfile.of(Profile())
