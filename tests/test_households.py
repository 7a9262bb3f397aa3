"""The humanitarian registry end to end on the real databases: registering households (by a
caseworker and by the household itself), who may open them, programmes' entitlements, what
was handed over, duplicates, housing, claims, who does what where, and the figures."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import hxl
import pytest
from sqlalchemy import select

from ceasefire.domain.assistance import (
    ActivityDraft,
    Assessment,
    ClaimDraft,
    Decision,
    Delivery,
    Stage,
    StageMove,
)
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput
from ceasefire.domain.households import HouseholdChange, HouseholdDraft, Member
from ceasefire.services import (
    activities,
    aid_figures,
    attachments,
    duplicates,
    households,
    housing,
    log,
    programmes,
    scenarios,
)
from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

NOW = datetime(2021, 5, 20, 9, 0, tzinfo=UTC)
APRIL = datetime(2021, 4, 10, 9, 0, tzinfo=UTC)


def read_hxl(tmp_path: Path, text: str) -> Any:
    """Read an HXL table back with HXL's own library, as a user of the data would."""
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    return hxl.data(str(path), hxl.InputOptions(allow_local=True))


def family(**changes: Any) -> HouseholdDraft:
    """Angela's household, as the report tells it: from Jivani, in a Stepanakert basement."""
    data: dict[str, Any] = {
        "displacement": "displaced_within",
        "origin_place_id": "jivani",
        "current_place_id": "stepanakert",
        "address": "Basement, 12 Tumanyan Street",
        "shelter": "basement",
        "home": "lost",
        "vulnerabilities": ["pregnant_or_nursing"],
        "phone": "+374 97 123456",
        "language": "hy",
        "consent": True,
        "members": [
            {
                "given_name": "Angela",
                "family_name": "Galstyan",
                "patronymic": "Hakobi",
                "born": "1964-08-02",
                "sex": "female",
                "relationship": "head",
                "document": "AN0912345",
            },
            {
                "given_name": "Vardan",
                "family_name": "Galstyan",
                "patronymic": "Levoni",
                "born": "1958-01-15",
                "sex": "male",
                "relationship": "spouse",
            },
        ],
    }
    data.update(changes)
    return HouseholdDraft.model_validate(data)


def test_a_caseworker_registers_a_household_that_only_its_servers_open(dep: Deployment, viewer):
    am = viewer("am.assist")
    registered = households.register_household(dep, family(), viewer=am, now=APRIL)
    item = registered.household
    assert item.status == "active" and item.size == 2 and item.served_by == ("am-assistance",)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", item.reference)
    view = households.household_view(dep, am, item.id)
    assert view["address"] == "Basement, 12 Tumanyan Street"
    assert [m["given_name"] for m in view["members"]] == ["Angela", "Vardan"]
    assert view["history"][0]["action"] == "registered"
    for other in ("icrc.caseworker", "rpk.desk", "admin", "unhcr.analyst", "am.liaison"):
        with pytest.raises(Forbidden):
            households.household_view(dep, viewer(other), item.id)
    assert households.households(dep, am)[0]["head"] == "Angela Galstyan"
    assert households.households(dep, viewer("icrc.caseworker")) == []


def test_no_personal_field_is_stored_in_clear(dep: Deployment, viewer):
    item = households.register_household(dep, family(), viewer=viewer("am.assist"), now=APRIL)
    programmes.run_programmes(dep, "2021-05", now=NOW)
    secrets = [
        "Angela",
        "Galstyan",
        "Hakobi",
        "1964-08-02",
        "AN0912345",
        "Tumanyan",
        "123456",
        "pregnant_or_nursing",
    ]
    with dep.db.read() as conn:
        for table in tables.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = " ".join(
                    v.decode("latin-1") if isinstance(v, bytes) else json.dumps(v, default=str)
                    for v in row
                )
                for secret in secrets:
                    assert secret not in text, (table.name, secret)
    if dep.db.is_sqlite:
        raw = open(dep.db.engine.url.database or "", "rb").read()  # noqa: SIM115
        for secret in secrets:
            assert secret.encode() not in raw
    assert log.audit(dep).problems == []
    assert item.household.reference


