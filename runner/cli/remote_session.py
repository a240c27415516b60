"""Connecting the CLI to a cluster over WinRM: options, the password, and who answers.

Owns: the connection options every real-cluster command shares (``connection_options``),
where the password comes from — ``PYCAU_PASSWORD``, else the OS keyring (service
``pycau``, entry ``USER@CLUSTER``) when the ``keyring`` package is installed, else a hidden
prompt on a terminal; never argv — and ``connect``, which probes the cluster endpoint and
returns a ``Session``: the transport plus the clock the run must use. An endpoint that
says it is pycau's simulated twin gets one endpoint for all nodes and the endpoint's clock
(so the runner's waits advance the simulated world); a real cluster gets the system clock.

Must not: print the password, put it in an exception, or accept it as an option.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.cli.output import report_target_option
from runner.cli.render_options import rendering_options
from runner.errors import InputError
from runner.input_bounds import user_file_option
from runner.remote_protocol import TWIN_MARKER
from runner.transport import Clock
from runner.winrm.connection import AuthMethod, ConnectionOptions, Credentials
from runner.winrm.endpoint_clock import EndpointClock
from runner.winrm.transport import WinRMTransport

__all__ = ["PASSWORD_ENV", "USERNAME_ENV", "Session", "connect", "connection_options"]

PASSWORD_ENV = "PYCAU_PASSWORD"
USERNAME_ENV = "PYCAU_USERNAME"
KEYRING_SERVICE = "pycau"

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(command: F) -> F:
    """The ``--cluster``/TLS/auth options of every real-cluster command."""
    decorators = [
        click.option("--cluster", "cluster", required=True, metavar="HOST[:PORT]",
                     help="Any node or the cluster name (default port 5986, or 5985 with "
                          "--insecure-http)."),
        click.option("--insecure-http", is_flag=True,
                     help="Plain HTTP on 5985 (NTLM is still message-encrypted). Explicit "
                          "opt-in: HTTPS with certificate validation is the default."),
        click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     callback=user_file_option,
                     help="PEM file of the CA that issued the nodes' WinRM certificates."),
        click.option("--auth", type=click.Choice([a.value for a in AuthMethod]), default="ntlm",
                     show_default=True, help="WinRM authentication."),
        click.option("--username", envvar=USERNAME_ENV, metavar="USER",
                     help=f"Account, e.g. CONTOSO\\admin (or ${USERNAME_ENV}). The password "
                          f"comes from ${PASSWORD_ENV}, the OS keyring or a prompt."),
        click.option("--cert-pem", type=click.Path(exists=True, dir_okay=False),
                     callback=user_file_option,
                     help="Client certificate (PEM) for --auth certificate."),
        click.option("--cert-key-pem", type=click.Path(exists=True, dir_okay=False),
                     callback=user_file_option,
                     help="Key of the client certificate for --auth certificate."),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def run_options(command: F) -> F:
    """``--yes``, ``--report``, ``--html``/``--junit``/``--markdown`` and ``--quiet``, shared
    by ``pycau run`` and ``pycau resume``."""
    decorators = [
        click.option("--yes", is_flag=True, help="Do not ask for confirmation."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
                     callback=report_target_option, help="Write the JSON report to this file."),
        rendering_options,
        click.option("--quiet", "-q", is_flag=True,
                     help="No live progress and no summary tables; the verdict line is "
                          "still printed."),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _password(username: str, cluster: str) -> str:
    """Read once per command (``connect``): the transport keeps the answer in memory only and
    re-authenticates with it when a session expires mid-run, so nobody is asked twice."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    try:
        keyring: Any = importlib.import_module("keyring")  # optional: pip install keyring
    except ImportError:
        keyring = None
    if keyring is not None:
        stored = keyring.get_password(KEYRING_SERVICE, f"{username}@{cluster}")
        if stored:
            return str(stored)
    if sys.stdin is not None and sys.stdin.isatty():
        answer: Any = click.prompt(f"Password for {username}", hide_input=True)
        return str(answer)
    raise InputError(
        PASSWORD_ENV,
        "",
        f"no password: set ${PASSWORD_ENV}, store it in the OS keyring "
        f"(service {KEYRING_SERVICE!r}, entry '{username}@{cluster}') or run on a terminal",
    )


def credentials_from(params: Mapping[str, Any]) -> Credentials:
    """The account of the connection options in ``params`` (password not from argv)."""
    auth = AuthMethod(params["auth"])
    if auth is AuthMethod.CERTIFICATE:
        if not (params.get("cert_pem") and params.get("cert_key_pem")):
            raise InputError("--auth certificate", "", "needs --cert-pem and --cert-key-pem")
        return Credentials(
            username=params.get("username") or "",
            cert_pem=params["cert_pem"],
            cert_key_pem=params["cert_key_pem"],
        )
    username = params.get("username")
    if not username:
        raise InputError("--username", "", f"names no account (or set ${USERNAME_ENV})")
    return Credentials(username=username, password=_password(username, params["cluster"]))


@dataclass(slots=True)
class Session:
    """A connected transport and the clock a run against it must use."""

    transport: WinRMTransport
    clock: Clock
    probe: Mapping[str, Any]
    abandoned: bool = False  # the operator abandoned the run: leave without closing shells

    @property
    def world(self) -> str:
        """What the run drives, for the live header: "twin" or "real"."""
        return "twin" if self.twin is not None else "real"

    @property
    def twin(self) -> Mapping[str, Any] | None:
        """The twin's self-description when the endpoint is pycau's simulated twin."""
        marker = self.probe.get(TWIN_MARKER)
        return marker if isinstance(marker, Mapping) else None


def connect(params: Mapping[str, Any], *, vm_memory: bool = False) -> Session:
    """Probe the cluster endpoint and return the session (raises ``RunnerError``)."""
    from runner.winrm.connection import parse_cluster_address

    host, port = parse_cluster_address(params["cluster"])
    options = ConnectionOptions(
        host=host,
        port=port,
        insecure_http=bool(params["insecure_http"]),
        ca_cert=str(params["ca_cert"]) if params.get("ca_cert") else None,
        auth=AuthMethod(params["auth"]),
    )
    credentials = credentials_from(params)
    transport = WinRMTransport(options, credentials, vm_memory=vm_memory)
    probe = transport.probe()
    if not isinstance(probe.get(TWIN_MARKER), Mapping):
        return Session(transport=transport, clock=transport.clock, probe=probe)
    # The twin serves every node on its one endpoint and owns the (simulated) clock.
    transport.close()
    transport = WinRMTransport(replace(options, single_endpoint=True), credentials)
    return Session(transport=transport, clock=EndpointClock(transport), probe=probe)
