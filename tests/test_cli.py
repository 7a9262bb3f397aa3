"""The `ceasefire` command as an operator uses it, against the test database of each backend."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ceasefire.cli import app
from ceasefire.config import Settings

from .builders import violation
from .conftest import REFERENCE_PACK


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run a CLI command with the test deployment's configuration in the environment."""
    monkeypatch.setenv("CEASEFIRE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CEASEFIRE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CEASEFIRE_SCENARIO", str(REFERENCE_PACK))
    monkeypatch.setenv("CEASEFIRE_CONFIG", str(settings.data_dir / "absent.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=stdin)

    return invoke


def test_token_from_the_cli_opens_the_api(run, client) -> None:  # type: ignore[no-untyped-def]
    result = run("token", "create", "jmc.ru.monitor", "--label", "drone desk")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("cf_")
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/incidents", headers=headers, json=violation())
    assert created.status_code == 201
    read = client.get(f"/api/v1/incidents/{created.json()['id']}", headers=headers)
    assert read.json()["id"] == created.json()["id"]
    revoked = run("token", "revoke", token)
    assert revoked.exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_user_add_then_list(run) -> None:  # type: ignore[no-untyped-def]
    name = "osce.observer"
    added = run(
        "user", "add", name, "--org", "jmc-turkey", "--role", "monitor", "--role", "analyst",
        "--name", "Field observer", "--language", "az", "--password", "a long secret",
    )  # fmt: skip
    if "is taken" not in added.output:  # the user persists across tests of one backend
        assert added.exit_code == 0, added.output
    listed = run("user", "list")
    assert name in listed.output
    again = run(
        "user", "add", name, "--org", "jmc-turkey", "--role", "monitor", "--password", "xxxxxxxxx"
    )  # fmt: skip
    assert again.exit_code == 2
    assert "username" in again.output and "taken" in again.output


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--org", "no-such-org", "--role", "monitor"], "organisation"),
        (["--org", "rpk", "--role", "general"], "unknown role"),
        (["--org", "rpk", "--role", "monitor", "--language", "fr"], "language"),
    ],
)
def test_user_add_names_the_bad_option(run, args, complaint) -> None:  # type: ignore[no-untyped-def]
    result = run("user", "add", "new.user", *args, "--password", "long enough")
    assert result.exit_code == 2
    assert complaint in result.output


def test_incident_report_list_and_show(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    body = tmp_path / "incident.json"
    body.write_text(json.dumps(violation()), encoding="utf-8")
    reported = run("incident", "report", "--as", "jmc.ru.monitor", "--file", str(body))
    assert reported.exit_code == 0, reported.output
    incident_id = reported.output.strip()

    listed = run("incident", "list", "--as", "az.liaison", "--json")
    assert [item["id"] for item in json.loads(listed.output)["items"]] == [incident_id]
    assert json.loads(listed.output)["items"][0]["display"]["place"] == "Tağaverd"

    shown = run("incident", "show", incident_id, "--as", "am.liaison")
    assert shown.exit_code == 0
    assert "Mortar impacts east of Taghavard" in shown.output
    assert "Թաղավարդ" in shown.output


def test_incident_report_with_a_bad_file_names_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    body = tmp_path / "incident.json"
    body.write_text(json.dumps(violation(category="weather")), encoding="utf-8")
    result = run("incident", "report", "--as", "jmc.ru.monitor", "--file", str(body))
    assert result.exit_code == 2
    assert "category" in result.output and "weather" in result.output
    body.write_text(json.dumps(violation(location={"point": {"lat": 95, "lon": 46}})))
    result = run("incident", "report", "--as", "jmc.ru.monitor", "--file", str(body))
    assert result.exit_code == 2
    assert "location.point.lat" in result.output
    listed = run("incident", "list", "--as", "jmc.ru.monitor", "--json")
    assert json.loads(listed.output)["items"] == []


def test_a_monitor_cannot_be_impersonated_by_an_unknown_user(run) -> None:  # type: ignore[no-untyped-def]
    result = run("incident", "list", "--as", "nobody")
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_scenario_validate_accepts_the_reference_pack(run) -> None:  # type: ignore[no-untyped-def]
    result = run("scenario", "validate", str(REFERENCE_PACK))
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_scenario_validate_prints_every_problem_with_file_and_key(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(REFERENCE_PACK, pack)
    places = yaml.safe_load((pack / "places.yaml").read_text(encoding="utf-8"))
    places["places"][4]["lat"] = 120
    (pack / "places.yaml").write_text(yaml.safe_dump(places, allow_unicode=True), encoding="utf-8")
    taxonomy = yaml.safe_load((pack / "taxonomy.yaml").read_text(encoding="utf-8"))
    taxonomy["categories"][0]["acled_event_type"] = "Skirmish"
    (pack / "taxonomy.yaml").write_text(yaml.safe_dump(taxonomy, allow_unicode=True), "utf-8")

    result = run("scenario", "validate", str(pack))
    assert result.exit_code == 1
    assert "places.yaml: places[4].lat:" in result.output
    assert "taxonomy.yaml: categories[0].acled_event_type:" in result.output
    assert "2 problem(s) found." in result.output


def test_scenario_validate_reports_cross_file_references(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(REFERENCE_PACK, pack)
    users = yaml.safe_load((pack / "users.yaml").read_text(encoding="utf-8"))
    users["users"][2]["organisation"] = "no-such-org"
    (pack / "users.yaml").write_text(yaml.safe_dump(users, allow_unicode=True), encoding="utf-8")
    result = run("scenario", "validate", str(pack))
    assert result.exit_code == 1
    assert "users.yaml: users[2].organisation: unknown organisation 'no-such-org'" in result.output


def test_init_is_repeatable_and_reports_the_database(run) -> None:  # type: ignore[no-untyped-def]
    first = run("init")
    second = run("init")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "nagorno-karabakh-2020" in second.output
