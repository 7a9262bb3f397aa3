"""Field intake over OpenRosa, on both databases, driven as ODK Collect drives a server: the
form list, the form's download checked against its hash, the manifest, `HEAD` then the
multipart `POST` of an instance with its photo, and the resend a field app makes after a
timeout. Malformed and unmappable submissions are kept, quarantined with their reason, shown
to the duty officer, and turned into their record from the intake page."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import uuid
from typing import Any

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient
from PIL import Image
from pyxform.xls2xform import convert
from sqlalchemy import text

from ceasefire.domain.errors import NotFound
from ceasefire.services.deployment import Deployment

from .conftest import REFERENCE_PACK, csrf_of, sign_in
from .test_browser import live_server as live_server  # the fixture
from .test_cli import run as run  # the fixture

FORMS = REFERENCE_PACK / "forms"
LIST = "{http://openrosa.org/xforms/xformsList}"
MONITOR = "jmc.ru.monitor"


def basic(username: str, password: str = "ceasefire-demo") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0"}


def instance(form_id: str, answers: dict[str, str], instance_id: str | None = None) -> bytes:
    """An instance as ODK Collect writes it: the form's root, its answers, meta/instanceID."""
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in answers.items())
    meta = f"<meta><instanceID>{instance_id or 'uuid:' + str(uuid.uuid4())}</instanceID></meta>"
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="2026112601">'
        f"<start>2021-04-22T21:00:00.000+04:00</start>{fields}{meta}</data>"
    ).encode()


