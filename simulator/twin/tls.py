"""Certificates for the twin's HTTPS endpoint: a throw-away CA and a loopback server cert.

Owns: ``make_certificates`` — writes ``ca.pem`` (what a client passes as ``--ca-cert``),
``server.pem`` and ``server-key.pem`` (valid for ``localhost`` and ``127.0.0.1``)
into a directory. A separate CA keeps the chain the shape real deployments have, so the
client's ordinary certificate validation is what gets exercised.

Must not: be used for anything but the loopback twin (the keys are unprotected files).
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TwinCertificates", "make_certificates"]

_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_VALID_UNTIL = datetime(2099, 12, 31, tzinfo=UTC)


class TwinCertificates:
    """Paths of the generated files."""

    def __init__(self, directory: Path) -> None:
        self.ca = directory / "ca.pem"
        self.cert = directory / "server.pem"
        self.key = directory / "server-key.pem"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(directory: Path) -> TwinCertificates:
    """Generate a CA and a server certificate for loopback into ``directory``.

    The validity window is fixed (2000–2099) rather than read from a clock: these are
    throw-away loopback certificates, and the simulator never reads wall time.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = TwinCertificates(directory)
    start, end = _VALID_FROM, _VALID_UNTIL
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("pycau twin CA"))
        .issuer_name(_name("pycau twin CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths.key.chmod(0o600)
    return paths
