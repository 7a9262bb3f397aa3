"""A monitor on a phone signs in, files an incident from the form, and finds it on the map and
in the list — in the system Chromium, driven by Playwright, against the real server."""

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
from ceasefire.services.deployment import Deployment
from ceasefire.web.app import create_app

from .conftest import require

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
