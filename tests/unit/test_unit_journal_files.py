"""Which files the run journal opens: its own (new or old), never another one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from runner.errors import InputError
from runner.journal import APPLICATION_ID, RunJournal


def test_new_journal_is_marked_as_pycau_and_reopens(tmp_path: Path) -> None:
    """A new journal carries pycau's SQLite application id and opens again."""
    path = tmp_path / "journal.sqlite"
    RunJournal(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()
    journal = RunJournal(path)
    assert journal.run_ids() == ()
    journal.close()


def test_journal_written_before_the_application_id_still_opens(tmp_path: Path) -> None:
    """A journal with exactly the journal's tables and no application id (an older pycau)
    is still a journal."""
    path = tmp_path / "old.sqlite"
    journal = RunJournal(path)
    journal.begin_run(run_id="r1", cluster="c", profile={}, started_at="2026-01-13T02:00:00Z")
    journal.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 0")
    db.commit()
    db.close()
    reopened = RunJournal(path)
    assert reopened.run_ids() == ("r1",)
    reopened.close()


def test_unreadable_run_record_is_an_input_error(tmp_path: Path) -> None:
    """A damaged run row (profile not JSON) is an InputError naming the journal, not a
    JSONDecodeError traceback."""
    path = tmp_path / "journal.sqlite"
    journal = RunJournal(path)
    journal.begin_run(run_id="r1", cluster="c", profile={}, started_at="2026-01-13T02:00:00Z")
    journal.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET profile = '{broken'")
    db.commit()
    db.close()
    journal = RunJournal(path)
    with pytest.raises(InputError) as caught:
        journal.load("r1")
    journal.close()
    assert caught.value.source == str(path)
    assert "the run journal's record of run r1 cannot be read" in caught.value.message


def test_explicit_journal_in_a_missing_directory_creates_nothing(tmp_path: Path) -> None:
    """Only the default journal location is created; a given path's directory must exist."""
    with pytest.raises(InputError) as caught:
        RunJournal(tmp_path / "nowhere" / "journal.sqlite")
    assert "directory" in caught.value.message
    assert "does not exist" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_default_journal_location_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a path the journal goes to $XDG_STATE_HOME/pycau/, created when missing."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    journal = RunJournal()
    journal.close()
    assert (tmp_path / "state" / "pycau" / "journal.sqlite").is_file()
