"""``--html``, ``--junit`` and ``--markdown``: the renderings a command writes beside its report.

Owns: ``rendering_options`` (the three options, each target checked while the options are
parsed — before a scenario is loaded, a cluster contacted or a run started — as ``--report``
is), ``Renderings`` (the targets a command was given) and ``Renderings.write(report)``, which
renders the report dictionary (``runner.render``) and writes each file atomically; a file
that cannot be written is an ``InputError`` (exit 2), and nothing half-written is left.

Must not: decide what a rendering shows (``runner.render`` does) or print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.errors import InputError

__all__ = ["HELPS", "WHAT", "Renderings", "rendering_options", "target_callback"]

F = TypeVar("F", bound=Callable[..., Any])
WHAT = {"html": "the HTML report", "junit": "the JUnit XML", "markdown": "the Markdown summary"}

HELPS = {
    "html": "Write the report as one self-contained HTML page (a run's timeline, nodes, "
    "events and invariants; a sweep's or rehearsal's duration histogram and runs to replay) "
    "to this file.",
    "junit": "Write the report as JUnit XML (for Jenkins, GitLab and other CI) to this file.",
    "markdown": "Write a short Markdown summary (for pull-request comments and chat) to this file.",
}


def target_callback(what: str) -> Callable[[Any, Any, Path | None], Path | None]:
    """A click callback refusing a target ``what`` cannot be written to, at parse time."""

    def check(ctx: Any, param: Any, value: Path | None) -> Path | None:
        from runner.cli.output import check_report_target

        if value is not None and (problem := check_report_target(value)):
            raise InputError(str(value), "", f"cannot write {what}: {problem}")
        return value

    return check


def rendering_options(command: F, *, formats: tuple[str, ...] = ("html", "junit", "markdown")) -> F:
    """Add ``--html FILE``, ``--junit FILE`` and ``--markdown FILE`` (as ``html_path``, …)."""
    for fmt in reversed(formats):
        command = click.option(
            f"--{fmt}",
            f"{fmt}_path",
            type=click.Path(dir_okay=False, path_type=Path),
            callback=target_callback(WHAT[fmt]),
            help=HELPS[fmt],
        )(command)
    return command


@dataclass(frozen=True, slots=True, kw_only=True)
class Renderings:
    """The rendering targets of one command (``None``: not asked for)."""

    html: Path | None = None
    junit: Path | None = None
    markdown: Path | None = None

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Renderings:
        """From a command's parameters ``html_path``, ``junit_path``, ``markdown_path``."""
        return cls(
            html=params.get("html_path"),
            junit=params.get("junit_path"),
            markdown=params.get("markdown_path"),
        )

    def targets(self) -> list[tuple[str, Path]]:
        found = (("html", self.html), ("junit", self.junit), ("markdown", self.markdown))
        return [(fmt, path) for fmt, path in found if path is not None]

    def write(self, report: Mapping[str, Any], *, source: str = "report") -> None:
        """Render ``report`` into every target, each written atomically (all rendered first,
        so a report that cannot be rendered leaves no file)."""
        if not self.targets():
            return
        from runner.atomic_write import write_text_atomically
        from runner.render import render

        texts = [(fmt, path, render(report, fmt, source=source)) for fmt, path in self.targets()]
        for fmt, path, text in texts:
            try:
                write_text_atomically(path, text)
            except OSError as exc:
                raise InputError(str(path), "", f"cannot write {WHAT[fmt]}: {exc}") from exc
