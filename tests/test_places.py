"""Finding places by name: every name of every place of the reference pack, in every script,
finds its place, and so does each of them with one letter dropped, added or mistyped; the
search answers in the API, on the command line and in the report form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ceasefire.cli import app
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.gazetteer import NameIndex, fold
from ceasefire.domain.incidents import IncidentDraft
from ceasefire.domain.scenario import Scenario
from ceasefire.services import accounts, incidents, places
from ceasefire.services.deployment import Deployment, open_deployment
from ceasefire.store import tables
from ceasefire.store.accounts import user_by_name
from ceasefire.store.incidents import get_incident
from ceasefire.web.app import create_app

from .builders import violation
from .conftest import csrf_of, sign_in

ISSUE_EXAMPLES = ["Khankendi", "Xankəndi", "Степанакерт", "Ստեփանակերտ", "stepanakert"]


@pytest.fixture(scope="module")
def index(reference_scenario: Scenario) -> NameIndex:
    return NameIndex((p.id, n.text) for p in reference_scenario.places for n in p.names)


def names_of(scenario: Scenario) -> Iterator[tuple[str, str]]:
    for place in scenario.places:
        for name in {n.text for n in place.names}:
            yield place.id, name


def top(index: NameIndex, query: str) -> set[str]:
    """The places that share the best score for `query`."""
    found = index.search(query, limit=50)
    return {m.place_id for m in found if found and m.score == found[0].score}


@pytest.mark.parametrize("query", ISSUE_EXAMPLES)
def test_the_issue_examples_find_stepanakert(index: NameIndex, query: str) -> None:
    assert index.search(query)[0].place_id == "stepanakert"
    assert index.search(query)[0].score == 1.0


def test_sides_spellings_in_every_script_fold_to_one_key() -> None:
    assert len({fold(n) for n in ["Khankendi", "Xankəndi", "Ханкенди", "Խանքենդի"]}) == 1
    assert len({fold(n) for n in ["Shusha", "Şuşa", "Шуша", "Շուշա"]}) == 1
    assert len({fold(n) for n in ["Khojaly", "Xocalı", "Ходжалы"]}) == 1
    assert fold("Qırmızı Bazar") == fold("Гырмызы Базар") == fold("Ղըրմըզը Բազար")
    assert fold("Stepanakert") != fold("Khankendi")


def test_every_name_of_every_place_finds_its_place_alone_at_the_top(
    index: NameIndex, reference_scenario: Scenario
) -> None:
    missed = [
        (place_id, name)
        for place_id, name in names_of(reference_scenario)
        if top(index, name) != {place_id}
    ]
    assert not missed


def typos(name: str) -> Iterator[str]:
    """Every one-letter typo of `name`: each letter dropped, doubled-over by its neighbour in
    the alphabet, or replaced by it."""
    for i, letter in enumerate(name):
        if not letter.isalpha():
            continue
        neighbour = chr(ord(letter) + 1)
        if not neighbour.isalpha():
            neighbour = chr(ord(letter) - 1)
        yield name[:i] + name[i + 1 :]
        yield name[:i] + neighbour + name[i:]
        yield name[:i] + neighbour + name[i + 1 :]


def test_a_one_letter_typo_still_finds_the_place(
    index: NameIndex, reference_scenario: Scenario
) -> None:
    """Among the first three results always, and first in all but a few cases, where the typo
    is as close to another place's name ("Aghdaa": Aghdam or Aghdara)."""
    keys = {fold(n.text): p.id for p in reference_scenario.places for n in p.names}
    tried, missed, second = 0, [], []
    for place_id, name in names_of(reference_scenario):
        if len(fold(name)) < 4:
            continue  # a three-letter name one letter off is another word
        for typo in typos(name):
            if keys.get(fold(typo), place_id) != place_id:
                continue  # the typo is another place's name ("post 12" for "post 1")
            tried += 1
            found = [m.place_id for m in index.search(typo, limit=3)]
            if place_id not in found:
                missed.append((name, typo))
            elif place_id not in top(index, typo):
                second.append((name, typo))
    assert tried > 10_000
    assert not missed, f"{len(missed)} of {tried}: {missed[:20]}"
    assert len(second) <= tried // 1000, second


