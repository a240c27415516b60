"""The crash-safe run journal: an embedded SQLite file recording every run step.

Owns: ``RunJournal`` — the run row (run id, cluster, resolved profile, start, status), the
run's final report (its JSON, stored with the run's end: ``pycau report --journal`` and
``pycau history`` read it; a resumed run's later end replaces it), the
latest checkpoint of run progress (the engine's immutable snapshots as JSON, replaced after
every engine step), the run's events (appended), the actions pycau itself took on the
cluster (nodes it suspended and resumed, restarts with the boot id before them, installs it
started); ``default_journal_path``. The run lock is not here: it lives in the cluster
database (``runner.lease``), where every coordinator sees it.

Theory of operation: every write is one ``BEGIN IMMEDIATE … COMMIT`` transaction, so a
coordinator that dies mid-write leaves the previous checkpoint intact (SQLite rolls the
half-written one back), and a file journal runs in WAL mode with ``synchronous=FULL``.

Only a journal is opened: a path given by the user must be a new file in an existing
directory or a SQLite file pycau wrote (``PRAGMA application_id`` ``APPLICATION_ID``, or
exactly the journal's tables); an empty file, another application's database, a directory or
a device is an ``InputError`` before anything is written.

Must not: store secrets (profiles hold none; callers never pass credentials), read a clock,
or know the engine's internals (it stores the JSON it is given).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.input_bounds import file_kind

__all__ = [
    "APPLICATION_ID",
    "RUN_IN_PROGRESS",
    "JournalAction",
    "JournalRun",
    "RunJournal",
    "default_journal_path",
]

RUN_IN_PROGRESS = "RunInProgress"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, cluster TEXT NOT NULL, profile TEXT NOT NULL,
    started_at TEXT NOT NULL, status TEXT NOT NULL, step INTEGER NOT NULL DEFAULT 0,
    state TEXT);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS actions (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, step INTEGER NOT NULL, kind TEXT NOT NULL,
    node TEXT, detail TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS reports (run_id TEXT PRIMARY KEY, report TEXT NOT NULL);
"""


# "pyca": marks the SQLite file as a pycau journal (``PRAGMA application_id``).
APPLICATION_ID = 0x70796361
_SQLITE_HEADER = b"SQLite format 3\x00"
# The tables of journals written before the application id (with or without the old run-lock
# table, from before the run lock moved into the cluster).
_TABLES = ("actions", "events", "runs")
_OLD_TABLES = ("actions", "events", "locks", "runs")
_REPORT_TABLES = ("actions", "events", "reports", "runs")  # the tables of today's journals
_EXPECTED = "expected a journal `pycau run` wrote, or the path of a new file"


