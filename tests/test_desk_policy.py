"""The civilian desk's rules in the reference pack (categories, the mandate, response times)
and the sealing of residents' personal data at rest."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
import yaml

from ceasefire.domain.desk import NEAREST_POST, Priority, assign
from ceasefire.domain.scenario import Scenario
from ceasefire.store.sealing import Sealer, SealingError, add_key, create_key_file

from .conftest import REFERENCE_PACK
from .test_cli import run as run  # the fixture

ZONES = ["contact", "forward", "near-rear", "beyond", None]


def test_the_reference_desk_has_the_issues_categories_and_a_rule_for_each(
    reference_scenario: Scenario,
) -> None:
    desk = reference_scenario.desk
    assert [c.id for c in desk.categories] == [
        "livestock", "detention", "infrastructure", "uxo", "escort", "medical", "property",
        "other",
    ]  # fmt: skip
    for category in desk.categories:
        assert set(category.names) == {"en", "ru", "hy", "az"}
        for zone in ZONES:
            assert assign(desk, category.id, zone) is not None, (category.id, zone)
    assert set(desk.response_times) == set(Priority)
    urgent = desk.response_times[Priority.urgent]
    assert urgent.first_response_within.total_seconds() == 3600


@pytest.mark.parametrize(
    ("category", "zone", "acts", "inform", "other_side_first"),
    [
        ("detention", "contact", NEAREST_POST, ("rpk-duty", "icrc-protection"), True),
        ("detention", "forward", NEAREST_POST, ("rpk-duty", "icrc-protection"), True),
        ("detention", "beyond", "rpk-duty", ("icrc-protection",), False),
        ("detention", None, "rpk-duty", ("icrc-protection",), False),
        ("infrastructure", "contact", NEAREST_POST, ("nk-authorities-duty",), True),
        ("livestock", "near-rear", NEAREST_POST, ("nk-authorities-duty",), False),
        ("uxo", "contact", "nk-emergency-duty", ("rpk-duty",), False),
        ("medical", "beyond", "nk-emergency-duty", (), False),
        ("property", "forward", "nk-authorities-duty", (), False),
        ("other", "contact", "rpk-duty", (), False),
    ],
)
def test_the_reference_mandate_assigns_as_it_says(  # type: ignore[no-untyped-def]
    reference_scenario, category, zone, acts, inform, other_side_first
) -> None:
    found = assign(reference_scenario.desk, category, zone)
    assert found is not None
    assert (found.acts, found.inform, found.other_side_first) == (acts, inform, other_side_first)


def test_a_desk_policy_is_validated_with_file_and_key(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(REFERENCE_PACK, pack)
    desk = yaml.safe_load((pack / "desk.yaml").read_text(encoding="utf-8"))
    desk["mandate"][0]["zones"] = ["trenches"]
    desk["mandate"][1]["acts"] = "nobody-duty"
    desk["mandate"][2]["categories"] = ["cows"]
    desk["mandate"] = desk["mandate"][:-1]  # no catch-all: "other" is assigned nowhere
    del desk["response_times"]["low"]
    (pack / "desk.yaml").write_text(yaml.safe_dump(desk, allow_unicode=True), "utf-8")
    result = run("scenario", "validate", str(pack))
    assert result.exit_code == 1
    for expected in (
        "desk.yaml: mandate[0].zones[0]: unknown zone 'trenches'",
        "desk.yaml: mandate[1].acts: unknown contact point 'nobody-duty'",
        "desk.yaml: mandate[2].categories[0]: unknown category 'cows'",
        "desk.yaml: mandate: no rule assigns 'other' in zone contact",
        "desk.yaml: response_times: no response times for low",
    ):
        assert expected in result.output, expected
    desk["response_times"]["low"] = {"first_response": "soon", "resolution": "3d"}
    (pack / "desk.yaml").write_text(yaml.safe_dump(desk, allow_unicode=True), "utf-8")
    again = run("scenario", "validate", str(pack))
    assert "desk.yaml: response_times.low.first_response:" in again.output


# --- sealing -----------------------------------------------------------------------------


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "desk.key"
    create_key_file(path)
    return path


def test_a_sealed_value_opens_only_where_it_was_sealed(key_file: Path) -> None:
    sealer = Sealer.from_file(key_file)
    phone = "+374 97 123456"
    sealed = sealer.seal(phone, "case:1:phone")
    assert phone not in sealed and "123456" not in sealed
    assert sealer.open(sealed, "case:1:phone") == phone
    assert sealer.seal(phone, "case:1:phone") != sealed  # a fresh nonce every time
    with pytest.raises(SealingError, match="moved"):
        sealer.open(sealed, "case:2:phone")  # copied into another case
    prefix, key_id, body = sealed.split(".")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    altered = f"{prefix}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(SealingError, match="altered"):
        sealer.open(altered, "case:1:phone")
    with pytest.raises(SealingError, match="not a sealed value"):
        sealer.open("+374 97 123456", "case:1:phone")


def test_a_new_key_seals_from_now_on_and_old_values_still_open(key_file: Path) -> None:
    before = Sealer.from_file(key_file)
    old = before.seal("Anahit", "case:1:name")
    new_id = add_key(key_file)
    after = Sealer.from_file(key_file)
    assert after.open(old, "case:1:name") == "Anahit"
    assert after.seal("Anahit", "case:1:name").split(".")[1] == new_id
    assert after.index("+37497123456", "phone") == before.index("+37497123456", "phone")
    assert after.index("+37497123456", "phone") != after.index("+37497123457", "phone")


def test_the_key_file_is_the_owners_alone_and_never_overwritten(key_file: Path) -> None:
    assert key_file.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        create_key_file(key_file)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "no key"),
        ("k1 not-base64!\n", "not `<id> <base64 key>`"),
        ("k1 " + base64.b64encode(b"short").decode() + "\n", "32-byte key"),
        ("one two three\n", "not `<id> <base64 key>`"),
    ],
)
def test_a_damaged_key_file_is_named(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "desk.key"
    path.write_text(content)
    with pytest.raises(SealingError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        Sealer.from_file(path)
    with pytest.raises(SealingError, match="run `ceasefire init`"):
        Sealer.from_file(tmp_path / "absent.key")
