"""The humanitarian-assistance pages through the real sign-in form: the coordinators'
dashboard (small cells suppressed, the 3W, the downloads) for every signed-in user; the
registry's pages for the caseworkers who serve a household and no one else; registering
through the form (problems named, nothing typed lost); a household's actions, its claim and
its housing; duplicates decided; a month computed and handed over; the 3W recorded and
imported; and the public self-registration form, without an account."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fastapi.testclient import TestClient
from markupsafe import escape

from ceasefire.domain import assistance
from ceasefire.domain import households as household_domain
from ceasefire.domain import programmes as programme_rules
from ceasefire.domain.assistance import ActivityDraft
from ceasefire.i18n import translations
from ceasefire.services import activities, households, programmes
from ceasefire.services.deployment import Deployment
from ceasefire.web.labels import CODE_LABELS

from .conftest import csrf_of
from .test_households import family

APRIL = datetime(2021, 4, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2021, 5, 20, 9, 0, tzinfo=UTC)
ANGELA = {
    "given_name": "Angela",
    "family_name": "Galstyan",
    "patronymic": "Hakobi",
    "born": "1964-08-02",
    "sex": "female",
    "relationship": "head",
}
VARDAN = {
    "given_name": "Vardan",
    "family_name": "Galstyan",
    "born": "1958-01-15",
    "sex": "male",
    "relationship": "spouse",
}


def form_of(members: list[dict[str, str]], **changes: str) -> dict[str, str]:
    """The registration form's fields for Angela's household (members as rows m<i>.*)."""
    data = {
        "displacement": "displaced_within",
        "origin_place_id": "jivani",
        "current_place_id": "stepanakert",
        "address": "Basement, 12 Tumanyan Street",
        "shelter": "basement",
        "home": "lost",
        "phone": "+374 97 123456",
        "language": "hy",
        "consent": "yes",
    }
    for i, member in enumerate(members):
        data.update({f"m{i}.{k}": v for k, v in member.items()})
    data.update(changes)
    return data


def activity(**changes: Any) -> ActivityDraft:
    data: dict[str, Any] = {
        "organisation": "unhcr",
        "partner": "local-ngo",
        "sector": "shelter",
        "place_id": "goris",
        "activity": "Winterising rented rooms",
        "status": "ongoing",
        "start": "2021-03-01",
        "targeted": 400,
        "reached": 260,
        "remote": True,
    }
    data.update(changes)
    return ActivityDraft.model_validate(data)


def said(lang: str, msgid: str, **values: Any) -> str:
    """A message as a page in `lang` shows it (translated, filled in, HTML-escaped)."""
    return str(escape(translations(lang).gettext(msgid).format(**values)))


def row_of(html: str, table: str, marker: str) -> str:
    """The `<tr>` of table `table` holding `marker`."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return next(r for r in body.split("<tr") if marker in r)


def test_every_code_the_aid_pages_show_has_a_label() -> None:
    values: set[str] = set()
    for module in (household_domain, programme_rules, assistance):
        for item in vars(module).values():
            if isinstance(item, type) and issubclass(item, StrEnum) and item is not StrEnum:
                values.update(member.value for member in item)
    values |= {"owed", "delivered", "cancelled", "changed", "duplicate_merged", "same_birth_date"}
    assert values <= CODE_LABELS, sorted(values - CODE_LABELS)