def default_journal_path() -> Path:
    """``$XDG_STATE_HOME/pycau/journal.sqlite`` (default ``~/.local/state/pycau/…``): per
    user, outside any work tree, and surviving reboots of the coordinator."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pycau" / "journal.sqlite"


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalAction:
    """One thing pycau did to the cluster: ``suspended``, ``resumed``, ``restart-issued``
    (detail = boot id before), ``install-started`` (detail = work id)."""

    step: int
    kind: str
    node: str | None
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalRun:
    """A run as the journal last saw it."""

    run_id: str
    cluster: str
    profile: dict[str, Any]
    started_at: str
    status: str
    step: int
    state: dict[str, Any] | None
    events: tuple[dict[str, Any], ...]
    actions: tuple[JournalAction, ...]


class RunJournal:
    """The journal at ``path`` (``":memory:"`` for a process-local one)."""

    def __init__(self, path: str | Path | None = None) -> None:
        """Open (or create) the journal; ``InputError`` when ``path`` is not one.

        Only the default location's directory is created; a path given by the user must be
        a new file in an existing directory or a journal pycau wrote — never another
        application's SQLite file, an empty file, a directory or a device."""
        target = str(default_journal_path() if path is None else path)
        if path is None:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        fresh = target == ":memory:" or _check_journal_file(Path(target))
        self.path = target
        try:
            self._db = sqlite3.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise InputError(target, "", f"cannot open the run journal: {exc}") from None
        try:
            if not fresh:
                _check_journal_database(self._db, target)
            if target != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, InputError) as exc:
            self._db.close()
            if isinstance(exc, InputError):
                raise
            raise InputError(target, "", f"cannot open the run journal: {exc}") from None
        # Called with the step number after each committed checkpoint (the crash tests'
        # coordinator, tests/winrm/crash_coordinator.py, kills itself here).
        self.after_checkpoint: Callable[[int], None] | None = None
        # Checkpoints before this step store no state. Only a simulation sets it: it knows
        # the step its coordinator dies at, and only that step's state is ever read back
        # (a real coordinator cannot know, and keeps the default).
        self.state_from_step = 0

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------------------------ runs

    def begin_run(
        self, *, run_id: str, cluster: str, profile: dict[str, Any], started_at: str
    ) -> None:
        """Record a new run (a resumed run keeps its row)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (run_id, cluster, profile, started_at, status) "
                "VALUES (?, ?, ?, ?, ?)",
                (run_id, cluster, json.dumps(profile), started_at, RUN_IN_PROGRESS),
            )

    def checkpoint(
        self,
        *,
        run_id: str,
        step: int,
        state: dict[str, Any] | None,
        events: Sequence[dict[str, Any]] = (),
        actions: Sequence[tuple[str, str | None, str]] = (),
    ) -> None:
        """Atomically replace the checkpoint and append ``events`` and ``actions``."""
        with self._tx() as db:
            if state is None:  # a state nobody will read (see ``state_from_step``)
                db.execute("UPDATE runs SET step = ? WHERE run_id = ?", (step, run_id))
            else:
                db.execute(
                    "UPDATE runs SET step = ?, state = ? WHERE run_id = ?",
                    (step, json.dumps(state, separators=(",", ":")), run_id),
                )
            if events:
                first = db.execute(  # the primary key's index: no scan of the run's events
                    "SELECT COALESCE(MAX(seq) + 1, 0) FROM events WHERE run_id = ?", (run_id,)
                ).fetchone()[0]
                db.executemany(
                    "INSERT INTO events (run_id, seq, event) VALUES (?, ?, ?)",
                    [(run_id, first + i, json.dumps(e)) for i, e in enumerate(events)],
                )
            if actions:
                first = db.execute(
                    "SELECT COALESCE(MAX(seq) + 1, 0) FROM actions WHERE run_id = ?", (run_id,)
                ).fetchone()[0]
                db.executemany(
                    "INSERT INTO actions (run_id, seq, step, kind, node, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(run_id, first + i, step, *a) for i, a in enumerate(actions)],
                )
        if self.after_checkpoint is not None:
            self.after_checkpoint(step)

    def reopen_run(self, run_id: str) -> None:
        """A stopped run goes on (``pycau resume`` after Ctrl-C): in progress again."""
        with self._tx() as db:
            db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (RUN_IN_PROGRESS, run_id))

    def finish_run(self, run_id: str, status: str, report: dict[str, Any] | None = None) -> None:
        """The run's end: its status and, when given, its final report (JSON)."""
        with self._tx() as db:
            db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (status, run_id))
            if report is not None:
                db.execute(
                    "INSERT OR REPLACE INTO reports (run_id, report) VALUES (?, ?)",
                    (run_id, json.dumps(report, separators=(",", ":"))),
                )

    def report(self, run_id: str) -> dict[str, Any] | None:
        """The final report stored with run ``run_id``'s end, or None (none stored)."""
        try:
            row = self._db.execute(
                "SELECT report FROM reports WHERE run_id = ?", (run_id,)
            ).fetchone()
            loaded = None if row is None else json.loads(row[0])
        except (sqlite3.Error, ValueError) as exc:
            detail = f"the run journal's report of run {run_id} cannot be read: {exc}"
            raise InputError(self.path, "", detail) from None
        return loaded if isinstance(loaded, dict) else None

    def runs(self) -> tuple[tuple[str, str, str, str], ...]:
        """Every run as (run id, cluster, start, status), in the order they began."""
        rows = self._db.execute(
            "SELECT run_id, cluster, started_at, status FROM runs ORDER BY rowid"
        ).fetchall()
        return tuple((str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows)

    def load(self, run_id: str) -> JournalRun | None:
        """The run as last checkpointed, or None when the journal never saw it;
        ``InputError`` when the journal's rows cannot be read (a damaged file)."""
        try:
            return self._load(run_id)
        except (sqlite3.Error, ValueError) as exc:
            detail = f"the run journal's record of run {run_id} cannot be read: {exc}"
            raise InputError(self.path, "", detail) from None

    def _load(self, run_id: str) -> JournalRun | None:
        row = self._db.execute(
            "SELECT cluster, profile, started_at, status, step, state FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        events = self._db.execute(
            "SELECT event FROM events WHERE run_id = ? ORDER BY seq", (run_id,)
        ).fetchall()
        actions = self._db.execute(
            "SELECT step, kind, node, detail FROM actions WHERE run_id = ? ORDER BY seq",
            (run_id,),
        ).fetchall()
        return JournalRun(
            run_id=run_id,
            cluster=row[0],
            profile=json.loads(row[1]),
            started_at=row[2],
            status=row[3],
            step=row[4],
            state=None if row[5] is None else json.loads(row[5]),
            events=tuple(json.loads(e[0]) for e in events),
            actions=tuple(
                JournalAction(step=a[0], kind=a[1], node=a[2], detail=a[3]) for a in actions
            ),
        )

    def run_ids(self) -> tuple[str, ...]:
        rows = self._db.execute("SELECT run_id FROM runs ORDER BY rowid").fetchall()
        return tuple(r[0] for r in rows)


def _check_journal_file(path: Path) -> bool:
    """True when ``path`` is new (the journal will be created); ``InputError`` unless it
    is a non-empty regular file starting like a SQLite database, or a new file whose
    directory exists."""
    source = str(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            missing = f"directory {str(parent)!r} does not exist; {_EXPECTED}"
            raise InputError(source, "", missing) from None
        return True
    except OSError as exc:
        raise InputError(source, "", f"cannot open the run journal: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(source, "", f"is a directory; {_EXPECTED}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(source, "", f"is {file_kind(info.st_mode)}; {_EXPECTED}")
    if info.st_size == 0:
        raise InputError(source, "", f"is an empty file, not a pycau run journal; {_EXPECTED}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise InputError(source, "", f"cannot open the run journal: {exc.strerror}") from None
    if header != _SQLITE_HEADER:
        raise InputError(source, "", f"is not a pycau run journal (not SQLite); {_EXPECTED}")
    return False


def _check_journal_database(db: sqlite3.Connection, source: str) -> None:
    """``InputError`` unless the SQLite file is a pycau journal: it carries pycau's
    application id, or (journals written before the id) exactly pycau's tables."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    if application_id == APPLICATION_ID:
        return
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    tables = [row[0] for row in rows.fetchall()]
    if application_id == 0 and tables in (sorted(_TABLES), sorted(_OLD_TABLES), [*_REPORT_TABLES]):
        return
    owner = f"application id {application_id:#x}, " if application_id else ""
    listed = ", ".join(tables[:6]) + (", ..." if len(tables) > 6 else "") or "none"
    raise InputError(
        source,
        "",
        f"is a SQLite database of another application ({owner}tables: {listed}), not a "
        f"pycau run journal; {_EXPECTED}",
    )