def test_a_partial_name_finds_places_that_begin_with_it(index: NameIndex) -> None:
    assert index.search("stepan")[0].place_id == "stepanakert"
    assert index.search("Karmir")[0].place_id == "krasniy-bazar"
    assert "krasniy-bazar" in {m.place_id for m in index.search("shuka")}
    assert index.search("zz") == []  # two letters are too few to guess from
    assert index.search("   ") == []


# --- through the service: API, CLI, page --------------------------------------------------


def test_the_api_finds_a_place_named_for_the_reader(client, auth) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/places", params={"q": "Xankəndi"}, headers=auth("am.liaison"))
    assert answer.status_code == 200, answer.text
    first = answer.json()["items"][0]
    assert first["id"] == "stepanakert"
    assert first["score"] == 1.0
    assert first["name"] == "Ստեփանակերտ"  # the Armenian audience's name, in Armenian
    answer = client.get("/api/v1/places", params={"q": "Stepanakrt"}, headers=auth("az.liaison"))
    assert answer.json()["items"][0]["name"] == "Xankəndi"  # the Azerbaijani audience's
    everything = client.get("/api/v1/places", headers=auth("am.liaison")).json()["items"]
    assert len(everything) > 50


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": 0}, "limit")],
)
def test_the_api_refuses_a_bad_search_naming_the_parameter(client, auth, params, field) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/places", params=params, headers=auth("am.liaison"))
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["error"].get("field", answer.json()["error"]["message"])


def cli(settings, monkeypatch) -> CliRunner:  # type: ignore[no-untyped-def]
    """A runner for `ceasefire` commands on the test deployment."""
    for key, value in {
        "CEASEFIRE_DATA_DIR": str(settings.data_dir),
        "CEASEFIRE_DATABASE_URL": settings.resolved_database_url,
        "CEASEFIRE_SECRET_KEY": settings.secret_key,
        "CEASEFIRE_SCENARIO": str(settings.scenario),
    }.items():
        monkeypatch.setenv(key, value)
    return CliRunner()


def test_the_cli_finds_a_place(settings, dep, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    runner = cli(settings, monkeypatch)
    done = runner.invoke(app, ["place", "search", "Шуша", "--as", "az.liaison", "--json"])
    assert done.exit_code == 0, done.output
    assert '"id": "shusha"' in done.output
    done = runner.invoke(app, ["place", "search", "Nowhereville", "--as", "az.liaison"])
    assert done.exit_code == 1
    assert "No place" in done.output


def test_the_report_form_suggests_places_and_a_typed_name_is_enough(client, dep) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "jmc.ru.monitor")
    hits = client.get("/places/search", params={"place_search": "Ханкенди"})
    assert hits.status_code == 200
    assert 'data-id="stepanakert"' in hits.text
    none = client.get("/places/search", params={"place_search": "Nowhereville"})
    assert 'data-id="' not in none.text


def test_without_javascript_a_name_typed_in_the_form_is_enough(browser_for, dep) -> None:  # type: ignore[no-untyped-def]
    page = browser_for("jmc.ru.monitor")
    form = {
        "csrf_token": csrf_of(page),
        "category": "shelling",
        "title": "Impacts seen from the post",
        "started_at": "2021-04-11T09:30",
        "place_id": "",
        "classification": "public",
    }
    answer = page.post(
        "/incidents/new", data={**form, "place_search": "Xankəndi"}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    incident_id = answer.headers["location"].rsplit("/", 1)[1]
    with dep.db.read() as conn:
        stored = get_incident(conn, incident_id)
    assert stored is not None and stored.draft.location.place_id == "stepanakert"
    # a name that fits no place is not guessed: the form asks again, and nothing is written
    answer = page.post("/incidents/new", data={**form, "place_search": "Nowhereville"})
    assert answer.status_code == 422
    with dep.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(tables.incidents)).scalar_one() == 1


