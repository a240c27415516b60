"""What ``pycau rehearse`` prints: a forecast report as a planner reads it.

Owns: ``print_forecast`` — the run-duration percentiles in hours and minutes, the window
probability, the outcome shares, each node's time out of service, the fault types behind
non-Succeeded runs, a histogram of durations (``HISTOGRAM_WIDTH`` characters for the
fullest bin) and the runs to look at, each with the command that replays it.

Must not: run anything, change the report, or decide the exit code (``runner.cli.rehearse_cmd``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from runner.cli.sweep_summary import SHOWN_RUNS, hours_minutes

__all__ = ["HISTOGRAM_WIDTH", "print_forecast"]

HISTOGRAM_WIDTH = 40


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def print_forecast(report: Mapping[str, Any], label: str, report_written: bool) -> None:
    """Print ``report`` (``label``: where the runs ran, e.g. ``2 local processes``)."""
    echo = click.echo
    runs, first, wall = report["runs"], report["first_seed"], report["wall"]
    rate = report["fault_rate"]
    faults = f", faults at {rate:g} per run" if rate else ""
    echo(
        f"{report['scenario']}: {runs} run(s), seeds {first}..{first + runs - 1}{faults}, "
        f"on {label} in {wall['seconds']:.1f} s ({wall['runs_per_second']} runs/s)"
    )
    d = report["duration_seconds"]
    echo(
        f"run duration: P50 {hours_minutes(d['p50'])}, P95 {hours_minutes(d['p95'])}, "
        f"P99 {hours_minutes(d['p99'])} (min {hours_minutes(d['min'])}, "
        f"max {hours_minutes(d['max'])})"
    )
    window = report["window"]
    if window is not None:
        echo(
            f"window {hours_minutes(window['seconds'])}: {_percent(window['finished_inside'])} "
            f"of runs end inside it, {_percent(window['succeeded_inside'])} Succeeded inside it"
        )
    outcomes = report["outcomes"]
    echo(
        "outcomes: "
        + ", ".join(f"{k} {_percent(v['share'])} ({v['runs']})" for k, v in outcomes.items())
    )
    if report["unfinished"] or report["violations"]:
        echo(
            f"runs without a final status: {len(report['unfinished'])}; "
            f"invariant violations: {report['violations']}"
        )
    echo("time out of service per node (P50 / P95):")
    width = max((len(n["name"]) for n in report["nodes"]), default=0)
    for node in report["nodes"]:
        out = node["out_of_service_seconds"]
        echo(
            f"  {node['name']:<{width}}  {hours_minutes(out['p50'])} / {hours_minutes(out['p95'])}"
        )
    _print_causes(report)
    _print_histogram(report["histogram"])
    _print_replays(report["results"], report_written)


def _print_causes(report: Mapping[str, Any]) -> None:
    causes = [c for c in report["causes"] if c["non_succeeded"]]
    if not report["fault_rate"] and not causes:
        return
    if not causes:
        click.echo("fault types behind non-Succeeded runs: none")
        return
    click.echo("fault types behind non-Succeeded runs (runs it fired in that did not succeed):")
    for cause in causes:
        click.echo(
            f"  {cause['fault_type']}: {cause['non_succeeded']} of {cause['runs_fired']} "
            f"({_percent(cause['share'])})"
        )


def _print_histogram(histogram: Mapping[str, Any]) -> None:
    bins = histogram["bins"]
    if not bins:
        return
    click.echo("run durations:")
    fullest = max(b["runs"] for b in bins)
    labels = [
        f"{hours_minutes(b['from_seconds'])} – {hours_minutes(b['to_seconds'])}" for b in bins
    ]
    width = max(len(label) for label in labels)
    for label, item in zip(labels, bins, strict=True):
        bar = "█" * round(item["runs"] * HISTOGRAM_WIDTH / fullest) if fullest else ""
        click.echo(f"  {label:<{width}} │{bar:<{HISTOGRAM_WIDTH}} {item['runs']}")


def _print_replays(results: list[Mapping[str, Any]], report_written: bool) -> None:
    to_replay = [r for r in results if r["replay"]]
    if not to_replay:
        return
    where = "all in the report" if report_written else "all in the report (--report FILE)"
    more = f"; the first {SHOWN_RUNS} shown, {where}" if len(to_replay) > SHOWN_RUNS else ""
    click.echo(f"runs to look at (not a clean Succeeded run): {len(to_replay)}{more}")
    for run in to_replay[:SHOWN_RUNS]:
        outcome = run["status"] or f"no final status ({run['error']})"
        fired = ", ".join(run["fired"]) or "none"
        click.echo(
            f"  seed {run['seed']}: {outcome} after {hours_minutes(run['duration_seconds'])}; "
            f"faults fired: {fired}"
        )
        click.echo(f"    replay: {run['replay']}")