def test_a_self_registered_household_waits_for_verification(dep: Deployment, viewer):
    registered = households.register_household(dep, family(), now=APRIL)
    item = registered.household
    assert item.status == "awaiting_verification" and item.source == "self_registered"
    summary = programmes.run_programmes(dep, "2021-05", now=NOW)
    assert summary.households == 0 and all(t.new == 0 for t in summary.programmes)
    with pytest.raises(Forbidden):
        households.verify_household(dep, viewer("icrc.caseworker"), item.id)
    households.verify_household(dep, viewer("am.assist"), item.id, now=NOW)
    summary = programmes.run_programmes(dep, "2021-05", now=NOW)
    assert summary.households == 1


def test_bad_registrations_are_refused_and_write_nothing(dep: Deployment, viewer):
    with pytest.raises(ValueError, match="consent"):
        family(consent=False)
    with pytest.raises(ValueError, match="origin_place_id"):
        family(origin_place_id=None)
    with pytest.raises(InvalidInput) as refused:
        households.register_household(
            dep, family(current_place_id="atlantis"), viewer=viewer("am.assist")
        )
    assert refused.value.field == "current_place_id"
    with pytest.raises(Forbidden):
        households.register_household(dep, family(), viewer=viewer("rpk.desk"))
    with dep.db.read() as conn:
        assert conn.execute(select(tables.households)).first() is None
        assert conn.execute(select(tables.log_leaves)).first() is None


def test_a_month_of_entitlements_owes_nothing_twice(dep: Deployment, viewer):
    am = viewer("am.assist")
    angela = households.register_household(dep, family(), viewer=am, now=APRIL).household
    goris = family(
        displacement="displaced",
        current_place_id="goris",
        shelter="rented",
        home="damaged",
        members=[
            {
                "given_name": "Nazik",
                "family_name": "Avetisyan",
                "born": "1950-03-03",
                "sex": "female",
            }
        ],
    )
    nazik = households.register_household(dep, goris, viewer=am, now=APRIL).household
    first = programmes.run_programmes(dep, "2021-05", now=NOW)
    by = {t.programme_id: t for t in first.programmes}
    assert by["displacement-subsidy"].new == 3 and by["displacement-subsidy"].amount_minor == 144000
    assert by["lost-home-subsidy"].new == 2  # Angela and Vardan; Nazik's home is damaged
    assert by["women-elderly-allowance"].new == 3  # two women, and Vardan turned 63 in 2021
    assert by["icrc-parcel"].new == 1  # the basement in Stepanakert
    assert by["goris-fresh-food"].new == 10  # two a week, five Mondays in May 2021
    again = programmes.run_programmes(dep, "2021-05", now=NOW)
    assert all(t.new == 0 for t in again.programmes)
    assert {t.programme_id: t.already for t in again.programmes}["goris-fresh-food"] == 10
    june = {t.programme_id: t for t in programmes.run_programmes(dep, "2021-06").programmes}
    assert june["displacement-subsidy"].new == 0 and june["displacement-subsidy"].already == 3
    assert june["women-elderly-allowance"].new == 3
    # The ICRC's caseworker serves Angela's household from now on, as its programme owes it.
    households.household_view(dep, viewer("icrc.caseworker"), angela.id)
    with pytest.raises(Forbidden):
        households.household_view(dep, viewer("icrc.caseworker"), nazik.id)
    assert log.audit(dep).problems == []


def test_what_was_handed_over_is_recorded_once_and_reconciled(dep: Deployment, viewer):
    am, icrc = viewer("am.assist"), viewer("icrc.caseworker")
    households.register_household(dep, family(), viewer=am, now=APRIL)
    programmes.run_programmes(dep, "2021-05", now=NOW)
    owed = programmes.owed(dep, am, "displacement-subsidy", "2021-05")
    assert len(owed) == 2 and owed[0]["amount"] == 480.0
    ids = [row["id"] for row in owed]
    with pytest.raises(Forbidden):
        programmes.record_delivery(
            dep, icrc, Delivery(entitlements=ids, place_id="stepanakert", on=date(2021, 5, 21))
        )
    done = programmes.record_delivery(
        dep,
        am,
        Delivery(
            entitlements=ids[:1], place_id="stepanakert", on=date(2021, 5, 21), reference="TR-1"
        ),
        now=NOW.replace(day=22),
    )
    assert done["delivered"] == 1
    with pytest.raises(Conflict, match="delivered"):
        programmes.record_delivery(
            dep,
            am,
            Delivery(entitlements=ids, place_id="stepanakert", on=date(2021, 5, 21)),
            now=NOW.replace(day=22),
        )
    lines = {(x["programme_id"], x["period"]): x for x in programmes.reconciliation(dep, am)}
    line = lines[("displacement-subsidy", "2021-05")]
    assert (line["entitled_count"], line["delivered_count"], line["owed_count"]) == (2, 1, 1)
    assert line["entitled_amount"] == 960.0 and line["delivered_amount"] == 480.0
    assert line["delivered_share"] == 0.5
    others = programmes.reconciliation(dep, viewer("unhcr.analyst"))
    hidden = next(x for x in others if x["programme_id"] == "displacement-subsidy")
    assert hidden["suppressed"] and hidden["entitled_count"] is None
    assert hidden["delivered_amount"] is None and hidden["delivered_share"] is None


