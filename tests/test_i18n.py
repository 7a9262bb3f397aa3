"""The interface in English, Russian, Armenian and Azerbaijani: catalogues complete and current,
every coded value labelled, and pages served in the language a user chooses."""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from enum import StrEnum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ceasefire.domain import cases, classification, desk, incidents, movements, notices
from ceasefire.i18n import LOCALE_DIR
from ceasefire.web.labels import CODE_LABELS

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def coded_values() -> set[str]:
    values: set[str] = {"reported", "corrected", "status", "corroborated"}  # kinds of change
    for module in (incidents, classification, notices, movements, cases, desk):
        for item in vars(module).values():
            if isinstance(item, type) and issubclass(item, StrEnum) and item is not StrEnum:
                values.update(member.value for member in item)
    for model, name in (
        (incidents.Actor, "role"),
        (incidents.Damage, "kind"),
        (incidents.Source, "channel"),
    ):
        values.update(typing.get_args(model.model_fields[name].annotation))
    values.update(incidents.IncidentDraft.model_fields)  # named in a version's "what changed"
    return values


def test_every_coded_value_a_page_shows_has_a_label() -> None:
    assert coded_values() <= CODE_LABELS, sorted(coded_values() - CODE_LABELS)


def test_the_message_template_is_current_with_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_", "-k", "N_", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )  # fmt: skip
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        shipped = {m.id for m in read_po(handle) if m.id}
    assert extracted == shipped, "run `make messages` and translate the new strings"


@pytest.mark.parametrize("lang", ["ru", "hy", "az"])
def test_catalogue_translates_every_message_and_keeps_placeholders(lang: str) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    translated = {m.id: m.string for m in catalogue(lang) if m.id}
    missing = sorted(msgid for msgid in wanted if not translated.get(msgid))
    assert not missing, f"{lang}: untranslated {missing}"
    for msgid in wanted:
        assert set(PLACEHOLDER.findall(translated[msgid])) == set(PLACEHOLDER.findall(msgid)), (
            f"{lang}: placeholders differ in {msgid!r}"
        )


def test_english_labels_read_as_words_not_codes() -> None:
    labels = {m.id: m.string for m in catalogue("en") if m.id in CODE_LABELS}
    assert all("_" not in (labels.get(code) or code) for code in CODE_LABELS)


@pytest.mark.parametrize("lang", ["en", "ru", "hy", "az"])
def test_pages_follow_the_chosen_language_and_remember_it(lang, browser_for, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    from ceasefire.services.accounts import set_language

    from .conftest import csrf_of

    expected = {m.id: m.string or m.id for m in catalogue(lang) if m.id}
    page = browser_for("unhcr.analyst")
    try:
        chosen = page.post(
            "/language",
            data={"lang": lang, "csrf_token": csrf_of(page), "back": "/incidents"},
            follow_redirects=False,
        )
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/incidents"
        html = page.get("/incidents").text
        assert f'<html lang="{lang}">' in html
        assert expected["Sign out"] in html
        assert expected["No incidents match."] in html
        assert viewer("unhcr.analyst").language == lang  # remembered for the next sign-in
    finally:
        set_language(dep, viewer("unhcr.analyst"), "en")
