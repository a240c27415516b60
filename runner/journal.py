"""The crash-safe run journal: an embedded SQLite file recording every run step.

Owns: ``RunJournal`` — the run row (run id, cluster, resolved profile, start, status), the
latest checkpoint of run progress (the engine's immutable snapshots as JSON, replaced after
every engine step), the run's events (appended), the actions pycau itself took on the
cluster (nodes it suspended and resumed, restarts with the boot id before them, installs it
started); ``default_journal_path``. The run lock is not here: it lives in the cluster
database (``runner.lease``), where every coordinator sees it.

Theory of operation: every write is one ``BEGIN IMMEDIATE … COMMIT`` transaction, so a
coordinator that dies mid-write leaves the previous checkpoint intact (SQLite rolls the
half-written one back), and a file journal runs in WAL mode with ``synchronous=FULL``.

Must not: store secrets (profiles hold none; callers never pass credentials), read a clock,
or know the engine's internals (it stores the JSON it is given).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
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
"""


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
        target = str(default_journal_path() if path is None else path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        self.path = target
        self._db = sqlite3.connect(target, isolation_level=None)
        if target != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        # Called with the step number after each committed checkpoint (the simulator's
        # coordinator-crash fault kills the coordinator here).
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
                first = db.execute(
                    "SELECT COUNT(*) FROM events WHERE run_id = ?", (run_id,)
                ).fetchone()[0]
                db.executemany(
                    "INSERT INTO events (run_id, seq, event) VALUES (?, ?, ?)",
                    [(run_id, first + i, json.dumps(e)) for i, e in enumerate(events)],
                )
            if actions:
                first = db.execute(
                    "SELECT COUNT(*) FROM actions WHERE run_id = ?", (run_id,)
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

    def finish_run(self, run_id: str, status: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (status, run_id))

    def load(self, run_id: str) -> JournalRun | None:
        """The run as last checkpointed, or None when the journal never saw it."""
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
