"""Status-neutral naming: how a place or organisation is called for a given reader.

A name carries a language and a *usage* (which community uses it). An audience
lists the usages it shows; the neutral audience shows both sides' names joined
("Stepanakert / Khankendi"), a party's audience shows only its own. A name
tagged with the audience's own id (for example a neutral designation of an
organisation) wins outright.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "ru", "hy", "az"]
LANGUAGES: tuple[Language, ...] = ("en", "ru", "hy", "az")
COMMON_USAGE = "common"


class Name(BaseModel):
    """One name of a place or organisation, in one language, used by one community."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=200)
    lang: Language
    usage: str = Field(default=COMMON_USAGE, min_length=1, max_length=40)


class Audience(BaseModel):
    """A readership with its naming preference (which usages it shows, in order)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    label: dict[Language, str]
    shows: list[str] = Field(min_length=1)
    separator: str = " / "
    omits_signatures_of: list[str] = Field(
        default_factory=list,
        description="Parties whose organisations' signatory blocks its copy of a document omits",
    )


def render_name(names: Sequence[Name], audience: Audience, lang: str) -> str:
    """Return the name a reader of `audience` reading in `lang` should see."""
    own = _pick(names, audience.id, lang)
    if own is not None:
        return own
    shown: list[str] = []
    for usage in audience.shows:
        text = _pick(names, usage, lang)
        if text is not None and text not in shown:
            shown.append(text)
    if shown:
        return audience.separator.join(shown)
    common = _pick(names, COMMON_USAGE, lang)
    if common is not None:
        return common
    return names[0].text if names else ""


def _pick(names: Sequence[Name], usage: str, lang: str) -> str | None:
    """The name of this usage in the reader's language, else in English, else any."""
    candidates = [n for n in names if n.usage == usage]
    if not candidates:
        return None
    for wanted in (lang, "en"):
        for name in candidates:
            if name.lang == wanted:
                return name.text
    return candidates[0].text


def in_language(texts: Mapping[Any, str], lang: str, fallback: str = "") -> str:
    """A text from a per-language mapping: the reader's language, else English, else any."""
    for wanted in (lang, "en"):
        if wanted in texts:
            return texts[wanted]
    return next(iter(texts.values()), fallback)
