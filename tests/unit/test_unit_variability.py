"""Seeded variability: distributions in scenario files, their checks, and realizing a seed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import InputError
from simulator.distributions import (
    LogNormal,
    Triangular,
    Uniform,
    Variability,
    distribution_of,
    unit_draw,
)
from simulator.model import Scenario
from simulator.scenario import parse_scenario
from simulator.variability import realize

ROOT = Path(__file__).resolve().parents[2]
BASE: dict[str, Any] = yaml.safe_load(
    (ROOT / "scenarios" / "four-node-rolling.yaml").read_text(encoding="utf-8")
)


def scenario_with(**changes: Any) -> Scenario:
    """four-node-rolling without faults and expect, top-level keys replaced (``cluster``
    merged one level)."""
    data = copy.deepcopy(BASE)
    data.pop("expect", None)
    data.pop("faults", None)
    for key, value in changes.items():
        if key == "cluster":
            data["cluster"].update(value)
        else:
            data[key] = value
    return parse_scenario(data, source="s.yaml")


def error_of(**changes: Any) -> str:
    with pytest.raises(InputError) as caught:
        scenario_with(**changes)
    return str(caught.value)


def test_lognormal_is_fitted_to_its_median_and_p95() -> None:
    """A {median, p95} log-normal has that median and that 95th percentile."""
    dist = LogNormal(median=15, p95=40)
    assert dist.quantile(0.5) == pytest.approx(15)
    assert dist.quantile(0.95) == pytest.approx(40)
    assert LogNormal(median=7, p95=7).quantile(0.99) == 7  # p95 == median: a constant


def test_uniform_and_triangular_stay_within_min_and_max() -> None:
    """{min, max} draws evenly between them; with mode it peaks there, never outside."""
    assert Uniform(min=10, max=20).quantile(0.25) == pytest.approx(12.5)
    tri = Triangular(min=5, mode=10, max=15)
    assert tri.quantile(0.5) == pytest.approx(10)
    assert 5 < tri.quantile(0.001) < tri.quantile(0.999) < 15
    assert Triangular(min=3, mode=3, max=3).quantile(0.7) == 3


def test_distribution_of_reads_the_three_shapes() -> None:
    """The mapping's keys choose the shape: median/p95, min/max, min/mode/max."""
    assert distribution_of({"median": 2, "p95": 3}) == LogNormal(median=2, p95=3)
    assert distribution_of({"min": 1, "max": 2}) == Uniform(min=1, max=2)
    assert distribution_of({"min": 1, "mode": 1.5, "max": 2}) == Triangular(min=1, mode=1.5, max=2)


def test_unit_draw_is_a_seeded_stream_per_key() -> None:
    """The same seed and key give the same number in (0, 1); another seed or key another."""
    draw = unit_draw(8, "boot_minutes/node1")
    assert 0 < draw < 1
    assert draw == unit_draw(8, "boot_minutes/node1")
    assert draw != unit_draw(9, "boot_minutes/node1")
    assert draw != unit_draw(8, "boot_minutes/node2")


def test_a_distribution_parses_to_its_median_and_is_kept_by_key() -> None:
    """The model field holds the median; the distribution is kept under kind/owner."""
    scenario = scenario_with(
        updates=[{"id": "KB1", "install_minutes": {"median": 15, "p95": 40}}],
        cluster={"nodes": {"count": 3, "boot_minutes": {"min": 5, "max": 15}}},
    )
    assert scenario.updates[0].install_minutes == 15
    assert scenario.cluster.nodes[0].boot_minutes == 10
    assert scenario.distributions["install_minutes/KB1"] == LogNormal(median=15, p95=40)
    assert sorted(scenario.distributions) == [
        "boot_minutes/node1",
        "boot_minutes/node2",
        "boot_minutes/node3",
        "install_minutes/KB1",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"updates": [{"id": "KB1", "install_minutes": {"median": 15, "p95": 10}}]},
            "s.yaml at $.updates[0].install_minutes.p95: p95 10 is below the median 15; "
            "expected p95 at least the median",
        ),
        (
            {"cluster": {"nodes": {"count": 4, "boot_minutes": {"min": 20, "max": 10}}}},
            "s.yaml at $.cluster.nodes.boot_minutes.min: min 20 is above max 10; "
            "expected min at most max",
        ),
        (
            {"cluster": {"migration_mb_s": {"min": 100, "mode": 900, "max": 800}}},
            "s.yaml at $.cluster.migration_mb_s.mode: mode 900 is outside min 100 and max 800",
        ),
        (
            {"updates": [{"id": "KB1", "install_minutes": {"median": -15, "p95": 40}}]},
            "s.yaml at $.updates[0].install_minutes.median: must be greater than 0, got -15",
        ),
        (
            {"updates": [{"id": "KB1", "install_minutes": -3}]},
            "s.yaml at $.updates[0].install_minutes: must be greater than 0, got -3",
        ),
        (
            {
                "cluster": {
                    "storage": {
                        "repair_mb_s": 400,
                        "volumes": [
                            {
                                "name": "v",
                                "resiliency": "two-way-mirror",
                                "write_mb_s": {"min": -1, "max": 5},
                            }
                        ],
                    }
                }
            },
            "s.yaml at $.cluster.storage.volumes[0].write_mb_s.min: must be at least 0, got -1",
        ),
        (
            {
                "cluster": {
                    "storage": {
                        "repair_mb_s": -400,
                        "volumes": {"count": 1, "resiliency": "two-way-mirror"},
                    }
                }
            },
            "s.yaml at $.cluster.storage.repair_mb_s: must be at least 1, got -400",
        ),
        (
            {"updates": [{"id": "KB1", "install_minutes": {"median": 15}}]},
            "s.yaml at $.updates[0].install_minutes: expected a distribution of minutes",
        ),
        (
            {"variability": {"spread": 0.5}},
            "s.yaml at $.variability.spread: must be at least 1, got 0.5",
        ),
    ],
    ids=[
        "p95-below-median",
        "min-above-max",
        "mode-outside",
        "negative-median",
        "negative-constant",
        "negative-write-rate",
        "negative-repair-rate",
        "median-without-p95",
        "spread-below-one",
    ],
)
def test_bad_distributions_name_file_path_and_what_was_expected(
    changes: dict[str, Any], message: str
) -> None:
    """Each mistake in a distribution is one InputError naming the file and JSON path."""
    assert error_of(**changes).startswith(message)


