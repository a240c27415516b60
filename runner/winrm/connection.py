"""How pycau reaches a cluster over WinRM: endpoints, TLS, authentication and credentials.

Owns: ``ConnectionOptions`` (``--cluster HOST[:PORT]``, HTTPS on 5986 with certificate
validation by default, ``--ca-cert``, explicit ``--insecure-http`` for 5985, the auth
method) and ``Credentials`` (whose ``repr`` never shows the password), and turning both into
the keyword arguments of ``winrm.protocol.Protocol`` for one endpoint.

Theory of operation: cluster-wide scripts (observe, suspend, resume, the run record) go to
the cluster endpoint — the cluster name follows the core cluster group when a node
restarts. Node-local work (Windows Update, restart, node facts) goes to the node itself:
``node1`` becomes ``node1.<domain of the cluster endpoint>``. ``single_endpoint`` sends
everything to the cluster endpoint (pycau's simulated twin, or a port-forwarding jump host).

Security: Basic sends the password in clear on every request, so it is refused over HTTP
except to a loopback address, and takes Latin-1 accounts only (``check_credentials``, before
any request); NTLM over HTTP is message-encrypted by pywinrm. Passwords come from the
environment, a prompt or a keyring (``runner.cli.remote``) — never from argv.

Must not: open connections (``runner.winrm.shell`` does) or read passwords from anywhere.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.util import find_spec
from typing import Any

from runner.errors import InputError

__all__ = [
    "DEFAULT_HTTPS_PORT",
    "DEFAULT_HTTP_PORT",
    "AuthMethod",
    "ConnectionOptions",
    "Credentials",
    "parse_cluster_address",
]

DEFAULT_HTTPS_PORT = 5986
DEFAULT_HTTP_PORT = 5985


class AuthMethod(StrEnum):
    """WinRM authentication: ntlm (default), kerberos, credssp, certificate, basic."""

    NTLM = "ntlm"
    KERBEROS = "kerberos"
    CREDSSP = "credssp"
    CERTIFICATE = "certificate"
    BASIC = "basic"


# Auth methods pywinrm can only use with an extra package installed.
_EXTRA_PACKAGE = {
    AuthMethod.KERBEROS: ("kerberos", "pywinrm[kerberos] (pykerberos)"),
    AuthMethod.CREDSSP: ("requests_credssp", "pywinrm[credssp]"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    """An account for WinRM; ``repr``/``str`` show the user only, never the password.

    For certificate authentication ``cert_pem``/``cert_key_pem`` name the client
    certificate files and ``password`` is unused.
    """

    username: str
    password: str = field(default="", repr=False)
    cert_pem: str | None = None
    cert_key_pem: str | None = None

    def __str__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***)"

    def __repr__(self) -> str:
        return str(self)


def parse_cluster_address(text: str) -> tuple[str, int | None]:
    """``HOST``, ``HOST:PORT`` or ``[IPv6]:PORT`` → (host, port or None)."""
    text = text.strip()
    if not text:
        raise InputError("--cluster", "", "names no host")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host or any(ch.isspace() or ch in "/\\@" for ch in host):
        raise InputError("--cluster", "", f"{text!r} is not a host name or address")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError("--cluster", "", f"port {port_text!r} is not between 1 and 65535")
    return host, int(port_text)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionOptions:
    """Where and how to connect. Validated on construction (``InputError`` on nonsense)."""

    host: str
    port: int | None = None
    insecure_http: bool = False
    ca_cert: str | None = None
    auth: AuthMethod = AuthMethod.NTLM
    single_endpoint: bool = False
    # Receive long-polls wait up to operation_timeout_s on the server; read_timeout_s must
    # exceed it (pywinrm insists on whole seconds).
    operation_timeout_s: int = 20
    read_timeout_s: int = 30

    def __post_init__(self) -> None:
        if self.insecure_http and self.ca_cert:
            raise InputError("--ca-cert", "", "makes no sense with --insecure-http")
        if self.auth is AuthMethod.BASIC and self.insecure_http and not _is_loopback(self.host):
            raise InputError(
                "--auth", "", "basic over plain HTTP would send the password in clear; use HTTPS"
            )
        if not 1 <= self.operation_timeout_s < self.read_timeout_s:
            raise InputError("timeouts", "", "read timeout must exceed the operation timeout")
        extra = _EXTRA_PACKAGE.get(self.auth)
        if extra is not None and find_spec(extra[0]) is None:
            raise InputError("--auth", "", f"{self.auth} needs {extra[1]} installed")

    @property
    def scheme(self) -> str:
        return "http" if self.insecure_http else "https"

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return DEFAULT_HTTP_PORT if self.insecure_http else DEFAULT_HTTPS_PORT

    def endpoint(self, host: str) -> str:
        """The WS-Management URL of ``host`` on this connection's scheme and port."""
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{self.effective_port}/wsman"

    @property
    def cluster_endpoint(self) -> str:
        return self.endpoint(self.host)

    def node_host(self, node: str) -> str:
        """The host name a node's own endpoint answers on."""
        if self.single_endpoint:
            return self.host
        if "." in node or _is_loopback(self.host) or not self._domain:
            return node
        return f"{node}.{self._domain}"

    @property
    def _domain(self) -> str:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return self.host.partition(".")[2]
        return ""

    def check_credentials(self, credentials: Credentials) -> None:
        """Refuse credentials this connection cannot carry (``InputError``; the message
        and its context never hold the password)."""
        if self.auth is not AuthMethod.BASIC:
            return
        try:
            f"{credentials.username}:{credentials.password}".encode("latin-1")
        except UnicodeEncodeError:
            # ``from None``: the UnicodeEncodeError holds the whole password in ``.object``.
            raise InputError(
                "--auth",
                "",
                "basic authentication carries only Latin-1 user names and passwords, and "
                "this account has other characters; use --auth ntlm (the default)",
            ) from None

    def protocol_kwargs(self, host: str, credentials: Credentials) -> dict[str, Any]:
        """Keyword arguments of ``winrm.protocol.Protocol`` for ``host``."""
        kwargs: dict[str, Any] = {
            "endpoint": self.endpoint(host),
            "transport": self.auth.value,
            "username": credentials.username,
            "password": credentials.password,
            "server_cert_validation": "validate",
            # None: requests' own CA bundle, never REQUESTS_CA_BUNDLE behind our back.
            "ca_trust_path": self.ca_cert,
            "read_timeout_sec": self.read_timeout_s,
            "operation_timeout_sec": self.operation_timeout_s,
            "message_encryption": "auto",
            # Environment proxies are not used for WinRM (and pywinrm warns about them).
            "proxy": None,
        }
        if self.auth is AuthMethod.CERTIFICATE:
            kwargs["cert_pem"] = credentials.cert_pem
            kwargs["cert_key_pem"] = credentials.cert_key_pem
        return kwargs
