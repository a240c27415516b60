"""``pycau report``: render a saved report (like ``Export-CauReport``), or a run's report
stored in its journal.

Owns: the ``report`` command, with exactly one source —
- ``REPORT.json``: a report file that ``pycau simulate``, ``run``, ``resume``, ``sweep``,
  ``rehearse`` or ``test-setup`` wrote with ``--report``, checked against its shipped
  schema, written as the renderings asked for (``--html``, ``--junit``, ``--markdown``; at
  least one);
- ``--journal FILE --run RUN_ID``: the final report run RUN_ID stored in its journal when it
  ended (``runner.cli.journal_report``), written as JSON to ``-o FILE`` (atomically; the
  target is checked before anything is read) or to stdout when nothing else is asked, and
  as any of the same renderings.
A file that is not a pycau report, a journal without that run (the ids it holds are named),
a wrong combination of options or an output path that cannot be written is exit 2 with one
``error:`` sentence and no file written.

Must not: render anything itself (``runner.render`` does), change the report or the
journal, or talk to a cluster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from runner.cli.output import render_report, report_target_option, write_report
from runner.cli.render_options import Renderings, rendering_options
from runner.errors import InputError

__all__ = ["report"]

_WHO = "pycau report"


@click.command("report")
@click.argument(
    "report_file", metavar="[REPORT.json]", required=False, type=click.Path(path_type=Path)
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Instead of REPORT.json: the run journal to read (pycau run's --journal; default "
    "location: pycau run --help). Needs --run.",
)
@click.option(
    "--run", "run_id", metavar="RUN_ID", help="With --journal: the run whose report to render."
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=report_target_option,
    help="With --journal: write the run's JSON report to this file (atomically) instead of stdout.",
)
@rendering_options
def report(
    report_file: Path | None,
    journal_path: Path | None,
    run_id: str | None,
    output: Path | None,
    **params: Any,
) -> int:
    """Render a saved report (run, sweep, rehearse or test-setup JSON) as HTML, JUnit XML or
    Markdown, or a run's report stored in its journal.

    REPORT.json is what `pycau simulate`, `run`, `resume`, `sweep`, `rehearse` or
    `test-setup` wrote
    with --report; give at least one of --html, --junit, --markdown. With --journal FILE
    --run RUN_ID instead, the report run RUN_ID stored in its journal when it ended is
    written as JSON (to -o FILE, else to stdout unless a rendering is asked) and as the
    renderings asked for. Each rendering shows only what the JSON says. Exit status: 0 when
    everything was written, 2 on bad input (a file that is not a pycau report, a journal
    without that run, an output path that cannot be written).
    """
    renderings = Renderings.of(params)
    if (report_file is None) == (journal_path is None):
        raise InputError(_WHO, "", "give exactly one of REPORT.json or --journal FILE --run RUN_ID")
    if report_file is not None:
        if run_id is not None or output is not None:
            raise InputError(
                _WHO, "", "--run and -o go with --journal; REPORT.json is rendered with "
                "--html, --junit or --markdown"
            )  # fmt: skip
        return _render_file(report_file, renderings)
    assert journal_path is not None
    if run_id is None:
        raise InputError(_WHO, "", "--journal needs --run RUN_ID (pycau history lists the runs)")
    return _from_journal(journal_path, run_id, output, renderings)


def _render_file(report_file: Path, renderings: Renderings) -> int:
    from runner.render import load_saved_report

    if not renderings.targets():
        raise InputError(_WHO, "", "nothing to write: give --html, --junit or --markdown")
    kind, saved = load_saved_report(report_file)
    renderings.write(saved, source=str(report_file))
    for fmt, path in renderings.targets():
        click.echo(f"{kind} report {report_file} rendered as {fmt}: {path}")
    return 0


def _from_journal(
    journal_path: Path, run_id: str, output: Path | None, renderings: Renderings
) -> int:
    from runner.cli.journal_report import open_journal, stored_report

    journal = open_journal(journal_path)
    try:
        found = stored_report(journal, run_id)
    finally:
        journal.close()
    renderings.write(found, source=f"{journal_path} (run {run_id})")
    if output is None and not renderings.targets():
        click.echo(render_report(found), nl=False)
        return 0
    if output is not None:
        try:
            write_report(output, found)
        except OSError as exc:
            raise InputError(str(output), "", f"cannot write the report: {exc}") from exc
        click.echo(f"run {run_id}: {found.get('status')} — report written to {output}")
    for fmt, path in renderings.targets():
        click.echo(f"run {run_id}: {found.get('status')} — rendered as {fmt}: {path}")
    return 0
