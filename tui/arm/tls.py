"""The endpoint's self-signed certificate: made on first use beside the database (key 0600), kept
while it is valid and names the host; clients trust it with `connection_verify=<cert>`."""

from __future__ import annotations

import ipaddress
import os
import ssl
from datetime import timedelta
from pathlib import Path

from store.clock import wall_now

VALID_DAYS = 397
"""How long a certificate lasts (the longest public TLS certificates may)."""
NAMES = ("localhost", "127.0.0.1", "::1")


def paths(db_path: Path) -> tuple[Path, Path]:
    """(certificate, key) beside the database."""
    return db_path.with_name(db_path.name + ".arm-cert.pem"), db_path.with_name(
        db_path.name + ".arm-key.pem"
    )


def _names(host: str) -> list[str]:
    wildcard = host in ("0.0.0.0", "::", "")
    return list(NAMES) + ([] if wildcard or host in NAMES else [host])


def _alt_names(names: list[str]):
    from cryptography import x509

    out = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _usable(cert_path: Path, key_path: Path, names: list[str]) -> bool:
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    if not key_path.is_file() or cert.not_valid_after_utc - wall_now() < timedelta(days=1):
        return False
    return all(n in san for n in _alt_names(names))


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by the owner only (0600 from its creation), replacing `path` whole."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _make(cert_path: Path, key_path: Path, names: list[str]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "asr-console arm serve"),
        ]
    )
    now = wall_now()
    usage = x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=True,
        crl_sign=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alt_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def server_context(db_path: Path, host: str) -> tuple[ssl.SSLContext, Path]:
    """The server's TLS context, and the certificate clients should trust (made when missing,
    expiring or not naming `host`)."""
    cert_path, key_path = paths(db_path)
    names = _names(host)
    if not _usable(cert_path, key_path, names):
        _make(cert_path, key_path, names)
    os.chmod(key_path, 0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path
