"""`pycau run --journal` / `pycau resume --journal` naming something that is not a pycau
journal, against the twin over real WinRM: exit 2 with one sentence, the file untouched and
nothing changed on the cluster."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from winrm_support import PASSWORD, USERNAME

from runner.cli import cli
from runner.cli.remote_session import connect
from runner.rehearsal.twin import TwinServer
from simulator.scenario import load_scenario
from simulator.twin import Account

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "two-node-cloud-witness.yaml"


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a journal\n", encoding="utf-8")
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite"
    path.touch()
    return path


def _other_application(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.commit()
    db.close()
    return path


def _look_alike(tmp_path: Path) -> Path:
    """Another application's database that happens to have a `runs` table."""
    path = tmp_path / "look-alike.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1234")
    db.execute("CREATE TABLE runs (run_id TEXT)")
    db.commit()
    db.close()
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "text-file": (_text, "is not a pycau run journal (not SQLite)"),
    "empty-file": (_empty, "is an empty file, not a pycau run journal"),
    "other-sqlite": (_other_application, "a SQLite database of another application"),
    "look-alike-sqlite": (_look_alike, "application id 0x4d2"),
    "missing-directory": (lambda tmp: tmp / "missing" / "j.sqlite", "does not exist"),
    "character-device": (lambda tmp: Path("/dev/zero"), "is a character device"),
}


@pytest.fixture(scope="module")
def twin() -> Iterator[TwinServer]:
    scenario = load_scenario(SCENARIO)
    account = Account(username=USERNAME, password=PASSWORD)
    server = TwinServer(scenario, scenario.seed, account, echo=lambda line: None).start()
    yield server
    server.stop()


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["run", "resume"])
def test_not_a_journal_is_refused_and_nothing_changes(
    twin: TwinServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, command: str
) -> None:
    """A journal path that is not a pycau journal is exit 2 naming it and why; the file is
    unchanged, no directory is created and the twin's cluster saw no action."""
    make, fragment = CASES[case]
    journal = make(tmp_path)
    before = journal.read_bytes() if journal.is_file() else None
    timeline = list(twin.world.timeline)
    head = ["run"] if command == "run" else ["resume", "some-run-id"]
    args = [
        *head, "--cluster", f"127.0.0.1:{twin.endpoint.port}", "--insecure-http",
        "--yes", "-q", "--journal", str(journal),
    ]  # fmt: skip
    env = {"PYCAU_USERNAME": USERNAME, "PYCAU_PASSWORD": PASSWORD}
    result = CliRunner().invoke(cli, args, env=env)
    monkeypatch.setenv("PYCAU_PASSWORD", PASSWORD)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {journal}")
    if command == "resume" and case == "missing-directory":
        fragment = "no run journal at this path"  # resume never starts a new journal
    assert fragment in message
    assert "Traceback" not in result.output
    assert (journal.read_bytes() if journal.is_file() else None) == before
    assert not (tmp_path / "missing").exists()
    assert twin.world.timeline == timeline
    session = connect(
        {"cluster": f"127.0.0.1:{twin.endpoint.port}", "insecure_http": True, "ca_cert": None,
         "auth": "ntlm", "username": USERNAME, "cert_pem": None, "cert_key_pem": None}
    )  # fmt: skip
    try:
        assert session.transport.get_run() is None  # no run record (lock) was published
    finally:
        session.transport.close()