# --- importing and exporting the gazetteer ------------------------------------------------

GEONAMES = Path(__file__).parent / "data" / "geonames"
MAIN, ALTERNATES = GEONAMES / "AZ-excerpt.txt", GEONAMES / "AZ-alternates-excerpt.txt"


def places_written(dep: Deployment) -> int:
    with dep.db.read() as conn:
        return conn.execute(select(func.count()).select_from(tables.places)).scalar_one()


def test_a_geonames_dump_adds_its_places_with_their_names(dep, settings, viewer) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    done = places.import_geonames(dep, MAIN, ALTERNATES, seen.append)
    # six rows the gazetteer keeps (a river and a destroyed village are not); Xankandi is the
    # pack's Stepanakert already
    assert (done.read, done.added, done.updated, done.skipped) == (6, 5, 0, 1)
    assert seen and seen[-1] == 6
    fresh = open_deployment(settings, dep.db)  # as `serve` does when it starts again
    tartar = fresh.gazetteer.place("gn-9000001")
    assert tartar is not None and tartar.kind == "town" and tartar.coordinates == "geonames"
    assert {(n.lang, n.text) for n in tartar.names} == {
        ("en", "Tartar"),
        ("az", "Tərtər"),
        ("ru", "Тертер"),
        ("hy", "Թարթառ"),
        ("en", "Terter"),
    }
    kinds = {p.id: p.kind for p in fresh.gazetteer if p.id.startswith("gn-")}
    assert kinds == {
        "gn-9000001": "town", "gn-9000002": "town", "gn-9000003": "town",
        "gn-9000004": "village", "gn-9000008": "region",
    }  # fmt: skip
    reader = viewer("am.liaison")
    for query in ("Тертер", "Tərtər", "Թարթառ", "Terter", "Tartr"):
        assert places.search_places(fresh, reader, query)[0].place.id == "gn-9000001", query
    assert places.search_places(fresh, reader, "Барда")[0].place.id == "gn-9000002"
    assert all(f.place.id != "gn-9000002" for f in places.search_places(fresh, reader, "Պարտավ"))
    assert places.search_places(fresh, reader, "Xankandi")[0].place.id == "stepanakert"
    # a report may name an imported place
    draft = IncidentDraft.model_validate(violation(location={"place_id": "gn-9000001"}))
    incident = incidents.report_incident(fresh, viewer("jmc.ru.monitor"), draft)
    assert (incident.lat, incident.lon) == (tartar.lat, tartar.lon)
    # importing again updates, and adds nothing
    again = places.import_geonames(fresh, MAIN, ALTERNATES)
    assert (again.added, again.updated) == (0, 5)


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("1\tShort row\n", "columns"),
        ("x" + "\t" * 18 + "\n", "geonameid"),
        ("7\tBad\tBad\t\tnorth\t46\tP\tPPL" + "\t" * 11 + "\n", "latitude"),
        ("7\tBad\tBad\t\t40\t200\tP\tPPL" + "\t" * 11 + "\n", "longitude"),
    ],
)
def test_a_bad_geonames_line_is_named_and_nothing_is_written(  # type: ignore[no-untyped-def]
    dep, tmp_path, line: str, where: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(MAIN.read_text(encoding="utf-8") + line, encoding="utf-8")
    before = places_written(dep)
    with pytest.raises(InvalidInput) as refused:
        places.import_geonames(dep, bad)
    assert refused.value.field == f"bad.txt:11:{where}", refused.value.message
    assert places_written(dep) == before


def test_a_file_that_is_not_utf8_is_refused(dep, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("9\tBərdə".encode()[:6] + b"\xe9\xff\n")
    with pytest.raises(InvalidInput) as refused:
        places.import_geonames(dep, bad)
    assert "UTF-8" in refused.value.message


def test_the_gazetteer_round_trips_through_geojson(dep, settings) -> None:  # type: ignore[no-untyped-def]
    places.import_geonames(dep, MAIN, ALTERNATES)
    fresh = open_deployment(settings, dep.db)
    token = accounts.create_token(fresh, "az.liaison")
    with TestClient(create_app(settings, fresh)) as client:
        answer = client.get("/api/v1/places.geojson", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    document = answer.json()
    assert document["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in document["features"]}
    assert by_id["stepanakert"]["properties"]["name"] == "Xankəndi"  # the reader's name
    lon, lat = by_id["stepanakert"]["geometry"]["coordinates"]  # RFC 7946: longitude first
    place = fresh.gazetteer.place("stepanakert")
    assert place is not None and (lat, lon) == (place.lat, place.lon)
    exported = places.export_geojson(fresh, accounts.viewer_of(user(dep, "az.liaison")))
    assert len(exported["features"]) == len(fresh.gazetteer)
    # a partner's gazetteer: one new place, one the pack has (left alone), one updated
    new = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [46.95, 40.1]},
        "properties": {"id": "partner-orchard-7", "kind": "village",
                       "names": [{"text": "Orchard 7", "lang": "en", "usage": "common"}]},
    }  # fmt: skip
    collection = {"type": "FeatureCollection", "features": [new, by_id["stepanakert"],
                                                            by_id["gn-9000001"]]}  # fmt: skip
    done = places.import_geojson(fresh, collection)
    assert (done.read, done.added, done.updated, done.skipped) == (3, 1, 1, 1)
    again = open_deployment(settings, dep.db)
    assert (
        places.search_places(again, accounts.viewer_of(user(dep, "az.liaison")), "Orchard 7")[
            0
        ].place.id
        == "partner-orchard-7"
    )


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"type": "Feature"}, "type"),
        ({"type": "FeatureCollection", "features": {}}, "features"),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon", "coordinates": [[[46, 40], [47, 40], [46, 41],
             [46, 40]]]}}]},
            "features.0.geometry",
        ),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
             "id": "x1", "kind": "village", "names": [{"text": "X", "lang": "fr"}]},
             "geometry": {"type": "Point", "coordinates": [46, 40]}}]},
            "features.0.properties.names.0.lang",
        ),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
             "id": "x1", "kind": "village", "names": [{"text": "X", "lang": "en"}]},
             "geometry": {"type": "Point", "coordinates": [46, 100]}}]},
            "features.0.properties.lat",
        ),
    ],
)  # fmt: skip
def test_bad_geojson_is_refused_naming_the_feature_and_key(dep, document, field) -> None:  # type: ignore[no-untyped-def]
    before = places_written(dep)
    with pytest.raises(InvalidInput) as refused:
        places.import_geojson(dep, document)
    assert refused.value.field == field, refused.value.message
    assert places_written(dep) == before


def test_the_cli_imports_and_exports_the_gazetteer(settings, dep, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = cli(settings, monkeypatch)
    done = runner.invoke(
        app, ["place", "import-geonames", str(MAIN), "--alternates", str(ALTERNATES)]
    )
    assert done.exit_code == 0, done.output
    assert "6 places read: 5 added, 0 updated, 1 left to the pack." in done.output
    out = tmp_path / "places.geojson"
    done = runner.invoke(app, ["place", "export", str(out), "--as", "am.liaison"])
    assert done.exit_code == 0, done.output
    assert '"gn-9000001"' in out.read_text(encoding="utf-8")
    done = runner.invoke(app, ["place", "import-geonames", str(tmp_path / "absent.txt")])
    assert done.exit_code == 2 and "no such file" in done.output


def user(dep: Deployment, username: str):  # type: ignore[no-untyped-def]
    with dep.db.read() as conn:
        return user_by_name(conn, username)
