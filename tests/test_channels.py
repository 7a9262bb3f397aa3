"""E-mail over STARTTLS through Apprise, against a real aiosmtpd server with its own
certificate: the cheap contexts the dispatcher gives Apprise's SMTP client still verify."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from apprise.plugins.email import smtp as apprise_smtp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ceasefire.delivery import channels
from ceasefire.services.notifications import Message

from .conftest import require
from .mail import free_port


def certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey | None,
) -> x509.Certificate:
    """A CA certificate (no issuer) or a server certificate for 127.0.0.1 signed by `issuer`."""
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


class Inbox:
    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode("utf-8", "replace")
        self.subjects += [line for line in text.splitlines() if line.startswith("Subject:")]
        return "250 OK"


@pytest.fixture
def tls_mail(tmp_path: Path) -> Iterator[tuple[str, Inbox, Path]]:
    """An SMTP server offering STARTTLS with a certificate from a CA of the test's own, the
    mailto:// URL that reaches it, and a hashed CA directory (`openssl rehash`) trusting it."""
    require(shutil.which("openssl") is not None, "the openssl command (Debian: openssl)")
    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = certificate("ceasefire test CA", ca_key, None, None)
    server = certificate("127.0.0.1", server_key, ca, ca_key)
    (tmp_path / "server.pem").write_bytes(pem(server))
    (tmp_path / "server.key").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    (trusted / "test-ca.pem").write_bytes(pem(ca))
    subprocess.run(["openssl", "rehash", str(trusted)], check=True, capture_output=True)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_context)
    controller.start()
    try:
        url = (
            f"mailto://127.0.0.1:{port}?from=desk@ceasefire.invalid"
            "&to=duty@ceasefire.invalid&mode=starttls"
        )
        yield url, inbox, trusted
    finally:
        controller.stop()


def message(subject: str) -> Message:
    return Message(str(uuid.uuid4()), subject, "A report needs your attention.")


def test_the_dispatcher_gives_apprise_lazy_trust_where_the_system_allows() -> None:
    """If this fails after an Apprise upgrade, its SMTP client has moved: every e-mail again
    parses the whole CA bundle (see LazyTrustSSL)."""
    directory = channels.lazy_trust_directory()
    require(directory is not None, "a hashed system CA directory (Debian: ca-certificates)")
    assert channels.use_lazy_trust() is True
    assert isinstance(apprise_smtp.ssl, channels.LazyTrustSSL)
    context = apprise_smtp.ssl.create_default_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_starttls_verifies_the_server_against_the_trusted_directory(
    tls_mail: tuple[str, Inbox, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, inbox, trusted = tls_mail
    channels.use_lazy_trust()
    monkeypatch.setattr(apprise_smtp, "ssl", channels.LazyTrustSSL(str(trusted)))
    assert channels.send([url], message("trusted")) is None
    assert inbox.subjects == ["Subject: trusted"]


def test_starttls_refuses_a_server_nobody_trusts_unless_the_url_says_verify_no(
    tls_mail: tuple[str, Inbox, Path],
) -> None:
    url, inbox, _ = tls_mail
    assert channels.send([url], message("refused")) is not None
    assert channels.send([url + "&verify=no"], message("unverified")) is None
    # the verify=no connection changed its own context only
    assert channels.send([url], message("refused again")) is not None
    assert inbox.subjects == ["Subject: unverified"]
