"""Activity notices: a farming notice at the line is high risk with its reasons and reaches
the other side and the nearest post, whose acknowledgements show on it; a notice deep
behind the line is low risk and reaches only the post; recurring notices, the post's day
and its iCalendar feed; who may file, read and cancel."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from ceasefire.delivery import channels, messages
from ceasefire.domain.notices import NoticeDraft
from ceasefire.services import log, notifications
from ceasefire.services.deployment import Deployment

from .builders import violation_draft
from .test_browser import live_server as live_server  # the fixture
from .test_cli import run as run  # the fixture
from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture

ZONE = ZoneInfo("Asia/Baku")
TOMORROW = datetime.now(ZONE).date() + timedelta(days=1)
AT_THE_LINE = [47.035, 39.8783]  # a field 300 m inside the line, below Berdashen
DEEP_BEHIND = [46.68, 40.1]  # 11 km from the line, west of Martakert
FILER = "nk.liaison"  # the local authorities' liaison officer files for the villagers


def notice(where: list[float] | dict[str, Any] = AT_THE_LINE, **changes: Any) -> dict[str, Any]:
    start = datetime.combine(TOMORROW, datetime.min.time(), ZONE).replace(hour=7)
    area = where if isinstance(where, dict) else {"type": "Point", "coordinates": where}
    body: dict[str, Any] = {
        "activity": "farming",
        "title": "Ploughing the wheat field below the village",
        "description": "Two tractors; the family that owns the field.",
        "people": 4,
        "unarmed": True,
        "vehicles": 2,
        "area": area,
        "place_id": "berdashen",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=10)).isoformat(),
    }
    body.update(changes)
    return body


def deliver(dep: Deployment) -> int:
    return notifications.deliver_due(dep, channels.send, messages.render)


def test_a_farming_notice_at_the_line_is_high_risk_and_reaches_the_other_side_and_the_post(  # type: ignore[no-untyped-def]
    wired, client, auth, mailbox, receiver
) -> None:
    response = client.post("/api/v1/notices", json=notice(), headers=auth(FILER))
    assert response.status_code == 201, response.text
    filed = response.json()
    assessment = filed["assessment"]
    assert assessment["risk"] == "high" and assessment["codes"] == ["close_to_line"]
    assert 250 < assessment["line_metres"] < 350
    assert assessment["reasons"] == ["Այն մոտենում է շփման գծին 297 մ հեռավորության վրա։"]
    assert assessment["counterparts"] == ["Ադրբեջան"]
    assert filed["escort"] is True
    told = {a["contact"] for a in filed["acknowledgements"]}
    assert told == {"mod-azerbaijan-duty", "rpk-south-desk", "rpk-duty", "nk-authorities-duty"}
    assert deliver(wired) == 4
    assert len(receiver.received) == 1  # the counterpart, by webhook, in Azerbaijani
    webhook = receiver.received[0][1]
    assert webhook["title"].startswith("[ceasefire] tarla işləri: Ploughing")
    assert webhook["title"].endswith("(yüksək)")
    assert "Fəaliyyət təmas xəttinə 297 m qədər yaxınlaşır." in webhook["message"]
    assert "Müşayiət tövsiyə olunur." in webhook["message"]
    by_desk = {
        str(m["To"]): text for m, text in zip(mailbox.received, mailbox.texts(), strict=True)
    }
    assert sorted(by_desk) == [
        "nk-authorities-duty@demo.invalid",
        "rpk-duty@demo.invalid",
        "rpk-south-desk@demo.invalid",
    ]
    assert "полевые работы: Ploughing" in by_desk["rpk-south-desk@demo.invalid"]
    outcome = by_desk["nk-authorities-duty@demo.invalid"]  # the filer's desk, in Armenian
    assert "ռիսկ՝ բարձր" in outcome and "Խորհուրդ է տրվում ուղեկցություն։" in outcome
    assert "Ծանուցումն ուղարկվեց՝" in outcome
    assert "Duty officer, Azerbaijani Ministry of Defence" in outcome
    assert "Ծանուցումն ուղարկվեց՝" not in by_desk["rpk-south-desk@demo.invalid"]
    # the counterpart and the sector desk acknowledge; the filer sees it on the notice
    for user, contact in (("az.liaison", "mod-azerbaijan-duty"), ("rpk.duty", "rpk-south-desk")):
        inbox = client.get("/api/v1/notifications", headers=auth(user)).json()["items"]
        (mine,) = [n for n in inbox if n["record"]["id"] == filed["id"] and n["contact"] == contact]
        acked = client.post(f"/api/v1/notifications/{mine['id']}/ack", headers=auth(user))
        assert acked.status_code == 200, acked.text
    seen = client.get(f"/api/v1/notices/{filed['id']}", headers=auth(FILER)).json()
    acknowledged = {a["contact"]: a["acknowledged_at"] for a in seen["acknowledgements"]}
    assert acknowledged["mod-azerbaijan-duty"] is not None
    assert acknowledged["rpk-south-desk"] is not None
    assert acknowledged["rpk-duty"] is None
    # a counterpart sees its own acknowledgement only
    theirs = client.get(f"/api/v1/notices/{filed['id']}", headers=auth("az.liaison")).json()
    assert [a["contact"] for a in theirs["acknowledgements"]] == ["mod-azerbaijan-duty"]


def test_a_notice_deep_behind_the_line_is_low_risk_and_reaches_only_the_post(  # type: ignore[no-untyped-def]
    client, auth
) -> None:
    body = notice(DEEP_BEHIND, place_id="martakert", title="Harvest in the orchard")
    filed = client.post("/api/v1/notices", json=body, headers=auth(FILER)).json()
    assert filed["assessment"]["risk"] == "low"
    assert filed["assessment"]["codes"] == ["far_from_line"]
    assert filed["escort"] is False
    told = sorted(a["contact"] for a in filed["acknowledgements"])
    assert told == ["nk-authorities-duty", "rpk-north-desk"]  # the post, and the filer's desk
    # the other side neither was told nor may read it
    assert (
        client.get(f"/api/v1/notices/{filed['id']}", headers=auth("az.liaison")).status_code == 404
    )


def test_every_reason_raises_the_risk_it_names(  # type: ignore[no-untyped-def]
    dep, viewer, client, auth
) -> None:
    from ceasefire.services import incidents

    taghavard_orchard = {
        "type": "Polygon",
        "coordinates": [
            [[46.924, 39.664], [46.93, 39.664], [46.93, 39.668], [46.924, 39.668], [46.924, 39.664]]
        ],
    }
    for _ in range(3):
        incidents.report_incident(dep, viewer("jmc.duty"), violation_draft())
    body = notice(taghavard_orchard, place_id="taghavard", unarmed=False)
    filed = client.post("/api/v1/notices", json=body, headers=auth(FILER)).json()
    codes = filed["assessment"]["codes"]
    assert codes == ["crosses_line", "in_hazard_area", "incidents_nearby", "armed"]
    assert filed["assessment"]["incidents_nearby"] == 3
    reasons = " ".join(filed["assessment"]["reasons"])
    assert "Ենթադրաբար ականապատված այգիներ (Թաղավարդ)" in reasons
    route = {
        "type": "LineString",
        "coordinates": [[47.035, 39.85], [47.035, 39.8783]],
    }
    medium = client.post(
        "/api/v1/notices/assessment",
        json=notice(route, activity="grave_visit"),
        headers=auth("icrc.caseworker"),
    ).json()
    assert medium["assessment"]["risk"] == "high"  # the route's end is 300 m from the line
    assert {r["contact"] for r in medium["recipients"]} == {
        "mod-azerbaijan-duty",
        "nk-authorities-duty",  # a neutral filer: both sides are told
        "rpk-south-desk",
        "rpk-duty",
        "icrc-protection",  # the filer's own desk
    }


def test_a_recurring_notice_is_one_notice_on_every_weekday_it_names(  # type: ignore[no-untyped-def]
    client, auth
) -> None:
    until = TOMORROW + timedelta(days=27)
    body = notice(recurrence={"weekdays": [0, 1, 2, 3, 4], "until": until.isoformat()})
    filed = client.post("/api/v1/notices", json=body, headers=auth(FILER)).json()
    post = filed["assessment"]["nearest_post"]
    draft = NoticeDraft.model_validate(body)
    expected_days = {
        TOMORROW + timedelta(days=i)
        for i in range(28)
        if (TOMORROW + timedelta(days=i)).weekday() < 5
    }
    assert {start.date() for start, _ in draft.occurrences(ZONE)} == expected_days
    for offset in range(28):
        day = TOMORROW + timedelta(days=offset)
        listed = client.get(
            f"/api/v1/posts/{post}/notices",
            params={"date": day.isoformat()},
            headers=auth("rpk.duty"),
        ).json()["items"]
        assert ([i["id"] for i in listed] == [filed["id"]]) == (day in expected_days), day
    feed = client.get(
        f"/api/v1/posts/{post}/notices.ics",
        params={"from": TOMORROW.isoformat(), "days": 28},
        headers=auth("rpk.duty"),
    )
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(expected_days)
    starts = sorted(e.decoded("dtstart") for e in events)
    seven = [
        datetime.combine(day, datetime.min.time(), ZONE).replace(hour=7) for day in expected_days
    ]
    assert starts == sorted(seven)  # 07:00 local on each weekday
    assert all(e.decoded("dtend") - e.decoded("dtstart") == timedelta(hours=10) for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_cancelling_tells_those_who_were_told_and_is_logged(  # type: ignore[no-untyped-def]
    wired, client, auth, viewer
) -> None:
    filed = client.post("/api/v1/notices", json=notice(), headers=auth(FILER)).json()
    refused = client.post(
        f"/api/v1/notices/{filed['id']}/cancel", json={"reason": "no"}, headers=auth("rpk.duty")
    )
    assert refused.status_code == 403
    done = client.post(
        f"/api/v1/notices/{filed['id']}/cancel",
        json={"reason": "Rain: the field is mud", "base_version": 1},
        headers=auth(FILER),
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled" and done.json()["version"] == 2
    told = [a for a in done.json()["acknowledgements"] if a["record"]["version"] == 2]
    assert {a["contact"] for a in told} == {"mod-azerbaijan-duty", "rpk-south-desk"}
    again = client.post(
        f"/api/v1/notices/{filed['id']}/cancel", json={"reason": "twice"}, headers=auth(FILER)
    )
    assert again.status_code == 422
    assert log.audit(wired).problems == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"activity": "picnic"}, "activity"),
        ({"people": 0}, "people"),
        ({"unarmed": None}, "unarmed"),
        ({"area": {"type": "Point", "coordinates": [200, 40]}}, "area"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[46.9, 39.8], [47, 39.8], [46.9, 39.8]]],
                }
            },
            "area",
        ),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [
                        [[46.9, 39.8], [47, 39.9], [47, 39.8], [46.9, 39.9], [46.9, 39.8]]
                    ],
                }
            },
            "area",
        ),
        ({"area": {"type": "MultiPoint", "coordinates": [[46.9, 39.8]]}}, "area"),
        ({"area": {"type": "Point", "coordinates": [{}]}}, "area"),
        ({"area": {"type": "LineString", "coordinates": [[46.9, True], [47, 39.8]]}}, "area"),
        ({"ends_at": "2021-04-01T07:00:00+04:00"}, "ends_at"),
        ({"starts_at": "2021-04-01T07:00:00"}, "starts_at"),
        ({"recurrence": {"weekdays": [7], "until": "2030-01-01"}}, "recurrence"),
        ({"recurrence": {"weekdays": [1], "until": "2099-01-01"}}, "recurrence"),
        ({"place_id": "atlantis"}, "place_id"),
        ({"title": ""}, "title"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_notice_names_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, change, field
) -> None:
    body = notice(**change)
    response = client.post("/api/v1/notices", json=body, headers=auth(FILER))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])
    assert client.get("/api/v1/notices", headers=auth(FILER)).json()["items"] == []


def test_a_notice_for_the_past_is_refused(client, auth) -> None:  # type: ignore[no-untyped-def]
    start = datetime.now(UTC) - timedelta(days=2)
    body = notice(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat())
    response = client.post("/api/v1/notices", json=body, headers=auth(FILER))
    assert response.status_code == 422 and "ends_at" in response.text


@pytest.mark.parametrize(
    ("user", "may_file"),
    [
        ("nk.liaison", True),
        ("am.liaison", True),
        ("az.liaison", True),
        ("icrc.caseworker", True),
        ("rpk.duty", True),
        ("jmc.ru.monitor", False),
        ("rpk.monitor", False),
        ("unhcr.analyst", False),
        ("admin", False),
    ],
)
def test_who_files_notices(client, auth, user, may_file) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/notices", json=notice(), headers=auth(user))
    assert response.status_code == (201 if may_file else 403), response.text


def test_a_post_day_for_something_that_is_not_a_post_is_not_found(client, auth) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/api/v1/posts/stepanakert/notices", params={"date": "2021-04-12"}, headers=auth("rpk.duty")
    )
    assert response.status_code == 404


def test_occurrences_keep_the_local_hour_across_a_clock_change() -> None:
    body = notice(
        starts_at="2030-03-29T07:00:00+00:00",
        ends_at="2030-03-29T09:00:00+00:00",
        recurrence={"weekdays": [4, 5, 6, 0], "until": "2030-04-01"},
    )
    london = ZoneInfo("Europe/London")
    hours = [start.hour for start, _ in NoticeDraft.model_validate(body).occurrences(london)]
    assert hours == [7, 7, 7, 7]
    days = [start.date() for start, _ in NoticeDraft.model_validate(body).occurrences(london)]
    assert days == [date(2030, 3, 29), date(2030, 3, 30), date(2030, 3, 31), date(2030, 4, 1)]


# --- the command line and the pages ------------------------------------------------------


def test_the_cli_files_shows_cancels_and_prints_a_posts_day(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(notice()), encoding="utf-8")
    filed = run("notice", "file", "--as", FILER, "--file", str(path))
    assert filed.exit_code == 0, filed.output
    notice_id = filed.stdout.strip().splitlines()[-1]
    assert "ռիսկ՝ բարձր" in filed.stdout  # in the filer's language
    listed = json.loads(run("notice", "list", "--as", "rpk.duty", "--json").stdout)
    assert [i["id"] for i in listed["items"]] == [notice_id]
    shown = json.loads(run("notice", "show", notice_id, "--as", FILER, "--json").stdout)
    assert {a["contact"] for a in shown["acknowledgements"]} == {
        "mod-azerbaijan-duty",
        "rpk-south-desk",
        "rpk-duty",
        "nk-authorities-duty",
    }
    ics = tmp_path / "post.ics"
    day = run(
        "post", "day", "rpk-post-26", "--as", "rpk.duty", "--date", TOMORROW.isoformat(),
        "--ics", str(ics),
    )  # fmt: skip
    assert day.exit_code == 0 and notice_id[:8] in day.stdout
    assert len(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) == 1
    refused = run("notice", "cancel", notice_id, "--as", "az.liaison", "--reason", "no")
    assert refused.exit_code == 2 and "notice" in refused.output
    cancelled = run("notice", "cancel", notice_id, "--as", FILER, "--reason", "Rain")
    assert cancelled.exit_code == 0, cancelled.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(notice(people=0)), encoding="utf-8")
    refused_file = run("notice", "file", "--as", FILER, "--file", str(bad))
    assert refused_file.exit_code == 2 and "people" in refused_file.output
    assert run("post", "day", "stepanakert", "--as", "rpk.duty").exit_code == 2


def test_the_pages_show_a_notice_its_acknowledgements_and_the_posts_day(  # type: ignore[no-untyped-def]
    browser_for, client, auth
) -> None:
    filed = client.post("/api/v1/notices", json=notice(), headers=auth(FILER)).json()
    armenian = browser_for(FILER)
    page = armenian.get(f"/notices/{filed['id']}").text
    assert "Այն մոտենում է շփման գծին 297 մ հեռավորության վրա։" in page
    assert "Խորհուրդ է տրվում ուղեկցություն։" in page
    assert page.count("<tr class=") >= 4  # four desks told
    listed = armenian.get("/notices").text
    assert filed["id"] in listed
    day = (
        browser_for("rpk.duty")
        .get("/posts/rpk-post-26/day", params={"date": TOMORROW.isoformat()})
        .text
    )
    assert "Ploughing the wheat field below the village" in day and "07:00–17:00" in day
    assert browser_for("az.liaison").get("/posts/rpk-post-26/day").status_code == 200
    feed = browser_for("rpk.duty").get(
        "/posts/rpk-post-26/notices.ics", params={"start": TOMORROW.isoformat()}
    )
    assert len(icalendar.Calendar.from_ical(feed.content).walk("VEVENT")) == 1
    assert browser_for("jmc.ru.monitor").get(f"/notices/{filed['id']}").status_code == 200


def test_the_notice_form_files_without_javascript_and_shows_errors(browser_for) -> None:  # type: ignore[no-untyped-def]
    from .conftest import csrf_of

    page = browser_for(FILER)
    form = page.get("/notices/new")
    assert form.status_code == 200 and 'name="area"' in form.text
    start = f"{TOMORROW.isoformat()}T07:00"
    values = {
        "csrf_token": csrf_of(page),
        "activity": "repair",
        "title": "Mending the water pipe behind the school",
        "people": "3",
        "unarmed": "yes",
        "starts_at": start,
        "ends_at": f"{TOMORROW.isoformat()}T12:00",
        "lat": "39.8783",
        "lon": "47.035",
    }
    done = page.post("/notices/new", data=values, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/notices/")
    shown = page.get(done.headers["location"]).text
    assert "Mending the water pipe behind the school" in shown
    wrong = page.post("/notices/new", data={**values, "lat": "north"}, follow_redirects=False)
    assert wrong.status_code == 422 and "area" in wrong.text
    preview = page.post("/notices/assess", data=values)
    assert "risk-high" in preview.text


@pytest.mark.browser
def test_a_liaison_officer_draws_a_plot_sees_its_assessment_and_files_it(live_server) -> None:  # type: ignore[no-untyped-def]
    """In Chromium: the map takes a plot's corners, the assessment shows as it is drawn, and
    the filed notice keeps the plot as drawn."""
    from .conftest import require
    from .test_browser import CHROMIUM_FLAGS, chromium_path

    executable = chromium_path()
    require(executable is not None, "Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(base_url=live_server, viewport={"width": 1000, "height": 1400})
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=username]", FILER)
        page.fill("input[name=password]", "ceasefire-demo")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/map")
        page.goto("/notices/new")
        page.select_option("select[name=activity]", "harvest")
        page.fill("input[name=title]", "Picking apricots in the lower orchard")
        page.fill("input[name=starts_at]", f"{TOMORROW.isoformat()}T06:00")
        page.fill("input[name=ends_at]", f"{TOMORROW.isoformat()}T14:00")
        page.check("input[name=draw][value=Polygon]")
        page.locator("#notice-map").scroll_into_view_if_needed()
        box = page.locator("#notice-map").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx, dy in ((0, 0), (30, 0), (30, 30), (0, 30)):
            page.mouse.click(x + dx, y + dy)
        drawn = json.loads(page.input_value("input[name=area]"))
        assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
        page.wait_for_selector("#assessment .assessment")
        assert "ռիսկ՝" in page.inner_text("#assessment")  # in the filer's language
        page.click("form.notice-form button[type=submit]")
        page.wait_for_url("**/notices/*-*-*-*-*")
        assert page.inner_text("h1") == "Picking apricots in the lower orchard"
        page.wait_for_selector("#notice-map path.leaflet-interactive")
        browser.close()
