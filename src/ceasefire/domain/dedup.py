"""Finding the same person registered twice in a registry of displaced households.

Caseworkers of several organisations register the same families, each in its own script
and spelling: "Հովհաննես Գրիգորյան", "Ованес Григорян" and "Hovannes Grigorjan" are one man.
This module compares people who share a date of birth (the service hands it one birth-date
block at a time) and proposes the pairs that are probably one person, with a score and the
reasons a caseworker reads before merging or dismissing the pair. Nothing is merged here.

A name is reduced to a *key* (`name_key`): transliterated to Latin letters (AnyAscii), then
every sound that Armenian, Russian and Latin spellings write differently is written one way
(`yan`, `ian` and `jan`; `Hovh`, `Hov` and `Ov`, because Russian drops the Armenian `h`;
`kh`, `x` and `gh`, and `h` dropped; `ts`, `tz`, `c` and `dz`; `ou`, `ow` and `u`; `Ye` and
`E` at the start; voiced and voiceless `b/p`, `d/t`, `g/k`, as Russian forms such as "Акоп"
and "Саркис" have them; the traditional Russian "Оганес", "Оганесян"), a doubled letter is
written once, soft signs and apostrophes are dropped, and so is the `-a` a Russian-style
entry adds to a woman's `-ov` or `-yan` surname. A second key reads a `g` between vowels as
the Armenian `h` that Russian writes Г ("Ваге" for "Vahe"). Keys of one name in different
scripts are equal or a letter apart; what remains (a typo, "Мгер" for "Mher") is measured
as the share of letters edited (optimal string alignment): Jaro-Winkler, lenient with
names that share a beginning, would take "Ani" and "Anahit" for one name. Family names are
compared without their suffix (`-yan`, `-yants`, `-ov`, `-ev`), so the shared `-yan` does
not make two families look alike, and a Russified "Арутюнов" meets "Harutyunyan". A
patronymic is compared without its Russian ending (`-ovich`, `-ovna`) or the Armenian
genitive `-i`.

Precision matters more than recall: a proposal costs a caseworker's time. Twins and cousins
share a family name and a birth date, so the given name decides, and the score is held down
by the weaker of the two names rather than averaged up by the better one; patronymics that
cannot be one name mistyped (two fathers) all but rule a pair out, equal ones add a little,
and different sexes take a little off (a data-entry error as often as not). A block is
compared pair by pair only where the given names come close enough to reach the threshold,
so a block of hundreds (unknown birthdays written 1 January) takes milliseconds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

THRESHOLD = 0.8
"""the score at which a pair is proposed to a caseworker"""

WEAKER_NAME = 0.7
"""weight of the less similar of the two names (given and family) in the score"""
STRONGER_NAME = 1 - WEAKER_NAME
FATHER_AGREES = 0.03
"""added when the patronymics name one father"""
FATHER_DIFFERS = 0.3
"""taken off when they name two"""
SEX_DIFFERS = 0.08
"""taken off when the records give different sexes (a data-entry error as often as not)"""


@dataclass(frozen=True)
class Person:
    """One person record of the registry, names as the caseworker entered them."""

    key: str
    given: str
    family: str
    patronymic: str = ""
    born: date | None = None
    household: str = ""
    sex: str = ""


@dataclass(frozen=True)
class Proposal:
    """Two records that are probably one person, for a caseworker to merge or dismiss."""

    a: str
    b: str
    score: float
    reasons: tuple[str, ...]


_NOT_LETTER = re.compile(r"[^a-z]+")
_CONVENTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"ow|ou", "u"),  # Armenian ու as AnyAscii writes it; French-style ou
        (r"w", "v"),
        (r"(?<=[aeiou])x", "ks"),  # Alexan: x is ks after a vowel, Armenian kh elsewhere
        (r"x", "kh"),
        (r"dzh|dj", "j"),
        (r"tch", "ch"),
        (r"j(?=(an|ana|ants)$)", "y"),  # German-style Grigorjan
        (r"(?<=...)(ov|ev|yan)a$", r"\1"),  # Russian-style women's surnames
        (r"^ye", "e"),  # Yerevan, Erevan, Ереван
        (r"^vo", "o"),  # Voskan, Ոսկան, Оскан
        (r"^h?o[vgh]*an+[ie]s", "ovanes"),  # Hovhannes, Oganes; Hovhannisyan, Оганесян
        (r"^h?o[gh]an", "ovan"),  # Ohanyan, Оганян
        (r"^sar[gk]s(?=[iy])", "sarkis"),  # Sargsyan, Саркисян
        (r"shch", "š"),
        (r"sh", "š"),
        (r"zh", "ž"),
        (r"ch", "č"),
        (r"[gk]h", "k"),  # Ղ and Խ, which Russian writes Г and Х, and Latin also kh and g
        (r"h", ""),  # Հ, which Russian drops
        (r"tz|ts|dz", "c"),
        (r"b", "p"),
        (r"d", "t"),
        (r"[gq]", "k"),
        (r"y", "i"),
        (r"(.)\1+", r"\1"),
    )
)
_RUSSIAN_H = re.compile(r"(?<=[aeiouy])g(?=[aeiouyr])|^g(?=r)")
_FAMILY_SUFFIX = re.compile(r"(ianc|ian|anc|ov|ev)$")
_PATRONYMIC_SUFFIX = re.compile(r"i?(ov|ev)(ič|na)$|(?<=...)i$")
_ENDINGS = ("ovič", "ovna", "evič", "evna")
"""Russian patronymic endings as keys write them, to recognise one with a typo in it"""

Keys = tuple[str, str]
"""a name's key, and its key read with a `g` between vowels as the Armenian `h` that Russian
writes Г ("Ваге" for "Vahe", "Нагапетян" for "Nahapetyan"); compared key with key"""


def _latin(text: str) -> str:
    # Armenian ու is one vowel in two letters; a stray ւ is what a typo left of it
    text = text.replace("ու", "u").replace("Ու", "U").replace("ւ", "u")
    return _NOT_LETTER.sub("", anyascii(text).lower())


def _conventions(latin: str) -> str:
    for pattern, replacement in _CONVENTIONS:
        latin = pattern.sub(replacement, latin)
    return latin


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The script-independent, spelling-tolerant key of one name (see the module docstring).

    "Հովհաննես", "Ованес", "Hovhannes", "Hovannes" and "Ovanes" all give "ovanes".
    """
    return _conventions(_latin(text))


