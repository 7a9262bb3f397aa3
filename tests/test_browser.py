"""In the system Chromium, driven by Playwright, against the real server: a monitor on a
phone files an incident from the form and finds it on the map and in the list; a resident
asks the peacekeepers for help in Armenian and follows the desk's answers; a ministry reads
its daily report and its map; an analyst reads the humanitarian dashboard's map."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import uvicorn

from ceasefire.config import Settings
from ceasefire.delivery import channels, messages
from ceasefire.services import activities, households, notifications, reports
from ceasefire.services.deployment import Deployment
from ceasefire.web.app import create_app

from .conftest import require
from .test_case_work import desk as desk  # the fixture
from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture
from .test_reports import DAY
from .test_reports import day as day  # the fixture

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def live_server(settings: Settings, dep: Deployment) -> Iterator[str]:
    """The whole app served by uvicorn on a free loopback port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, dep), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def phone(live_server: str) -> Iterator[object]:
    executable = chromium_path()
    require(executable is not None, "Chromium: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            locale="ru-RU",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_monitor_files_an_incident_from_the_phone_form_and_finds_it_on_map_and_list(  # type: ignore[no-untyped-def]
    phone,
) -> None:
    page = phone
    title = f"Mortar impacts near the orchard {uuid.uuid4().hex[:6]}"

    page.goto("/map")  # not signed in: sent to the sign-in page
    page.wait_for_url("**/login?next=/map")
    page.fill("input[name=username]", "jmc.ru.monitor")
    page.fill("input[name=password]", "ceasefire-demo")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/map")
    assert page.locator("html").get_attribute("lang") == "ru"  # the monitor's own language

    page.goto("/incidents/new")
    page.select_option("select[name=category]", "shelling")
    assert page.locator("#observation").is_visible()  # violation fields shown for shelling
    page.fill("input[name=title]", title)
    page.fill("textarea[name=narrative]", "Три разрыва в саду к востоку от села.")
    page.fill("input[name=started_at]", "2021-04-11T09:30")
    # the Azerbaijani name, typed without its letter ğ and with a typo, is suggested; pick it
    page.fill("input[name=place_search]", "Tagavrd")
    page.click("#place-hits .place-hit[data-id=taghavard]")
    assert page.input_value("select[name=place_id]") == "taghavard"
    page.select_option("select[name=geo_precision]", "near_town")
    page.select_option("select[name=platform]", "drone")
    page.select_option("select[name=sighting]", "explosion")
    page.select_option("select[name=explosion]", "impact")
    page.fill("input[name=count]", "3")
    page.select_option("select[name=classification]", "public")
    page.click("form.report button[type=submit]")
    page.wait_for_url("**/incidents/*-*-*-*-*")
    assert page.locator("h1").inner_text() == title
    incident_id = page.url.rsplit("/", 1)[1]

    page.goto("/incidents")
    link = page.get_by_role("link", name=title)
    assert link.is_visible()
    assert link.get_attribute("href") == f"/incidents/{incident_id}"

    page.goto("/map")
    page.wait_for_function("document.getElementById('map').dataset.incidents !== undefined")
    marker = page.locator(f"path.incident-{incident_id}")
    assert marker.count() == 1
    marker.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    assert title in popup.inner_text()
    assert popup.get_by_role("link").get_attribute("href") == f"/incidents/{incident_id}"
    assert page.locator(".banner").is_visible()  # lines are flagged as illustrative


