"""The ``pycau`` command line: the click group, its commands and the exit-code contract.

Owns: parsing options, mapping outcomes to exit codes and printing — 0 when the scenario's
expectation holds, 1 when it does not (the mismatches are printed), 2 on bad input (an
unreadable or invalid file, a usage error): one paragraph ``error: …`` on stderr, no
traceback, and no report file written.

Commands: ``simulate`` (rehearse one run of a scenario in the SimPy world) and ``scenarios``
(the bundled scenarios); the real-cluster commands, ``resume`` and ``sweep`` register
themselves from their modules, which the group (``runner.cli.lazy_group``) imports only
when one of their commands runs or is asked for its own help: ``pycau --help`` lists them
from ``LAZY_COMMANDS``.

Must not: hold run logic (the engine does), build worlds (``runner.rehearsal`` does) or
import at module level what a command needs only when it runs — the simulator, the engine,
rich, the WinRM stack (requests, pywinrm, spnego, cryptography): ``pycau --help`` loads none
of them, and ``pycau simulate`` never loads the WinRM stack (``tests/cli/test_cli_startup.py``).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from runner import __version__
from runner.cli.lazy_group import LazyCommand, LazyGroup
from runner.errors import InputError
from runner.profile import MODES, POLICIES

__all__ = ["EXIT_BAD_INPUT", "EXIT_EXPECTATION_FAILED", "EXIT_OK", "LAZY_COMMANDS", "cli", "main"]

EXIT_OK = 0
EXIT_EXPECTATION_FAILED = 1
EXIT_BAD_INPUT = 2
_EXIT_INTERRUPTED = 130

_REMOTE = "runner.cli.remote"
# The commands registered by other modules: each module is imported on first use. The
# summary is the first sentence of the command's docstring (a test keeps them equal).
LAZY_COMMANDS = {
    "twin": LazyCommand(
        module=_REMOTE,
        summary="Serve SCENARIO's simulated cluster as a WinRM endpoint on 127.0.0.1 "
        "(SCENARIO is a file, or NAME a bundled scenario).",
    ),
    "test-setup": LazyCommand(
        module=_REMOTE,
        summary="Readiness checks modelled on Test-CauSetup: each rule passes, warns or fails.",
    ),
    "scan": LazyCommand(
        module=_REMOTE, summary="The updates each node is offered (Invoke-CauScan)."
    ),
    "run": LazyCommand(
        module=_REMOTE, summary="Perform an updating run on the cluster (Invoke-CauRun)."
    ),
    "status": LazyCommand(
        module=_REMOTE,
        summary="The run in progress (or the last one), like Get-CauRun, and who holds the "
        "run lock.",
    ),
    "snapshot": LazyCommand(
        module="runner.cli.snapshot_cmd",
        summary="Read the cluster over WinRM and write it as a scenario file for `pycau simulate`.",
    ),
    "stop": LazyCommand(
        module="runner.cli.stop_cmd",
        summary="Ask the run in progress to stop at its next safe point, from any machine "
        "(Stop-CauRun).",
    ),
    "history": LazyCommand(
        module="runner.cli.history_cmd",
        summary="Past runs (id, start, duration, status, nodes updated and failed), like "
        "Get-CauReport.",
    ),
    "resume": LazyCommand(
        module="runner.cli.resume_cmd",
        summary="Continue run RUN_ID from its journal after the coordinator died.",
    ),
    "post-upgrade": LazyCommand(
        module="runner.cli.post_upgrade_cmd",
        summary="Run the post-installation steps of a feature update on an upgraded cluster.",
    ),
    "schedule": LazyCommand(
        module="runner.cli.schedule_cmd",
        summary="Print the next firings of a self-updating schedule, one ISO 8601 time per line.",
    ),
    "report": LazyCommand(
        module="runner.cli.report_cmd",
        summary="Render a saved report (run, sweep, rehearse or test-setup JSON) as HTML, "
        "JUnit XML or Markdown, or a run's report stored in its journal.",
    ),
    "rehearse": LazyCommand(
        module="runner.cli.rehearse_cmd",
        summary="Forecast SCENARIO's updating run (a file, or NAME a bundled scenario) from N "
        "seeded runs.",
    ),
    "sweep": LazyCommand(
        module="runner.cli.sweep",
        summary="Rehearse SCENARIO (a file, or NAME a bundled scenario) with seeds S..S+N-1, "
        "each with random (swarm) faults.",
    ),
}


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print one paragraph ``error: …`` on stderr and return ``code``."""
    paragraph = " ".join(message.split())
    click.echo(f"error: {paragraph}", err=True)
    return code


