"""Benchmark of pycau's start-up: whole-process seconds of its shortest commands.

Times ``pycau --help``, ``pycau simulate --quiet`` (the default scenario) and ``pycau
simulate sixteen-node-400-vms --quiet``, each as a fresh process from start to exit, with
two baselines measured in the same invocation: ``python -c pass`` (the interpreter alone)
and ``python -c "import runner.cli"`` (the command group without any command). Prints each
command's minimum, median and maximum wall seconds and median CPU seconds over ``--runs``
runs (after one warm-up run each), beside its goal (``pycau --help`` ≤ 0.12 s, the default
simulation ≤ 0.25 s, the 16-node one ≤ 0.35 s). Prints; asserts nothing.

The commands take turns (one run of each, then the next round), so a machine that speeds up
or slows down during the benchmark affects them alike. Quote medians: the minimum and
maximum show how noisy the machine was. ``pycau`` is the console script next to this
interpreter (``python -m runner.cli`` when there is none).

The warm-up run of each command writes its bytecode (``__pycache__``) even when the
environment sets ``PYTHONDONTWRITEBYTECODE`` (CI shells often do), so the counted runs
load compiled modules, as an installed pycau does (pip compiles a wheel's modules when it
installs them). ``--source`` keeps the environment's setting: with
``PYTHONDONTWRITEBYTECODE`` set and no bytecode on disk, each counted run then compiles
pycau's modules from source. The first line says which of the two was measured.

Usage: python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One command to time, and its goal in wall seconds (``None`` for a baseline)."""

    label: str
    argv: tuple[str, ...]
    goal: float | None = None


@dataclass(slots=True)
class Figures:
    """The runs of one case: wall and CPU seconds, and any exit status other than 0."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)


def pycau_argv() -> tuple[str, ...]:
    """The ``pycau`` console script of this interpreter's environment, else ``-m runner.cli``."""
    script = Path(sys.executable).with_name("pycau")
    if script.is_file() and os.access(script, os.X_OK):
        return (str(script),)
    return (sys.executable, "-m", "runner.cli")


def cases() -> tuple[Case, ...]:
    pycau = pycau_argv()
    python = sys.executable
    return (
        Case(label="python -c pass", argv=(python, "-c", "pass")),
        Case(label='python -c "import runner.cli"', argv=(python, "-c", "import runner.cli")),
        Case(label="pycau --help", argv=(*pycau, "--help"), goal=0.12),
        Case(label="pycau simulate --quiet", argv=(*pycau, "simulate", "--quiet"), goal=0.25),
        Case(
            label="pycau simulate sixteen-node-400-vms --quiet",
            argv=(*pycau, "simulate", "sixteen-node-400-vms", "--quiet"),
            goal=0.35,
        ),
    )


def run_once(case: Case, figures: Figures | None, *, write_bytecode: bool = False) -> None:
    """Run ``case`` once to its end; record its wall and CPU seconds in ``figures``.
    ``write_bytecode``: the run writes bytecode whatever ``PYTHONDONTWRITEBYTECODE`` says."""
    env = None
    if write_bytecode:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        case.argv,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if figures is None:
        return
    figures.wall.append(wall)
    figures.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if completed.returncode != 0:
        figures.failures.append(completed.returncode)


def _verdict(median: float, goal: float | None) -> str:
    if goal is None:
        return "baseline"
    return f"{'ok' if median <= goal else 'MISSED'} (≤ {goal:g})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted runs of each command")
    parser.add_argument(
        "--source",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for the warm-up (modules may compile on every run)",
    )
    args = parser.parse_args()
    runs = max(1, args.runs)

    timed = cases()
    results = {case.label: Figures() for case in timed}
    for case in timed:  # warm-up: the file system cache, and bytecode written once
        run_once(case, None, write_bytecode=not args.source)
    compiled = not (args.source and os.environ.get("PYTHONDONTWRITEBYTECODE"))
    bytecode = "bytecode written by the warm-up" if compiled else "no bytecode written"
    for _ in range(runs):
        for case in timed:
            run_once(case, results[case.label])

    width = max(len(case.label) for case in timed)
    header = (
        f"{'command':<{width}} {'min s':>7} {'median s':>8} {'max s':>7} {'cpu s':>7}"
        f" {'x pass':>7}  goal (median)"
    )
    print(
        f"pycau start-up benchmark · python {sys.version.split()[0]} · {os.cpu_count()} CPUs"
        f" · whole process, {runs} runs each after 1 warm-up"
        f" · {bytecode}"
    )
    print(header)
    print("-" * len(header))
    floor = statistics.median(results[timed[0].label].wall)
    for case in timed:
        figures = results[case.label]
        median = statistics.median(figures.wall)
        line = (
            f"{case.label:<{width}} {min(figures.wall):>7.3f} {median:>8.3f} "
            f"{max(figures.wall):>7.3f} {statistics.median(figures.cpu):>7.3f} "
            f"{median / floor:>7.1f}  {_verdict(median, case.goal)}"
        )
        if figures.failures:
            line += f", FAILED (exit {sorted(set(figures.failures))})"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
