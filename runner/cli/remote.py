"""The real-cluster commands of ``pycau``: twin, test-setup, scan, run, status.

Owns: the click commands (registered on ``runner.cli.cli``) and their exit codes:

- ``pycau twin SCENARIO`` serves the scenario's simulated cluster as a WinRM endpoint on
  127.0.0.1 (account from ``PYCAU_USERNAME``/``PYCAU_PASSWORD``), so the commands below
  can be tried without Windows;
- ``pycau test-setup`` — Test-CauSetup's rules, judged remotely (exit 1 when a rule fails);
  ``--report`` writes them as JSON, ``--junit`` one testcase per rule;
- ``pycau scan`` — Invoke-CauScan: the updates each node is offered (``--report``: JSON);
- ``pycau run`` — the plan, a confirmation (unless ``--yes``), then the rolling run (or with
  ``--mode offline`` the fast, offline update, whose plan states its downtime) with
  the same engine as ``pycau simulate`` (exit 0 only when the run Succeeded);
  ``--what-if`` shows the plan and changes nothing; without ``--yes`` and without a
  terminal on stdin ``run`` and ``resume`` stop before connecting (exit 2);
- ``pycau status`` — the published run, like Get-CauRun;
- ``pycau resume`` (``runner.cli.resume_cmd``) — continue a run from its journal.

Exit codes: 0 success, 1 the run/check did not succeed, 2 bad input, 3 the cluster could
not be reached or refused us (authentication, TLS, WinRM faults) — one ``error:`` paragraph,
no traceback, never the password.

Must not: accept a password on the command line, or hold logic beyond wiring
(``runner.cli.remote_run``, ``runner.cli.remote_session``, ``runner.cli.twin_serve``,
``runner.rehearsal.twin``).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from runner.cli.check_reports import scan_report, setup_report
from runner.cli.output import report_target_option, write_report
from runner.cli.remote_run import (
    load_profile_or_default,
    perform_run,
    readiness,
    render_rules,
    scan_cluster,
)
from runner.cli.remote_session import (
    PASSWORD_ENV,
    USERNAME_ENV,
    Session,
    connect,
    connection_options,
    run_options,
)
from runner.cli.render_options import Renderings, rendering_options
from runner.cli.run_record import render_lock, render_status
from runner.errors import InputError, RunLocked, TransportError
from runner.journal import RunJournal
from runner.profile import MODES
from runner.winrm.setup_rules import Verdict

__all__ = ["EXIT_REMOTE_FAILED", "remote_command", "run", "scan", "status", "test_setup", "twin"]

EXIT_REMOTE_FAILED = 3
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> int:
    click.echo(f"error: {' '.join(message.split())}", err=True)
    return EXIT_REMOTE_FAILED


def _refuse_without_terminal(params: Mapping[str, Any]) -> None:
    """``run`` and ``resume`` ask before they change the cluster; with no terminal on stdin
    nobody can answer, so without ``--yes`` they stop before connecting to anything."""
    if "yes" not in params or params["yes"] or params.get("what_if"):
        return
    if sys.stdin is not None and sys.stdin.isatty():
        return
    raise click.UsageError(
        "not interactive: pass --yes (stdin is not a terminal, so pycau cannot ask before it "
        "changes the cluster); nothing was changed",
        click.get_current_context(silent=True),
    )


def remote_command(command: Callable[..., int]) -> Callable[..., int]:
    """Run a command body; a transport failure or a held run lock becomes exit 3."""

    def wrapper(**params: Any) -> int:
        _refuse_without_terminal(params)
        session: Session | None = None
        try:
            session = connect(params)
            return command(session, **params)
        except (TransportError, RunLocked) as exc:
            return _fail(f"{type(exc).__name__}: {exc}")
        finally:
            if session is not None and not session.abandoned:
                session.transport.close()

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper


@click.command("twin")
@click.argument("scenario", metavar="SCENARIO|NAME")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port on 127.0.0.1 (default 5985, or 5986 with --tls; 0 = any free port).",
)
@click.option(
    "--tls",
    is_flag=True,
    help="HTTPS with a generated CA (its path is printed; removed when the twin ends).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed (default: the scenario's); it draws the scenario's distributions as "
    "`pycau simulate --seed` does.",
)
@click.option(
    "--exit-after-run",
    is_flag=True,
    help="Stop after one run finished; exit 0 when the scenario's expectation held.",
)
def twin(scenario: str, port: int | None, tls: bool, seed: int | None, exit_after_run: bool) -> int:
    """Serve SCENARIO's simulated cluster as a WinRM endpoint on 127.0.0.1 (SCENARIO is a
    file, or NAME a bundled scenario).

    The account is PYCAU_USERNAME / PYCAU_PASSWORD from the environment (Basic or NTLM).
    Then try `pycau test-setup`, `scan`, `run` and `status` with --cluster 127.0.0.1:PORT.
    Ctrl-C, SIGTERM or SIGHUP stop it. It leaves no file behind: the account's hashes and
    the TLS key are held in memory files (Linux; elsewhere private files removed at the
    end), and the CA file of --tls is removed when the twin ends.
    """
    from runner.cli.twin_serve import serve
    from runner.rehearsal import scenarios as found
    from runner.rehearsal.twin import TwinServer, account

    username, password = os.environ.get(USERNAME_ENV), os.environ.get(PASSWORD_ENV)
    if not username or not password:
        raise InputError(USERNAME_ENV, "", f"the twin needs ${USERNAME_ENV} and ${PASSWORD_ENV}")
    loaded = found.load(scenario)
    server = TwinServer(
        loaded,
        loaded.seed if seed is None else seed,
        account(username, password),
        port=(5986 if tls else 5985) if port is None else port,
        tls=tls,
        echo=lambda line: click.echo(line),
    )
    return serve(server, exit_after_run=exit_after_run, echo=lambda line: click.echo(line))


@click.command("test-setup")
@connection_options
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False),
              help="Profile whose options and scripts to check.")  # fmt: skip
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              callback=report_target_option,
              help="Write the rules and their verdicts as JSON to this file "
                   "(runner/schemas/setup.schema.json).")  # fmt: skip
@functools.partial(rendering_options, formats=("junit",))
@remote_command
def test_setup(
    session: Session, *, profile_path: str | None, report_path: Path | None,
    junit_path: Path | None, cluster: str, **_: Any,
) -> int:  # fmt: skip
    """Readiness checks modelled on Test-CauSetup: each rule passes, warns or fails.

    --report writes the rules as JSON, --junit as JUnit XML (one testcase per rule: Fail
    fails, Skip is skipped)."""
    profile = load_profile_or_default(profile_path)
    results = readiness(session, profile)
    render_rules(Console(highlight=False), results)
    document = setup_report(cluster, results)
    if report_path is not None:
        write_report(report_path, document)
    Renderings(junit=junit_path).write(document)
    return 1 if any(r.verdict is Verdict.FAIL for r in results) else 0


@click.command("scan")
@connection_options
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False),
    help="Profile whose plug-ins (and their arguments) scan; else Windows Update.",
)
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              callback=report_target_option,
              help="Write the offered updates of every node as JSON to this file "
                   "(runner/schemas/scan.schema.json).")  # fmt: skip
@remote_command
def scan(
    session: Session,
    *,
    profile_path: str | None,
    report_path: Path | None,
    cluster: str,
    **_: Any,
) -> int:
    """The updates each node is offered (Invoke-CauScan)."""
    profile = load_profile_or_default(profile_path)
    offered, errors = scan_cluster(session, profile=profile)
    if report_path is not None:
        write_report(report_path, scan_report(cluster, offered, errors))
    table = Table(title="updates offered", title_justify="left")
    for column in ("node", "update", "title", "kind", "restart", "plug-in"):
        table.add_column(column, overflow="fold")
    for node in sorted(set(offered) | set(errors)):
        for update in offered.get(node, ()):
            restart = "yes" if update.restart_required else "no"
            table.add_row(node, update.id, update.title, update.kind, restart, update.plugin)
        if node in offered and not offered[node]:
            table.add_row(node, "—", "no applicable update", "", "", "")
        if node in errors:
            table.add_row(node, "—", f"[red]{errors[node]}[/]", "", "", "")
    Console(highlight=False).print(table)
    return 1 if errors else 0


@click.command("run")
@connection_options
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(dir_okay=False),
    help="Updating-run profile (YAML/JSON); CAU's defaults without it.",
)
@click.option("--what-if", is_flag=True, help="Show the plan; change nothing.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="rolling (CAU's run, one node at a time) or offline (the fast, offline update of "
    "every node at once, with downtime); default: the profile's mode, else rolling.",
)
@click.option(
    "--force-recovery",
    is_flag=True,
    help="Take over from a run that died holding the run lock (-ForceRecovery).",
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Run journal (SQLite) checkpointed after every step, for `pycau resume` "
    "(default: $XDG_STATE_HOME/pycau/journal.sqlite).",
)
@run_options
@remote_command
def run(
    session: Session,
    *,
    profile_path: str | None,
    yes: bool,
    what_if: bool,
    report_path: Path | None,
    force_recovery: bool,
    journal_path: Path | None,
    quiet: bool,
    mode: str | None = None,
    **rendered: Any,
) -> int:  # fmt: skip
    """Perform an updating run on the cluster (Invoke-CauRun).

    Rolling by default; with --mode offline (or a profile's mode: offline) the fast,
    offline update of every node at once, whose plan states the planned downtime."""
    profile = load_profile_or_default(profile_path)
    renderings = Renderings.of(rendered)
    if mode is not None:
        profile = replace(profile, mode=mode)

    def save(report: dict[str, Any]) -> None:
        if report_path is not None:
            write_report(report_path, report)
        renderings.write(report)

    journal = None if what_if else RunJournal(journal_path)
    try:
        return perform_run(
            session, profile, Console(highlight=False), yes=yes, what_if=what_if,
            force_recovery=force_recovery, quiet=quiet, on_report=save, journal=journal,
            source=profile_path or "profile",
        )  # fmt: skip
    finally:
        if journal is not None:
            journal.close()


@click.command("status")
@connection_options
@remote_command
def status(session: Session, **_: Any) -> int:
    """The run in progress (or the last one), like Get-CauRun, and who holds the run lock."""
    console = Console(highlight=False)
    render_lock(console, session.transport.read_run_lock())
    render_status(console, session.transport.get_run())
    return 0
