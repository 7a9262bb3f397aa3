"""The daily situation report and the exports, on both databases: the report's counts against
counts this test makes itself from the tables (its own reading of `reports.yaml`, its own
visibility rule), the two sides' reports, the PDF's map, the ACLED, GeoJSON and HXL files,
and the log's record of who took what."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pypdfium2 as pdfium
import pytest
import yaml
from sqlalchemy import text

from ceasefire.delivery import channels, messages
from ceasefire.domain.cases import RequestDraft
from ceasefire.domain.incidents import Status
from ceasefire.i18n import translations
from ceasefire.reports.trends import Span
from ceasefire.services import cases, incidents, log, notifications, reports, scenarios, trends
from ceasefire.services.deployment import Deployment

from .builders import violation_draft
from .conftest import REFERENCE_PACK, sign_in
from .test_cli import run as run  # the fixture
from .test_notifications import receiver as receiver  # the fixtures
from .test_notifications import wired as wired

ZONE = ZoneInfo("Asia/Baku")
DAY = date(2021, 4, 23)
"""The report's day: the period from 22 April 08:00 to 23 April 08:00 (+04:00), which holds
the pack's sample of the monitoring centre's drone seeing bursts near Khramort (22 April,
21:12)."""
START = datetime(2021, 4, 22, 8, 0, tzinfo=ZONE)
END = datetime(2021, 4, 23, 8, 0, tzinfo=ZONE)
PLACES = ("taghavard", "khramort", "sarushen", "lachin", "mkhitarishen", "berdashen")


def record(dep: Deployment, viewer: Any, at: datetime, **changes: Any) -> Any:
    draft = violation_draft(at + timedelta(hours=3), **changes)
    return incidents.report_incident(dep, viewer("rpk.monitor"), draft, now=at + timedelta(hours=4))


def observation(at: datetime, sighting: str, count: int, explosion: str | None = None) -> dict:  # type: ignore[type-arg]
    seen = {
        "platform": "post",
        "window_start": at.isoformat(),
        "window_end": at.isoformat(),
        "sighting": sighting,
        "count": count,
    }
    if explosion:
        seen["explosion"] = explosion
    return seen


@pytest.fixture
def day(dep: Deployment, viewer) -> Deployment:  # type: ignore[no-untyped-def]
    """The reference scenario's sample incidents, and a busy day of made-up ones around DAY:
    every classification, several categories and areas, observations of each kind, one
    retracted, one dated only to the week, some the day before and after."""
    scenarios.load_sample_incidents(dep)
    moments = [START + timedelta(minutes=47 * n) for n in range(30)]
    kinds = [
        ("shelling", "explosion", "impact"),
        ("small-arms-fire", "burst", None),
        ("small-arms-fire", "shot", None),
        ("shelling", "explosion", "airburst"),
        ("drone-activity", "explosion", "undetermined"),
        ("grenade", "projectile_in_flight", None),
        ("fire-on-civilians", "muzzle_flash", None),
        ("detention", "flare", None),
    ]
    classes = [
        ("public", []),
        ("mission", []),
        ("restricted", ["mod-armenia"]),
        ("restricted", ["mod-azerbaijan"]),
        ("public", []),
    ]
    for n, at in enumerate(moments):
        category, sighting, explosion = kinds[n % len(kinds)]
        classification, readers = classes[n % len(classes)]
        record(
            dep,
            viewer,
            at,
            category=category,
            title=f"Event {n}",
            location={"place_id": PLACES[n % len(PLACES)], "precision": "near_town"},
            observations=[observation(at, sighting, 1 + n % 5, explosion)]
            if category not in ("fire-on-civilians", "detention")
            else [],
            classification=classification,
            restricted_to=readers,
            casualties={"civilian_injured": 1} if n == 6 else {},
        )
    for hours in (-20, -10, -3, 25, 30):  # the day before, and after
        record(
            dep,
            viewer,
            START + timedelta(hours=hours),
            category="shelling",
            title="Around",
            location={"place_id": "khramort", "precision": "near_town"},
            observations=[],
        )
    gone = record(dep, viewer, START + timedelta(hours=2), title="Retracted", observations=[])
    incidents.change_status(dep, viewer("rpk.duty"), gone.id, Status.retracted, reason="A mistake")
    record(
        dep,
        viewer,
        START + timedelta(hours=5),
        title="Some day that week",
        time_precision="week",
        observations=[],
    )
    for hours, place in ((2, "khramort"), (6, "taghavard"), (-30, "sarushen")):
        draft = RequestDraft.model_validate(
            {
                "category": "livestock",
                "description": "A cow went over the line.",
                "place_id": place,
                "requester": {"name": "Anna", "language": "hy"},
            }
        )
        cases.file_request(
            dep, draft, viewer=viewer("rpk.desk"), now=START + timedelta(hours=hours)
        )
    log.publish_checkpoint(dep)
    return dep


def expected(dep: Deployment, organisation: str, mission: bool) -> dict[str, Any]:
    """What the report must count for a reader of `organisation`, from the tables: public
    records, mission records for the mission, restricted ones for their owner and readers
    (no confidential record is made here)."""
    pack = yaml.safe_load((REFERENCE_PACK / "reports.yaml").read_text(encoding="utf-8"))
    area_of = {post: a["id"] for a in pack["areas"] for post in a["posts"]}
    with dep.db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT i.id, i.category, i.started_at, i.status, i.classification, i.owner_org, "
                "i.content, g.post_id FROM incidents i LEFT JOIN record_geography g "
                "ON g.record_kind = 'incident' AND g.record_id = i.id"
            )
        ).all()
        readers = Counter()  # type: Counter[tuple[str, str]]
        for incident_id, org in conn.execute(
            text("SELECT incident_id, organisation_id FROM incident_readers")
        ):
            readers[(incident_id, org)] += 1
    now: Counter[tuple[str, str]] = Counter()
    before: Counter[str] = Counter()
    observed: dict[str, Counter[str]] = {}
    ids = set()
    for row in rows:
        content = row.content if isinstance(row.content, dict) else json.loads(row.content)
        visible = (
            row.classification == "public"
            or (row.classification == "mission" and (mission or row.owner_org == organisation))
            or (
                row.classification == "restricted"
                and (row.owner_org == organisation or readers[(row.id, organisation)])
            )
        )
        started = datetime.fromisoformat(content["started_at"])
        if (
            not visible
            or row.status == "retracted"
            or content["time_precision"] in ("week", "month")
        ):
            continue
        area = area_of.get(row.post_id, "elsewhere")
        if START - timedelta(days=1) <= started < START:
            before[row.category] += 1
        if START <= started < END:
            ids.add(row.id)
            now[(row.category, area)] += 1
            for seen in content["observations"]:
                key = seen["sighting"] + (f"_{seen['explosion']}" if seen.get("explosion") else "")
                observed.setdefault(area, Counter())[key] += seen["count"]
    return {"now": now, "before": before, "observed": observed, "ids": ids}


@pytest.mark.parametrize(
    ("username", "organisation", "mission"),
    [
        ("rpk.duty", "rpk", True),
        ("am.liaison", "mod-armenia", False),
        ("az.liaison", "mod-azerbaijan", False),
    ],
)
def test_the_daily_report_counts_exactly_what_the_records_hold(  # type: ignore[no-untyped-def]
    day, viewer, username, organisation, mission
) -> None:
    report = reports.daily_report(day, viewer(username), DAY)
    want = expected(day, organisation, mission)
    assert set(report["incident_ids"]) == want["ids"]
    assert len(want["ids"]) > 12  # the made-up day, as this reader may read it
    got = Counter(
        {(c["id"], a): n for c in report["categories"] for a, n in c["by_area"].items() if n}
    )
    assert got == want["now"]
    assert len({area for _c, area in got}) >= 3
    assert {c["id"]: c["previous"] for c in report["categories"] if c["previous"]} == dict(
        want["before"]
    )
    observed = {
        row["area"]: Counter({k: v for k, v in row.items() if k not in ("area", "name") and v})
        for row in report["observed"]
    }
    assert observed == want["observed"]
    assert report["imprecise"] == 1
    assert report["cases"]["totals"]["opened"] == (2 if organisation == "rpk" else 0)
    assert report["totals"]["incidents"] == len(want["ids"])
    assert report["log"]["checkpoint"]["size"] == report["log"]["size"]
    assert report["period"] == {"start": START.isoformat(), "end": END.isoformat()}


def _without_names(report: dict[str, Any]) -> dict[str, Any]:
    """The report with every name, language and reader-dependent stamp taken out."""
    names = {
        "name",
        "place",
        "reader_name",
        "category",
        "organisation",
        "from",
        "to",
        "narrative",
        "language",
        "audience",
        "generated_at",
        "sha256",
        "escorted_by",
        "log",
    }

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in names}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(report)


def test_the_two_sides_reports_differ_only_in_names_language_and_what_each_may_see(  # type: ignore[no-untyped-def]
    day, viewer
) -> None:
    armenian, azerbaijani = viewer("am.liaison"), viewer("az.liaison")
    am = reports.daily_report(day, armenian, DAY)
    az = reports.daily_report(day, azerbaijani, DAY)
    assert (am["language"], am["audience"]) == ("hy", "armenian")
    assert (az["language"], az["audience"]) == ("az", "azerbaijani")
    # Azerbaijan's rights, read in Armenian names and language: only names differ from az
    az_in_armenian = reports.daily_report(
        day, reports.reader_for(day, azerbaijani, "armenian", "hy"), DAY
    )
    assert _without_names(az_in_armenian) | {"reader": ""} == _without_names(az) | {"reader": ""}
    assert az_in_armenian["sha256"] == az["sha256"]
    # Armenian rights and Azerbaijani rights in the same names: only what each may read differs
    only_am = set(am["incident_ids"]) - set(az["incident_ids"])
    only_az = set(az["incident_ids"]) - set(am["incident_ids"])
    with day.db.read() as conn:
        readers = dict(
            conn.execute(text("SELECT incident_id, organisation_id FROM incident_readers")).all()
        )
    assert only_am and all(readers[i] == "mod-armenia" for i in only_am)
    assert only_az and all(readers[i] == "mod-azerbaijan" for i in only_az)
    # the names are each side's own: the detention at Lachin (event 15, public) is notable
    am_places = {n["place"] for n in am["notable"]}
    az_places = {n["place"] for n in az["notable"]}
    assert "Բերձոր" in am_places and "Laçın" not in am_places
    assert "Laçın" in az_places and "Բերձոր" not in az_places


def test_the_pdf_renders_its_map(day, viewer) -> None:  # type: ignore[no-untyped-def]
    reader = viewer("rpk.duty")
    report = reports.daily_report(day, reader, DAY)
    document = pdfium.PdfDocument(reports.daily_pdf(day, reader, report))
    pages = [document[i].render(scale=1.5).to_pil().convert("RGB") for i in range(len(document))]

    def pixels(colour: tuple[int, int, int]) -> int:
        near = [(abs(np.asarray(p, dtype=int) - colour) < 12).all(axis=2).sum() for p in pages]
        return int(sum(near))

    line, violation = (192, 57, 43), (230, 126, 34)
    assert pixels(line) > 200  # the line of contact is drawn
    assert pixels(violation) > 50 * 5  # and the period's violations on it
    quiet = reports.daily_report(day, reader, date(2020, 1, 2))
    document = pdfium.PdfDocument(reports.daily_pdf(day, reader, quiet))
    pages = [document[i].render(scale=1.5).to_pil().convert("RGB") for i in range(len(document))]
    assert pixels(line) > 200 and pixels(violation) == 0  # nothing happened that day


ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
"""ACLED's 31 columns in ACLED's order, written out from its codebook."""


def _visible_on(dep: Deployment, first: date, last: date) -> dict[str, dict[str, Any]]:
    """Every incident the peacekeepers (who reported them all) read, started from `first` to
    `last` in the deployment's zone, with its stated content."""
    with dep.db.read() as conn:
        rows = conn.execute(text("SELECT id, status, lat, lon, content FROM incidents")).all()
    found = {}
    for row in rows:
        content = row.content if isinstance(row.content, dict) else json.loads(row.content)
        started = datetime.fromisoformat(content["started_at"]).astimezone(ZONE).date()
        if first <= started <= last:
            found[row.id] = {"status": row.status, "lat": row.lat, "lon": row.lon, **content}
    return found


