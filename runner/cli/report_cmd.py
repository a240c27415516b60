"""``pycau report``: a stored run's report, rendered again.

Owns: the click command ``report``. This module's part is ``--journal FILE --run RUN_ID``:
the final report run RUN_ID stored in its journal when it ended
(``runner.cli.journal_report``), written as JSON to ``-o FILE`` (atomically; the target is
checked before anything is read) or to stdout. Exit 0; 2 with one sentence when the journal
does not exist, holds no such run (the ids it has are named) or holds no report of it.

Must not: change the journal or talk to a cluster.
"""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.journal_report import open_journal, stored_report
from runner.cli.output import render_report, report_target_option, write_report
from runner.errors import InputError

__all__ = ["report"]


@click.command("report")
@click.option(
    "--journal",
    "journal_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The run journal to read (pycau run's --journal; default location: pycau run --help).",
)
@click.option("--run", "run_id", required=True, metavar="RUN_ID", help="The run to render.")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_target_option,
    help="Write the JSON report to this file (atomically) instead of stdout.",
)
def report(journal_path: Path, run_id: str, output: Path | None) -> int:
    """Render a stored run's report: the one run RUN_ID stored in its journal when it ended.

    Exit 2 with one sentence when the journal holds no such run (naming the runs it holds)
    or no report of it (a run still in progress).
    """
    journal = open_journal(journal_path)
    try:
        found = stored_report(journal, run_id)
    finally:
        journal.close()
    if output is None:
        click.echo(render_report(found), nl=False)
        return 0
    try:
        write_report(output, found)
    except OSError as exc:
        raise InputError(str(output), "", f"cannot write the report: {exc}") from exc
    click.echo(f"run {run_id}: {found.get('status')} — report written to {output}")
    return 0
