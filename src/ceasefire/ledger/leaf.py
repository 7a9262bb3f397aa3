"""Log entries: what a leaf of the log says about one version of one record.

A leaf is the RFC 8785 canonical JSON of
`{kind, id, version, at, author_org, content}`. When the record is not public,
`content` is replaced by `commitment`: the hex SHA-256 of a salt followed by
the canonical JSON of the content. The leaf then proves that the content
existed, unchanged, without showing it; whoever may read the record receives
the salt and recomputes the commitment. Inside the content, fields that only
some readers may see are committed to the same way (`protected`), so a reader
who may not see them can still check everything else.

Each leaf has one random secret, kept by the log; the salts are derived from
it per purpose (`derive`), so handing out one salt reveals nothing of another.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import rfc8785

SALT_BYTES = 32


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


def commitment(content: Any, salt: bytes) -> str:
    return hashlib.sha256(salt + canonical(content)).hexdigest()


def new_secret() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive(secret: bytes, purpose: str) -> bytes:
    """The salt for one purpose ("content", "protected") from a leaf's secret."""
    return hashlib.sha256(secret + b"\x00" + purpose.encode()).digest()


@dataclass(frozen=True)
class Entry:
    """One version of one record, as the log records it."""

    kind: str
    id: str
    version: int
    at: str
    """UTC time in ISO 8601 with offset."""
    author_org: str
    content: dict[str, Any]

    def leaf(self, salt: bytes | None) -> bytes:
        """The leaf bytes: content in clear when `salt` is None, else its commitment."""
        document: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "version": self.version,
            "at": self.at,
            "author_org": self.author_org,
        }
        if salt is None:
            document["content"] = self.content
        else:
            document["commitment"] = commitment(self.content, salt)
        return canonical(document)


@dataclass(frozen=True)
class LeafView:
    """A leaf's bytes read back: what anyone can see of an entry without its salt."""

    kind: str
    id: str
    version: int
    at: str
    author_org: str
    content: dict[str, Any] | None
    commitment: str | None


def read_leaf(data: bytes) -> LeafView:
    """Parse leaf bytes; raise ValueError if they are not a leaf this log writes."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the leaf is not JSON") from None
    if not isinstance(document, dict) or canonical(document) != data:
        raise ValueError("the leaf is not canonical JSON of an object")
    keys = set(document)
    if keys not in (
        {"kind", "id", "version", "at", "author_org", "content"},
        {"kind", "id", "version", "at", "author_org", "commitment"},
    ):
        raise ValueError(f"the leaf has unexpected fields: {sorted(keys)}")
    return LeafView(
        kind=str(document["kind"]),
        id=str(document["id"]),
        version=int(document["version"]),
        at=str(document["at"]),
        author_org=str(document["author_org"]),
        content=document.get("content"),
        commitment=document.get("commitment"),
    )
