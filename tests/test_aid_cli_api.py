"""The humanitarian registry from the command line and over the API: importing, running a
month, handing over, reconciling, claims, 3W; bad input names its field and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

from .test_cli import run as run  # the fixture
from .test_households import family


def _count(dep: Deployment, table: str) -> int:
    with dep.db.read() as conn:
        chosen = tables.metadata.tables[table]
        return int(conn.execute(select(func.count()).select_from(chosen)).scalar_one())


def test_import_run_hand_over_and_reconcile_from_the_terminal(  # type: ignore[no-untyped-def]
    run, dep: Deployment, tmp_path: Path
) -> None:
    registry = tmp_path / "registry.json"
    drafts = [
        family(registered="2021-03-01").model_dump(mode="json"),
        family(registered="2021-03-02", current_place_id="goris").model_dump(mode="json"),
    ]
    registry.write_text(json.dumps(drafts), encoding="utf-8")
    imported = run("households", "import", str(registry), "--as", "am.assist")
    assert imported.exit_code == 0, imported.output
    assert "Registered 2 households." in imported.output
    ran = run("programmes", "run", "--period", "2021-05", "--json")
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.output)
    assert {p["programme_id"]: p["new"] for p in summary["programmes"]}["displacement-subsidy"] == 4
    again = json.loads(run("programmes", "run", "--period", "2021-05", "--json").output)
    assert sum(p["new"] for p in again["programmes"]) == 0
    owed = json.loads(
        run(
            "programmes", "owed", "icrc-parcel", "--period", "2021-05", "--as", "icrc.caseworker"
        ).output
    )
    handover = tmp_path / "handover.json"
    handover.write_text(
        json.dumps(
            {"entitlements": [o["id"] for o in owed], "place_id": "stepanakert", "on": "2021-05-12"}
        )
    )
    delivered = run("programmes", "deliver", str(handover), "--as", "icrc.caseworker")
    assert delivered.exit_code == 0, delivered.output
    twice = run("programmes", "deliver", str(handover), "--as", "icrc.caseworker")
    assert twice.exit_code == 2 and "entitlements[0]" in twice.output
    hidden = json.loads(run("programmes", "reconcile", "--as", "unhcr.analyst", "--json").output)
    assert all(x["suppressed"] for x in hidden)  # two households: every line below the minimum
    lines = json.loads(run("programmes", "reconcile", "--as", "icrc.caseworker", "--json").output)
    parcel = next(x for x in lines if x["programme_id"] == "icrc-parcel")
    assert (parcel["entitled_quantity"], parcel["delivered_quantity"]) == (2, 2)
    table = run("programmes", "reconcile", "--as", "icrc.caseworker")
    assert "2 × food-hygiene-parcel" in table.output
    listed = run("households", "list", "--as", "am.assist")
    assert "Angela Galstyan" in listed.output
    hidden = run("households", "list", "--as", "unhcr.analyst")
    assert hidden.exit_code == 2 and "Angela" not in hidden.output


def test_bad_input_from_the_terminal_names_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    run, dep: Deployment, tmp_path: Path
) -> None:
    registry = tmp_path / "registry.json"
    bad = family().model_dump(mode="json")
    bad["members"][1]["born"] = "1958-02-30"
    registry.write_text(json.dumps([family().model_dump(mode="json"), bad]), encoding="utf-8")
    refused = run("households", "import", str(registry), "--as", "am.assist")
    assert refused.exit_code == 2 and "1.members.1.born" in refused.output
    wrong_place = [{**family().model_dump(mode="json"), "current_place_id": "atlantis"}]
    registry.write_text(json.dumps(wrong_place), encoding="utf-8")
    refused = run("households", "import", str(registry), "--as", "am.assist")
    assert refused.exit_code == 2 and "households[0].current_place_id" in refused.output
    month = run("programmes", "run", "--period", "2021-13")
    assert month.exit_code == 2 and "period" in month.output
    assert _count(dep, "households") == 0 and _count(dep, "entitlements") == 0


def test_the_api_refuses_bad_input_by_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, dep: Deployment
) -> None:
    headers = auth("am.assist")
    cases: list[tuple[str, str, Any, str]] = [
        (
            "POST",
            "/api/v1/households",
            {**family().model_dump(mode="json"), "consent": False},
            "consent",
        ),
        (
            "POST",
            "/api/v1/households",
            {**family().model_dump(mode="json"), "members": []},
            "members",
        ),
        (
            "POST",
            "/api/v1/households",
            {**family().model_dump(mode="json"), "current_place_id": "atlantis"},
            "current_place_id",
        ),
        ("POST", "/api/v1/programmes/runs", {"period": "May 2021"}, "period"),
        (
            "POST",
            "/api/v1/deliveries",
            {"entitlements": [99], "place_id": "goris", "on": "2021-05-01"},
            "entitlements[0]",
        ),
        (
            "POST",
            "/api/v1/deliveries",
            {"entitlements": [], "place_id": "goris", "on": "2021-05-01"},
            "entitlements",
        ),
        (
            "POST",
            "/api/v1/claims",
            {"household_id": "x", "property": "a house", "claimed": -5, "currency": "USD"},
            "claimed",
        ),
        (
            "POST",
            "/api/v1/assessments",
            {
                "organisation": "unhcr",
                "place_id": "goris",
                "on": "2021-04-20",
                "sectors": ["roads"],
                "summary": "x",
            },
            "sectors[0]",
        ),
        ("POST", "/api/v1/activities/import", {"csv": "org,sector\n#org,#sector\n"}, "file"),
    ]
    for method, path, body, field in cases:
        answer = client.request(method, path, json=body, headers=headers)
        assert 400 <= answer.status_code < 500, (path, answer.text)
        assert answer.json()["error"].get("field", "").startswith(field), (path, answer.text)
    for table in (
        "households",
        "people",
        "entitlements",
        "deliveries",
        "claims",
        "needs_assessments",
        "activities",
        "aid_events",
        "log_leaves",
    ):
        assert _count(dep, table) == 0, table
