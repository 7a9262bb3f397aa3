"""Checking that an inbound message came from the deployment's gateway: the SMS gateway
signs each request with a shared secret, in one of two ways, and the Telegram Bot API sends
the secret token the bot's webhook was registered with.

- `twilio`: form-encoded requests; `X-Twilio-Signature` is the Base64 HMAC-SHA1 of the full
  URL followed by every POST parameter's name and value, sorted by name.
- `hmac`: any body (JSON or form-encoded); `X-Signature: sha256=<hex>` is the HMAC-SHA256 of
  the raw body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def twilio_signature(secret: str, url: str, params: Mapping[str, str]) -> str:
    signed = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(secret.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def body_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same(expected: str, given: str) -> bool:
    """Compared in constant time."""
    return hmac.compare_digest(expected.encode(), given.encode())
