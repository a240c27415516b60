"""One WinRS shell on one endpoint, reused for every script, with our own Receive loop.

Owns: ``RemoteShell`` — the WS-Management exchange at the ``winrm.protocol.Protocol`` level
(Create once with ``codepage=65001``; per script: Command with ``WINRS_SKIP_CMD_SHELL``,
Receive until Done, Signal; Delete on close), deadlines and cancellation, and the wire
counters (``WireStats``) the benchmark prints.

Theory of operation:
- ``Session.run_ps`` would open a shell and a TCP connection per call and squeeze the script
  through cmd.exe's 8 K line; one long-lived shell per endpoint avoids both.
- Receive is a long-poll: the server answers the w:TimedOut fault (pywinrm raises
  ``WinRMOperationTimeoutError``) while the command runs. Between polls we check the
  script's deadline and the cancel event; on either we Signal terminate and raise
  ``OperationTimedOut`` (effect unknown).
- What is repeated, once, because it cannot have had an effect: a Command refused because
  the shell is gone (the node restarted, the shell idled out or its session expired — no
  script ran), in a fresh shell; any request refused with HTTP 401 by an endpoint that had
  accepted the same credentials (its session expired: the known issue "multiple prompts for
  login credentials"), in a new session built from the credentials in memory — the
  password is never asked for again; and, for scripts marked idempotent (reads), a Command
  whose connection failed, or the whole script when its shell vanished before the answer
  was read. A command that may have run is never repeated otherwise. Anything else is
  mapped by ``runner.winrm.error_map`` and raised: the engine observes again and decides.
- After any connection-level failure the ``Protocol`` (its HTTP session and, for NTLM,
  its message-encryption context, which is bound to one TCP connection) is discarded and
  rebuilt; an idle session is rebuilt too, before the server's keep-alive timeout drops it.

Must not: parse script output (the transport does) or sleep.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests
from spnego.exceptions import SpnegoError
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
)
from winrm.protocol import Protocol

from runner.errors import AuthenticationFailed, OperationTimedOut
from runner.winrm.error_map import WSMAN_SHELL_NOT_FOUND, Stage, map_failure

__all__ = ["CommandResult", "EndpointStats", "RemoteShell", "WireStats"]

# Failures of the exchange itself (the four pywinrm families); anything else is a bug.
WIRE_FAILURES = (
    WinRMError,
    WinRMTransportError,
    WinRMOperationTimeoutError,
    requests.exceptions.RequestException,
    SpnegoError,  # the NTLM context went out of step: drop the session, effect unknown
)
_CODEPAGE_UTF8 = 65001
# http.sys drops idle keep-alive connections after 120 s; rebuild the session before that.
_IDLE_RESET_S = 60.0


@dataclass(slots=True)
class EndpointStats:
    """Counters of one shell: scripts run, HTTP requests, SOAP bytes each way."""

    scripts: int = 0
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    reauthentications: int = 0  # sessions rebuilt after a 401 from an endpoint that had accepted


@dataclass(slots=True)
class WireStats:
    """Counters per shell label ("cluster" or a node name)."""

    by_label: dict[str, EndpointStats] = field(default_factory=dict)

    def of(self, label: str) -> EndpointStats:
        return self.by_label.setdefault(label, EndpointStats())

    def total(self) -> EndpointStats:
        out = EndpointStats()
        for one in self.by_label.values():
            out.scripts += one.scripts
            out.requests += one.requests
            out.bytes_sent += one.bytes_sent
            out.bytes_received += one.bytes_received
            out.reauthentications += one.reauthentications
        return out


class _CountingProtocol(Protocol):
    """pywinrm's Protocol, counting every SOAP message it sends and receives."""

    def __init__(self, stats: EndpointStats, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._stats = stats

    def send_message(self, message: str) -> bytes:
        self._stats.requests += 1
        self._stats.bytes_sent += len(message.encode("utf-8"))
        reply = super().send_message(message)
        self._stats.bytes_received += len(reply)
        return reply


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandResult:
    """What one script produced: its streams and exit code."""

    stdout: bytes
    stderr: bytes
    exit_code: int


class RemoteShell:
    """A reusable WinRS shell on ``endpoint``; ``node`` is None for the cluster endpoint."""

    def __init__(
        self,
        *,
        endpoint: str,
        node: str | None,
        protocol_kwargs: dict[str, object],
        secret: str | None,
        stats: EndpointStats,
        cancel: threading.Event,
        refused_endpoints: set[str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._node = node
        self._kwargs = protocol_kwargs
        self._secret = secret
        self._stats = stats
        self._cancel = cancel
        self._protocol: Protocol | None = None
        self._shell_id: str | None = None
        self._last_used = 0.0
        self._accepted = False  # the endpoint accepted these credentials at least once
        # Endpoints that refused a repeated request (shared by a transport's shells): the
        # credentials are never sent to them again.
        self._refused_endpoints = set() if refused_endpoints is None else refused_endpoints

    @property
    def _refused(self) -> bool:
        return self.endpoint in self._refused_endpoints

    def _refusal(self) -> AuthenticationFailed:
        return AuthenticationFailed(
            f"{self.endpoint} refused the credentials again after pycau re-authenticated with "
            "them; they are not sent to it again in this run"
        )

    def _fail(self, exc: BaseException, script: str, stage: Stage) -> Exception:
        if self._refused:  # the refusal of a repeated request (``_session_expired``)
            return self._refusal()
        return map_failure(
            exc,
            script=script,
            stage=stage,
            endpoint=self.endpoint,
            node=self._node,
            secret=self._secret,
        )

    def _drop_session(self) -> None:
        """Forget the HTTP session (and its NTLM context); the shell id stays valid."""
        if self._protocol is not None:
            self._protocol.transport.close_session()
        self._protocol = None

    def _live_protocol(self) -> Protocol:
        if self._protocol is None:
            self._protocol = _CountingProtocol(self._stats, **self._kwargs)
        return self._protocol

    def _session_expired(self, exc: BaseException, *, again: bool) -> bool:
        """Whether ``exc`` is a refusal to repeat in a new session (and the session is dropped).

        pywinrm raises ``InvalidCredentialsError`` for HTTP 401. From an endpoint that has
        accepted these same credentials, a 401 means the session expired (the server dropped
        the connection's NTLM context, a ticket ran out): rebuild the ``Protocol`` — a new
        HTTP session and handshake — with the credentials already in memory (never asking
        for them again) and repeat the refused request once. That is safe because a refused
        request was not processed: no shell opened, no command started, no output handed
        out. A refusal of the repeat (``again``), or of the very first request (a wrong
        password), is real: ``AuthenticationFailed``; one failed logon more at most, and
        after a refused repeat the endpoint gets no further logon attempt in this run.
        (Over HTTPS requests-ntlm answers the 401's new challenge itself and replays the
        request; over HTTP the replayed body is sealed with the dead context, the server
        refuses it, and the 401 reaches us.)
        """
        if not isinstance(exc, InvalidCredentialsError) or not self._accepted:
            return False
        self._drop_session()
        if again:
            self._refused_endpoints.add(self.endpoint)
            return False
        self._stats.reauthentications += 1
        return True

    def _ensure(self, script: str) -> tuple[Protocol, str]:
        if self._refused:
            raise self._refusal()
        if self._protocol is not None and time.monotonic() - self._last_used > _IDLE_RESET_S:
            self._drop_session()
        reauthenticated = False
        while True:
            try:
                protocol = self._live_protocol()
                if self._shell_id is None:
                    self._shell_id = protocol.open_shell(codepage=_CODEPAGE_UTF8, noprofile=True)
                    self._accepted = True
                break
            except WIRE_FAILURES as exc:
                if self._session_expired(exc, again=reauthenticated):
                    reauthenticated = True
                    continue
                self._drop_session()
                raise self._fail(exc, script, Stage.OPEN) from exc
        self._last_used = time.monotonic()
        return protocol, self._shell_id

    def run(
        self,
        script: str,
        executable: str,
        arguments: tuple[str, ...],
        *,
        deadline_s: float,
        idempotent: bool,
    ) -> CommandResult:
        """Run one command line to completion within ``deadline_s`` seconds."""
        self._stats.scripts += 1
        deadline = time.monotonic() + deadline_s
        rerun = idempotent  # a read whose answer was lost with its shell may run once more
        while True:
            command_id = self._command(script, executable, arguments, idempotent=idempotent)
            result = self._receive(command_id, script, deadline, may_rerun=rerun)
            if result is not None:
                break
            rerun = False
        self._signal(command_id)
        self._last_used = time.monotonic()
        return result

    def _command(
        self, script: str, executable: str, arguments: tuple[str, ...], *, idempotent: bool
    ) -> str:
        """Start the command in the shell (opening one when needed); its command id."""
        retried = reauthenticated = False
        while True:
            protocol, shell_id = self._ensure(script)
            try:
                command_id = protocol.run_command(
                    shell_id, executable, arguments, skip_cmd_shell=True
                )
            except WIRE_FAILURES as exc:
                if self._session_expired(exc, again=reauthenticated):
                    reauthenticated = True
                    continue
                gone = getattr(exc, "wsman_fault_code", None) == WSMAN_SHELL_NOT_FOUND
                connection = isinstance(exc, (requests.exceptions.ConnectionError, SpnegoError))
                if gone:
                    self._shell_id = None
                if connection:
                    self._drop_session()
                if not retried and (gone or (connection and idempotent)):
                    retried = True
                    continue
                raise self._fail(exc, script, Stage.COMMAND) from exc
            self._accepted = True
            return str(command_id)

    def _receive(
        self, command_id: str, script: str, deadline: float, *, may_rerun: bool
    ) -> CommandResult | None:
        """The command's output until Done; None when its shell is gone and ``may_rerun``
        (an idempotent script: run it again in a new shell rather than report it lost)."""
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        reauthenticated = False
        while True:
            shell_id = self._shell_id
            assert shell_id is not None
            if self._cancel.is_set():
                self._signal(command_id)
                raise OperationTimedOut(f"{self.endpoint}: {script} canceled; effect unknown")
            try:
                out, err, code, done = self._live_protocol().get_command_output_raw(
                    shell_id, command_id
                )
            except WinRMOperationTimeoutError:
                out, err, code, done = b"", b"", -1, False
            except WIRE_FAILURES as exc:
                # A refused Receive handed out nothing: repeat it in a new session (the shell
                # and its command belong to the account, not to the TCP connection).
                if self._session_expired(exc, again=reauthenticated):
                    reauthenticated = True
                    continue
                self._drop_session()
                if may_rerun and getattr(exc, "wsman_fault_code", None) == WSMAN_SHELL_NOT_FOUND:
                    self._shell_id = None
                    return None
                raise self._fail(exc, script, Stage.RECEIVE) from exc
            reauthenticated = False
            stdout.append(out)
            stderr.append(err)
            if done:
                return CommandResult(
                    stdout=b"".join(stdout), stderr=b"".join(stderr), exit_code=code
                )
            if time.monotonic() > deadline:
                self._signal(command_id)
                raise OperationTimedOut(
                    f"{self.endpoint}: {script} did not finish within its deadline; effect unknown"
                )

    def _signal(self, command_id: str) -> None:
        """Signal terminate: frees the command on the server. The answer is already in hand
        (or abandoned), so a failure here only costs the session."""
        if self._shell_id is None:
            return
        try:
            self._live_protocol().cleanup_command(self._shell_id, command_id)
        except (*WIRE_FAILURES, AssertionError):
            self._drop_session()

    def close(self) -> None:
        """Delete the shell (best effort) and close the HTTP session."""
        protocol, shell_id = self._protocol, self._shell_id
        self._shell_id = None
        if protocol is not None and shell_id is not None:
            try:
                protocol.close_shell(shell_id, close_session=False)
            except (*WIRE_FAILURES, AssertionError, OSError):
                # The shell idles out on the server. OSError: requests re-reads --ca-cert on
                # every request, and a twin that ended has removed its CA file.
                pass
        self._drop_session()