def test_the_acled_export_has_acleds_columns_and_meaning(day, client, auth) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(
        "/api/v1/exports/acled?since=2021-04-22&until=2021-04-23", headers=auth("rpk.duty")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ACLED_COLUMNS and len(ACLED_COLUMNS) == 31
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    want = {
        k: v
        for k, v in _visible_on(day, date(2021, 4, 22), date(2021, 4, 23)).items()
        if v["status"] != "retracted"
    }
    assert {r["event_id_cnty"] for r in records} == set(want)
    for r in records:
        stated = want[r["event_id_cnty"]]
        harm = stated["casualties"]
        killed = [harm.get("civilian_killed"), harm.get("military_killed")]
        assert int(r["fatalities"]) == sum(n or 0 for n in killed)
        assert ("fatalities unknown" in r["tags"]) == all(n is None for n in killed)
        assert (
            r["time_precision"]
            == {"exact": "1", "day": "1", "week": "2", "month": "3"}[stated["time_precision"]]
        )
        assert float(r["latitude"]) == pytest.approx(stated["lat"], abs=1e-4)
        assert float(r["longitude"]) == pytest.approx(stated["lon"], abs=1e-4)
        assert r["country"] in ("Azerbaijan", "Armenia") and r["iso"] in ("31", "51")
    fired_on = next(r for r in records if r["notes"].startswith("Event 6."))
    assert fired_on["event_type"] == "Violence against civilians"
    assert fired_on["civilian_targeting"] == "Civilian targeting"
    drone = next(
        r for r in records if "near Khramort seen by a monitoring-centre drone" in r["notes"]
    )
    assert (drone["event_type"], drone["sub_event_type"]) == ("Battles", "Armed clash")
    assert drone["disorder_type"] == "Political violence" and drone["civilian_targeting"] == ""


def _ring_ok(ring: list[list[float]], exterior: bool) -> bool:
    from ceasefire.reports.geojson import signed_area

    closed = ring[0] == ring[-1] and len(ring) >= 4
    return closed and ((signed_area(ring) > 0) == exterior)


def test_the_geojson_export_follows_rfc_7946(day, client, auth) -> None:  # type: ignore[no-untyped-def]
    import geojson as geojson_lib

    answer = client.get(
        "/api/v1/exports/geojson?since=2021-04-22&until=2021-04-23&layers=true",
        headers=auth("rpk.duty"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/geo+json"
    document = answer.json()
    assert document["type"] == "FeatureCollection" and "crs" not in document
    assert geojson_lib.loads(answer.text).is_valid
    want = _visible_on(day, date(2021, 4, 22), date(2021, 4, 23))
    points = [f for f in document["features"] if f["geometry"]["type"] == "Point"]
    assert {f["id"] for f in points} == set(want)
    for feature in points:
        lon, lat = feature["geometry"]["coordinates"]  # longitude first
        assert (lon, lat) == (
            round(want[feature["id"]]["lon"], 6),
            round(want[feature["id"]]["lat"], 6),
        )
    polygons = [
        f["geometry"]
        for f in document["features"]
        if f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ]
    assert polygons  # the layers' areas came along
    for geometry in polygons:
        for polygon in (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        ):
            assert _ring_ok(polygon[0], exterior=True)
            assert all(_ring_ok(hole, exterior=False) for hole in polygon[1:])
    every = [f["geometry"]["coordinates"] for f in points]
    west, south, east, north = document["bbox"]
    assert all(west <= lon <= east and south <= lat <= north for lon, lat in every)
    for position in every:
        assert -180 <= position[0] <= 180 and -90 <= position[1] <= 90
    coarse = client.get(
        "/api/v1/exports/geojson?since=2021-04-22&until=2021-04-23&coarsen=1000",
        headers=auth("rpk.duty"),
    ).json()
    moved = [
        abs(a["geometry"]["coordinates"][1] - b["geometry"]["coordinates"][1]) * 111_320
        for a, b in zip(
            sorted(points, key=lambda f: f["id"]),
            sorted(coarse["features"], key=lambda f: f["id"]),
            strict=True,
        )
    ]
    assert max(moved) <= 1000 and any(m > 1 for m in moved)


def test_the_hxl_export_reads_back_with_libhxl(day, client, auth, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import hxl

    answer = client.get(
        "/api/v1/exports/hxl?since=2021-04-22&until=2021-04-23", headers=auth("rpk.duty")
    )
    assert answer.status_code == 200, answer.text
    path = tmp_path / "incidents.csv"
    path.write_bytes(answer.content)
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in data.columns]
    assert tags[:2] == ["#event+id", "#date+occurred"]
    assert "#affected+killed+total+num" in tags and "#geo+lat" in tags
    rows = list(data)
    want = _visible_on(day, date(2021, 4, 22), date(2021, 4, 23))
    assert {row.get("#event+id") for row in rows} == set(want)
    injured_total = 0
    for row in rows:
        harm = want[row.get("#event+id")]["casualties"]
        civilian, military = harm.get("civilian_injured"), harm.get("military_injured")
        total = row.get("#affected+injured+total")
        if civilian is None and military is None:
            assert total in ("", None)  # an empty cell: unknown, not 0
        else:
            assert int(total) == (civilian or 0) + (military or 0)
            injured_total += int(total)
    assert injured_total >= 1  # event 6's injured civilian


def test_every_report_and_export_taken_is_in_the_log(day, client, auth, viewer) -> None:  # type: ignore[no-untyped-def]
    client.get("/api/v1/exports/hxl?since=2021-04-22", headers=auth("am.liaison")).read()
    client.get("/api/v1/reports/daily?date=2021-04-23", headers=auth("az.liaison"))
    client.get("/open-data/incidents.geojson")  # the public's: nobody to name, not recorded
    with day.db.read() as conn:
        taken = conn.execute(text("SELECT username, kind, parameters, sha256 FROM exports")).all()
        leaves = conn.execute(
            text("SELECT COUNT(*) FROM log_leaves WHERE kind = 'export'")
        ).scalar()
    assert sorted((t.username, t.kind) for t in taken) == [
        ("am.liaison", "hxl"),
        ("az.liaison", "daily-report"),
    ]
    assert leaves == 2
    assert log.audit(day).problems == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/reports/daily?date=2021-02-30", "date"),
        ("/api/v1/reports/daily?date=2999-01-01", "date"),
        ("/api/v1/reports/daily?date=2021-04-23&audience=martian", "audience"),
        ("/api/v1/reports/daily?date=2021-04-23&language=fr", "language"),
        ("/api/v1/exports/acled?since=2021-04-23&until=2021-04-01", "until"),
        ("/api/v1/exports/acled?category=earthquake", "category"),
        ("/api/v1/exports/csv", "name"),
        ("/api/v1/exports/geojson?coarsen=-5", "coarsen"),
    ],
)
def test_bad_report_and_export_requests_name_their_field_and_write_nothing(  # type: ignore[no-untyped-def]
    dep, client, auth, path, field
) -> None:
    answer = client.get(path, headers=auth("rpk.duty"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    with dep.db.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM exports")).scalar() == 0


def test_each_user_reads_in_the_report_and_exports_only_what_they_may(  # type: ignore[no-untyped-def]
    dep, viewer, client, auth
) -> None:
    """The authorization table's users and classifications: a record of each classification
    in the period; each user's report and export hold exactly the ones they may read."""
    from .test_authorization import NAMED, READERS, REPORTER, USERS

    made = {}
    for classification in ("public", "mission", "restricted", "confidential"):
        draft = violation_draft(
            START + timedelta(hours=4),
            classification=classification,
            restricted_to=NAMED if classification in ("restricted", "confidential") else [],
        )
        made[incidents.report_incident(dep, viewer(REPORTER), draft, now=END).id] = classification
    problems = []
    for user in USERS:
        want = {i for i, c in made.items() if user in READERS[c]}
        report = client.get("/api/v1/reports/daily?date=2021-04-23", headers=auth(user)).json()
        week = client.get("/api/v1/reports/weekly?week=2021-04-23", headers=auth(user)).json()
        geo = client.get("/api/v1/exports/geojson?since=2021-04-22", headers=auth(user)).json()
        acled = client.get("/api/v1/exports/acled?since=2021-04-22", headers=auth(user)).text
        for what, got in (
            ("report", set(report["incident_ids"])),
            ("weekly", set(week["incident_ids"])),
            ("geojson", {f["id"] for f in geo["features"]}),
            ("acled", {r[0] for r in list(csv.reader(io.StringIO(acled)))[1:]}),
        ):
            if got != want:
                problems.append(f"{user} {what}: {sorted(made[i] for i in got)}")
    assert problems == []
    for path in (
        "/api/v1/reports/daily?date=2021-04-23",
        "/api/v1/reports/weekly?week=2021-04-23",
        "/api/v1/reports/monthly?month=2021-04",
        "/api/v1/exports/acled",
        "/api/v1/exports/geojson",
        "/api/v1/exports/hxl",
    ):
        assert client.get(path).status_code == 401, path
    for path in (
        "/reports/daily",
        "/reports/daily/2021-04-23",
        "/reports/daily.pdf",
        "/reports/weekly",
        "/reports/monthly",
    ):
        assert client.get(path, follow_redirects=False).status_code == 303, path
    public = client.get("/open-data?date=2021-04-23")
    assert public.status_code == 200
    shown = [i for i in made if i in public.text]
    assert shown == []  # ids are not shown on the page; its counts are the public's
    assert 'id="total-incidents">1<' in public.text
    rows = list(csv.reader(io.StringIO(client.get("/open-data/incidents-acled.csv").text)))
    assert [r[0] for r in rows[1:]] == [i for i, c in made.items() if c == "public"]


def test_the_report_page_and_the_terminal(day, client, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "az.liaison")
    page = client.get("/reports/daily?date=2021-04-23")
    assert page.status_code == 200 and "Laçın" in page.text and 'id="report-hash"' in page.text
    assert client.get("/reports/daily.pdf?date=2021-04-23").content.startswith(b"%PDF")
    assert client.get("/reports/daily?date=2999-01-01").status_code == 422
    printed = run("report", "daily", "--date", "2021-04-23", "--as", "rpk.duty", "--format", "json")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["totals"]["incidents"] >= 20
    pdf = tmp_path / "daily.pdf"
    made = run(
        "report",
        "daily",
        "--date",
        "2021-04-23",
        "--for",
        "mod-azerbaijan-duty",
        "--format",
        "pdf",
        "--out",
        str(pdf),
    )
    assert made.exit_code == 0, made.output
    assert pdf.read_bytes().startswith(b"%PDF")
    target = tmp_path / "acled.csv"
    taken = run(
        "export",
        "incidents",
        "--as",
        "rpk.duty",
        "--format",
        "acled",
        "--since",
        "2021-04-22",
        "--out",
        str(target),
    )
    assert taken.exit_code == 0, taken.output
    assert target.read_text(encoding="utf-8").splitlines()[0].split(",") == ACLED_COLUMNS
    failed = run("report", "daily", "--date", "23 April", "--as", "rpk.duty")
    assert failed.exit_code == 2 and "date" in failed.output


def test_each_days_report_is_sent_once_to_each_desk_the_rules_choose(  # type: ignore[no-untyped-def]
    day, wired, mailbox, receiver
) -> None:
    """The pack's `daily-report` rule: after the cut-off, the peacekeepers', the monitoring
    centre's and both ministries' duty officers each get the day's report as their own
    organisation reads it, in their language and names; once, however often it is asked."""
    sending = replace(wired, daily_reports=True)
    while notifications.deliver_due(sending, channels.send, messages.render):
        pass  # the incidents' own notifications, a batch at a time
    mailbox.received.clear()
    receiver.received.clear()
    after = datetime(2021, 4, 23, 8, 30, tzinfo=ZONE)
    assert reports.send_daily(sending, after) == 4
    assert reports.send_daily(sending, after + timedelta(minutes=1)) == 0
    assert notifications.deliver_due(sending, channels.send, messages.render) == 4
    by_mail = {
        str(m["To"]): text for m, text in zip(mailbox.received, mailbox.texts(), strict=True)
    }
    assert set(by_mail) == {
        "rpk-duty@demo.invalid",
        "jmc-duty@demo.invalid",
        "mod-armenia-duty@demo.invalid",
    }
    (azerbaijani,) = [body["message"] for _headers, body in receiver.received]
    armenian = by_mail["mod-armenia-duty@demo.invalid"]
    for said_to, contact, lang in (
        (armenian, "mod-armenia-duty", "hy"),
        (azerbaijani, "mod-azerbaijan-duty", "az"),
        (by_mail["rpk-duty@demo.invalid"], "rpk-duty", "ru"),
    ):
        own = reports.daily_report(day, reports.contact_reader(day, contact), DAY, record=False)
        totals = own["totals"]
        said = translations(lang).gettext(
            "%(n)s incidents (%(v)s ceasefire violations); %(p)s the day before."
        ) % {"n": totals["incidents"], "v": totals["violations"], "p": totals["previous"]}
        assert said in said_to and own["sha256"] in said_to
    assert "Բերձոր" in armenian and "Laçın" not in armenian
    assert "Laçın" in azerbaijani and "Բերձոր" not in azerbaijani
    with day.db.read() as conn:
        sent = conn.execute(
            text("SELECT parameters FROM exports WHERE kind = 'daily-report'")
        ).all()
    assert sorted(
        json.loads(p[0])["for"] if isinstance(p[0], str) else p[0]["for"] for p in sent
    ) == ["jmc-duty", "mod-armenia-duty", "mod-azerbaijan-duty", "rpk-duty"]
    assert log.audit(day).problems == []


def _report_day(moment: datetime, cutoff: str = "08:00") -> date:
    """The report day a moment falls in: the day whose cut-off is the first after it."""
    hours, minutes = (int(x) for x in cutoff.split(":"))
    return (moment.astimezone(ZONE) - timedelta(hours=hours, minutes=minutes)).date() + timedelta(
        days=1
    )


def test_weekly_and_monthly_trends_count_the_series_and_say_what_changed(  # type: ignore[no-untyped-def]
    day, viewer, client, auth, run
) -> None:
    for n in range(6):  # the week before: shots near Khatsi
        record(
            day,
            viewer,
            datetime(2021, 4, 14, 9, tzinfo=ZONE) + timedelta(hours=n),
            category="small-arms-fire",
            location={"place_id": "khatsi", "precision": "town"},
            observations=[],
        )
    for n in range(3):  # three weeks before
        record(
            day,
            viewer,
            datetime(2021, 3, 31, 9, tzinfo=ZONE) + timedelta(hours=n),
            category="shelling",
            observations=[],
        )
    reader = viewer("rpk.duty")
    report = trends.trend_report(day, reader, Span.week, date(2021, 4, 21))
    assert report["first"] == "2021-04-19"
    mondays = [date(2021, 4, 19) - timedelta(weeks=7 - i) for i in range(8)]
    assert [p["first"] for p in report["periods"]] == [m.isoformat() for m in mondays]
    pack = yaml.safe_load((REFERENCE_PACK / "reports.yaml").read_text(encoding="utf-8"))
    area_of = {post: a["id"] for a in pack["areas"] for post in a["posts"]}
    by_category: dict[str, list[int]] = {}
    by_area: dict[str, list[int]] = {}
    with day.db.read() as conn:
        rows = conn.execute(
            text(
                "SELECT i.category, i.status, i.content, g.post_id FROM incidents i LEFT JOIN "
                "record_geography g ON g.record_kind = 'incident' AND g.record_id = i.id"
            )
        ).all()
    places_now: Counter[str] = Counter()
    places_before: Counter[str] = Counter()
    for row in rows:
        content = row.content if isinstance(row.content, dict) else json.loads(row.content)
        if row.status == "retracted" or content["time_precision"] == "month":
            continue
        report_day = _report_day(datetime.fromisoformat(content["started_at"]))
        monday = report_day - timedelta(days=report_day.weekday())
        if monday not in mondays:
            continue
        at = mondays.index(monday)
        by_category.setdefault(row.category, [0] * 8)[at] += 1
        by_area.setdefault(area_of.get(row.post_id, "elsewhere"), [0] * 8)[at] += 1
        place = content["location"].get("place_id")
        if at == 7:
            places_now[place] += 1
        elif at == 6:
            places_before[place] += 1
    assert {c["id"]: c["series"] for c in report["categories"]} == by_category
    assert {a["id"]: a["series"] for a in report["areas"]} == by_area
    assert report["totals"]["series"] == [sum(s[i] for s in by_category.values()) for i in range(8)]
    # the week of 29 March: the three shellings, and the pack's sample of 28 March at 20:41,
    # after that day's cut-off, so on the report day of 29 March
    assert report["totals"]["series"][-4] == 3 + 1
    for item in report["summary"]:
        moved = item["now"] - item["before"]
        big = abs(moved) >= 2 and abs(moved) >= 0.25 * max(item["before"], 1)
        want = ("deteriorated" if moved > 0 else "improved") if big else "same"
        assert item["change"] == want, item
        assert str(item["now"]) in item["text"] and str(item["before"]) in item["text"]
    shots = next(i for i in report["summary"] if i["id"] == "small-arms-fire")
    assert shots["before"] == 6
    rises = sorted(
        ((p, n - places_before[p]) for p, n in places_now.items() if n > places_before[p]),
        key=lambda r: (-r[1], r[0]),
    )
    assert [(h["place_id"], h["rise"]) for h in report["hot_spots"]] == rises[:5]
    month = trends.trend_report(day, reader, Span.month, date(2021, 4, 1))
    assert [p["label"] for p in month["periods"]] == [
        "2020-11",
        "2020-12",
        "2021-01",
        "2021-02",
        "2021-03",
        "2021-04",
    ]
    april = sum(
        1
        for r in rows
        if r.status != "retracted"
        and _report_day(
            datetime.fromisoformat(
                (r.content if isinstance(r.content, dict) else json.loads(r.content))["started_at"]
            )
        ).strftime("%Y-%m")
        == "2021-04"
    )
    assert month["totals"]["series"][-1] == april
    api = client.get("/api/v1/reports/weekly?week=2021-04-21", headers=auth("rpk.duty")).json()
    assert api["totals"]["series"] == report["totals"]["series"]
    pdf = client.get("/api/v1/reports/monthly?month=2021-04&format=pdf", headers=auth("rpk.duty"))
    assert pdf.content.startswith(b"%PDF")
    printed = run(
        "report", "weekly", "--week", "2021-04-21", "--as", "rpk.duty", "--format", "json"
    )
    assert json.loads(printed.stdout)["hot_spots"] == report["hot_spots"]
    for path, field in (
        ("/api/v1/reports/weekly?week=2999-01-01", "week"),
        ("/api/v1/reports/monthly?month=2021-13", "month"),
    ):
        answer = client.get(path, headers=auth("rpk.duty"))
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field
