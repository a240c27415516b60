"""Secrets a library wants as a file: memory files, the private-file fallback, the twin's NTLM
account file and its TLS key — readable by path while in use, gone afterwards, never in TMPDIR.
"""

from __future__ import annotations

import os
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from spnego._ntlm_raw.crypto import ntowfv1
from winrm_support import PASSWORD, USERNAME

from runner.winrm.transport import WinRMTransport
from simulator.twin import Account, ScriptOutput, WsmanEndpoint
from simulator.twin.memfile import SecretFile, memory_files_available
from simulator.twin.tls import make_certificates

ROOT = Path(__file__).resolve().parents[2]
LINUX_ONLY = pytest.mark.skipif(
    not memory_files_available(), reason="memory files need Linux (memfd_create and /proc)"
)


def echo(command: str, arguments: str) -> ScriptOutput:
    return ScriptOutput(stdout=b"{}")


@LINUX_ONLY
def test_memory_file_is_readable_by_path_and_never_in_a_directory() -> None:
    """The content opens by its /proc/self/fd path, is an anonymous memfd, and is replaced
    in place by write; after close the path no longer names it."""
    secret = SecretFile("unit", b"first")
    assert secret.in_memory
    assert os.path.isfile(secret.path)
    assert os.readlink(secret.path).startswith("/memfd:pycau-unit")
    assert Path(secret.path).read_bytes() == b"first"
    path = secret.path
    secret.write(b"second, longer")
    secret.write(b"third")
    assert (secret.path, Path(path).read_bytes()) == (path, b"third")
    secret.close()
    secret.close()  # idempotent
    assert secret.closed
    try:
        target = os.readlink(path)
    except OSError:
        target = ""
    assert not target.startswith("/memfd:pycau-unit")
    with pytest.raises(ValueError, match="closed"):
        secret.write(b"x")


def test_fallback_file_is_private_and_removed_on_close() -> None:
    """Without memory files: a 0600 file in a 0700 directory of TMPDIR, gone after close."""
    temp = Path(tempfile.gettempdir())
    secret = SecretFile("unit", b"content", in_memory=False)
    path = Path(secret.path)
    assert path.parent.parent == temp
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes() == b"content"
    assert "content" not in repr(secret)
    with secret:
        pass
    assert list(temp.iterdir()) == []


def test_fallback_file_is_removed_when_an_exception_ends_the_process() -> None:
    """A process that dies of an uncaught exception still removes its fallback files."""
    code = (
        "from simulator.twin.memfile import SecretFile\n"
        "secret = SecretFile('unit', b'content', in_memory=False)\n"
        "print(secret.path, flush=True)\n"
        "raise RuntimeError('boom')\n"
    )
    temp = Path(tempfile.gettempdir())  # also $TMPDIR (tests/winrm/conftest.py)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "RuntimeError: boom" in result.stderr
    assert result.stdout.startswith(str(temp))
    assert list(temp.iterdir()) == []


def test_ntlm_account_file_lives_while_an_endpoint_uses_it(
    endpoint_factory: Callable[..., WsmanEndpoint],
    transport_factory: Callable[..., WinRMTransport],
) -> None:
    """NTLM_USER_FILE names the account file (hashes, not the password) while endpoints
    run — a memory file where the platform has them — and is withdrawn after the last."""
    before = os.environ.get("NTLM_USER_FILE")
    first = endpoint_factory(echo)
    second = endpoint_factory(echo)
    path = os.environ["NTLM_USER_FILE"]
    content = Path(path).read_text(encoding="utf-8")
    assert ntowfv1(PASSWORD).hex().upper() in content
    assert PASSWORD not in content
    assert content.count(USERNAME.rpartition("\\")[2]) == 1  # one line per account
    if memory_files_available():
        assert os.readlink(path).startswith("/memfd:")
    transport_factory(second).get_run()  # NTLM (the default) authenticates through it
    first.stop()
    assert Path(path).read_text(encoding="utf-8") == content  # the second still uses it
    second.stop()
    assert os.environ.get("NTLM_USER_FILE") == before
    if not memory_files_available():
        assert not Path(path).exists()


def test_tls_key_stays_in_memory() -> None:
    """The generated key is only in the certificates object (its repr hides it) and in the
    server context; building the context leaves TMPDIR empty; the CA PEM is public."""
    certificates = make_certificates()
    assert b"PRIVATE KEY" in certificates.key_pem
    assert b"PRIVATE KEY" not in certificates.ca_pem + certificates.cert_pem
    assert "key_pem" not in repr(certificates)
    context = certificates.server_context()
    assert isinstance(context, ssl.SSLContext)
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def test_endpoint_that_never_started_stops_and_frees_its_port() -> None:
    """stop() on an endpoint that was built but never started returns and closes the port."""
    endpoint = WsmanEndpoint(echo, account=Account(username=USERNAME, password=PASSWORD))
    port = endpoint.port
    endpoint.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
