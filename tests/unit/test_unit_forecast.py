"""The forecast's pure parts: windows, histogram bins, shares, causes and replay commands."""

from __future__ import annotations

import pytest

from runner.rehearsal.forecast import RunForecast, parse_window, replay_args
from runner.rehearsal.forecast_report import MAX_BINS, Forecast, histogram_bins


@pytest.mark.parametrize(
    ("text", "seconds"), [("6h", 21600), ("90m", 5400), ("1h30m", 5400), (" 2H ", 7200)]
)
def test_window_accepts_hours_and_minutes(text: str, seconds: float) -> None:
    """6h, 90m and 1h30m are windows (case and surrounding spaces do not matter)."""
    assert parse_window(text) == seconds


@pytest.mark.parametrize("text", ["", "6", "6x", "h", "1m30h", "-1h", "6 h", "0m"])
def test_window_refuses_anything_else(text: str) -> None:
    """A number without unit, another unit, the wrong order or nothing is a ValueError."""
    with pytest.raises(ValueError, match="window"):
        parse_window(text)


def test_histogram_uses_the_narrowest_round_width_with_at_most_20_bins() -> None:
    """Runs between 5 h 02 and 6 h 58 fall in 10-minute bins from 5 h 00."""
    bins = histogram_bins([18120.0, 18200.0, 21000.0, 25080.0])
    assert bins["bin_seconds"] == 600
    assert bins["bins"][0]["from_seconds"] == 18000
    assert len(bins["bins"]) <= MAX_BINS
    assert [b["runs"] for b in bins["bins"] if b["runs"]] == [2, 1, 1]
    assert histogram_bins([])["bins"] == []


def _forecast(*runs: RunForecast, window: float | None = 3600.0) -> Forecast:
    return Forecast(
        scenario="s", replay_target="s.yaml", runs=runs, fault_rate=0.5,
        window_seconds=window, backend="processes", jobs=1, wall_seconds=1.0,
    )  # fmt: skip


def test_window_shares_count_every_run_and_succeeded_ones_apart() -> None:
    """Inside the window: 2 of 4 runs ended, 1 of them Succeeded; the unfinished is outside."""
    report = _forecast(
        RunForecast(seed=1, status="Succeeded", duration_seconds=3000.0),
        RunForecast(seed=2, status="Failed", duration_seconds=1000.0),
        RunForecast(seed=3, status="Succeeded", duration_seconds=4000.0),
        RunForecast(seed=4, error="RuntimeError: x"),
    ).to_dict()
    assert report["window"] == {"seconds": 3600.0, "finished_inside": 0.5, "succeeded_inside": 0.25}
    assert report["outcomes"]["Succeeded"] == {"runs": 2, "share": 0.5}
    assert report["outcomes"]["Failed"] == {"runs": 1, "share": 0.25}
    assert report["unfinished"] == [{"seed": 4, "status": None, "error": "RuntimeError: x"}]


def test_causes_rank_fault_types_by_the_runs_they_did_not_let_succeed() -> None:
    """node-crash fired in 2 runs, both not Succeeded; boot-hang in 2, one; drain in 1, none."""
    report = _forecast(
        RunForecast(seed=1, status="Failed", fired={"node-crash": 1, "boot-hang": 1}),
        RunForecast(seed=2, status="PartiallyFailed", fired={"node-crash": 2}),
        RunForecast(seed=3, status="Succeeded", fired={"boot-hang": 1, "drain-failure": 1}),
    ).to_dict()
    assert report["causes"] == [
        {"fault_type": "node-crash", "runs_fired": 2, "non_succeeded": 2, "share": 1.0},
        {"fault_type": "boot-hang", "runs_fired": 2, "non_succeeded": 1, "share": 0.5},
        {"fault_type": "drain-failure", "runs_fired": 1, "non_succeeded": 0, "share": 0.0},
    ]
    replays = [r["replay"] for r in report["results"]]
    assert replays == [
        "pycau simulate s.yaml --seed 1 --faults 0.5",
        "pycau simulate s.yaml --seed 2 --faults 0.5",
        None,
    ]


def test_out_of_service_percentiles_per_node() -> None:
    """Each node's P50 and P95 over the runs, nodes in the order the runs list them."""
    runs = [
        RunForecast(seed=i, status="Succeeded", out_of_service=(("b", 100.0 * i), ("a", 5.0)))
        for i in range(1, 21)
    ]
    nodes = _forecast(*runs).to_dict()["nodes"]
    assert nodes == [
        {"name": "b", "out_of_service_seconds": {"p50": 1000.0, "p95": 1900.0}},
        {"name": "a", "out_of_service_seconds": {"p50": 5.0, "p95": 5.0}},
    ]


def test_replay_args_add_the_rate_only_with_faults() -> None:
    """Without faults the replay is just the seed."""
    assert replay_args(4, 0.0) == ["--seed", "4"]
    assert replay_args(4, 1.25) == ["--seed", "4", "--faults", "1.25"]
