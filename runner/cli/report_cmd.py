"""``pycau report REPORT.json``: render a saved report (like ``Export-CauReport``).

Owns: the ``report`` command — read a report file that ``pycau simulate``, ``run``,
``resume``, ``sweep``, ``rehearse`` or ``test-setup`` wrote with ``--report``, check it against its
shipped schema, and write the renderings asked for (``--html``, ``--junit``,
``--markdown``; at least one). A file that is not a pycau report, or an output path that
cannot be written, is exit 2 with one ``error:`` sentence and no file written.

Must not: render anything itself (``runner.render`` does) or change the report.
"""

from __future__ import annotations

from pathlib import Path

import click

from runner.cli.render_options import Renderings, rendering_options
from runner.errors import InputError

__all__ = ["report"]


@click.command("report")
@click.argument("report_file", metavar="REPORT.json", type=click.Path(path_type=Path))
@rendering_options
def report(
    report_file: Path,
    html_path: Path | None,
    junit_path: Path | None,
    markdown_path: Path | None,
) -> int:
    """Render a saved report (run, sweep, rehearse or test-setup JSON) as HTML, JUnit XML or
    Markdown.

    REPORT.json is what `pycau simulate`, `run`, `resume`, `sweep`, `rehearse` or
    `test-setup` wrote with --report. Each rendering shows only what the JSON says. Exit
    status: 0 when the files were written, 2 on bad input (a file that is not a pycau
    report, an output path that cannot be written).
    """
    from runner.render import load_saved_report

    renderings = Renderings(html=html_path, junit=junit_path, markdown=markdown_path)
    if not renderings.targets():
        raise InputError("pycau report", "", "nothing to write: give --html, --junit or --markdown")
    kind, saved = load_saved_report(report_file)
    renderings.write(saved, source=str(report_file))
    for fmt, path in renderings.targets():
        click.echo(f"{kind} report {report_file} rendered as {fmt}: {path}")
    return 0