@lru_cache(maxsize=65536)
def _keys(text: str) -> Keys:
    latin = _latin(text)
    return _conventions(latin), _conventions(_RUSSIAN_H.sub("h", latin))


def _stem(key: str) -> str:
    stem = _FAMILY_SUFFIX.sub("", key)
    return stem if len(stem) >= 3 else key


@lru_cache(maxsize=65536)
def _stems(text: str) -> Keys:
    key, alternative = _keys(text)
    return _stem(key), _stem(alternative)


@lru_cache(maxsize=65536)
def _fathers(text: str) -> Keys:
    key, alternative = _keys(text)
    return _PATRONYMIC_SUFFIX.sub("", key), _PATRONYMIC_SUFFIX.sub("", alternative)


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class _Record:
    """The keys a person is compared by."""

    person: Person
    given: Keys
    family: Keys
    family_stem: Keys
    given_stem: Keys
    father: Keys


def _record(person: Person) -> _Record:
    return _Record(
        person,
        given=_keys(person.given),
        family=_keys(person.family),
        family_stem=_stems(person.family),
        given_stem=_stems(person.given),
        father=_fathers(person.patronymic),
    )


def _closeness(a: str, b: str) -> float:
    """1 for equal keys, less by the share of letters edited; 0 if either is empty."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return 1.0 - OSA.distance(a, b) / max(len(a), len(b))


def _similar(a: Keys, b: Keys) -> float:
    return max(_closeness(a[0], b[0]), _closeness(a[1], b[1]))


def _family_similar(key_a: Keys, stem_a: Keys, key_b: Keys, stem_b: Keys) -> float:
    """Family names compared without their suffixes, so that a shared `-yan` does not make
    two families look alike ("Karapetyan", "Hayrapetyan"); a single typo (in the suffix, or
    in a short stem such as "Mam-yan") is measured against the whole name."""
    stems = _similar(stem_a, stem_b)
    if (key_a[0] == stem_a[0]) != (key_b[0] == stem_b[0]):
        return max(stems, _similar(key_a, key_b))
    whole = max(
        _closeness(x, y) if OSA.distance(x, y, score_cutoff=1) <= 1 else 0.0
        for x, y in zip(key_a, key_b, strict=True)
    )
    return max(stems, whole)


def _father_edits(a: str, b: str) -> int:
    """Edits between two patronymic keys; a mistyped Russian ending that was not cut off
    ("Akopovih", "Surenonva") is forgiven by comparing the shorter key with the start of the
    longer when what follows is an ending but for one letter."""
    short, long = sorted((a, b), key=len)
    edits = OSA.distance(short, long)
    for end in range(max(1, len(short) - 1), len(short) + 2):
        if any(OSA.distance(long[end:], ending, score_cutoff=1) <= 1 for ending in _ENDINGS):
            edits = min(edits, OSA.distance(short, long[:end]))
    return int(edits)


def _same_father(a: Keys, b: Keys) -> str:
    """Whether two patronymics name one father ("agrees"), two ("differs"), or cannot tell
    ("variant": as far apart as a typo, which may be a similar name); "missing" if one is."""
    if not a[0] or not b[0]:
        return "missing"
    edits = min(_father_edits(a[0], b[0]), _father_edits(a[1], b[1]))
    if edits == 0:
        return "agrees"
    if edits >= (2 if min(len(a[0]), len(b[0])) <= 4 else 3):
        return "differs"
    return "variant"


def _name_reason(field: str, a: str, b: str, key_a: Keys, key_b: Keys) -> str:
    if _plain(a) == _plain(b):
        return f"{field}_name_same"
    if key_a[0] == key_b[0] or key_a[1] == key_b[1]:
        return f"{field}_name_transliterated"
    return f"{field}_name_variant"


def _compare(x: _Record, y: _Record) -> tuple[float, tuple[str, ...]]:
    a, b = x.person, y.person
    given = _similar(x.given, y.given)
    family = _family_similar(x.family, x.family_stem, y.family, y.family_stem)
    swapped_given = _similar(x.given, y.family)
    swapped_family = _family_similar(x.family, x.family_stem, y.given, y.given_stem)
    swapped = min(swapped_given, swapped_family) > min(given, family) + 0.05
    if swapped:
        given, family = swapped_given, swapped_family
    weaker, stronger = sorted((given, family))
    score = WEAKER_NAME * weaker + STRONGER_NAME * stronger
    reasons = ["same_birth_date"]
    if swapped:
        reasons.append("names_swapped")
        reasons.append(_name_reason("given", a.given, b.family, x.given, y.family))
        reasons.append(_name_reason("family", a.family, b.given, x.family, y.given))
    else:
        reasons.append(_name_reason("given", a.given, b.given, x.given, y.given))
        reasons.append(_name_reason("family", a.family, b.family, x.family, y.family))
    fathers = _same_father(x.father, y.father)
    if fathers == "agrees":
        score += FATHER_AGREES
    elif fathers == "differs":
        score -= FATHER_DIFFERS
    if fathers != "variant":  # one letter or two apart: nothing to tell the caseworker
        reasons.append(f"patronymic_{fathers}")
    if a.sex and b.sex and a.sex != b.sex:
        score -= SEX_DIFFERS
        reasons.append("sex_differs")
    if a.household and a.household == b.household:
        reasons.append("same_household")
    return round(max(0.0, min(1.0, score)), 4), tuple(reasons)


def similarity(a: Person, b: Person) -> tuple[float, tuple[str, ...]]:
    """How probably `a` and `b` are one person (0..1), and why; 0 if their birth dates differ."""
    if a.born is None or a.born != b.born:
        return 0.0, ()
    return _compare(_record(a), _record(b))


def _candidates(block: Sequence[_Record], threshold: float) -> Iterable[tuple[int, int]]:
    """The pairs of `block` that can score `threshold`: a score is at most
    `WEAKER_NAME * weaker + STRONGER_NAME + FATHER_AGREES`, so the given name of one must be
    that close to the given name of the other, or to its family name (swapped)."""
    floor = (threshold - STRONGER_NAME - FATHER_AGREES) / WEAKER_NAME - 0.001  # rounding
    if floor <= 0:
        return combinations(range(len(block)), 2)
    given: defaultdict[str, set[int]] = defaultdict(set)
    names: defaultdict[str, set[int]] = defaultdict(set)  # given and family names
    for index, record in enumerate(block):
        for key in (*record.given, *record.family):
            names[key].add(index)
        for key in record.given:
            given[key].add(index)
    choices = list(names)
    pairs: set[tuple[int, int]] = set()
    for key, people in given.items():
        matches = process.extract(
            key, choices, scorer=OSA.normalized_similarity, score_cutoff=floor, limit=None
        )
        for match, _, _ in matches:
            for i in people:
                for j in names[match]:
                    if i != j:
                        pairs.add((i, j) if i < j else (j, i))
    return pairs


def propose(people: Sequence[Person], threshold: float = THRESHOLD) -> list[Proposal]:
    """Every pair of `people` born the same day (never one without a birth date) scoring at
    least `threshold`, best first."""
    blocks: defaultdict[date, list[_Record]] = defaultdict(list)
    for person in people:
        if person.born is not None:
            blocks[person.born].append(_record(person))
    proposals: list[Proposal] = []
    for block in blocks.values():
        for i, j in _candidates(block, threshold):
            x, y = block[i], block[j]
            if x.person.key == y.person.key:
                continue
            score, reasons = _compare(x, y)
            if score >= threshold:
                first, second = sorted((x.person.key, y.person.key))
                proposals.append(Proposal(first, second, score, reasons))
    proposals.sort(key=lambda p: (-p.score, p.a, p.b))
    return proposals
