"""Schemathesis against the OpenAPI document: requests it generates from the document, for a
monitor, a party's liaison officer and a humanitarian caseworker, get no 5xx, answers that
match the document, and no rejected request writes anything."""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import func, select

from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

from .conftest import RECORD_TABLES

EXAMPLES = 10
"""per operation and user: the whole run stays under a minute"""
USERS = ("jmc.ru.monitor", "am.liaison", "am.assist")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def rows(dep: Deployment) -> dict[str, int]:
    with dep.db.read() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name in RECORD_TABLES
            if (table := tables.metadata.tables[name]) is not None
        }


def fuzz(operation: Any, headers: dict[str, str], dep: Deployment, answers: Counter[Any]) -> None:
    """Run generated requests to one operation as one user."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        before = rows(dep)
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        method = case.method.upper()
        answers[method, response.status_code] += 1
        if method in WRITES and response.status_code >= 400:
            assert rows(dep) == before, f"{case.method} {case.path} wrote, then refused"

    call()


def test_generated_requests_get_no_server_error_and_reject_without_writing(
    client: TestClient, auth: Any, dep: Deployment
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    answers: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        for user in USERS:
            fuzz(operation, auth(user), dep, answers)
    refused = sum(
        n for (method, status), n in answers.items() if method in WRITES and status >= 400
    )
    assert refused > 100  # most generated bodies and ids are refused: each was checked above