def test_the_same_person_registered_twice_is_proposed_and_merged_by_a_caseworker(
    dep: Deployment, viewer
):
    am = viewer("am.assist")
    first = households.register_household(dep, family(), viewer=am, now=APRIL).household
    programmes.run_programmes(dep, "2021-05", now=NOW)
    again = family(
        members=[
            {
                "given_name": "Анжела",
                "family_name": "Галстян",
                "born": "1964-08-02",
                "sex": "female",
            }
        ]
    )
    second = households.register_household(dep, again, viewer=am, now=NOW)
    assert second.proposals == 1
    proposal = duplicates.proposals(dep, am)[0]
    assert proposal["a"]["given_name"] == "Angela" and proposal["b"]["given_name"] == "Анжела"
    assert proposal["decidable"] and "same_birth_date" in proposal["reasons"]
    assert duplicates.proposals(dep, viewer("ngo.caseworker")) == []
    icrc = viewer("icrc.caseworker")  # its parcel is owed to the first household, not the second
    seen = duplicates.proposals(dep, icrc)[0]
    assert seen["a"]["open"] and not seen["b"]["open"] and not seen["decidable"]
    assert "given_name" not in seen["b"]
    with pytest.raises(Forbidden):
        duplicates.merge_duplicate(dep, icrc, proposal["id"])
    programmes.run_programmes(dep, "2021-06")
    merged = duplicates.merge_duplicate(dep, am, proposal["id"])
    assert merged["household_merged"] and merged["cancelled"] >= 1
    with dep.db.read() as conn:
        gone = conn.execute(
            select(tables.households).where(tables.households.c.id == second.household.id)
        ).one()
    assert gone.status == "merged" and gone.merged_into == first.id
    with pytest.raises(Conflict):
        duplicates.dismiss_duplicate(dep, am, proposal["id"])
    assert duplicates.find_duplicates(dep) == 0  # decided pairs are not proposed again
    assert log.audit(dep).problems == []


def test_housing_moves_one_stage_at_a_time_and_counts_against_the_target(dep, viewer):
    am, nk = viewer("am.assist"), viewer("nk.housing")
    item = households.register_household(dep, family(), viewer=am, now=APRIL).household
    with pytest.raises(Forbidden):
        housing.move_stage(dep, am, "housing-2021", item.id, StageMove(stage=Stage.registered))
    housing.move_stage(dep, nk, "housing-2021", item.id, StageMove(stage=Stage.registered))
    with pytest.raises(Conflict, match="next stage is eligible"):
        housing.move_stage(dep, nk, "housing-2021", item.id, StageMove(stage=Stage.allocated))
    for stage in (Stage.eligible, Stage.allocated, Stage.under_construction, Stage.housed):
        housing.move_stage(dep, nk, "housing-2021", item.id, StageMove(stage=stage, note="plot 7"))
    progress = housing.housing_progress(dep, am, now=datetime(2022, 9, 1, tzinfo=UTC))[0]
    assert progress["target"] == 6000 and progress["of"] == 9000
    assert progress["housed"] is None  # one household: below the minimum cell, suppressed
    assert progress["share_of_target"] is None  # which would give the count away
    own = housing.housing_progress(dep, nk, now=datetime(2022, 9, 1, tzinfo=UTC))[0]
    assert own["housed"] == 1 and own["stages"]["housed"] == 1  # exact for its organisation
    assert progress["expected_by_now"] == round(6000 * 549 / 1096)
    assert housing.candidates(dep, nk, "housing-2021") == []  # the one who lost a home is in
    damaged = households.register_household(dep, family(home="damaged"), viewer=am).household
    lost = households.register_household(dep, family(), viewer=am).household
    listed = housing.candidates(dep, nk, "housing-2021")
    assert [c["reference"] for c in listed] == [lost.reference]  # not the damaged home
    assert "Angela" not in str(listed)  # a reference and facts: not opened before it is entered
    with pytest.raises(Forbidden):
        housing.candidates(dep, am, "housing-2021")
    housing.move_stage(dep, nk, "housing-2021", damaged.id, StageMove(stage=Stage.registered))
    with pytest.raises(Conflict, match="home in lost"):
        housing.move_stage(dep, nk, "housing-2021", damaged.id, StageMove(stage=Stage.eligible))