class PycauGroup(LazyGroup):
    """A click group that reports every input problem as one ``error:`` paragraph, exit 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args, prog_name or "pycau", complete_var, standalone_mode=False, **extra
            )
            code = result if isinstance(result, int) else EXIT_OK
        except click.exceptions.NoArgsIsHelpError as exc:
            # `pycau` alone: show the help, as `pycau --help` does.
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
            code = EXIT_OK
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            code = _fail(f"{exc.format_message()}{hint}", EXIT_BAD_INPUT)
        except click.ClickException as exc:
            code = _fail(exc.format_message(), exc.exit_code)
        except InputError as exc:
            code = _fail(str(exc), EXIT_BAD_INPUT)
        except click.Abort:
            code = _fail("interrupted", _EXIT_INTERRUPTED)
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(
    "pycau",
    cls=PycauGroup,
    lazy=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="pycau", message="%(prog)s %(version)s")
def cli() -> None:
    """Rehearse and run Cluster-Aware-Updating-style rolling update runs.

    pycau drives Windows Server failover clusters and Azure Stack HCI through CAU's
    updating run — one node at a time: drain, install, restart, resume, wait for storage
    resync — and rehearses the same run against a simulated twin of the cluster.
    """


def _report_target_option(ctx: Any, param: Any, value: Path | None) -> Path | None:
    """``runner.cli.output.report_target_option``, imported when ``simulate``'s options are read."""
    from runner.cli.output import report_target_option

    return report_target_option(ctx, param, value)


def _rendering_target(ctx: Any, param: Any, value: Path | None) -> Path | None:
    """``runner.cli.render_options``' check of a rendering target, imported when needed."""
    from runner.cli.render_options import WHAT, target_callback

    return target_callback(WHAT[param.name.removesuffix("_path")])(ctx, param, value)


def _rendering_options(command: Any) -> Any:
    """``--html``, ``--junit``, ``--markdown`` (``runner.cli.render_options`` is not loaded by
    ``pycau --help``, so simulate declares them here; a test keeps the help texts equal to
    its ``HELPS``)."""
    helps = {
        "markdown": "Write a short Markdown summary (for pull-request comments and chat) to "
        "this file.",
        "junit": "Write the report as JUnit XML (for Jenkins, GitLab and other CI) to this file.",
        "html": "Write the report as one self-contained HTML page (a run's timeline, nodes, "
        "events and invariants; a sweep's or rehearsal's duration histogram and runs to "
        "replay) to this file.",
    }
    for fmt, text in helps.items():
        command = click.option(
            f"--{fmt}", f"{fmt}_path", type=click.Path(dir_okay=False, path_type=Path),
            callback=_rendering_target, help=text,
        )(command)  # fmt: skip
    return command


