"""The twin endpoint's shells and commands: what each WS-Management request does.

Owns: ``ShellHost`` — shells and their commands, the Receive long-poll (the w:TimedOut
fault while a command still runs), chunked output, shells that die with a restart or a
session expiry (``end_idle_shells``), and the queue of injectable faults at the wire
(``WireFault``); plus the types an ``Answerer`` (what gives a command line its output)
works with.

Theory of operation: a Command is answered at once by the ``Answerer`` (under no lock of
ours; the answerer serialises itself), and its output waits in the command until
``delay_s`` has passed; each Receive hands out the next chunk, Done with the last. A
command marked ``drop`` makes its Receive cut the connection; ``close_shell`` removes the
shell at the command's Signal, so the next Command finds it gone, as after a reboot.

Must not: know HTTP, authentication or what a command line means.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from simulator.twin import wsman

__all__ = [
    "INTERNAL_ERROR",
    "Answerer",
    "DropConnection",
    "FaultKind",
    "ScriptOutput",
    "ShellHost",
    "WireFault",
]

INTERNAL_ERROR = 2150858752  # a generic WSManFault code


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptOutput:
    """What a command produces, and how the endpoint delivers it."""

    stdout: bytes = b""
    stderr: bytes = b""
    exit_code: int = 0
    delay_s: float = 0.0  # wall seconds the command runs; Receive long-polls meanwhile
    drop: bool = False  # the connection breaks instead of answering the Receive
    close_shell: bool = False  # the shell is gone after this command (node restarting)


Answerer = Callable[[str, str], ScriptOutput]  # (command, arguments) -> output


class FaultKind(StrEnum):
    SOAP_FAULT = "soap-fault"  # HTTP 500 with a WSManFault of ``code``
    HTTP_500 = "http-500"  # HTTP 500 with an HTML body (a proxy, a crashed listener)
    UNAUTHORIZED = "unauthorized"  # HTTP 401 without a challenge
    DELAY = "delay"  # answer only after ``seconds``
    DROP = "drop"  # close the connection without an answer
    BAD_SEAL = "bad-seal"  # answer, sealed with a broken signature (NTLM out of step)


@dataclass(frozen=True, slots=True, kw_only=True)
class WireFault:
    """A fault for the next request of ``action`` (Create, Command, Receive, Signal,
    Delete, or ``*`` for any)."""

    action: str
    kind: FaultKind
    code: int = INTERNAL_ERROR
    seconds: float = 0.0


class DropConnection(Exception):
    """Close the connection without answering."""


@dataclass(slots=True)
class _Command:
    chunks: list[bytes]
    stderr: bytes
    exit_code: int
    ready_at: float
    drop: bool
    close_shell: bool
    delivered: bool = False  # its last chunk went out (Done): nothing of it is running


class ShellHost:
    """Shells, commands and pending wire faults of one endpoint (thread-safe)."""

    def __init__(
        self,
        answer: Answerer,
        *,
        machine: str,
        address: Callable[[], str],
        max_receive_wait_s: float,
        chunk_size: int,
        stopping: threading.Event,
    ) -> None:
        self.answer = answer
        self.machine = machine
        self._address = address
        self.max_receive_wait_s = max_receive_wait_s
        self.chunk_size = max(1, chunk_size)
        self._stopping = stopping
        self._lock = threading.Lock()
        self._shells: dict[str, dict[str, _Command]] = {}
        self._faults: list[WireFault] = []
        self.actions: list[str] = []  # every request's action, in order (tests count them)
        self.options: dict[str, dict[str, str]] = {}  # the WS-Man options last sent, by action

    def inject(self, *faults: WireFault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def take_fault(self, action: str) -> WireFault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.action in (action, "*"):
                    return self._faults.pop(index)
        return None

    def end_idle_shells(self) -> int:
        """Remove every shell with no command still running (a session expired); how many.

        A command whose answer is still being delivered keeps its shell, as WinRM keeps a
        shell with an operation in progress; one whose connection was cut (``drop``) does
        not: nothing of it runs any more."""
        with self._lock:
            idle = [
                shell_id
                for shell_id, commands in self._shells.items()
                if all(c.delivered or c.drop for c in commands.values())
            ]
            for shell_id in idle:
                del self._shells[shell_id]
        return len(idle)

    def wait(self, seconds: float) -> None:
        """Wall-clock wait that ends early when the endpoint stops."""
        self._stopping.wait(max(0.0, seconds))

    def _fault(self, request: wsman.WsmanRequest, code: int) -> tuple[int, bytes]:
        return 500, wsman.fault_reply(request, code, self.machine)

    def dispatch(self, request: wsman.WsmanRequest) -> tuple[int, bytes]:
        """(HTTP status, SOAP reply) of one request; raises ``DropConnection``."""
        with self._lock:
            self.actions.append(request.action)
            if request.options:
                self.options[request.action] = dict(request.options)
        if request.action == "Create":
            shell_id = str(uuid.uuid4()).upper()
            with self._lock:
                self._shells[shell_id] = {}
            return 200, wsman.create_reply(request, shell_id, self._address())
        with self._lock:
            commands = self._shells.get(request.shell_id)
        if commands is None:
            return self._fault(request, wsman.FAULT_SHELL_NOT_FOUND)
        if request.action == "Command":
            return self._command(request, commands)
        if request.action == "Receive":
            return self._receive(request, commands)
        if request.action == "Signal":
            with self._lock:
                done = commands.pop(request.command_id, None)
                if done is not None and done.close_shell:
                    self._shells.pop(request.shell_id, None)
            return 200, wsman.signal_reply(request)
        if request.action == "Delete":
            with self._lock:
                self._shells.pop(request.shell_id, None)
            return 200, wsman.delete_reply(request)
        return self._fault(request, INTERNAL_ERROR)

    def _command(
        self, request: wsman.WsmanRequest, commands: dict[str, _Command]
    ) -> tuple[int, bytes]:
        output = self.answer(request.command, request.arguments)
        size = self.chunk_size
        chunks = [output.stdout[i : i + size] for i in range(0, len(output.stdout), size)]
        command_id = str(uuid.uuid4()).upper()
        with self._lock:
            commands[command_id] = _Command(
                chunks=chunks,
                stderr=output.stderr,
                exit_code=output.exit_code,
                ready_at=time.monotonic() + output.delay_s,
                drop=output.drop,
                close_shell=output.close_shell,
            )
        return 200, wsman.command_reply(request, command_id)

    def _receive(
        self, request: wsman.WsmanRequest, commands: dict[str, _Command]
    ) -> tuple[int, bytes]:
        with self._lock:
            command = commands.get(request.command_id)
        if command is None:
            return self._fault(request, INTERNAL_ERROR)
        if command.drop:
            raise DropConnection
        remaining = command.ready_at - time.monotonic()
        if remaining > 0:
            self.wait(min(remaining, request.operation_timeout_s, self.max_receive_wait_s))
            if command.ready_at > time.monotonic():
                return self._fault(request, wsman.FAULT_TIMED_OUT)
        with self._lock:
            chunk = command.chunks.pop(0) if command.chunks else b""
            last = not command.chunks
            command.delivered = last
        stderr = command.stderr if last else b""
        exit_code = command.exit_code if last else None
        return 200, wsman.receive_reply(request, chunk, stderr, exit_code)