def test_a_claim_is_filed_with_evidence_assessed_and_decided(dep: Deployment, viewer):
    am, nk = viewer("am.assist"), viewer("nk.housing")
    item = households.register_household(dep, family(), viewer=am, now=APRIL).household
    photo = attachments.keep(dep, am, b"\xff\xd8 a photo of the ruins", "image/jpeg")
    draft = ClaimDraft(
        household_id=item.id,
        property="House and apiary in Jivani",
        claimed=Decimal("12000"),
        currency="USD",
        evidence=[photo],
    )
    claim = housing.file_claim(dep, am, draft)
    assert claim["status"] == "filed" and claim["property"] == "House and apiary in Jivani"
    with pytest.raises(InvalidInput, match="evidence"):
        housing.file_claim(dep, am, draft.model_copy(update={"evidence": ["0" * 64]}))
    with pytest.raises(Forbidden):
        housing.assess_claim(dep, am, claim["id"], Assessment(assessed=Decimal("9000")))
    with pytest.raises(Conflict):
        housing.decide_claim(
            dep, nk, claim["id"], Decision(approve=True, amount=Decimal("1"), reason="too early")
        )
    assert [c["id"] for c in housing.claims_queue(dep, nk)] == [claim["id"]]
    housing.assess_claim(dep, nk, claim["id"], Assessment(assessed=Decimal("9000"), note="seen"))
    decided = housing.decide_claim(
        dep, nk, claim["id"], Decision(approve=True, amount=Decimal("9000"), reason="as assessed")
    )
    assert decided["status"] == "approved" and decided["decided"] == 9000.0
    assert [h["action"] for h in decided["history"]] == ["filed", "assessed", "approved"]
    assert attachments.read_attachment(dep, nk, photo).content.startswith(b"\xff\xd8")
    with pytest.raises(Exception, match="attachment"):
        attachments.read_attachment(dep, viewer("icrc.caseworker"), photo)


def test_who_does_what_where_goes_out_and_back_in_as_hxl(dep: Deployment, viewer, tmp_path):
    unhcr, ngo = viewer("unhcr.analyst"), viewer("ngo.caseworker")
    activities.record_activity(
        dep,
        unhcr,
        ActivityDraft(
            organisation="unhcr",
            partner="local-ngo",
            sector="shelter",
            place_id="goris",
            activity="Winterising rented rooms",
            status="ongoing",
            start=date(2021, 3, 1),
            targeted=400,
            reached=260,
            remote=True,
        ),
    )
    activities.record_activity(
        dep,
        ngo,
        ActivityDraft(
            organisation="local-ngo",
            sector="food",
            place_id="goris",
            activity="Meat and dairy twice a week",
            status="ongoing",
            start=date(2021, 1, 4),
            targeted=900,
            reached=850,
        ),
    )
    with pytest.raises(Forbidden):
        activities.record_activity(
            dep,
            viewer("icrc.caseworker"),
            ActivityDraft(
                organisation="unhcr",
                sector="food",
                place_id="goris",
                activity="x",
                status="planned",
                start=date(2021, 1, 1),
            ),
        )
    text = activities.export_activities(dep, viewer("rpk.duty"))
    data = read_hxl(tmp_path, text)
    assert "#reached+ind+total" in [c.display_tag for c in data.columns]
    rows = list(data)
    assert sum(int(r.get("#reached+total")) for r in rows) == 1110
    assert {r.get("#org+impl") for r in rows} == {"local-ngo", None}
    assert [r.get("#sector") for r in rows] == ["shelter", "food"]
    with pytest.raises(InvalidInput) as refused:  # UNHCR is not involved in the NGO's own
        activities.import_activities(dep, unhcr, text)
    assert refused.value.field == "rows[2].organisation"
    lines = text.splitlines()
    ids = activities.import_activities(dep, unhcr, "\n".join(lines[:3]))
    assert len(ids) == 1 and len(activities.activities(dep, unhcr)) == 3
    with pytest.raises(InvalidInput) as refused:
        activities.import_activities(
            dep, unhcr, "\n".join([*lines[:2], lines[2].replace("2021-03-01", "1 March")])
        )
    assert refused.value.field == "rows[1].start"


