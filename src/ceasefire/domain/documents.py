"""Status-neutral documents: a working group's decision or agreement drafted once, as neutral
text whose names are placeholders (`{org:mod-azerbaijan}`, `{place:stepanakert}`), and issued
as mirrored copies, one per recipient audience. Each copy renders the names its audience uses
and carries only the signatory blocks that audience accepts (the workaround used before: two
identical documents signed separately, since one side signs nothing the other's local
authorities sign).

What every copy shares is the substance: the neutral title and text, normalised. Its SHA-256
is printed on each copy and recorded in the log, so anyone can prove two copies say the same
thing: render the placeholders back and hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

from pydantic import Field, field_validator

from ceasefire.domain.incidents import Slug, Strict
from ceasefire.domain.naming import Language

PLACEHOLDER = re.compile(r"\{(org|place|party):([a-z0-9][a-z0-9-]*)\}")
"""A name in the neutral text: an organisation's, a place's or a party's, by id"""


class DocumentDraft(Strict):
    """A decision or agreement, as the secretary drafts it once."""

    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=50_000)
    language: Language = Field(description="The language it is written in")
    meeting: int | None = Field(default=None, ge=1, description="The meeting that adopted it")
    signatories: list[Slug] = Field(min_length=1, max_length=20, description="Organisations")
    copies: list[Slug] = Field(
        min_length=1, max_length=10, description="The audiences a copy is issued for"
    )

    @field_validator("copies", "signatories")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("each only once")
        return values


def substance(title: str, text: str) -> str:
    """The neutral title and text as every copy shares them: NFC, `\\n` line ends, no
    trailing spaces, one blank line between title and text."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    body = "\n".join(lines).strip("\n")
    return unicodedata.normalize("NFC", f"{title.strip()}\n\n{body}\n")


def substance_hash(title: str, text: str) -> str:
    """The SHA-256 (hex) printed on every copy and recorded in the log."""
    return hashlib.sha256(substance(title, text).encode("utf-8")).hexdigest()


def placeholders(text: str) -> list[tuple[str, str]]:
    """The (kind, id) of every name the neutral text holds, in order."""
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(text)]


def render(text: str, name: Callable[[str, str], str]) -> str:
    """The text with every placeholder replaced by `name(kind, id)`."""
    return PLACEHOLDER.sub(lambda m: name(m.group(1), m.group(2)), text)
