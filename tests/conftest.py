"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when
CEASEFIRE_TEST_POSTGRES_URL is set) with the reference scenario and its demo
users loaded once, and a clean slate of records for every test.

A component that is missing skips its tests with a message naming what to
install — unless CEASEFIRE_REQUIRE_ALL=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ceasefire.config import Settings
from ceasefire.domain.authorization import Viewer
from ceasefire.pack import read_pack
from ceasefire.services import accounts, scenarios
from ceasefire.services.deployment import Deployment, initialise, open_deployment
from ceasefire.store import tables
from ceasefire.store.accounts import user_by_name
from ceasefire.store.db import Database
from ceasefire.web.app import create_app

from .mail import Mailbox, free_port

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_PACK = ROOT / "scenarios" / "nagorno-karabakh-2020"
RECORD_TABLES = (
    "needs_assessments",
    "grants",
    "activities",
    "claims",
    "housing",
    "duplicates",
    "deliveries",
    "entitlements",
    "aid_events",
    "people",
    "households",
    "conversations",
    "submissions",
    "exports",
    "group_versions",
    "document_signatures",
    "documents",
    "commitments",
    "meetings",
    "resident_messages",
    "case_events",
    "cases",
    "movement_versions",
    "movements",
    "notice_versions",
    "notice_readers",
    "notices",
    "record_geography",
    "line_versions",
    "sign_in_failures",
    "replies",
    "notification_versions",
    "notifications",
    "log_cosignatures",
    "log_checkpoints",
    "log_nodes",
    "log_leaves",
    "log_witnesses",
    "incident_attachments",
    "attachments",
    "corroborations",
    "incident_versions",
    "incident_readers",
    "incidents",
    "api_tokens",
)


def require(available: bool, what: str) -> None:
    """Skip (or, under CEASEFIRE_REQUIRE_ALL=1, fail) when a component is absent."""
    if available:
        return
    if os.environ.get("CEASEFIRE_REQUIRE_ALL") == "1":
        pytest.fail(f"required component missing: {what}")
    pytest.skip(f"component missing: {what}")


@pytest.fixture(scope="session")
def reference_scenario():  # type: ignore[no-untyped-def]
    return read_pack(REFERENCE_PACK)


def _postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    base = os.environ.get("CEASEFIRE_TEST_POSTGRES_URL", "")
    require(bool(base), "PostgreSQL: set CEASEFIRE_TEST_POSTGRES_URL=postgresql+psycopg://…")
    name = f"ceasefire_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def settings_for(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    def make(url: str) -> Settings:
        data = tmp_path_factory.mktemp("var")
        return Settings(
            data_dir=data,
            database_url=url,
            scenario=REFERENCE_PACK,
            secret_key="test-secret-" + uuid.uuid4().hex,
            future_tolerance_seconds=300,
            daily_reports=False,  # tests/test_reports.py turns them on where it sends them
        )

    return make


@pytest.fixture(scope="session")
def prepared(database_url: str, settings_for, reference_scenario):  # type: ignore[no-untyped-def]
    """A database of this backend with the scenario and demo users loaded (once)."""
    settings = settings_for(database_url)
    db = Database(database_url)
    initialise(settings, db, reference_scenario)
    dep = open_deployment(settings, db)
    scenarios.load_demo_users(dep)
    yield settings, dep
    db.dispose()


@pytest.fixture
def dep(prepared) -> Deployment:  # type: ignore[no-untyped-def]
    """The deployment with no records: each test starts from a clean slate."""
    _settings, deployment = prepared
    with deployment.db.begin() as conn:
        for name in RECORD_TABLES:
            conn.execute(tables.metadata.tables[name].delete())
        conn.execute(tables.log_state.update().values(next_index=0, integrated_size=0))
        conn.execute(tables.places.delete().where(tables.places.c.source != "pack"))
    deployment.geographies.clear()
    return deployment


@pytest.fixture
def settings(prepared, dep) -> Settings:  # type: ignore[no-untyped-def]
    return prepared[0]


@pytest.fixture
def viewer(dep: Deployment):  # type: ignore[no-untyped-def]
    def get(username: str) -> Viewer:
        with dep.db.read() as conn:
            user = user_by_name(conn, username)
        assert user is not None, username
        return accounts.viewer_of(user)

    return get


@pytest.fixture
def client(settings: Settings, dep: Deployment) -> Iterator[TestClient]:
    with TestClient(create_app(settings, dep)) as test_client:
        yield test_client


@pytest.fixture
def auth(dep: Deployment):  # type: ignore[no-untyped-def]
    """Authorization headers for a demo user (a fresh token per user per test)."""
    tokens: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = accounts.create_token(dep, username, "test")
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def sign_in(client: TestClient, username: str, password: str = "ceasefire-demo") -> TestClient:
    """Sign `client` in through the real login form (CSRF token included)."""
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(client),
            "next": "/map",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient) -> str:
    """The CSRF token the signed session cookie of `client` carries."""
    page = client.get("/login").text
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


@pytest.fixture
def browser_for(settings: Settings, dep: Deployment) -> Iterator:  # type: ignore[type-arg]
    """Page clients signed in as demo users, each with its own cookie jar."""
    app = create_app(settings, dep)
    clients: dict[str, TestClient] = {}

    def get(username: str) -> TestClient:
        if username not in clients:
            clients[username] = sign_in(TestClient(app), username)
        return clients[username]

    yield get
    for test_client in clients.values():
        test_client.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()