def test_figures_suppress_small_cells(dep: Deployment, viewer, tmp_path):
    am = viewer("am.assist")
    for _ in range(6):
        households.register_household(dep, family(), viewer=am, now=APRIL)
    households.register_household(dep, family(origin_place_id="hadrut"), viewer=am, now=APRIL)
    cells = {
        (r["origin_place_id"], r["current_place_id"]): r
        for r in aid_figures.displaced(dep, viewer("unhcr.analyst"))
    }
    assert cells[("jivani", "stepanakert")]["households"] == 6
    assert cells[("jivani", "stepanakert")]["people"] == 12
    assert cells[("hadrut", "stepanakert")]["households"] is None
    assert cells[("hadrut", "stepanakert")]["people"] is None
    text = aid_figures.export_displaced(dep, viewer("unhcr.analyst"))
    data = list(read_hxl(tmp_path, text))
    hadrut = next(r for r in data if r.get("#adm3+origin+code") == "hadrut")
    assert hadrut.get("#affected+hh") is None and hadrut.get("#meta+suppressed") == "yes"
    assert "Angela" not in text and "Galstyan" not in text
    change = HouseholdChange(displacement="returned", note="went home")
    households.change_household(dep, am, households.households(dep, am)[0]["id"], change)
    assert sum(r["households"] or 0 for r in aid_figures.displaced(dep, am)) == 5


def test_the_demo_registry_loads_once_and_checks_out(dep: Deployment, viewer):
    assert scenarios.load_sample_aid(dep) == 5
    assert scenarios.load_sample_aid(dep) == 0
    am = viewer("am.assist")
    lines = {(x["programme_id"], x["period"]): x for x in programmes.reconciliation(dep, am)}
    assert lines[("icrc-parcel", "2021-04")]["suppressed"]  # the ICRC's, and two parcels
    icrc = programmes.reconciliation(dep, viewer("icrc.caseworker"))
    parcels = next(
        x for x in icrc if (x["programme_id"], x["period"]) == ("icrc-parcel", "2021-04")
    )
    assert parcels["delivered_quantity"] == 2
    assert lines[("displacement-subsidy", "2021-04")]["delivered_amount"] == 9 * 480
    assert [p["b"]["given_name"] for p in duplicates.proposals(dep, am)] == ["Сирануш"]
    assert housing.claims_queue(dep, viewer("nk.housing"))[0]["claimed"] == 18000.0
    assert len(activities.activities(dep, viewer("unhcr.analyst"))) == 4
    assert log.audit(dep).problems == []


def test_no_personal_field_reaches_the_logs_or_the_log_entries(  # type: ignore[no-untyped-def]
    client, auth, dep: Deployment, caplog
) -> None:
    """Registering, opening and paying a household over the API writes nobody's name, birth
    date, document or address to the application's logs (at every level), and the verifiable
    log's entries show salted hashes of it only."""
    caplog.set_level(logging.DEBUG)
    headers = auth("am.assist")
    made = client.post("/api/v1/households", json=family().model_dump(mode="json"), headers=headers)
    assert made.status_code == 201, made.text
    assert client.get(f"/api/v1/households/{made.json()['id']}", headers=headers).status_code == 200
    bad = {**family().model_dump(mode="json"), "current_place_id": "atlantis"}
    assert client.post("/api/v1/households", json=bad, headers=headers).status_code == 422
    programmes.run_programmes(dep, "2021-05", now=NOW)
    log.publish_checkpoint(dep)
    size = log.checkpoint_state(dep)
    assert size is not None
    entries = client.get(f"/api/v1/log/entries?start=0&end={size.size}", headers=auth("rpk.duty"))
    assert entries.status_code == 200
    for secret in ("Angela", "Galstyan", "1964-08-02", "AN0912345", "Tumanyan", "123456"):
        assert secret not in caplog.text
        assert secret.encode() not in entries.content