@cli.command()
@click.argument("scenario", required=False, metavar="[SCENARIO|NAME]")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed of the run (default: the scenario's), recorded in the report. It drives every "
    "duration and rate the scenario draws (a distribution such as {median: 15, p95: 40}, or "
    "any value its variability block widens) and the run id; with --swarm, the faults too. "
    "The same seed gives the same report.",
)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    help="Run policy: classic = CAU's order of operations, one node at a time; fast = waves "
    "of nodes (max_nodes_out), staged installs, no drain without a restart.",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="rolling (CAU's run) or offline (the fast, offline update of every node at once); "
    "default: the scenario profile's mode, else rolling.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_report_target_option,
    help="Write the JSON report to this file (atomically; not on bad input).",
)
@_rendering_options
@click.option("--quiet", "-q", is_flag=True, help="No live progress and no summary tables.")
@click.option(
    "--swarm",
    is_flag=True,
    help="Inject the random faults `pycau sweep` gives this seed, and expect only what a sweep "
    "checks (every invariant holds, any final status): replays one seed of a sweep.",
)
@click.option(
    "--faults",
    "fault_rate",
    type=click.FloatRange(min=0, max=20),
    metavar="RATE",
    help="Add the faults `pycau rehearse --faults RATE` gives this seed (RATE faults per run "
    "on average) to the scenario's own, and expect only every invariant to hold (any final "
    "status): replays one run of a forecast.",
)
def simulate(
    scenario: str | None,
    seed: int | None,
    policy: str | None,
    mode: str | None,
    report_path: Path | None,
    html_path: Path | None,
    junit_path: Path | None,
    markdown_path: Path | None,
    quiet: bool,
    swarm: bool,
    fault_rate: float | None,
) -> int:
    """Rehearse one updating run of SCENARIO in the simulated cluster.

    SCENARIO is a scenario YAML file, or NAME a bundled scenario (`pycau scenarios` lists
    them; default: four-node-rolling). A file that exists wins over a bundled name. Exit
    status: 0 when the scenario's expectation holds (by default: the run Succeeded and
    every safety invariant held), 1 when it does not, 2 on bad input.
    """
    # Lazy: the scenario loader pulls in the simulator and SimPy, the rehearsal the engine.
    from runner.cli.live_view import LiveView, plain_console, render_summary
    from runner.cli.output import write_report
    from runner.cli.render_options import Renderings
    from runner.rehearsal import scenarios as found
    from runner.rehearsal.compose import rehearse

    loaded = found.load(scenario)
    console = None if quiet else plain_console()  # --quiet draws nothing: no rich at all
    run_seed = loaded.seed if seed is None else seed
    if swarm and fault_rate is not None:
        raise click.UsageError("--swarm and --faults replay different runs; give one of them")
    if swarm:
        from runner.rehearsal.sweep import swarm_replay

        loaded = swarm_replay(loaded, run_seed)
    if fault_rate:
        from runner.rehearsal.forecast import fault_replay

        loaded = fault_replay(loaded, run_seed, fault_rate)
    title = f"{loaded.name} · seed {run_seed}"
    with LiveView(console, loaded.cluster.node_names, title=title, quiet=quiet) as progress:
        rehearsal = rehearse(loaded, run_seed, policy=policy, mode=mode, listener=progress)
    report = rehearsal.to_dict()

    if report_path is not None:
        try:
            write_report(report_path, report)
        except OSError as exc:
            raise InputError(str(report_path), "", f"cannot write the report: {exc}") from exc
    Renderings(html=html_path, junit=junit_path, markdown=markdown_path).write(report)
    if console is not None:
        render_summary(console, report)

    mismatches = found.mismatches(loaded, rehearsal)
    verdict = f"{loaded.name} (seed {run_seed}): {report['status']}"
    if mismatches:
        click.echo(f"{verdict} — expectation NOT met:")
        for mismatch in mismatches:
            click.echo(f"  - {mismatch}")
        return EXIT_EXPECTATION_FAILED
    click.echo(f"{verdict} — expectation met")
    return EXIT_OK


@cli.command("scenarios")
def scenarios() -> int:
    """List the bundled scenarios, one line each: NAME and its description.

    Any NAME works where a scenario file does: `pycau simulate NAME`, `pycau sweep NAME`,
    `pycau twin NAME`.
    """
    from runner.rehearsal import scenarios as found

    listed = found.bundled()
    width = max((len(s.name) for s in listed), default=0)
    for bundled in listed:
        click.echo(f"{bundled.name:<{width}}  {bundled.description}".rstrip())
    click.echo(f"default of `pycau simulate`: {found.DEFAULT}; run one: pycau simulate NAME")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``pycau``); the process ends when it returns.

    Every command has closed its files, journal and sessions by then, so the objects left
    are frozen out of the garbage collector (``gc.freeze``): the interpreter's last
    collections at exit then skip them instead of walking every object of the run again,
    and the operating system reclaims the memory. Only the entry point does this; ``cli``
    called in process (tests, a library user) leaves the collector alone.
    """
    try:
        cli.main(args=argv, prog_name="pycau")
    finally:
        gc.freeze()
