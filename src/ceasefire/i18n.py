"""Translations of the interface (pages and CLI) into English, Russian, Armenian and Azerbaijani.

Catalogues are gettext `.po` files under `locale/`, compiled in memory when
first used, so there is no build step. English is the source language.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from ceasefire.domain.naming import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "hy": "Հայերեն", "az": "Azərbaycanca"}


@cache
def translations(lang: str) -> NullTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang not in LANGUAGES or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it here; it is translated where
    it is shown."""
    return message


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def best_language(accept_language: str | None, default: str = "en") -> str:
    """The first of our languages named in an Accept-Language header."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


def distance(lang: str, metres: float) -> str:
    """A distance for people: metres below a kilometre, else kilometres to one decimal."""
    _ = translations(lang).gettext
    if metres < 1000:
        return _("{value} m").format(value=f"{metres:.0f}")
    return _("{value} km").format(value=f"{metres / 1000:.1f}")
