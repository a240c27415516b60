"""Authentication of the twin endpoint: Basic, and NTLM with WinRM message encryption.

Owns: the account the endpoint accepts (``Account``), checking a Basic header, an NTLM
acceptor per TCP connection (``NtlmAcceptor``, pyspnego's ``spnego.server(protocol="ntlm")``)
and the ``multipart/encrypted`` framing of MS-WSMV 2.2.9.1 that pywinrm uses over plain
HTTP (``unwrap_request`` / ``wrap_reply`` with ``unwrap_winrm`` / ``wrap_winrm``).

Theory of operation: NTLM is connection-bound — the acceptor lives as long as the
connection, and so does the sealing context (a new connection must authenticate again).
pyspnego's acceptor reads accounts from the file named by ``NTLM_USER_FILE`` (on every
handshake). That file is a ``SecretFile`` (``simulator.twin.memfile``): in memory on Linux,
never on disk; it holds the LM/NT hashes (smbpasswd format), never the password, and is
closed, and ``NTLM_USER_FILE`` restored, when the last endpoint using it stops.

Must not: log or echo credentials; import pyspnego before NTLM is actually used.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

from simulator.twin.memfile import SecretFile

__all__ = [
    "ENCRYPTED_PROTOCOL",
    "NTLM_ACCOUNTS",
    "Account",
    "NtlmAcceptor",
    "SealBroken",
    "basic_ok",
    "unwrap_request",
    "wrap_reply",
]

ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
_BOUNDARY = b"--Encrypted Boundary"


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """The one account the twin accepts; ``repr`` hides the password."""

    username: str
    password: str = field(repr=False)


def basic_ok(header: str, account: Account) -> bool:
    """Whether ``Authorization: Basic …`` names ``account`` (constant-time compare)."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = f"{account.username}\x00{account.password}".encode()
    return hmac.compare_digest(f"{user}\x00{password}".encode(), expected)


class _NtlmAccounts:
    """The process-wide account file pyspnego's acceptor reads (``NTLM_USER_FILE`` is one
    environment variable, so endpoints in one process share one file, reference-counted)."""

    _ENV = "NTLM_USER_FILE"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[str, int] = {}
        self._file: SecretFile | None = None
        self._previous_env: str | None = None

    @staticmethod
    def _line(account: Account) -> str:
        from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1  # the hashes pyspnego uses

        domain, _, user = account.username.rpartition("\\")
        name = f"{domain}\\{user}" if domain else user
        return (
            f"{name}:1000:{lmowfv1(account.password).hex().upper()}:"
            f"{ntowfv1(account.password).hex().upper()}:[U]:LCT-00000000"
        )

    @property
    def path(self) -> str | None:
        """Where pyspnego reads the accounts now (None when no endpoint uses NTLM)."""
        return None if self._file is None else self._file.path

    def _write(self) -> None:
        if not self._lines:
            if self._file is not None:
                self._restore_env()
                self._file.close()
                self._file = None
            return
        content = ("\n".join(self._lines) + "\n").encode("utf-8")
        if self._file is None:
            self._file = SecretFile("twin-ntlm-accounts", content)
            self._previous_env = os.environ.get(self._ENV)
            os.environ[self._ENV] = self._file.path
        else:
            self._file.write(content)

    def _restore_env(self) -> None:
        if self._previous_env is None:
            os.environ.pop(self._ENV, None)
        else:
            os.environ[self._ENV] = self._previous_env

    def add(self, account: Account) -> None:
        with self._lock:
            line = self._line(account)
            self._lines[line] = self._lines.get(line, 0) + 1
            if self._lines[line] == 1:  # rewrite only when the accounts change
                self._write()

    def remove(self, account: Account) -> None:
        with self._lock:
            line = self._line(account)
            left = self._lines.get(line, 0) - 1
            if left > 0:
                self._lines[line] = left
            elif self._lines.pop(line, None) is not None:
                self._write()


NTLM_ACCOUNTS = _NtlmAccounts()


class SealBroken(Exception):
    """A sealed message this connection's NTLM context cannot open: it was sealed by another
    context (one that expired, or another connection's). The endpoint refuses it with 401."""


class NtlmAcceptor:
    """The server side of one connection's NTLM handshake and message sealing."""

    def __init__(self) -> None:
        import spnego

        self._context: Any = spnego.server(protocol="ntlm")

    @property
    def complete(self) -> bool:
        return bool(self._context.complete)

    def step(self, token: bytes) -> bytes | None:
        """Feed a client token; the reply token (challenge) or None. Raises on bad creds."""
        reply: bytes | None = self._context.step(token)
        return reply

    def unwrap(self, header: bytes, data: bytes) -> bytes:
        from spnego.exceptions import SpnegoError

        try:
            return bytes(self._context.unwrap_winrm(header, data))
        except SpnegoError as exc:  # wrong keys or signature: not sealed by this context
            raise SealBroken("the message was not sealed by this connection's context") from exc

    def wrap(self, data: bytes) -> tuple[bytes, bytes]:
        result = self._context.wrap_winrm(data)
        return bytes(result.header), bytes(result.data)


def unwrap_request(body: bytes, acceptor: NtlmAcceptor) -> bytes:
    """The SOAP text inside a ``multipart/encrypted`` request body."""
    parts = [p for p in body.split(_BOUNDARY + b"\r\n") if p]
    if len(parts) < 2:
        raise ValueError("not an encrypted WinRM message")
    header, payload = parts[0], parts[1]
    length = int(header.split(b"Length=")[1].strip())
    if payload.endswith(_BOUNDARY + b"--\r\n"):
        payload = payload[: -len(_BOUNDARY + b"--\r\n")]
    payload = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
    signature_length = struct.unpack("<i", payload[:4])[0]
    signature = payload[4 : 4 + signature_length]
    message = acceptor.unwrap(signature, payload[4 + signature_length :])
    if len(message) != length:
        raise ValueError("encrypted message length does not match")
    return message


def wrap_reply(
    message: bytes, acceptor: NtlmAcceptor, *, break_signature: bool = False
) -> tuple[bytes, str]:
    """(body, Content-Type) of ``message`` sealed for the client; ``break_signature``
    flips a checksum byte, so the client's check of the seal fails (a context out of step)."""
    signature, sealed = acceptor.wrap(message)
    if break_signature:  # version (4 bytes), checksum (8), sequence number (4)
        signature = signature[:4] + bytes([signature[4] ^ 0xFF]) + signature[5:]
    body = (
        _BOUNDARY + b"\r\n"
        b"\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(message)).encode()
        + b"\r\n"
        + _BOUNDARY
        + b"\r\n\tContent-Type: application/octet-stream\r\n"
        + struct.pack("<i", len(signature))
        + signature
        + sealed
        + _BOUNDARY
        + b"--\r\n"
    )
    content_type = (
        f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
    )
    return body, content_type
