"""A generated registry of displaced households (for the scale test and bench/programmes.py),
and the reference pack's programmes computed over it independently: by hand, from the rules
as the report states them, without the domain's rule engine."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from ceasefire.domain.households import HouseholdDraft

ORIGINS = ("hadrut", "shusha", "jivani", "lachin", "kelbajar", "fizuli", "aghdam", "khojaly")
CURRENT = ("stepanakert", "askeran", "martakert", "martuni", "goris", "khramort", "taghavard")
GIVEN = {
    "female": ("Anahit", "Angela", "Margarita", "Nazik", "Lusine", "Gayane", "Armine", "Siranush"),
    "male": ("Mkrtych", "Hovhannes", "Vardan", "Levon", "Artur", "Samvel", "Gagik", "Karen"),
}
FAMILY = (
    "Sargsyan",
    "Petrosyan",
    "Hakobyan",
    "Grigoryan",
    "Avetisyan",
    "Harutyunyan",
    "Mkrtchyan",
    "Khachatryan",
    "Ghazaryan",
    "Babayan",
)
DISPLACEMENT = (
    ("displaced", 45),
    ("displaced_within", 30),
    ("returned", 20),
    ("in_other_country", 5),
)
SHELTER = (
    ("rented", 30),
    ("hosted", 20),
    ("collective_centre", 10),
    ("basement", 10),
    ("makeshift", 5),
    ("own_home", 20),
    ("hotel", 5),
)
HOME = (("intact", 40), ("damaged", 30), ("lost", 30))
SHELTERED_BADLY = {"basement", "makeshift", "collective_centre", "hosted"}


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def generate(count: int, seed: int = 2021) -> list[HouseholdDraft]:
    """`count` households of one to six members, spread over the pack's places."""
    rng = random.Random(seed)
    drafts = []
    for _ in range(count):
        family = rng.choice(FAMILY)
        members = []
        for n in range(rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6))):
            sex = rng.choice(("female", "male"))
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 90 * 365))
            members.append(
                {
                    "given_name": rng.choice(GIVEN[sex]),
                    "family_name": family,
                    "born": born.isoformat(),
                    "sex": sex,
                    "relationship": "head" if n == 0 else "other",
                }
            )
        drafts.append(
            HouseholdDraft.model_validate(
                {
                    "displacement": _pick(rng, DISPLACEMENT),
                    "origin_place_id": rng.choice(ORIGINS),
                    "current_place_id": rng.choice(CURRENT),
                    "shelter": _pick(rng, SHELTER),
                    "home": _pick(rng, HOME),
                    "consent": True,
                    "members": members,
                }
            )
        )
    return drafts


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def expected_may_2021(drafts: list[HouseholdDraft]) -> dict[str, Counter[int]]:
    """Per programme of the reference pack, how many entitlements each household (by its
    position in `drafts`) is owed for May 2021, before budgets: worked out by hand."""
    first = date(2021, 5, 1)
    found: dict[str, Counter[int]] = {
        name: Counter()
        for name in (
            "displacement-subsidy",
            "lost-home-subsidy",
            "women-elderly-allowance",
            "icrc-parcel",
            "goris-fresh-food",
        )
    }
    for i, d in enumerate(drafts):
        people = len(d.members)
        if d.displacement.value in ("displaced", "displaced_within", "in_other_country"):
            found["displacement-subsidy"][i] = people  # $480 once per displaced person
        if d.home.value == "lost":
            found["lost-home-subsidy"][i] = people  # $570 once per person who lost a home
        women_or_elderly = sum(
            1 for m in d.members if m.sex.value == "female" or _age(m.born, first) >= 63
        )
        if women_or_elderly:
            found["women-elderly-allowance"][i] = women_or_elderly  # about $130 a month
        if d.displacement.value == "displaced_within" and d.shelter.value in SHELTERED_BADLY:
            found["icrc-parcel"][i] = 1  # the ICRC's parcel, once a month
        if d.current_place_id == "goris" and d.displacement.value in (
            "displaced",
            "in_other_country",
        ):
            found["goris-fresh-food"][i] = 10  # twice a week; May 2021 has five Mondays
    for counter in found.values():
        for key in [k for k, v in counter.items() if v == 0]:
            del counter[key]
    return found


def totals(expected: dict[str, Counter[int]]) -> dict[str, Any]:
    return {name: sum(counter.values()) for name, counter in expected.items()}