def test_two_handovers_of_the_same_entitlement_at_once_settle_it_once(dep: Deployment, viewer):
    """Two distribution points recording the same parcel at the same moment: one succeeds,
    the other is told it was delivered — never a server error, never twice."""
    icrc = viewer("icrc.caseworker")
    households.register_household(dep, family(), viewer=viewer("am.assist"), now=APRIL)
    programmes.run_programmes(dep, "2021-05", now=NOW)
    ids = [o["id"] for o in programmes.owed(dep, icrc, "icrc-parcel", "2021-05")]
    handover = Delivery(entitlements=ids, place_id="stepanakert", on=date(2021, 5, 21))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def deliver() -> None:
        barrier.wait()
        try:
            programmes.record_delivery(dep, icrc, handover, now=NOW.replace(day=22))
            outcomes.append("delivered")
        except Conflict:
            outcomes.append("conflict")

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["conflict", "delivered"]
    with dep.db.read() as conn:
        assert len(conn.execute(select(tables.deliveries)).all()) == 1


def test_members_join_and_leave_a_household_as_new_versions(dep: Deployment, viewer):
    am = viewer("am.assist")
    item = households.register_household(dep, family(), viewer=am, now=APRIL).household
    baby = Member(
        given_name="Nare",
        family_name="Galstyan",
        born=date(2021, 4, 25),
        sex="female",
        relationship="grandchild",
    )
    added = households.add_member(dep, am, item.id, baby, now=NOW)
    assert added.household.size == 3 and added.proposals == 0
    may = {t.programme_id: t.new for t in programmes.run_programmes(dep, "2021-05").programmes}
    assert may["displacement-subsidy"] == 3 and may["women-elderly-allowance"] == 3
    view = households.household_view(dep, am, item.id)
    vardan = next(m for m in view["members"] if m["given_name"] == "Vardan")
    left = households.member_left(dep, am, item.id, vardan["id"], "moved to his son in Yerevan")
    assert left.size == 2
    view = households.household_view(dep, am, item.id)
    assert [m["status"] for m in view["members"]] == ["active", "left", "active"]
    assert view["history"][-1]["note"] == "moved to his son in Yerevan"
    cancelled = {e["status"] for e in view["entitlements"] if e["person_id"] == vardan["id"]}
    assert cancelled == {"cancelled"}  # his allowance and subsidies, not yet handed over
    june = {t.programme_id: t.new for t in programmes.run_programmes(dep, "2021-06").programmes}
    assert june["women-elderly-allowance"] == 2  # Angela and the baby, not Vardan any more
    with pytest.raises(Conflict, match="already"):
        households.member_left(dep, am, item.id, vardan["id"], "again")
    with pytest.raises(Forbidden):
        households.add_member(dep, viewer("ngo.caseworker"), item.id, baby)
    for member in view["members"][2:]:
        households.member_left(dep, am, item.id, member["id"], "left")
    with pytest.raises(Conflict, match="close the household"):
        households.member_left(dep, am, item.id, view["members"][0]["id"], "left")
    assert log.audit(dep).problems == []


def test_a_duplicate_found_after_it_was_paid_shows_as_paid_twice(dep: Deployment, viewer):
    am = viewer("am.assist")
    alone = {
        "members": [
            {
                "given_name": "Angela",
                "family_name": "Galstyan",
                "born": "1964-08-02",
                "sex": "female",
            }
        ]
    }
    households.register_household(dep, family(**alone), viewer=am, now=APRIL)
    again = {
        "members": [
            {
                "given_name": "Анжела",
                "family_name": "Галстян",
                "born": "1964-08-02",
                "sex": "female",
            }
        ]
    }
    households.register_household(dep, family(**again), viewer=am, now=APRIL)
    programmes.run_programmes(dep, "2021-05", now=NOW)
    owed = programmes.owed(dep, am, "displacement-subsidy", "2021-05")
    assert len(owed) == 2  # one person, registered twice, owed twice until it is noticed
    programmes.record_delivery(
        dep,
        am,
        Delivery(
            entitlements=[o["id"] for o in owed], place_id="stepanakert", on=date(2021, 5, 21)
        ),
        now=NOW.replace(day=22),
    )
    duplicates.merge_duplicate(dep, am, duplicates.proposals(dep, am)[0]["id"])
    lines = {(x["programme_id"], x["period"]): x for x in programmes.reconciliation(dep, am)}
    assert lines[("displacement-subsidy", "2021-05")]["paid_twice_count"] == 1
    assert lines[("women-elderly-allowance", "2021-05")]["paid_twice_count"] == 0
