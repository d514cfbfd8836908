"""The emulator's own CA and a server certificate for loopback, made with ``cryptography``.

kubectl only sends credentials over TLS, so the emulator always serves HTTPS and writes its CA into
every kubeconfig it produces. Keys are EC P-256: fast to generate at every start.

The real-host proxy (``emulator/realhosts/``) also needs a certificate for each Google host it
terminates (``issue``), signed by the same CA. The CA's key for that stays in memory, in the
material ``generate`` returns: it is never written, so a CA clients trust cannot outlive its server.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = timedelta(days=365)


@dataclass(frozen=True)
class TlsMaterial:
    ca_pem: bytes
    cert_pem: bytes  # server certificate followed by the CA, as a chain
    key_pem: bytes
    # The CA's private key, for ``issue``; empty in material read back from files.
    ca_key_pem: bytes = field(default=b"", repr=False)

    def write(self, directory: Path) -> tuple[Path, Path, Path]:
        """Write ca.pem, server.pem and server-key.pem (0600) into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        ca, cert, key = directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"
        ca.write_bytes(self.ca_pem)
        cert.write_bytes(self.cert_pem)
        key.touch(mode=0o600)
        key.chmod(0o600)
        key.write_bytes(self.key_pem)
        return ca, cert, key


def reuse_or_generate(directory: Path, hosts: tuple[str, ...]) -> TlsMaterial:
    """The material written in ``directory`` earlier, or new material (written there). A server
    that restarts keeps its CA, so the kubeconfigs handed out before stay valid."""
    files = [directory / n for n in ("ca.pem", "server.pem", "server-key.pem")]
    if all(f.is_file() for f in files):
        ca, cert, key = (f.read_bytes() for f in files)
        material = TlsMaterial(ca, cert, key)
        if _still_valid(material, hosts):
            return material
    material = generate(hosts)
    material.write(directory)
    return material


def _still_valid(material: TlsMaterial, hosts: tuple[str, ...]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(material.cert_pem)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    covered = {str(n) for n in names.get_values_for_type(x509.IPAddress)} | set(
        names.get_values_for_type(x509.DNSName))
    return set(hosts) <= covered and cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=1)


def generate(hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")) -> TlsMaterial:
    now = datetime.now(UTC) - timedelta(minutes=5)  # tolerate small clock skew of clients
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key, "connect-gateway-emulator CA", now)
    server_cert, server_key = _leaf(ca_cert, ca_key, hosts, now)
    pem = serialization.Encoding.PEM
    return TlsMaterial(
        ca_pem=ca_cert.public_bytes(pem),
        cert_pem=server_cert.public_bytes(pem) + ca_cert.public_bytes(pem),
        key_pem=_key_pem(server_key),
        ca_key_pem=_key_pem(ca_key),
    )


def certificate_authority(common_name: str) -> bytes:
    """A new CA's certificate alone (PEM), its key thrown away: a cluster's CA that nothing the
    emulator serves is signed by (an embedded cluster has no address of its own)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    key = ec.generate_private_key(ec.SECP256R1())
    return _ca_certificate(key, common_name, now).public_bytes(serialization.Encoding.PEM)


def _ca_certificate(ca_key: ec.EllipticCurvePrivateKey, common_name: str,
                    now: datetime) -> x509.Certificate:
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def issue(material: TlsMaterial, host: str) -> tuple[bytes, bytes]:
    """A server certificate for exactly ``host`` signed by the material's CA: (chain PEM, key
    PEM). Only material from ``generate`` holds the CA key this needs."""
    if not material.ca_key_pem:
        raise ValueError("this TLS material has no CA key to sign with")
    ca_cert = x509.load_pem_x509_certificate(material.ca_pem)
    ca_key = serialization.load_pem_private_key(material.ca_key_pem, password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    cert, key = _leaf(ca_cert, ca_key, (host,), datetime.now(UTC) - timedelta(minutes=5))
    pem = serialization.Encoding.PEM
    return cert.public_bytes(pem) + material.ca_pem, _key_pem(key)


def _leaf(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hosts: tuple[str, ...],
          now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return server_cert, server_key


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)
