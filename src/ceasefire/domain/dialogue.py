"""The short guided dialogue that turns a resident's text messages (SMS or a messaging bot)
into a request for the civilian desk: what happened (the first message, in the resident's
own words), what kind of help (a number from a list), which village (any name), whether a
life or liberty is at stake, and a name to file it under. Each answer either moves the
dialogue on or asks again; the language is the one the resident writes in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

ARMENIAN = re.compile(r"[\u0531-\u058f]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
AZERBAIJANI = re.compile(r"[əƏğĞıİöÖüÜçÇşŞ]")
YES = {"1", "yes", "y", "да", "д", "այո", "bəli", "beli", "he", "hə"}
NO = {"2", "no", "n", "нет", "н", "ոչ", "voch", "xeyr", "yox"}


def language_of(text: str) -> str:
    """The language a message is written in, by its letters: Armenian, Cyrillic (Russian),
    Azerbaijani Latin, else English."""
    if ARMENIAN.search(text):
        return "hy"
    if CYRILLIC.search(text):
        return "ru"
    if AZERBAIJANI.search(text):
        return "az"
    return "en"


class Step(StrEnum):
    category = "category"
    place = "place"
    urgent = "urgent"
    name = "name"
    done = "done"


@dataclass(frozen=True)
class Dialogue:
    language: str
    description: str
    step: Step = Step.category
    category: str | None = None
    place_id: str | None = None
    place_text: str = ""
    urgent: bool = False
    name: str = ""


@dataclass(frozen=True)
class Turn:
    """Where the dialogue stands after a message, and what to ask next (`again`: the answer
    was not understood, so the same question is asked once more)."""

    dialogue: Dialogue
    again: bool = False


def start(text: str) -> Dialogue:
    """A first message: the resident's words, in their language; next, the kind of help."""
    return Dialogue(language=language_of(text), description=text.strip()[:4000])


def answer(
    dialogue: Dialogue, text: str, categories: list[str], place: Callable[[str], str | None]
) -> Turn:
    """The next step, given the resident's answer to the current one."""
    said = text.strip()
    if dialogue.step is Step.category:
        number = said.rstrip(".)")
        if number.isdigit() and 1 <= int(number) <= len(categories):
            return Turn(replace(dialogue, category=categories[int(number) - 1], step=Step.place))
        return Turn(dialogue, again=True)
    if dialogue.step is Step.place:
        if not said:
            return Turn(dialogue, again=True)
        found = place(said)
        return Turn(replace(dialogue, place_id=found, place_text="" if found else said[:200],
                            step=Step.urgent))  # fmt: skip
    if dialogue.step is Step.urgent:
        word = said.lower().rstrip(".!")
        if word in YES or word in NO:
            return Turn(replace(dialogue, urgent=word in YES, step=Step.name))
        return Turn(dialogue, again=True)
    if dialogue.step is Step.name:
        if not said:
            return Turn(dialogue, again=True)
        return Turn(replace(dialogue, name=said[:200], step=Step.done))
    return Turn(dialogue)
