"""The crash harness (bench/crash.py) as a test: 20 SIGKILLs of `serve` under report traffic,
on SQLite and on PostgreSQL, lose no acknowledged report, leaf or notification, deliver
nothing twice under two notifications, and leave checkpoints a witness goes on cosigning.
Slow (minutes): `make test` runs it with CEASEFIRE_SLOW_TESTS=1, as CI does."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, _postgres_database

sys.path.insert(0, str(ROOT / "bench"))
import crash  # bench/crash.py

KILLS = 20


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: the harness runs `ceasefire init` on it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
    else:
        yield from _postgres_database()


@pytest.mark.slow
def test_twenty_kills_lose_nothing(fresh_database: str, tmp_path: Path) -> None:
    workdir = tmp_path / "crash"
    workdir.mkdir()
    outcome = crash.run_database("database", fresh_database, workdir, KILLS)
    assert outcome.kills == KILLS
    assert len(outcome.traffic.acknowledged) > KILLS  # traffic got through between the kills
    assert (outcome.missing, outcome.leafless) == (0, 0)
    assert outcome.required >= 2 * len(outcome.traffic.acknowledged)  # both ministries
    assert (outcome.undelivered, outcome.doubled) == (0, 0)
    assert outcome.refusals == 0
    assert outcome.witness_size == outcome.log_size > 0
    assert outcome.audit == "passed"
