"""A loopback WS-Management endpoint: the remote-shell protocol pywinrm speaks, over HTTP(S).

Owns: ``WsmanEndpoint`` — a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (port 0 by
default) with HTTP/1.1 keep-alive and ``TCP_NODELAY``, Basic and NTLM authentication
(NTLM with message encryption, ``simulator.twin.auth``), optional TLS from certificates held
in memory (``simulator.twin.tls``), and the faults at
the wire that are about HTTP itself: a non-XML HTTP 500, a 401, a delay (the client's read
timeout fires), a connection dropped without an answer — and, with ``session_expiry``, the
periodic end of every session (``simulator.twin.expiry``): the next request on an
NTLM-authenticated connection gets 401, and idle shells are gone.

Theory of operation: shells, commands and the long-poll are ``simulator.twin.shells``';
what a command means is the ``Answerer``'s (``simulator.twin.answers`` answers pycau's
scripts from a simulated cluster; tests pass small fakes). ``stop`` cuts open connections
too, so a stopped endpoint behaves like a restarting node: connections are refused; it also
withdraws the endpoint's NTLM account, and is safe on an endpoint that never started.

Must not: bind anything but a loopback address; log request bodies or credentials.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from simulator.twin import wsman
from simulator.twin.auth import (
    NTLM_ACCOUNTS,
    Account,
    NtlmAcceptor,
    SealBroken,
    basic_ok,
    unwrap_request,
    wrap_reply,
)
from simulator.twin.expiry import SessionExpiry
from simulator.twin.shells import Answerer, DropConnection, FaultKind, ShellHost, WireFault

if TYPE_CHECKING:
    from simulator.twin.tls import TwinCertificates

__all__ = ["WsmanEndpoint"]

_SOAP = "application/soap+xml;charset=UTF-8"


class WsmanEndpoint:
    """The endpoint; use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self,
        answer: Answerer,
        *,
        account: Account,
        auth: tuple[str, ...] = ("basic", "ntlm"),
        port: int = 0,
        tls: TwinCertificates | None = None,
        max_receive_wait_s: float = 5.0,
        chunk_size: int = 64 * 1024,
        machine: str = "PYCAU-TWIN",
        session_expiry: SessionExpiry | None = None,
    ) -> None:
        self.account = account
        self.auth = auth
        self.expiry = session_expiry
        self._stopping = threading.Event()
        self.host = ShellHost(
            answer,
            machine=machine,
            address=lambda: self.url,
            max_receive_wait_s=max_receive_wait_s,
            chunk_size=chunk_size,
            stopping=self._stopping,
        )
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._ntlm_registered = False
        self._thread: threading.Thread | None = None
        context = None if tls is None else tls.server_context()
        self._server = _Server(("127.0.0.1", port), _handler_for(self), context)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self._server.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}/wsman"

    def start(self) -> WsmanEndpoint:
        if "ntlm" in self.auth:
            NTLM_ACCOUNTS.add(self.account)
            self._ntlm_registered = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection (clients then see refusals)."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()  # waits for serve_forever: only when it was started
        self._server.server_close()
        with self._lock:
            for sock in list(self._connections):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._ntlm_registered:
            NTLM_ACCOUNTS.remove(self.account)
            self._ntlm_registered = False

    def __enter__(self) -> WsmanEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def actions(self) -> list[str]:
        """Every request's action so far, in order."""
        return self.host.actions

    @property
    def options(self) -> dict[str, dict[str, str]]:
        """The WS-Management options (WINRS_CODEPAGE, …) last sent with each action."""
        return self.host.options

    def inject(self, *faults: WireFault) -> None:
        """Queue faults; each hits the next matching request once."""
        self.host.inject(*faults)

    # -- connections ----------------------------------------------------------------------
    def opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.add(sock)

    def closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.discard(sock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.ssl_context = ssl_context
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # The handshake runs in the connection's thread, never in the accept loop.
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away (read timeout, TLS refusal, dropped test) is normal."""


def _handler_for(endpoint: WsmanEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.endpoint = endpoint
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: 181 ms → 11 ms per command on loopback
    endpoint: WsmanEndpoint

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.ntlm: NtlmAcceptor | None = None
        self.ntlm_generation: int | None = None  # the expiry generation it authenticated in
        self.break_seal = False  # this request's reply goes out with a broken seal
        self.endpoint.opened(self.connection)

    def finish(self) -> None:
        self.endpoint.closed(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the endpoint keeps ``actions`` instead of an access log."""

    def _send(self, status: int, body: bytes, content_type: str = _SOAP, **headers: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _challenge(self, token: bytes | None = None) -> None:
        offers = []
        if "ntlm" in self.endpoint.auth:
            offers.append("Negotiate" + (f" {base64.b64encode(token).decode()}" if token else ""))
        if "basic" in self.endpoint.auth and token is None:
            offers.append('Basic realm="WSMAN"')
        self._send(401, b"", "text/plain", WWW_Authenticate=", ".join(offers))

    def _authenticated(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme = header.partition(" ")[0].lower()
        if scheme == "basic" and "basic" in self.endpoint.auth:
            if basic_ok(header, self.endpoint.account):
                return True
            self._send(401, b"", "text/plain")
            return False
        if scheme in ("negotiate", "ntlm") and "ntlm" in self.endpoint.auth:
            if self.ntlm is None or self.ntlm.complete:
                self.ntlm = NtlmAcceptor()  # a new handshake on this connection
            try:
                token = base64.b64decode(header.partition(" ")[2], validate=True)
                reply = self.ntlm.step(token)
            except (binascii.Error, Exception):
                self.ntlm = None
                self._send(401, b"", "text/plain")  # refused: no new challenge
                return False
            if not self.ntlm.complete:
                self._challenge(reply)
                return False
            expiry = self.endpoint.expiry
            self.ntlm_generation = expiry.generation if expiry is not None else 0
            return True
        if not header and self.ntlm is not None and self.ntlm.complete:
            return True  # NTLM authenticates the connection, not each request
        self._challenge()
        return False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._authenticated():
            return
        encrypted = self.headers.get("Content-Type", "").startswith("multipart/encrypted")
        try:
            if encrypted:
                if self.ntlm is None:
                    raise ValueError("encrypted message without an NTLM context")
                body = unwrap_request(body, self.ntlm)
            if not body:
                self._send(200, b"")  # pywinrm's empty POST that sets up encryption
                return
            request = wsman.parse_request(body)
        except SealBroken:
            # Sealed by a context that is gone (requests-ntlm re-authenticates the connection
            # after an expiry's 401 and replays the old sealed body): refused, no challenge.
            self._send(401, b"", "text/plain")
            return
        except ValueError:
            self._send(400, b"Bad Request", "text/plain")
            return
        if self._session_expired(request):
            return
        self.break_seal = False
        try:
            status, reply = self._apply_fault(request) or self.endpoint.host.dispatch(request)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if status == 401:
            self._send(401, b"", "text/plain")
        elif status == 500 and not reply.startswith(b"<s:Envelope"):
            self._send(500, reply, "text/html")
        elif encrypted and self.ntlm is not None:
            sealed, content_type = wrap_reply(reply, self.ntlm, break_signature=self.break_seal)
            self._send(status, sealed, content_type)
        else:
            self._send(status, reply)

    def _session_expired(self, request: wsman.WsmanRequest) -> bool:
        """Apply the endpoint's session expiry; True when this request was refused (401 with
        a new challenge) because its connection authenticated before the latest expiry.

        An expiry falls due only at the start of an exchange (Create, Command), so no answer
        a command already produced is lost; it ends the idle shells at once and each NTLM
        connection at its next request (Basic carries credentials on every request)."""
        expiry = self.endpoint.expiry
        if expiry is None:
            return False
        if request.action in ("Create", "Command") and expiry.due():
            expiry.count_shells(self.endpoint.host.end_idle_shells())
        stale = self.ntlm_generation is not None and self.ntlm_generation < expiry.generation
        if not stale:
            return False
        self.ntlm, self.ntlm_generation = None, None
        expiry.count_refused()
        self._challenge()
        return True

    def _apply_fault(self, request: wsman.WsmanRequest) -> tuple[int, bytes] | None:
        host = self.endpoint.host
        fault = host.take_fault(request.action)
        if fault is None:
            return None
        host.actions.append(request.action)
        if fault.kind is FaultKind.SOAP_FAULT:
            return 500, wsman.fault_reply(request, fault.code, host.machine)
        if fault.kind is FaultKind.HTTP_500:
            return 500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"
        if fault.kind is FaultKind.UNAUTHORIZED:
            return 401, b""
        if fault.kind is FaultKind.DROP:
            raise DropConnection
        if fault.kind is FaultKind.BAD_SEAL:  # answered (and logged) normally, its seal broken
            host.actions.pop()
            self.break_seal = True
            return None
        host.actions.pop()  # a delayed request is still answered (and logged) normally
        host.wait(fault.seconds)
        return None