def test_the_dashboard_shows_suppressed_figures_housing_and_the_3w_to_anyone_signed_in(
    dep: Deployment, viewer, browser_for, client
) -> None:
    am = viewer("am.assist")
    for _ in range(6):
        households.register_household(dep, family(), viewer=am, now=APRIL)
    households.register_household(dep, family(origin_place_id="hadrut"), viewer=am, now=APRIL)
    activities.record_activity(dep, viewer("unhcr.analyst"), activity())
    programmes.run_programmes(dep, "2021-05", now=NOW)

    page = browser_for("unhcr.analyst")
    html = page.get("/aid").text
    jivani = row_of(html, "displaced", 'data-origin="jivani"')
    assert "<td>6</td><td>12</td>" in jivani
    hadrut = row_of(html, "displaced", 'data-origin="hadrut"')
    assert 'class="suppressed"' in hadrut and "<td>&lt;5</td><td>—</td>" in hadrut
    assert "Counts below 5 are shown as &lt;5" in html
    subsidy = row_of(html, "aid-reconciliation", 'data-programme="displacement-subsidy"')
    assert "One-time subsidy for registered displaced people" in subsidy
    assert "<td>14</td>" in subsidy and "6\u202f720 USD" in subsidy  # 14 people, $480 each
    assert "Houses for displaced families (2021-2024)" in html and "Housed: 0 of the 6000" in html
    drawn = html.split('data-aid="', 1)[1].split('"', 1)[0]  # what the map draws
    assert "Winterising rented rooms" in drawn and "Local relief NGO" in drawn
    assert "&#34;people&#34;: 14" in drawn  # all 14 live in Stepanakert: a cell big enough
    assert 'href="/aid/displaced.hxl.csv"' in html and 'href="/aid/activities.hxl.csv"' in html
    assert 'href="/aid/households"' not in html  # the analyst is no caseworker

    figures = page.get("/aid/displaced.hxl.csv")
    assert figures.status_code == 200 and figures.headers["content-type"].startswith("text/csv")
    lines = figures.text.splitlines()
    assert lines[1].startswith("#adm3+origin+code") and "Galstyan" not in figures.text
    assert any(line.startswith("hadrut,") and line.endswith(",yes") for line in lines)
    table = page.get("/aid/activities.hxl.csv").text
    assert "#org+impl+code" in table and "Winterising rented rooms" in table

    household_id = households.households(dep, am)[0]["id"]
    assert page.get(f"/aid/households/{household_id}").status_code == 403
    assert page.get("/aid/households").status_code == 403
    assert page.get("/aid/households/new").status_code == 403
    assert browser_for("rpk.duty").get("/aid").status_code == 200  # every signed-in user
    anonymous = client.get("/aid", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/aid"


def test_a_caseworker_registers_through_the_form_and_nothing_typed_is_lost(
    dep: Deployment, viewer, browser_for
) -> None:
    page = browser_for("am.assist")
    blank = page.get("/aid/households/new").text
    assert 'name="m4.given_name"' in blank and 'name="m5.given_name"' not in blank
    assert 'id="add-member"' in blank and 'hx-get="/register/member?n=5"' in blank
    more = page.get("/register/member?n=5").text
    assert 'id="member-5"' in more and 'name="m5.born"' in more
    assert 'hx-get="/register/member?n=6"' in more and 'hx-swap-oob="true"' in more

    vardan_unborn = {k: v for k, v in VARDAN.items() if k != "born"}
    wrong = page.post(
        "/aid/households/new",
        data={**form_of([ANGELA, {}, vardan_unborn]), "consent": "", "csrf_token": csrf_of(page)},
    )
    assert wrong.status_code == 422
    summary = wrong.text.split('id="form-error"', 1)[1].split("</div>", 1)[0]
    member = said("hy", "Member {number}", number=3)  # the row the person typed in
    assert f"{member}, {said('hy', 'Birth date')}: Field required" in summary
    assert f"{said('hy', 'Consent')}: a household is registered only with its consent" in summary
    assert 'data-field="m2.born"' in wrong.text and 'data-field="consent"' in wrong.text
    assert 'name="m2.given_name" maxlength="100" autocomplete="off" value="Vardan"' in wrong.text
    assert 'value="Basement, 12 Tumanyan Street"' in wrong.text
    assert households.households(dep, viewer("am.assist")) == []

    done = page.post(
        "/aid/households/new",
        data={**form_of([ANGELA, {}, VARDAN]), "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    household_id = done.headers["location"].split("/")[3].split("?")[0]
    shown = page.get(done.headers["location"]).text
    reference = re.search(r'id="household-reference">([^<]+)<', shown)
    assert reference is not None
    assert "Angela Hakobi Galstyan" in shown and "Vardan Galstyan" in shown
    assert "Basement, 12 Tumanyan Street" in shown and "+374 97 123456" in shown
    listed = page.get("/aid/households").text
    assert reference.group(1) in row_of(listed, "households", household_id)
    assert "Angela Galstyan" in row_of(listed, "households", household_id)
    for other in ("icrc.caseworker", "unhcr.analyst", "rpk.desk"):
        assert browser_for(other).get(f"/aid/households/{household_id}").status_code == 403


def test_a_household_is_verified_changed_claimed_for_housed_and_closed_from_its_page(
    dep: Deployment, viewer, browser_for
) -> None:
    item = households.register_household(dep, family(), now=APRIL).household  # by itself
    am = browser_for("am.assist")
    url = f"/aid/households/{item.id}"
    page = am.get(url).text
    assert 'id="verify"' in page and said("hy", "awaiting_verification") in page
    assert am.post(f"{url}/verify", data={"csrf_token": csrf_of(am)}).status_code == 200
    page = am.get(url).text
    assert 'id="verify"' not in page and '<span class="status status-active"' in page

    moved = am.post(
        f"{url}/change",
        data={"csrf_token": csrf_of(am), "shelter": "collective_centre", "note": "moved"},
    )
    assert moved.status_code == 200
    history = moved.text.split('id="history"', 1)[1]
    assert f"{said('hy', 'Shelter')} → {said('hy', 'collective_centre')}" in history
    assert "moved" in history
    nothing = am.post(f"{url}/change", data={"csrf_token": csrf_of(am), "note": "x"})
    assert nothing.status_code == 422 and "change at least one" in nothing.text

    claimed = am.post(
        "/aid/claims/file",
        data={
            "csrf_token": csrf_of(am),
            "household_id": item.id,
            "property": "House and apiary in Jivani",
            "claimed": "12000",
            "currency": "usd",
        },
        files={"evidence": ("ruins.jpg", b"\xff\xd8 a photo of the ruins", "image/jpeg")},
    )
    assert claimed.status_code == 200, claimed.text
    assert "House and apiary in Jivani" in row_of(claimed.text, "claims", "Jivani")

    nk = browser_for("nk.housing")
    queue = nk.get("/aid/claims").text
    claim_id = re.search(r'href="/aid/claims/([0-9a-f-]{36})"', queue)
    assert claim_id is not None
    claim_url = f"/aid/claims/{claim_id.group(1)}"
    claim = nk.get(claim_url).text
    assert "House and apiary in Jivani" in claim and 'id="assess-form"' in claim
    evidence = re.search(r'href="(/aid/claims/[^"]+/evidence/[0-9a-f]{64})"', claim)
    assert evidence is not None and nk.get(evidence.group(1)).content.startswith(b"\xff\xd8")
    early = nk.post(f"{claim_url}/decide", data={"csrf_token": csrf_of(nk), "reason": "x"})
    assert early.status_code == 422 and "decided once, after assessment" in early.text
    nk.post(f"{claim_url}/assess", data={"csrf_token": csrf_of(nk), "assessed": "9000"})
    decided = nk.post(
        f"{claim_url}/decide",
        data={"csrf_token": csrf_of(nk), "approve": "yes", "amount": "9000", "reason": "seen"},
    )
    assert f'id="claim-status">{said("hy", "approved")}</span>' in decided.text
    assert am.get(claim_url).status_code == 200  # the household's caseworkers read it too
    refused = am.post(f"{claim_url}/assess", data={"csrf_token": csrf_of(am), "assessed": "1"})
    assert refused.status_code == 403  # claims are decided by the compensation office

    # the compensation office serves the household now; as the housing office it enters it
    housing = nk.get(url).text
    assert 'class="action stage-form"' in housing and said("hy", "not entered") in housing
    for stage in ("registered", "eligible"):
        nk.post(
            f"{url}/stage",
            data={"csrf_token": csrf_of(nk), "programme_id": "housing-2021", "stage": stage},
        )
    assert f'id="stage-housing-2021">{said("hy", "eligible")}</span>' in nk.get(url).text
    skipped = nk.post(
        f"{url}/stage",
        data={"csrf_token": csrf_of(nk), "programme_id": "housing-2021", "stage": "housed"},
    )
    assert skipped.status_code == 422 and "the next stage is allocated" in skipped.text
    assert 'class="action stage-form"' not in am.get(url).text  # not am.assist's pipeline

    unsaid = am.post(f"{url}/close", data={"csrf_token": csrf_of(am), "reason": " "})
    assert unsaid.status_code == 422 and "say why" in unsaid.text
    am.post(f"{url}/close", data={"csrf_token": csrf_of(am), "reason": "Went to Yerevan"})
    closed = am.get(url).text
    assert f'id="household-status">{said("hy", "closed")}<' in closed
    assert "Went to Yerevan" in closed
    assert 'id="change-form"' not in closed


def test_a_duplicate_is_shown_side_by_side_and_merged_by_a_caseworker(
    dep: Deployment, viewer, browser_for
) -> None:
    am = viewer("am.assist")
    first = households.register_household(dep, family(), viewer=am, now=APRIL).household
    cyrillic = {
        "given_name": "Анжела",
        "family_name": "Галстян",
        "born": "1964-08-02",
        "sex": "female",
    }
    second = households.register_household(dep, family(members=[cyrillic]), viewer=am)
    assert second.proposals == 1
    page = browser_for("am.assist")
    shown = page.get("/aid/duplicates").text
    assert "Angela Galstyan" in shown and "Анжела Галстян" in shown and "Hakobi" in shown
    assert first.reference in shown and second.household.reference in shown
    assert said("hy", "same_birth_date") in shown
    proposal = re.search(r'action="/aid/duplicates/([0-9a-f-]{36})/merge"', shown)
    assert proposal is not None
    assert browser_for("ngo.caseworker").get("/aid/duplicates").status_code == 200
    assert "Анжела" not in browser_for("ngo.caseworker").get("/aid/duplicates").text
    merged = page.post(
        f"/aid/duplicates/{proposal.group(1)}/merge",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    assert 'id="no-duplicates"' in page.get("/aid/duplicates").text
    gone = households.household_view(dep, am, second.household.id)
    assert gone["status"] == "merged" and gone["merged_into"] == first.id
    again = page.post(
        f"/aid/duplicates/{proposal.group(1)}/dismiss", data={"csrf_token": csrf_of(page)}
    )
    assert again.status_code == 409
    assert browser_for("unhcr.analyst").get("/aid/duplicates").status_code == 403


def test_a_month_is_computed_and_handed_over_from_the_programmes_pages(
    dep: Deployment, viewer, browser_for
) -> None:
    item = households.register_household(
        dep, family(), viewer=viewer("am.assist"), now=APRIL
    ).household
    page = browser_for("am.assist")
    rules = page.get("/aid/programmes").text
    subsidy = rules.split('id="programme-displacement-subsidy"', 1)[1].split("</section>", 1)[0]
    assert "480 USD" in subsidy and "30\u202f000\u202f000 USD" in subsidy
    kinds = ", ".join(said("hy", k) for k in ("displaced", "displaced_within", "in_other_country"))
    assert f"{said('hy', 'Displacement')}: {kinds}" in subsidy
    older = said("hy", "{field} at least {number}", field=said("hy", "Age"), number=63)
    women = f"{said('hy', 'Sex')}: {said('hy', 'female')}"
    assert said("hy", "any of: {conditions}", conditions=f"{women}; {older}") in rules
    assert 'id="run-form"' in rules

    run = page.post("/aid/programmes/run", data={"csrf_token": csrf_of(page), "period": "2021-05"})
    assert run.status_code == 200
    summary = run.text.split('id="run-summary"', 1)[1].split("</section>", 1)[0]
    new = re.search(r'data-programme="displacement-subsidy">.*?<td class="new">(\d+)<', summary)
    assert new is not None and new.group(1) == "2"  # Angela and Vardan
    assert "icrc-parcel" not in summary  # only am.assist's own programmes
    bad = page.post("/aid/programmes/run", data={"csrf_token": csrf_of(page), "period": "May"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.text

    owed = page.get("/aid/programmes/displacement-subsidy/owed?period=2021-05").text
    ids = re.findall(r'name="entitlement" value="(\d+)"', owed)
    assert len(ids) == 2 and item.reference in owed and 'name="place_search"' in owed
    missing_place = page.post(
        "/aid/programmes/displacement-subsidy/owed",
        data={
            "csrf_token": csrf_of(page),
            "period": "2021-05",
            "entitlement": ids,
            "on": "2021-05-21",
        },
    )
    assert missing_place.status_code == 422 and "place_id" in missing_place.text
    assert 'value="2021-05-21"' in missing_place.text
    handed = page.post(
        "/aid/programmes/displacement-subsidy/owed",
        data={
            "csrf_token": csrf_of(page),
            "period": "2021-05",
            "entitlement": ids,
            "place_id": "stepanakert",
            "on": "2021-05-21",
            "reference": "TR-1",
        },
        follow_redirects=False,
    )
    assert handed.status_code == 303
    after = page.get(handed.headers["location"]).text
    assert f'id="delivered">{said("hy", "{n} handovers recorded.", n=2)}' in after
    assert 'name="entitlement"' not in after
    household = page.get(f"/aid/households/{item.id}").text
    delivered = row_of(household, "entitlements", f'data-id="{ids[0]}"')
    assert said("hy", "delivered") in delivered and "2021-05-21" in delivered
    stepanakert = activities.place_name(dep, viewer("am.assist"), "stepanakert")  # in Armenian
    assert "am.assist" in delivered and stepanakert in delivered
    line = row_of(
        page.get("/aid/programmes").text,
        "programme-reconciliation",
        'data-programme="displacement-subsidy"',
    )
    assert "<td>100%</td>" in line
    icrc = browser_for("icrc.caseworker")
    assert icrc.get("/aid/programmes/displacement-subsidy/owed?period=2021-05").status_code == 403
    assert 'id="run-form"' in icrc.get("/aid/programmes").text  # its own parcel
    analyst = browser_for("unhcr.analyst").get("/aid/programmes").text
    assert 'id="run-form"' not in analyst
    small = row_of(analyst, "programme-reconciliation", 'data-programme="displacement-subsidy"')
    assert small.count("<td>&lt;5</td>") == 5 and "960" not in small  # two people: too few
    assert 'id="suppression-note"' in analyst


def test_the_3w_is_recorded_and_imported_from_its_page(dep: Deployment, browser_for) -> None:
    page = browser_for("unhcr.analyst")
    form = {
        "csrf_token": csrf_of(page),
        "organisation": "unhcr",
        "partner": "local-ngo",
        "sector": "shelter",
        "place_id": "goris",
        "activity": "Winterising rented rooms",
        "status": "ongoing",
        "start": "2021-03-01",
        "targeted": "400",
        "reached": "260",
        "remote": "yes",
    }
    recorded = page.post("/aid/activities", data=form, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    listed = page.get("/aid/activities").text
    assert "Winterising rented rooms" in row_of(listed, "activities", "Winterising")
    wrong = page.post("/aid/activities", data={**form, "start": "", "activity": "Roofs"})
    assert wrong.status_code == 422 and "start" in wrong.text and 'value="Roofs"' in wrong.text
    exported = page.get("/aid/activities.hxl.csv").text
    imported = page.post(
        "/aid/activities/import",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("3w.csv", exported.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert imported.headers["location"] == "/aid/activities?imported=1"
    assert page.get("/aid/activities?sector=shelter").text.count("Winterising rented rooms") == 2
    broken = exported.replace("2021-03-01", "1 March")
    refused = page.post(
        "/aid/activities/import",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("3w.csv", broken.encode(), "text/csv")},
    )
    assert refused.status_code == 422 and "rows[1].start" in refused.text
    duty = browser_for("rpk.duty").get("/aid/activities").text
    assert "Winterising rented rooms" in duty and 'id="activity-form"' not in duty


def public_form(client: TestClient, min_seconds: float = 0, **changes: str) -> Any:
    """Fill the public registration form in as a household whose browser speaks Armenian."""
    client.app.state.form_min_seconds = min_seconds  # type: ignore[attr-defined]
    headers = {"Accept-Language": "hy"}
    page = client.get("/register", headers=headers).text
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and csrf
    data = {**form_of([ANGELA, VARDAN]), "csrf_token": csrf.group(1), "form_token": token.group(1)}
    data.update(changes)
    return client.post("/register", data=data, headers=headers)


def test_a_household_registers_itself_without_an_account_and_waits_for_verification(
    dep: Deployment, client, browser_for
) -> None:
    assert 'href="/register"' in client.get("/login").text  # the public pages link it
    too_fast = public_form(client, min_seconds=60)
    assert too_fast.status_code == 422 and "sent too fast" in too_fast.text
    assert 'value="Basement, 12 Tumanyan Street"' in too_fast.text
    robot = public_form(client, website="http://spam.invalid")
    assert robot.status_code == 422 and "leave the last field empty" in robot.text
    done = public_form(client)
    assert done.status_code == 200, done.text
    assert said("hy", "Your household is registered") in done.text
    reference = re.search(r'id="reference">([^<]+)<', done.text)
    assert reference is not None
    assert (
        said(
            "hy",
            "Write the reference down and quote it when you speak to a caseworker. "
            "A caseworker will verify your registration; until then no programme counts "
            "your household.",
        )
        in done.text
    )
    waiting = browser_for("am.assist").get("/aid/households?status=awaiting_verification").text
    assert reference.group(1) in waiting and "Angela Galstyan" in waiting
    assert reference.group(1) not in browser_for("icrc.caseworker").get("/aid/households").text


def test_the_aid_pages_speak_the_readers_language(dep: Deployment, viewer, browser_for) -> None:
    from ceasefire.services.accounts import set_language

    households.register_household(dep, family(), viewer=viewer("am.assist"), now=APRIL)
    programmes.run_programmes(dep, "2021-05", now=NOW)
    page = browser_for("unhcr.analyst")
    try:
        page.post("/language", data={"lang": "ru", "csrf_token": csrf_of(page), "back": "/aid"})
        html = page.get("/aid").text
        assert '<html lang="ru">' in html
        assert said("ru", "Humanitarian assistance") != "Humanitarian assistance"
        assert f"<h1>{said('ru', 'Humanitarian assistance')}</h1>" in html
        assert said("ru", "Displaced people by origin and where they live now") in html
        assert "Единовременная выплата зарегистрированным перемещённым лицам" in html
        suppressed = (
            "Counts below {minimum} are shown as <{minimum}, so that no household can be "
            "singled out; no total is given beside them."
        )
        assert said("ru", suppressed, minimum=5) in html
        rules = page.get("/aid/programmes").text
        kinds = f"{said('ru', 'displaced')}, {said('ru', 'displaced_within')}"
        assert f"{said('ru', 'Displacement')}: {kinds}" in rules
        assert said("ru", "Who does what where") in page.get("/aid/activities").text
    finally:
        set_language(dep, viewer("unhcr.analyst"), "en")


def test_the_housing_office_enters_qualifying_households_from_its_page(
    dep: Deployment, viewer, browser_for
) -> None:
    am = viewer("am.assist")
    lost = households.register_household(dep, family(), viewer=am, now=APRIL).household
    kept = households.register_household(dep, family(home="damaged"), viewer=am, now=APRIL)
    nk = browser_for("nk.housing")
    page = nk.get("/aid/housing")
    assert page.status_code == 200
    assert lost.reference in page.text and kept.household.reference not in page.text
    assert "Angela" not in page.text  # not opened before it is entered
    assert nk.get(f"/aid/households/{lost.id}").status_code == 403
    entered = nk.post(
        f"/aid/housing/housing-2021/enter/{lost.id}",
        data={"csrf_token": csrf_of(nk)},
        follow_redirects=False,
    )
    assert (
        entered.status_code == 303 and entered.headers["location"] == f"/aid/households/{lost.id}"
    )
    assert "Angela" in nk.get(f"/aid/households/{lost.id}").text  # it serves them now
    assert lost.reference in nk.get("/aid/housing").text  # in the programme, at registered
    again = nk.post(f"/aid/housing/housing-2021/enter/{lost.id}", data={"csrf_token": csrf_of(nk)})
    assert again.status_code == 422 and "already registered" in again.text
    other = browser_for("unhcr.analyst").get("/aid/housing")
    assert other.status_code == 200 and lost.reference not in other.text  # progress only
    refused = browser_for("am.assist").post(
        f"/aid/housing/housing-2021/enter/{lost.id}", data={"csrf_token": csrf_of(nk)}
    )
    assert refused.status_code in (403, 422)


def test_assessments_and_grants_show_on_the_3w_page(dep: Deployment, viewer, browser_for) -> None:
    from ceasefire.domain.assistance import GrantDraft, NeedsAssessmentDraft
    from ceasefire.services import attachments

    ngo = viewer("ngo.caseworker")
    photo = attachments.keep(dep, ngo, b"\xff\xd8 a room without heating", "image/jpeg")
    made = activities.record_assessment(
        dep,
        ngo,
        NeedsAssessmentDraft(
            organisation="unhcr",
            place_id="goris",
            on=datetime(2021, 4, 20).date(),
            sectors=["shelter"],
            people_in_need=140,
            summary="Rooms without heating",
            files=[{"sha256": photo, "filename": "room.jpg", "media_type": "image/jpeg"}],
        ),
    )
    activities.record_grant(
        dep,
        viewer("unhcr.analyst"),
        GrantDraft(
            donor="unhcr",
            recipient="local-ngo",
            sector="shelter",
            amount=85000,
            currency="USD",
            start=datetime(2021, 2, 1).date(),
            end=datetime(2021, 12, 31).date(),
            purpose="Winterisation",
        ),
    )
    unhcr = browser_for("unhcr.analyst")
    page = unhcr.get("/aid/activities").text
    assert "Rooms without heating" in page and "Winterisation" in page
    assert "85\u202f000 USD" in page
    link = f"/aid/assessments/{made['id']}/files/{photo}"
    assert link in page
    assert unhcr.get(link).content == b"\xff\xd8 a room without heating"
    icrc = browser_for("icrc.caseworker")
    assert link not in icrc.get("/aid/activities").text
    assert icrc.get(link).status_code == 404
    moved = unhcr.get(f"/aid/assessments/{made['id']}", follow_redirects=False)
    assert moved.headers["location"] == f"/aid/activities#assessment-{made['id']}"


def test_a_member_joins_and_leaves_from_the_household_page(
    dep: Deployment, viewer, browser_for
) -> None:
    item = households.register_household(dep, family(), viewer=viewer("am.assist"), now=APRIL)
    page = browser_for("am.assist")
    path = f"/aid/households/{item.household.id}"
    missing = page.post(
        f"{path}/member",
        data={"csrf_token": csrf_of(page), "m0.given_name": "Nare", "m0.family_name": "Galstyan"},
    )
    assert missing.status_code == 422 and 'value="Nare"' in missing.text  # nothing lost
    joined = page.post(
        f"{path}/member",
        data={
            "csrf_token": csrf_of(page),
            "m0.given_name": "Nare",
            "m0.family_name": "Galstyan",
            "m0.born": "2021-04-25",
            "m0.sex": "female",
        },
    )
    assert joined.status_code == 200 and "Nare" in joined.text
    view = households.household_view(dep, viewer("am.assist"), item.household.id)
    vardan = next(m["id"] for m in view["members"] if m["given_name"] == "Vardan")
    no_reason = page.post(f"{path}/left", data={"csrf_token": csrf_of(page), "person_id": vardan})
    assert no_reason.status_code == 422
    gone = page.post(
        f"{path}/left",
        data={"csrf_token": csrf_of(page), "person_id": vardan, "reason": "moved to Yerevan"},
    )
    assert gone.status_code == 200 and "moved to Yerevan" in gone.text
    assert households.household_view(dep, viewer("am.assist"), item.household.id)["size"] == 2
    icrc = browser_for("icrc.caseworker")
    refused = icrc.post(
        f"{path}/member",
        data={
            "csrf_token": csrf_of(icrc),
            "m0.given_name": "X",
            "m0.family_name": "Y",
            "m0.born": "2000-01-01",
            "m0.sex": "male",
        },
    )
    assert refused.status_code == 403
