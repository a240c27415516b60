"""Fixtures of the WinRM tests: a real loopback WS-Management endpoint and transports to it.

Everything goes over real HTTP on 127.0.0.1 (port 0) through pywinrm; nothing is patched.
Timeouts are small so the suite stays fast: the endpoint answers an empty Receive
long-poll after 50 ms, and the client's read timeout is the 2 s minimum pywinrm allows
(operation timeout 1 s, whole seconds only). Each test gets its own temporary directory
(``tempfile`` and ``$TMPDIR``) and must leave it empty: no account file, key or CA behind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from winrm_support import PASSWORD, USERNAME

from runner.winrm.connection import AuthMethod, ConnectionOptions, Credentials
from runner.winrm.transport import Deadlines, WinRMTransport
from simulator.twin import Account, ScriptOutput, WsmanEndpoint


@pytest.fixture
def account() -> Account:
    return Account(username=USERNAME, password=PASSWORD)


@pytest.fixture
def endpoint_factory(account: Account) -> Iterator[Callable[..., WsmanEndpoint]]:
    """Start endpoints answering with a given function; all are stopped afterwards."""
    started: list[WsmanEndpoint] = []

    def make(answer: Callable[[str, str], ScriptOutput], **kwargs: Any) -> WsmanEndpoint:
        kwargs.setdefault("max_receive_wait_s", 0.05)
        endpoint = WsmanEndpoint(answer, account=account, **kwargs).start()
        started.append(endpoint)
        return endpoint

    yield make
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def transport_factory() -> Iterator[Callable[..., WinRMTransport]]:
    """WinRM transports to an endpoint (HTTP, single endpoint, short timeouts)."""
    made: list[WinRMTransport] = []

    def make(
        endpoint: WsmanEndpoint,
        *,
        auth: AuthMethod = AuthMethod.NTLM,
        password: str = PASSWORD,
        deadlines: Deadlines | None = None,
        **options: Any,
    ) -> WinRMTransport:
        options.setdefault("insecure_http", True)
        options.setdefault("single_endpoint", True)
        connection = ConnectionOptions(
            host="127.0.0.1",
            port=endpoint.port,
            auth=auth,
            operation_timeout_s=1,
            read_timeout_s=2,
            **options,
        )
        transport = WinRMTransport(
            connection,
            Credentials(username=USERNAME, password=password),
            deadlines=deadlines or Deadlines(read=5.0, start=5.0, command=5.0),
        )
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()


@pytest.fixture(autouse=True)
def _journal_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pycau run` journals by default under $XDG_STATE_HOME: keep tests out of $HOME."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(autouse=True)
def _temp_dir_left_empty(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A fresh temp directory for the test (in-process and child processes); afterwards it
    must be empty — endpoints, twins and runs leave no file there."""
    tmp_path_factory.getbasetemp()  # pytest's own directories stay where they were
    temp = tmp_path_factory.mktemp("tempdir")
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    yield temp
    assert sorted(p.name for p in temp.iterdir()) == [], "files left in the temp directory"
