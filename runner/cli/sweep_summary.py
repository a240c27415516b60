"""What ``pycau sweep`` prints: the summary of a sweep report, durations in hours and minutes.

Owns: ``print_summary`` (statuses, simulated-duration percentiles, fired fault types, every
violation and unfinished run with its reproducer, and the seeds that did not end as a clean
Succeeded run — each with the command that replays it) and ``hours_minutes``.

Must not: run anything, change the report, or decide the exit code (``runner.cli.sweep``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click

__all__ = ["FIRE_CHECK_SEEDS", "SHOWN_RUNS", "fault_phrase", "hours_minutes", "print_summary"]

# A sweep this long must fire every fault type the swarm generates (else it warns).
FIRE_CHECK_SEEDS = 100
# The seeds to replay listed in the terminal; the report lists every one.
SHOWN_RUNS = 10


def hours_minutes(seconds: float) -> str:
    """A duration as an admin plans a window: ``3 h 05 min``, ``42 min``, ``0 min``
    (rounded to the minute)."""
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def fault_phrase(entry: Mapping[str, Any]) -> str:
    """One planned fault in a few words: ``node-crash node2 at 12.5 min``."""
    words = [str(entry["type"])]
    if entry.get("node"):
        words.append(str(entry["node"]))
    if entry.get("at_minute") is not None:
        words.append(f"at {entry['at_minute']:g} min")
    return " ".join(words)


def print_summary(
    report: dict[str, Any], expected_types: Sequence[str], label: str, report_written: bool
) -> None:
    """Print ``report`` (``label``: where the seeds ran, e.g. ``2 local processes``)."""
    echo = click.echo
    seeds, wall = report["seeds"], report["wall_seconds"]
    echo(
        f"{report['scenario']}: {seeds} seed(s) from {report['first_seed']} "
        f"on {label} in {wall:.1f} s ({report['seeds_per_second']} seeds/s)"
    )
    echo("statuses: " + (", ".join(f"{k} {v}" for k, v in report["statuses"].items()) or "none"))
    d = report["duration_seconds"]
    echo(
        f"simulated duration: P50 {hours_minutes(d['p50'])}, P95 {hours_minutes(d['p95'])}, "
        f"max {hours_minutes(d['max'])}"
    )
    fired = report["fault_types_fired"]
    echo("faults fired: " + (", ".join(f"{k} {v}" for k, v in fired.items()) or "none"))
    missing = [name for name in expected_types if not fired.get(name)]
    if missing and seeds >= FIRE_CHECK_SEEDS:
        echo(f"warning: fault type(s) never fired: {', '.join(missing)}", err=True)
    _print_problems(report)
    _print_replays(report["runs"], report_written)


def _print_problems(report: dict[str, Any]) -> None:
    echo = click.echo
    violations, unfinished = report["violations"], report["unfinished"]
    echo(f"invariant violations: {len(violations)}; runs without a final status: {len(unfinished)}")
    shown: dict[tuple[int, str], int] = {}
    for v in violations:  # one line per (seed, invariant): the first, and how many more
        shown[(v["seed"], v["invariant"])] = shown.get((v["seed"], v["invariant"]), 0) + 1
    for v in violations:
        more = shown.pop((v["seed"], v["invariant"]), 0) - 1
        if more < 0:
            continue
        extra = f" (+{more} more)" if more else ""
        echo(f"  seed {v['seed']}: {v['invariant']} at {v['time']:g} s: {v['detail']}{extra}")
        if v["reproducer"]:
            echo(f"    reproducer: {v['reproducer']}")
    for u in unfinished:
        echo(f"  seed {u['seed']}: no final status ({u['error'] or u['status']})")
        if u["reproducer"]:
            echo(f"    reproducer: {u['reproducer']}")


def _print_replays(runs: Sequence[Mapping[str, Any]], report_written: bool) -> None:
    """The seeds that did not end as a clean Succeeded run, the first ``SHOWN_RUNS`` with
    their faults and the command that replays them."""
    to_replay = [run for run in runs if run["replay"]]
    if not to_replay:
        return
    where = "all in the report" if report_written else "all in the report (--report FILE)"
    more = f"; the first {SHOWN_RUNS} shown, {where}" if len(to_replay) > SHOWN_RUNS else ""
    click.echo(f"seeds to look at (not a clean Succeeded run): {len(to_replay)}{more}")
    for run in to_replay[:SHOWN_RUNS]:
        outcome = run["status"] or "no final status"
        faults = ", ".join(fault_phrase(f) for f in run["faults"]) or "none"
        click.echo(
            f"  seed {run['seed']}: {outcome} after {hours_minutes(run['duration_seconds'])}; "
            f"faults: {faults}"
        )
        click.echo(f"    replay: {run['replay']}")
