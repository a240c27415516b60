"""Certificates for the twin's HTTPS endpoint: a throw-away CA and a loopback server cert.

Owns: ``make_certificates`` — a CA and a server certificate valid for ``localhost`` and
``127.0.0.1``, all in memory (``TwinCertificates``): the CA's PEM is what a client trusts
(the twin writes it for ``--ca-cert``; it is not secret), and ``server_context`` builds the
endpoint's TLS context. A separate CA keeps the chain the shape real deployments have, so
the client's ordinary certificate validation is what gets exercised.

Theory of operation: ``ssl.SSLContext.load_cert_chain`` reads files only, so the server key
passes through a ``SecretFile`` (a memory file on Linux) for the length of that one call;
afterwards it lives only inside the context. The CA's private key signs the server
certificate and is then dropped: nothing can issue another certificate from this CA.

Must not: write a private key to disk, or be used for anything but the loopback twin.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator.twin.memfile import SecretFile

__all__ = ["TwinCertificates", "make_certificates"]

_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_VALID_UNTIL = datetime(2099, 12, 31, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class TwinCertificates:
    """The generated chain in PEM form; ``repr`` hides the key."""

    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes = field(repr=False)

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context with the certificate and key loaded (nothing left on disk)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with SecretFile("twin-tls-chain.pem", self.key_pem + self.cert_pem) as chain:
            context.load_cert_chain(chain.path)
        return context


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates() -> TwinCertificates:
    """Generate a CA and a server certificate for loopback, in memory.

    The validity window is fixed (2000–2099) rather than read from a clock: these are
    throw-away loopback certificates, and the simulator never reads wall time.
    """
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
    return TwinCertificates(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
