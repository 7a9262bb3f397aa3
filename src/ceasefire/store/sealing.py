"""Personal data sealed at rest: residents' names, phone numbers and home locations are
stored encrypted (AES-256-GCM), with keys kept in a file outside the database.

A sealed value is `s1.<key id>.<base64 of nonce and ciphertext>`. Each is bound to where it
is stored (its *context*, e.g. `case:<id>:phone`) as associated data, so a value copied into
another row or field does not open. The key file holds one key a line (`<id> <base64>`):
values are sealed with the last and opened with the one they name, so a key can be added
(rotation) while old values stay readable. `index` gives a keyed hash for finding equal
values (the same phone number filed twice) without storing them in clear; it is derived from
the file's first key, which rotation keeps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "s1"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class SealingError(Exception):
    """The key file is missing or damaged, or a sealed value does not open."""


class Sealer:
    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise SealingError("no key to seal with")
        self._keys = dict(keys)
        self._current = keys[-1][0]
        self._index_key = hmac.new(keys[0][1], b"ceasefire index", hashlib.sha256).digest()

    @classmethod
    def from_file(cls, path: Path) -> Sealer:
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            raise SealingError(f"no key file at {path}: run `ceasefire init`") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SealingError(f"{path}: cannot be read: {exc}") from None
        keys = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                key_id, encoded = line.split()
                key = base64.b64decode(encoded, validate=True)
            except (ValueError, TypeError):
                raise SealingError(f"{path}:{number}: not `<id> <base64 key>`") from None
            if not KEY_ID.match(key_id) or len(key) != 32:
                raise SealingError(f"{path}:{number}: a key id and a 32-byte key are expected")
            keys.append((key_id, key))
        return cls(keys)

    def seal(self, value: str, context: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._keys[self._current]).encrypt(nonce, value.encode(), context.encode())
        return f"{PREFIX}.{self._current}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, context: str) -> str:
        try:
            prefix, key_id, encoded = token.split(".")
            raw = base64.urlsafe_b64decode(encoded)
            key = self._keys[key_id]
        except (ValueError, KeyError):
            raise SealingError("not a sealed value of this deployment") from None
        if prefix != PREFIX or len(raw) < 13:
            raise SealingError("not a sealed value of this deployment")
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag:
            raise SealingError("the sealed value does not open here (altered or moved)") from None

    def index(self, value: str, purpose: str) -> str:
        """A keyed hash of a value (normalised by the caller), to find equal ones."""
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def create_key_file(path: Path) -> None:
    """Write a new key file (readable by its owner only); refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(_line())


def add_key(path: Path) -> str:
    """Append a new key (rotation): new values are sealed with it; returns its id."""
    Sealer.from_file(path)  # the file must be sound before it grows
    line = _line()
    with path.open("a", encoding="ascii") as handle:
        handle.write(line)
    return line.split()[0]


def _line() -> str:
    key_id = secrets.token_hex(4)
    return f"{key_id} {base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}\n"