def test_an_armenian_request_reaches_the_post_and_its_news_reach_the_resident(  # type: ignore[no-untyped-def]
    phone, live_server, desk, mailbox, receiver
) -> None:
    """A resident fills the public form in Armenian on a phone; the desk finds the request in
    its queue, assigned by the mandate to the post at Taghavard, takes it and writes to the
    resident; the post is told by e-mail, the resident hears by SMS, in Armenian, and reads
    the news on the status page."""
    from ceasefire.i18n import translations

    from .test_case_work import sms, to_residents

    hy = translations("hy").gettext
    resident = phone.context.browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True,
        locale="hy-AM",
    )  # fmt: skip
    page = resident.new_page()
    page.set_default_timeout(15_000)
    page.goto("/request")
    assert page.locator("html").get_attribute("lang") == "hy"
    page.select_option("select[name=category]", "infrastructure")
    page.fill("textarea[name=description]", "Ջրատարը կոտրվել է խրամատների հետևում։")
    page.select_option("select[name=place_id]", "taghavard")
    page.fill("input[name=name]", "Անահիտ Հակոբյան")
    page.fill("input[name=phone]", "+374 97 555 123")
    page.select_option("select[name=channel]", "sms")
    page.wait_for_timeout(3200)  # a person takes longer than the form's minimum
    page.click("form.request-form button[type=submit]")
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()

    operator = phone
    operator.goto("/login?next=/desk/cases")
    operator.fill("input[name=username]", "rpk.desk")
    operator.fill("input[name=password]", "ceasefire-demo")
    operator.click("form[action='/login'] button[type=submit]")
    operator.wait_for_url("**/desk/cases")
    operator.get_by_role("link", name=reference).click()  # the queue shows the request
    operator.wait_for_url("**/desk/cases/*-*-*-*-*")
    assert operator.locator("#requester-name").inner_text() == "Անահիտ Հակոբյան"
    operator.wait_for_selector("path.checkpoint-case")  # the map: the village and its post
    assert operator.locator("path.checkpoint-post").count() == 1
    facts = operator.locator("dl.facts").first.inner_text()
    assert "Southern and eastern sector desk" in facts  # acts: the post's sector desk
    operator.click("#take")
    operator.wait_for_url("**/desk/cases/*-*-*-*-*")
    words = "Վաղը մեր պահակակետը կկապվի մյուս կողմի հետ։"
    operator.select_option("form.update-form select[name=status]", "waiting_other_side")
    operator.fill("form.update-form textarea[name=to_resident]", words)
    operator.fill(
        "form.update-form textarea[name=internal_note]", "Ask the Azerbaijani post first."
    )
    operator.click("form.update-form button[type=submit]")
    operator.wait_for_url("**/desk/cases/*-*-*-*-*")
    assert operator.locator("#case-timeline tbody tr").count() == 3

    notifications.deliver_due(desk, channels.send, messages.render)
    told = [str(m["To"]) for m in mailbox.received]
    assert "rpk-south-desk@demo.invalid" in told  # the post at Taghavard, by the mandate
    assert to_residents(desk) == 3
    texts = [m["message"] for m in sms(receiver)]
    assert [m["to"] for m in sms(receiver)] == ["+374 97 555 123"] * 3
    assert hy("in_progress") in texts[1] and words in texts[2]
    assert hy("waiting_other_side") in texts[2] and "Azerbaijani post" not in texts[2]

    page.goto(f"/request/status?reference={reference}&secret={secret}")
    news = page.locator("#updates").inner_text()
    assert words in news and hy("waiting_other_side") in news
    assert "Azerbaijani post" not in page.content()
    resident.close()


def test_a_ministry_reads_its_daily_report_and_its_map_in_its_own_names(  # type: ignore[no-untyped-def]
    day, viewer, phone
) -> None:
    """The Azerbaijani liaison officer opens the day's report on a phone: the counts it may
    read, in Azerbaijani, every counted incident on the map, and the week's trends."""
    page = phone
    own = reports.daily_report(day, viewer("az.liaison"), DAY, record=False)
    page.goto("/login?next=/reports/daily/2021-04-23")
    page.fill("input[name=username]", "az.liaison")
    page.fill("input[name=password]", "ceasefire-demo")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/reports/daily/2021-04-23")
    assert page.locator("html").get_attribute("lang") == "az"
    assert page.locator("#total-incidents").inner_text() == str(own["totals"]["incidents"])
    rows = page.locator("#by-category-area tbody tr")
    assert rows.count() == len(own["categories"])
    markers = page.locator("path.checkpoint-violation, path.checkpoint-incident")
    markers.first.wait_for()
    assert markers.count() == len(own["points"])
    assert "Laçın" in page.locator("body").inner_text()
    page.click("text=Həftəlik meyllər")
    page.wait_for_url("**/reports/weekly?week=2021-04-23")
    assert page.locator("#trend-summary li").count() >= 2


def test_the_aid_dashboard_maps_who_does_what_where_and_where_the_displaced_live(  # type: ignore[no-untyped-def]
    phone, dep, viewer
) -> None:
    """The UNHCR analyst opens the coordinators' dashboard on a phone: a marker for each place
    where an organisation works (its activities in the popup), and a circle where enough
    displaced people live to be counted (fewer than the minimum cell are not drawn)."""
    from .test_aid_pages import APRIL, activity, family

    am, unhcr = viewer("am.assist"), viewer("unhcr.analyst")
    for _ in range(5):
        households.register_household(dep, family(current_place_id="goris"), viewer=am, now=APRIL)
    households.register_household(dep, family(), viewer=am, now=APRIL)  # alone in Stepanakert
    activities.record_activity(dep, unhcr, activity())
    bread = activity(place_id="stepanakert", sector="food", activity="Bread for basements",
                     partner=None, remote=False)  # fmt: skip
    activities.record_activity(dep, unhcr, bread)
    page = phone
    page.goto("/login?next=/aid")
    page.fill("input[name=username]", "unhcr.analyst")
    page.fill("input[name=password]", "ceasefire-demo")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/aid")
    markers = page.locator("path.aid-activity")
    markers.first.wait_for()
    assert markers.count() == 2
    assert page.locator("path.aid-displaced").count() == 1  # Goris; Stepanakert's is suppressed
    assert page.locator("path.aid-displaced-goris").count() == 1
    page.locator("path.aid-activity-goris").click(force=True)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "Winterising rented rooms" in popup and "Local relief NGO" in popup
    assert "UN Refugee Agency (UNHCR)" in popup