def photo() -> bytes:
    """A real JPEG, as the phone's camera would attach."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(out, "JPEG")
    return out.getvalue()


OBSERVED = {
    "category": "shelling",
    "title": "Mortar impacts east of the village",
    "started_at": "2021-04-22T21:12:00.000+04:00",
    "place": "Taghavard",
    "location": "39.6 46.9 0 5",
    "precision": "near_town",
    "platform": "post",
    "sighting": "explosion",
    "explosion": "impact",
    "count": "3",
    "weapon": "mortar",
    "narrative": "Три разрыва в саду.",
    "photo": "1619111520000.jpg",
    "classification": "mission",
}


def send(client: TestClient, user: str, xml: bytes, files: dict[str, bytes] | None = None) -> Any:
    parts: list[tuple[str, tuple[str, bytes, str]]] = [
        ("xml_submission_file", ("submission.xml", xml, "text/xml"))
    ]
    parts += [(name, (name, content, "image/jpeg")) for name, content in (files or {}).items()]
    return client.post("/submission", headers=basic(user), files=parts)


def submissions(dep: Deployment) -> list[Any]:
    with dep.db.read() as conn:
        return conn.execute(text("SELECT * FROM submissions ORDER BY received_at")).all()


def test_the_reference_forms_compile_and_carry_the_four_languages() -> None:
    for path in sorted(FORMS.glob("*.xlsx")):
        xform = convert(xlsform=str(path), validate=False).xform
        root = ElementTree.fromstring(xform.encode())
        translations = root.findall(".//{http://www.w3.org/2002/xforms}translation")
        codes = sorted(re.search(r"\((\w\w)\)", t.get("lang", "")).group(1) for t in translations)  # type: ignore[union-attr]
        assert codes == ["az", "en", "hy", "ru"], path.name
        texts = [
            {
                t.get("id"): "".join(t.itertext()).strip()
                for t in tr.findall("{http://www.w3.org/2002/xforms}text")
            }
            for tr in translations
        ]
        assert all(set(t) == set(texts[0]) for t in texts), path.name  # every label in each
        assert all(value for t in texts for value in t.values()), path.name  # none empty
        assert len(texts[0]) >= 10


def test_odk_collect_sends_an_observation_with_its_photo_once(  # type: ignore[no-untyped-def]
    client, dep, auth
) -> None:
    refused = client.get("/formList")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    listed = client.get("/formList", headers=basic(MONITOR))
    assert listed.status_code == 200 and listed.headers["X-OpenRosa-Version"] == "1.0"
    forms = {
        x.findtext(f"{LIST}formID"): x
        for x in ElementTree.fromstring(listed.content).iter(f"{LIST}xform")
    }
    assert set(forms) == {"violation-observation"}  # a monitor's only form
    entry = forms["violation-observation"]
    download = client.get(entry.findtext(f"{LIST}downloadUrl"), headers=basic(MONITOR))
    assert entry.findtext(f"{LIST}hash") == "md5:" + hashlib.md5(download.content).hexdigest()
    assert b"<h:title>Ceasefire violation observed</h:title>" in download.content
    manifest = client.get(entry.findtext(f"{LIST}manifestUrl"), headers=basic(MONITOR))
    assert manifest.status_code == 200 and b"xformsManifest" in manifest.content

    assert client.head("/submission").status_code == 401
    head = client.head("/submission", headers=basic(MONITOR))
    assert head.status_code == 204
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) >= 1_000_000

    image = photo()
    xml = instance("violation-observation", OBSERVED)
    sent = send(client, MONITOR, xml, {OBSERVED["photo"]: image})
    assert sent.status_code == 201, sent.text
    assert b"OpenRosaResponse" in sent.content and b"submit_success" in sent.content
    (kept,) = submissions(dep)
    assert kept.status == "created" and kept.record_kind == "incident"
    incident = client.get(f"/api/v1/incidents/{kept.record_id}", headers=auth(MONITOR)).json()
    record = incident["record"]
    assert (record["category"], record["location"]["place_id"]) == ("shelling", "taghavard")
    assert record["observations"][0]["count"] == 3
    assert record["narrative"] == {"ru": "Три разрыва в саду."}  # the monitor's language
    digest = hashlib.sha256(image).hexdigest()
    assert record["attachments"] == [
        {"sha256": digest, "filename": OBSERVED["photo"], "media_type": "image/jpeg"}
    ]
    stored = client.get(f"/api/v1/attachments/{digest}", headers=auth(MONITOR))
    assert stored.content == image

    again = send(client, MONITOR, xml, {OBSERVED["photo"]: image})  # after a timeout
    assert again.status_code == 202
    assert len(submissions(dep)) == 1
    with dep.db.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM incidents")).scalar() == 1


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<data id='violation-observation'><category>shelling", "not well-formed XML"),
        (
            instance("violation-observation", {**OBSERVED, "photo": "", "place": "Atlantis"}),
            "place: no place is named 'Atlantis'",
        ),
        (instance("violation-observation", {**OBSERVED, "photo": "", "count": "many"}), "count"),
        (instance("harvest-census", {"crop": "wheat"}), "is not one of this deployment's"),
        (instance("violation-observation", OBSERVED, "uuid:" + "7" * 300), "longer than 200"),
        (instance("violation-observation", {**OBSERVED, "photo": "1.jpg"}), "did not arrive"),
    ],
)
def test_a_submission_that_cannot_be_mapped_is_kept_in_quarantine(  # type: ignore[no-untyped-def]
    client, dep, xml, reason
) -> None:
    sent = send(client, MONITOR, xml)
    assert sent.status_code == 201, sent.text  # kept: the phone may forget it
    (kept,) = submissions(dep)
    assert kept.status == "quarantined" and reason in kept.reason
    assert dep.sealer.open(kept.content, f"submission:{kept.id}").encode() == xml
    with dep.db.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM incidents")).scalar() == 0
    duty = sign_in(client, "rpk.duty")
    page = duty.get("/intake?status=quarantined")
    assert page.status_code == 200 and kept.id in page.text
    assert reason.split("'")[0] in page.text.replace("&#39;", "'")


def test_the_duty_officer_creates_the_record_of_a_quarantined_submission(  # type: ignore[no-untyped-def]
    client, dep, settings
) -> None:
    send(
        client,
        MONITOR,
        instance("violation-observation", {**OBSERVED, "photo": "", "place": "Tagavard-e"}),
    )
    (kept,) = submissions(dep)
    assert kept.status == "quarantined"
    other = sign_in(TestClient(client.app), "az.liaison")
    assert other.get(f"/intake/{kept.id}").status_code == 403  # not a mission duty officer
    duty = sign_in(client, "rpk.duty")
    page = duty.get(f"/intake/{kept.id}")
    assert 'name="a.place" value="Tagavard-e"' in page.text
    answers = {f"a.{k}": v for k, v in {**OBSERVED, "photo": "", "place": "Taghavard"}.items()}
    made = duty.post(
        f"/intake/{kept.id}", data={**answers, "csrf_token": csrf_of(duty)}, follow_redirects=False
    )
    assert made.status_code == 303
    (done,) = submissions(dep)
    assert done.status == "created" and done.record_kind == "incident"
    assert done.content == kept.content  # the raw submission stays as it came
    assert "created by rpk.duty" in done.reason


def test_each_user_lists_and_sends_only_the_forms_of_its_roles(client, dep) -> None:  # type: ignore[no-untyped-def]
    def listed(user: str) -> set[str]:
        answer = client.get("/formList", headers=basic(user))
        return {
            x.findtext(f"{LIST}formID")
            for x in ElementTree.fromstring(answer.content).iter(f"{LIST}xform")
        }

    assert listed("nk.liaison") == {"activity-notice"}
    assert listed("rpk.desk") == {"civilian-request", "activity-notice"}
    assert listed("rpk.duty") == {"violation-observation", "civilian-request", "activity-notice"}
    assert listed("unhcr.analyst") == {"needs-assessment"}  # an agency's, not the mission's
    assert listed("ngo.caseworker") == {"activity-notice", "civilian-request", "needs-assessment"}
    assert (
        client.get("/forms/violation-observation/form.xml", headers=basic("nk.liaison")).status_code
        == 404
    )
    refused = send(
        client, "nk.liaison", instance("violation-observation", {**OBSERVED, "photo": ""})
    )
    assert refused.status_code == 403 and b"OpenRosaResponse" in refused.content
    assert submissions(dep) == []  # refused, not kept: it was not this user's to send
    wrong = client.get("/formList", headers=basic("nk.liaison", "not-the-password"))
    assert wrong.status_code == 401


def test_the_desk_and_the_liaisons_forms_make_a_case_and_a_notice(client, dep) -> None:  # type: ignore[no-untyped-def]
    asked = {
        "category": "livestock",
        "description": "Our cow went over the line at dawn.",
        "place": "Khramort",
        "urgent": "no",
        "affected": "1",
        "name": "Anahit",
        "phone": "+37497000111",
        "language": "hy",
    }
    assert send(client, "rpk.desk", instance("civilian-request", asked)).status_code == 201
    notice = {
        "activity": "harvest",
        "title": "Walnut harvest by the old orchard",
        "people": "6",
        "unarmed": "yes",
        "vehicles": "1",
        "plot": "39.60 46.90 0 0;39.60 46.91 0 0;39.61 46.91 0 0;39.60 46.90 0 0",
        "place": "Taghavard",
        "starts_at": "2030-09-20T08:00:00.000+04:00",
        "ends_at": "2030-09-20T17:00:00.000+04:00",
    }
    assert send(client, "nk.liaison", instance("activity-notice", notice)).status_code == 201
    made = {row.form_id: row for row in submissions(dep)}
    assert made["civilian-request"].status == "created", made["civilian-request"].reason
    assert made["activity-notice"].status == "created", made["activity-notice"].reason
    with dep.db.read() as conn:
        case = conn.execute(text("SELECT category, place_id FROM cases")).one()
        filed = conn.execute(text("SELECT id FROM notices")).scalar()
    assert tuple(case) == ("livestock", "khramort")
    assert filed == made["activity-notice"].record_id
    with dep.db.read() as conn:  # the resident's number is in no row, raw submission included
        for table in ("submissions", "cases"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            assert "37497000111" not in repr(rows) and "Anahit" not in repr(rows)


DUTY = {"jmc.duty", "jmc.tr.duty", "rpk.duty"}  # the mission's duty officers


def test_only_the_missions_duty_officers_see_what_field_apps_sent(  # type: ignore[no-untyped-def]
    client, dep, auth
) -> None:
    """The authorization table's users on the intake's API and pages."""
    from .test_authorization import USERS

    send(
        client,
        MONITOR,
        instance("violation-observation", {**OBSERVED, "photo": "", "place": "Atlantis"}),
    )
    (kept,) = submissions(dep)
    problems = []
    for user in USERS:
        want = 200 if user in DUTY else 403
        for path in ("/api/v1/intake", f"/api/v1/intake/{kept.id}"):
            got = client.get(path, headers=auth(user)).status_code
            if got != want:
                problems.append(f"{user} {path}: {got}")
        page = sign_in(TestClient(client.app), user)
        for path in ("/intake", f"/intake/{kept.id}"):
            got = page.get(path).status_code
            if got != want:
                problems.append(f"{user} {path}: {got}")
        fixed = client.post(f"/api/v1/intake/{kept.id}/record", headers=auth(user), json={})
        if user not in DUTY and fixed.status_code != 403:
            problems.append(f"{user} record: {fixed.status_code}")
    assert problems == []
    for path in ("/api/v1/intake", f"/api/v1/intake/{kept.id}", "/api/v1/forms"):
        assert client.get(path).status_code == 401
    for path in ("/intake", f"/intake/{kept.id}"):
        assert client.get(path, follow_redirects=False).status_code == 303
    shown = client.get(f"/api/v1/intake/{kept.id}", headers=auth("rpk.duty")).json()
    assert shown["answers"]["place"] == "Atlantis" and "<instanceID>" in shown["xml"]
    bad = client.post(
        f"/api/v1/intake/{kept.id}/record",
        headers=auth("rpk.duty"),
        json={**OBSERVED, "photo": "", "place": "Atlantis"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "place"
    assert submissions(dep)[0].status == "quarantined"  # nothing was made
    made = client.post(
        f"/api/v1/intake/{kept.id}/record",
        headers=auth("rpk.duty"),
        json={**OBSERVED, "photo": "", "place": "Khramort"},
    )
    assert made.status_code == 201 and made.json()["status"] == "created"


def test_the_terminal_sends_an_instance_off_a_phone_and_lists_the_intake(  # type: ignore[no-untyped-def]
    dep, run, tmp_path
) -> None:
    saved = tmp_path / "instance.xml"
    saved.write_bytes(instance("violation-observation", OBSERVED))
    picture = tmp_path / OBSERVED["photo"]
    picture.write_bytes(photo())
    sent = run("intake", "submit", str(saved), "--as", MONITOR, "--attach", str(picture))
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("incident ")
    again = run("intake", "submit", str(saved), "--as", MONITOR, "--attach", str(picture))
    assert "Already received" in again.output
    listed = run("intake", "list", "--as", "rpk.duty", "--json")
    (item,) = json.loads(listed.stdout)
    assert item["status"] == "created"
    forms = run("intake", "forms", "--as", "nk.liaison")
    assert "activity-notice" in forms.output and "violation-observation" not in forms.output
    refused = run("intake", "list", "--as", "nk.liaison")
    assert refused.exit_code == 2 and "duty officers" in refused.output


def test_a_field_app_over_the_network_sends_once_however_often_it_retries(  # type: ignore[no-untyped-def]
    live_server, dep
) -> None:
    """The same sequence over a real socket, against the app served by uvicorn: the list,
    the download, `HEAD` unauthenticated then with credentials, the multipart `POST`, and a
    retry of it."""
    import httpx

    with httpx.Client(
        base_url=live_server, headers={"X-OpenRosa-Version": "1.0"}, timeout=30
    ) as app:
        credentials = httpx.BasicAuth(MONITOR, "ceasefire-demo")
        listed = app.get("/formList", auth=credentials)
        (entry,) = ElementTree.fromstring(listed.content).iter(f"{LIST}xform")
        form = app.get(entry.findtext(f"{LIST}downloadUrl"), auth=credentials)
        assert entry.findtext(f"{LIST}hash") == "md5:" + hashlib.md5(form.content).hexdigest()
        assert app.head("/submission").status_code == 401
        assert app.head("/submission", auth=credentials).status_code == 204
        xml = instance("violation-observation", OBSERVED)
        files = {
            "xml_submission_file": ("submission.xml", xml, "text/xml"),
            OBSERVED["photo"]: (OBSERVED["photo"], photo(), "image/jpeg"),
        }
        statuses = [
            app.post("/submission", auth=credentials, files=files).status_code for _ in range(3)
        ]
    assert statuses == [201, 202, 202]
    (kept,) = submissions(dep)
    assert kept.status == "created"


def test_a_local_partner_sends_a_needs_assessment_with_photo_and_video(client, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    """An agency without access (UNHCR) has a local NGO assess a place: the form arrives with
    a photo and a video, kept by their SHA-256; the assessment is read by every signed-in
    user, its files only by the two organisations."""
    from ceasefire.services import activities, attachments

    video = b"\x00\x00\x00\x18ftypmp42 a short clip of the shelter"
    answers = {
        "organisation": "unhcr",
        "place": "Горис",
        "on": "2021-04-20",
        "sectors": "shelter wash",
        "people": "140",
        "households": "38",
        "summary": "Rooms without heating; one latrine for forty people.",
        "photo": "room.jpg",
        "video": "clip.mp4",
    }
    parts = [
        (
            "xml_submission_file",
            ("submission.xml", instance("needs-assessment", answers), "text/xml"),
        ),
        ("room.jpg", ("room.jpg", photo(), "image/jpeg")),
        ("clip.mp4", ("clip.mp4", video, "video/mp4")),
    ]
    answer = client.post("/submission", headers=basic("ngo.caseworker"), files=parts)
    assert answer.status_code == 201, answer.text
    found = submissions(dep)[0]
    assert (found.status, found.record_kind) == ("created", "assessment"), found.reason
    assessed = activities.assessment_view(dep, viewer("rpk.duty"), found.record_id)
    assert (assessed["organisation"], assessed["conducted_by"]) == ("unhcr", "local-ngo")
    assert assessed["place_id"] == "goris" and assessed["sectors"] == ["shelter", "wash"]
    assert assessed["people_in_need"] == 140
    kept = {f["filename"]: f["sha256"] for f in assessed["files"]}
    assert kept["clip.mp4"] == hashlib.sha256(video).hexdigest()
    assert (
        attachments.read_attachment(dep, viewer("unhcr.analyst"), kept["clip.mp4"]).content == video
    )
    with pytest.raises(NotFound):
        attachments.read_attachment(dep, viewer("icrc.caseworker"), kept["room.jpg"])
    refused = send(client, "rpk.desk", instance("needs-assessment", answers))
    assert refused.status_code == 403  # the mission's desk is not one of the agencies
