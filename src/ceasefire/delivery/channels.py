"""Outbound channels through Apprise: e-mail, JSON webhooks, Telegram, Matrix, SMS gateways —
whatever Apprise URL a contact point has. Every message carries its idempotency key as a
header where the channel has headers (`X-Ceasefire-Idempotency-Key`) and in its text."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import ssl
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import apprise
from apprise.plugins.email import smtp as apprise_smtp

from ceasefire.services.notifications import Message

HEADER = "X-Ceasefire-Idempotency-Key"
WITH_HEADERS = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"})


def with_key(url: str, key: str) -> str:
    """The URL with the idempotency key as an extra header, for schemes that send headers."""
    if urlsplit(url).scheme.lower() not in WITH_HEADERS:
        return url
    return f"{url}{'&' if '?' in url else '?'}+{HEADER}={key}"


def scheme_of(url: str) -> str:
    """A channel as it may be shown or logged: its scheme only (URLs carry secrets)."""
    return urlsplit(url).scheme.lower() or "?"


PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)
HASH_LINK = re.compile(r"[0-9a-f]{8}\.[0-9]+")


def directory_certificates(directory: Path) -> set[bytes]:
    """The certificates (DER) behind a hashed CA directory's `<hash>.<n>` entries."""
    found: set[bytes] = set()
    for entry in directory.iterdir():
        if HASH_LINK.fullmatch(entry.name):
            with contextlib.suppress(OSError, ValueError):
                for pem in PEM_CERTIFICATE.findall(entry.read_text("ascii")):
                    found.add(ssl.PEM_cert_to_DER_cert(pem))
    return found


def lazy_trust_directory() -> str | None:
    """The CA directory OpenSSL would use, if it holds every certificate of the CA file a
    default context loads (so trusting the directory alone trusts exactly the same); else None."""
    directory = ssl.get_default_verify_paths().capath
    if directory is None or not Path(directory).is_dir():
        return None
    loaded = set(ssl.create_default_context().get_ca_certs(binary_form=True))
    return directory if loaded <= directory_certificates(Path(directory)) else None


class LazyTrustSSL:
    """The `ssl` module as Apprise's SMTP client sees it, with one difference.

    That client creates a default SSL context for every connection, which makes OpenSSL 3
    parse the whole CA bundle each time (30-50 ms of CPU, ten times the rest of a delivery on
    loopback; see docs/benchmarks.md). Here a default context trusts the system CA directory
    instead, which holds the same certificates, and OpenSSL reads a certificate from it only
    when a handshake needs it. Certificates are still verified (chain and hostname) unless the
    contact point's URL says `verify=no`; each connection still gets a context of its own, so
    that setting never reaches another connection."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)

    def create_default_context(
        self,
        purpose: ssl.Purpose = ssl.Purpose.SERVER_AUTH,
        *,
        cafile: str | None = None,
        capath: str | None = None,
        cadata: str | bytes | None = None,
    ) -> ssl.SSLContext:
        if cafile is None and capath is None and cadata is None:
            capath = self.directory
        return ssl.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)


@functools.cache
def use_lazy_trust() -> bool:
    """Give Apprise's SMTP client cheap default contexts, where the system allows it (once)."""
    directory = lazy_trust_directory()
    if directory is not None:
        apprise_smtp.ssl = LazyTrustSSL(directory)  # type: ignore[attr-defined,assignment]
    return directory is not None


senders = threading.local()


def sender() -> apprise.Apprise:
    """This thread's Apprise instance, emptied (building one reads Apprise's translations).
    It sends in the calling thread: the dispatcher already sends from several threads, and
    Apprise would otherwise start a thread pool for every message."""
    instance: apprise.Apprise | None = getattr(senders, "apprise", None)
    if instance is None:
        instance = senders.apprise = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    instance.clear()
    return instance


def send(urls: list[str], message: Message) -> str | None:
    """Deliver to every channel; None when at least one took it, else what went wrong."""
    use_lazy_trust()
    errors = []
    for url in urls:
        channel = sender()
        if not channel.add(with_key(url, message.idempotency_key)):
            errors.append(f"{scheme_of(url)}: not a usable channel URL")
            continue
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            delivered = channel.notify(
                title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT
            )
        if delivered:
            return None
        detail = " ".join(str(captured.getvalue()).split())[:300]
        errors.append(f"{scheme_of(url)}: {detail or 'refused'}")
    return "; ".join(errors) or "no channel"


class Redact(logging.Filter):
    """Takes a resident's address out of every log record it passes (the record's text is
    made first, then the address replaced, in every form a channel may have written it)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.forms = address_forms(address)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for form in self.forms:
            text = text.replace(form, "[address]")
        record.msg, record.args = text, ()
        return True


def address_forms(address: str) -> list[str]:
    """An address as it may appear in a URL, a payload or a log: as given, quoted, digits."""
    forms = {address, quote(address, safe="@"), quote(address, safe=""), quote_plus(address)}
    if "@" not in address:
        digits = "".join(c for c in address if c.isdigit())
        forms.update({digits, "+" + digits, address.replace(" ", "")})
    return sorted((f for f in forms if len(f) >= 5), key=len, reverse=True)


def send_to_resident(template: str, address: str, message: Message) -> str | None:
    """Deliver news to a resident: `template` is the desk's Apprise URL for their channel with
    `{to}` for the address. The address is in no log line and in no error returned."""
    url = template.replace("{to}", quote(address, safe="@"))
    redact = Redact(address)
    logger = logging.getLogger("apprise")
    logger.addFilter(redact)
    try:
        error = send([url], message)
    finally:
        logger.removeFilter(redact)
    if error is None:
        return None
    for form in redact.forms:
        error = error.replace(form, "[address]")
    return error