def test_a_scenario_without_distributions_is_realized_unchanged() -> None:
    """No distribution and no spread: realize returns the very same scenario."""
    scenario = scenario_with()
    assert realize(scenario, 1) is scenario
    spread_one = scenario_with(variability={"spread": 1})
    assert realize(spread_one, 1) is spread_one


def _drawn(scenario: Scenario, seed: int) -> dict[str, float]:
    realized = realize(scenario, seed)
    out = {f"boot/{n.name}": n.boot_minutes for n in realized.cluster.nodes}
    for update in realized.updates:
        out.update({f"{update.id}/{k}": v for k, v in update.install_minutes_on.items()})
    return out


def test_the_seed_drives_every_draw_and_only_the_seed() -> None:
    """Same seed, same draws; another seed, other draws for every key."""
    scenario = scenario_with(
        updates=[{"id": "KB1", "install_minutes": {"median": 15, "p95": 40}}],
        cluster={"nodes": {"count": 3, "boot_minutes": {"min": 5, "max": 15}}},
    )
    first, again, other = _drawn(scenario, 4), _drawn(scenario, 4), _drawn(scenario, 5)
    assert first == again
    assert all(first[key] != other[key] for key in first)
    assert len(set(first.values())) == len(first)  # each node draws its own
    assert realize(scenario, 4).distributions == {}


def test_adding_a_node_does_not_shift_the_other_nodes_draws() -> None:
    """Each draw is keyed by what it is for, so a fourth node leaves node1..node3 alone."""
    install = [{"id": "KB1", "install_minutes": {"median": 15, "p95": 40}}]
    boot = {"min": 5, "max": 15}
    three = _drawn(
        scenario_with(updates=install, cluster={"nodes": {"count": 3, "boot_minutes": boot}}), 7
    )
    four = _drawn(
        scenario_with(updates=install, cluster={"nodes": {"count": 4, "boot_minutes": boot}}), 7
    )
    assert {k: v for k, v in four.items() if not k.endswith("node4")} == three


def test_spread_widens_constants_and_keeps_given_distributions() -> None:
    """variability.spread turns plain numbers (defaults too) of the listed kinds into
    log-normals around them; an explicit distribution keeps its own figures."""
    scenario = scenario_with(
        variability={"spread": 2, "applies_to": ["boot_minutes", "install_minutes"]},
        updates=[
            {"id": "KB1", "install_minutes": 15},
            {"id": "KB2", "install_minutes": {"min": 1, "max": 2}},
        ],
    )
    assert scenario.variability == Variability(
        spread=2.0, applies_to=("boot_minutes", "install_minutes")
    )
    realized = realize(scenario, 3)
    boots = [n.boot_minutes for n in realized.cluster.nodes]
    assert len(set(boots)) == 4
    assert all(8 / 20 < b < 8 * 20 for b in boots)
    assert all(n.soft_boot_minutes == 2 for n in realized.cluster.nodes)  # not listed
    assert all(1 <= m <= 2 for m in realized.updates[1].install_minutes_on.values())
    assert len(set(realized.updates[0].install_minutes_on.values())) == 4
    widened = [realize(scenario, s).updates[0].install_minutes_for("node1") for s in range(400)]
    inside = sum(15 / 2 <= m <= 15 * 2 for m in widened) / len(widened)
    assert 0.85 < inside < 0.95  # p5..p95: about 90 % of the draws
