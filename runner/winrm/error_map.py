"""The boundary where WinRM failures become ``runner.errors``: one table, one place.

Owns: ``map_failure`` (a pywinrm/requests exception → our error, by the stage of the
exchange it happened in) and ``error_from_document`` (a script's ``{"Error": …}`` document →
our error). Every message is scrubbed of the password and shortened; the original
exception is chained with ``raise … from exc`` by the caller.

pywinrm fails through four unrelated families (reference toolchain.md)::

    failure                                        stage          raised as
    InvalidCredentialsError / AuthenticationError  any            AuthenticationFailed
    requests SSLError (certificate not trusted)    any            AuthenticationFailed
    requests SSLError (plain HTTP answered TLS)    any            AuthenticationFailed
    requests SSLError (other handshake failure)    any            AuthenticationFailed
    WSManFaultError, access denied (5)             any            AuthenticationFailed
    WSManFaultError, any other fault               open, command  RemoteCommandFailed (no effect)
    WSManFaultError, any other fault               receive        Node/ClusterUnreachable
    other WinRMError (client configuration)        any            RemoteCommandFailed
    WinRMTransportError (HTTP error, not XML)      any            Node/ClusterUnreachable
    WinRMOperationTimeoutError                     not Receive    OperationTimedOut
    requests ReadTimeout                           any            OperationTimedOut
    requests ConnectionError (refused, reset, DNS) any            Node/ClusterUnreachable
    other requests.RequestException                any            Node/ClusterUnreachable
    spnego SpnegoError (NTLM sealing out of step)  any            Node/ClusterUnreachable

"Node/ClusterUnreachable" is ``NodeUnreachable(node)`` for a node's own endpoint and
``ClusterUnreachable`` for the cluster endpoint. A Receive-stage fault means the command
ran but its answer was lost: effect unknown, hence "unreachable", never "failed".

Must not: retry (``runner.winrm.shell`` decides what is safe to retry) or log secrets.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from spnego.exceptions import SpnegoError
from winrm.exceptions import (
    AuthenticationError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)

from runner.errors import (
    ERROR_CLUSTER_SPACE_DEGRADED,
    AuthenticationFailed,
    ClusterUnreachable,
    DrainFailed,
    NodeUnreachable,
    OperationTimedOut,
    RemoteCommandFailed,
    RunLocked,
    RunnerError,
    StorageDegraded,
    TransportError,
)
from runner.remote_protocol import ErrorKind

__all__ = [
    "WSMAN_ACCESS_DENIED",
    "WSMAN_SHELL_NOT_FOUND",
    "WSMAN_TIMED_OUT",
    "Stage",
    "error_from_document",
    "map_failure",
    "safe_text",
]

WSMAN_TIMED_OUT = 2150858793  # w:TimedOut: Receive long-poll expired, the command still runs
WSMAN_SHELL_NOT_FOUND = 2150858843  # the shell is gone (node restarted, idle timeout)
WSMAN_ACCESS_DENIED = 5
_FACILITY_WIN32 = 0x80070000
_MAX_DETAIL = 300
_MAX_CHAIN = 32  # exceptions looked at under one failure (chains are short; cycles exist)
# OpenSSL's reasons when the first bytes of the answer are not a TLS record: the server
# speaks plain HTTP (its "HTTP/1.1 400" reads as a record of an unknown version).
_NOT_TLS_REASONS = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL"})


class Stage(StrEnum):
    """Where in the WS-Management exchange a failure happened."""

    OPEN = "open"  # transfer/Create of the shell: no script ran
    COMMAND = "command"  # shell/Command: the script was not started
    RECEIVE = "receive"  # shell/Receive: the script ran, its answer is lost


def safe_text(text: str, secret: str | None) -> str:
    """``text`` on one line, without ``secret``, at most 300 characters."""
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _unreachable(endpoint: str, node: str | None, what: str) -> TransportError:
    if node is None:
        return ClusterUnreachable(f"cluster endpoint {endpoint}: {what}")
    return NodeUnreachable(node, f"node {node} ({endpoint}): {what}")


def map_failure(
    exc: BaseException,
    *,
    script: str,
    stage: Stage,
    endpoint: str,
    node: str | None,
    secret: str | None,
) -> RunnerError:
    """The ``runner.errors`` exception for ``exc`` raised while running ``script``."""
    where = f"{script} ({stage.value})"
    if isinstance(exc, AuthenticationError):
        return AuthenticationFailed(f"{endpoint} refused the credentials")
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_failure(exc, endpoint, secret)
    if isinstance(exc, WSManFaultError):
        reason = safe_text(exc.reason or "", secret)
        code = exc.wsman_fault_code or exc.wmierror_code or 0
        if code == WSMAN_ACCESS_DENIED:
            return AuthenticationFailed(f"{endpoint}: access denied ({reason})")
        if stage is Stage.RECEIVE:
            return _unreachable(endpoint, node, f"answer of {where} lost: {reason}")
        return RemoteCommandFailed(script, f"{where} refused by {endpoint}: {reason}", code)
    if isinstance(exc, WinRMTransportError):
        return _unreachable(endpoint, node, f"HTTP {exc.code} without a WS-Management reply")
    if isinstance(exc, WinRMError):
        return RemoteCommandFailed(script, f"{where}: {safe_text(str(exc), secret)}")
    if isinstance(exc, WinRMOperationTimeoutError):
        return OperationTimedOut(f"{endpoint}: {where} timed out")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return OperationTimedOut(f"{endpoint}: no answer to {where} within the read timeout")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _unreachable(endpoint, node, f"connection failed during {where}")
    if isinstance(exc, requests.exceptions.RequestException):
        return _unreachable(endpoint, node, f"{type(exc).__name__} during {where}")
    if isinstance(exc, SpnegoError):  # NTLM sealing out of step (a request cut off mid-way)
        return _unreachable(endpoint, node, f"message security lost during {where}")
    raise TypeError(f"not a WinRM failure: {type(exc).__name__}") from exc


def _ssl_errors(exc: BaseException) -> list[ssl.SSLError]:
    """The ``ssl.SSLError``s under a requests/urllib3 exception (chained or wrapped)."""
    found: list[ssl.SSLError] = []
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending and len(seen) < _MAX_CHAIN:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLError):
            found.append(item)
        # urllib3 wraps the cause in MaxRetryError.reason and in args, requests in args.
        pending += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def _tls_failure(exc: BaseException, endpoint: str, secret: str | None) -> AuthenticationFailed:
    """An HTTPS request that failed in the TLS layer, said as what went wrong."""
    detail = safe_text(str(exc), secret)
    causes = _ssl_errors(exc)
    if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes):
        return AuthenticationFailed(
            f"{endpoint}: the TLS certificate could not be verified ({detail}); "
            "pass the issuing CA with --ca-cert"
        )
    if any(getattr(cause, "reason", None) in _NOT_TLS_REASONS for cause in causes):
        address = urlsplit(endpoint).netloc or endpoint
        return AuthenticationFailed(
            f"{address} answered plain HTTP to an HTTPS request: pass --insecure-http, or "
            "use the HTTPS listener (5986)"
        )
    return AuthenticationFailed(f"{endpoint}: the TLS handshake failed ({detail})")


def _win32_code(error: Mapping[str, Any]) -> int:
    code = error.get("Win32Code")
    if isinstance(code, int) and code:
        return code
    hresult = error.get("HResult")
    if isinstance(hresult, int) and (hresult & 0xFFFF0000) == _FACILITY_WIN32:
        return hresult & 0xFFFF
    return 0


def error_from_document(
    document: Mapping[str, Any],
    *,
    script: str,
    node: str | None,
    secret: str | None,
) -> RunnerError:
    """The exception a script's ``{"Error": {…}}`` document stands for."""
    raw = document.get("Error")
    error: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    try:
        kind = ErrorKind(str(error.get("Kind", "")))
    except ValueError:
        kind = ErrorKind.REMOTE_COMMAND_FAILED
    command = str(error.get("Command") or script)
    message = safe_text(str(error.get("Message") or f"{script} failed"), secret)
    code = _win32_code(error)
    if kind is ErrorKind.STORAGE_DEGRADED or code == ERROR_CLUSTER_SPACE_DEGRADED:
        return StorageDegraded(command, message, ERROR_CLUSTER_SPACE_DEGRADED)
    if kind is ErrorKind.DRAIN_FAILED:
        return DrainFailed(command, message, code)
    if kind is ErrorKind.NODE_UNREACHABLE and node is not None:
        return NodeUnreachable(node, message)
    if kind in (ErrorKind.NODE_UNREACHABLE, ErrorKind.CLUSTER_UNREACHABLE):
        return ClusterUnreachable(message)
    if kind is ErrorKind.OPERATION_TIMED_OUT:
        return OperationTimedOut(message)
    if kind is ErrorKind.AUTHENTICATION_FAILED:
        return AuthenticationFailed(message)
    if kind is ErrorKind.RUN_LOCKED:
        return RunLocked(str(error.get("Owner") or "another coordinator"), message)
    return RemoteCommandFailed(command, message, code)
