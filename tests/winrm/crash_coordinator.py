"""A `pycau run` coordinator process that dies (os._exit, as kill -9 would) right after journal
step N: ``python crash_coordinator.py PORT JOURNAL STEP``. The account comes from the
environment (PYCAU_USERNAME, PYCAU_PASSWORD). Used by test_winrm_resume.py: the dead process
still holds the cluster's run lock, so its run must be resumed by a real second process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console

from runner.cli.remote_run import perform_run
from runner.cli.remote_session import connect
from runner.journal import RunJournal
from runner.profile import Profile


def main(port: str, journal_path: str, step: str) -> None:
    params = {
        "cluster": f"127.0.0.1:{port}",
        "insecure_http": True,
        "ca_cert": None,
        "auth": "ntlm",
        "username": os.environ["PYCAU_USERNAME"],
        "cert_pem": None,
        "cert_key_pem": None,
    }
    session = connect(params)
    journal = RunJournal(Path(journal_path))

    def die(done: int) -> None:
        if done == int(step):
            os._exit(9)  # no cleanup of any kind, as a killed process

    journal.after_checkpoint = die
    perform_run(
        session, Profile(), Console(quiet=True), yes=True, what_if=False,
        force_recovery=False, quiet=True, on_report=lambda report: None, journal=journal,
    )  # fmt: skip
    sys.exit("the coordinator was meant to die")


if __name__ == "__main__":
    main(*sys.argv[1:4])
