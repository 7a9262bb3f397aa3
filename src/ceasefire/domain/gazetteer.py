"""Finding a place by any of its names: in any script, in any side's usage, with typos.

A name is *folded* to a search key: transliterated to Latin letters (AnyAscii), then each
sound that romanisations spell differently is written one way, with one letter (Azerbaijani
`x`, Russian and Armenian `kh`: `x`; `dzh`, Armenian `j` and Azerbaijani `c`: `j`; `sh`
and `ş`: `$`; `ğ`, `gh` and `q`: `g`; `y` and `i`: `i`), a doubled letter (not a digit) is
written once, and everything but letters and digits is dropped. "Khankendi", "Xankəndi",
"Ханкенди" and "Խանքենդի" fold to the same key, and so do "Stepanakert", "Степанакерт" and
"Ստեփանակերտ".
One letter mistyped in any script stays about one letter off in the key.

A query is folded the same way and compared with every key (and, spelled as AnyAscii writes
it, with every name spelled so: a typo inside `sh` is one edit off there, two in the key):
an equal key is the best match,
then a key within a small edit distance (one edit for short names, one per four letters for
longer ones; two letters swapped count as one edit), then a key the query begins or is part
of (three letters or more: typing in progress, or one word of a longer name), and last, as
guesses, keys two edits away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, KeysView
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ceasefire.domain.scenario import Place

FAR = 2
"""edits at which a key is still offered as a guess, below every closer match (a letter
mistyped inside `sh` or `kh` is two edits off in the key)"""
MIN_PREFIX = 3
"""letters a query needs before it is taken as the start or part of a longer name"""

_ARMENIAN_U = re.compile("ու|Ու|ՈՒ")
_AZERBAIJANI_LETTERS = frozenset("əƏıİşŞçÇğĞöÖüÜ")
_AZERBAIJANI = str.maketrans(
    {"c": "j", "C": "J", "ç": "ch", "Ç": "Ch", "ş": "sh", "Ş": "Sh", "ı": "i", "İ": "I"}
)
_CONVENTIONS = (
    ("'", ""),
    ("shch", "$"),
    ("dzh", "j"),
    ("sh", "$"),
    ("zh", "j"),
    ("kh", "x"),
    ("ch", "c"),
    ("ts", "c"),
    ("gh", "g"),
    ("q", "g"),
    ("y", "i"),
)
_DOUBLED = re.compile(r"([a-z$])\1+")
_NOT_KEY = re.compile(r"[^a-z0-9$]+")


def fold(text: str) -> str:
    """The search key of a name or a query (see the module docstring)."""
    text = _ARMENIAN_U.sub("u", text)  # one letter in Armenian, two in transliteration
    if _AZERBAIJANI_LETTERS.intersection(text):  # Azerbaijani Latin: c is "j", ç "ch"
        text = text.translate(_AZERBAIJANI)
    text = anyascii(text).lower()
    for spelling, key in _CONVENTIONS:
        text = text.replace(spelling, key)
    return _DOUBLED.sub(r"\1", _NOT_KEY.sub("", text))


def spell(text: str) -> str:
    """A name's letters as AnyAscii writes them, conventions kept: the second key, against
    which a typo that splits a folded letter (`sh`, `kh`, Armenian `ու`) is one edit off."""
    return _NOT_KEY.sub("", anyascii(text).lower().replace("'", ""))


def allowed_edits(key: str) -> int:
    """How many edits a query may be away from a key of this length and still match it."""
    return max(1, len(key) // 4)


@dataclass(frozen=True)
class Match:
    place_id: str
    name: str
    """the name that matched, as written"""
    score: float
    """1.0 for the same key; less the further the query is from it"""


class NameIndex:
    """The folded names of a gazetteer, searchable. Build it once; it does not change."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """`names`: (place id, name) pairs, every name of every place."""
        self._entries: list[tuple[str, str]] = []
        self._keys: list[str] = []
        self._spellings: list[str] = []
        seen: set[tuple[str, str, str]] = set()
        for place_id, name in names:
            key, spelling = fold(name), spell(name)
            if key and (place_id, key, spelling) not in seen:
                seen.add((place_id, key, spelling))
                self._entries.append((place_id, name))
                self._keys.append(key)
                self._spellings.append(spelling)

    def search(self, query: str, limit: int = 10) -> list[Match]:
        """The places whose names match `query`, best first, one match per place."""
        wanted = fold(query)
        if not wanted:
            return []
        best: dict[str, Match] = {}

        def offer(index: int, score: float) -> None:
            place_id, name = self._entries[index]
            if place_id not in best or score > best[place_id].score:
                best[place_id] = Match(place_id, name, score)

        if len(wanted) >= MIN_PREFIX:
            for index, key in enumerate(self._keys):
                if key != wanted and wanted in key:  # the start of a name ranks above its middle
                    share = len(wanted) / len(key)
                    offer(index, (0.5 if key.startswith(wanted) else 0.3) + 0.4 * share)
        for typed, keys in ((wanted, self._keys), (spell(query), self._spellings)):
            close = process.extract(
                typed,
                keys,
                scorer=OSA.distance,
                score_cutoff=max(allowed_edits(typed), FAR),
                limit=None,
            )
            for key, distance, index in close:
                if distance == 0:
                    offer(index, 1.0)
                elif distance <= allowed_edits(key):
                    offer(index, 0.95 - distance / max(len(key), len(typed)))
                elif len(key) > distance:
                    offer(index, 0.45 - 0.05 * distance)  # a guess, below closer matches
        ranked = sorted(best.values(), key=lambda m: (-m.score, len(m.name), m.place_id))
        return ranked[:limit]


class Gazetteer:
    """The deployment's places, the pack's and those imported (GeoNames, GeoJSON): by id, and
    by any of their names. The pack's place wins where an imported one has the same id."""

    def __init__(self, pack: Iterable[Place], imported: Iterable[Place] = ()) -> None:
        self._places = {p.id: p for p in imported}
        self._places.update((p.id, p) for p in pack)
        self.names = NameIndex((p.id, n.text) for p in self._places.values() for n in p.names)

    def place(self, place_id: str) -> Place | None:
        return self._places.get(place_id)

    @property
    def ids(self) -> KeysView[str]:
        return self._places.keys()

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places.values())

    def __len__(self) -> int:
        return len(self._places)
