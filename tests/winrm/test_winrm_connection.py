"""Connection options: addresses, ports, secure defaults, and credentials that hide secrets."""

from __future__ import annotations

import pytest

from runner.errors import InputError
from runner.winrm.connection import (
    AuthMethod,
    ConnectionOptions,
    Credentials,
    parse_cluster_address,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hci01.contoso.local", ("hci01.contoso.local", None)),
        ("node1:5986", ("node1", 5986)),
        ("[fd00::10]:5985", ("fd00::10", 5985)),
        ("fd00::10", ("fd00::10", None)),
    ],
)
def test_cluster_address(text: str, expected: tuple[str, int | None]) -> None:
    """--cluster takes HOST, HOST:PORT and [IPv6]:PORT."""
    assert parse_cluster_address(text) == expected


@pytest.mark.parametrize("text", ["", "node1:0", "node1:99999", "user@node1", "node1:x"])
def test_bad_cluster_address_is_input_error(text: str) -> None:
    """Nonsense addresses are bad input (exit 2), not connection failures."""
    with pytest.raises(InputError):
        parse_cluster_address(text)


def test_https_with_validation_is_the_default() -> None:
    """HTTPS on 5986 with certificate validation unless HTTP is asked for explicitly."""
    options = ConnectionOptions(host="hci01.contoso.local")
    kwargs = options.protocol_kwargs("node1.contoso.local", Credentials(username="u", password="p"))
    assert kwargs["endpoint"] == "https://node1.contoso.local:5986/wsman"
    assert kwargs["server_cert_validation"] == "validate"
    assert kwargs["transport"] == "ntlm"
    insecure = ConnectionOptions(host="hci01", insecure_http=True)
    assert insecure.cluster_endpoint == "http://hci01:5985/wsman"


def test_nodes_are_reached_in_the_cluster_domain() -> None:
    """node1 of hci01.contoso.local is node1.contoso.local; the twin uses one endpoint."""
    assert ConnectionOptions(host="hci01.contoso.local").node_host("node1") == (
        "node1.contoso.local"
    )
    assert ConnectionOptions(host="10.0.0.5").node_host("node1") == "node1"
    single = ConnectionOptions(host="127.0.0.1", port=40000, single_endpoint=True)
    assert single.node_host("node1") == "127.0.0.1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"auth": AuthMethod.BASIC, "insecure_http": True},  # password in clear
        {"insecure_http": True, "ca_cert": "/tmp/ca.pem"},
        {"operation_timeout_s": 30, "read_timeout_s": 30},
    ],
)
def test_unsafe_or_inconsistent_options_are_refused(kwargs: dict[str, object]) -> None:
    """Basic over HTTP to a remote host, a CA with plain HTTP, bad timeouts: InputError."""
    with pytest.raises(InputError):
        ConnectionOptions(host="hci01.contoso.local", **kwargs)  # type: ignore[arg-type]


def test_basic_over_http_is_allowed_to_loopback_only() -> None:
    """The twin on 127.0.0.1 may use Basic over HTTP (nothing leaves the machine)."""
    assert ConnectionOptions(host="127.0.0.1", auth=AuthMethod.BASIC, insecure_http=True)


def test_credentials_never_show_the_password() -> None:
    """repr and str of credentials name the user only."""
    credentials = Credentials(username="CONTOSO\\admin", password="hunter2-long-secret")
    for text in (repr(credentials), str(credentials), f"{credentials}", repr([credentials])):
        assert "hunter2-long-secret" not in text
        assert "CONTOSO" in text
