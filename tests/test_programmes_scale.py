"""A month's entitlements over a generated registry of 50,000 households match a computation
done by hand in tests/registry.py, and a second run owes nothing twice (the run's speed is
measured in bench/programmes.py, not here)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from ceasefire.services import households, log, programmes
from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

from .registry import expected_may_2021, generate

HOUSEHOLDS = 50_000
APRIL = datetime(2021, 4, 30, 12, 0, tzinfo=UTC)
NOW = datetime(2021, 5, 31, 12, 0, tzinfo=UTC)


@pytest.mark.slow
def test_a_months_entitlements_over_50000_households_match_and_are_owed_once(
    dep: Deployment,
) -> None:
    drafts = generate(HOUSEHOLDS)
    ids = households.import_households(dep, None, drafts, now=APRIL)
    position = {household_id: i for i, household_id in enumerate(ids)}
    want = expected_may_2021(drafts)
    summary = programmes.run_programmes(dep, "2021-05", now=NOW)
    assert summary.households == HOUSEHOLDS
    by = {t.programme_id: t for t in summary.programmes}
    for programme_id, counter in want.items():
        programme = dep.scenario.aid.programme(programme_id)
        assert programme is not None
        expected = sum(counter.values())
        funded = expected
        if programme.budget is not None:
            funded = min(expected, programme.budget.minor // programme.unit_minor)
        totals = by[programme_id]
        assert (totals.new, totals.unfunded) == (funded, expected - funded), programme_id
        assert totals.amount_minor == funded * programme.unit_minor
        got = _owed_per_household(dep, programme_id, position)
        if funded == expected:  # every household owed exactly what the rules say
            assert got == counter, programme_id
        else:  # the budget ran out: nobody owed more than the rules say, and the sum holds
            assert all(got[i] <= counter[i] for i in got) and sum(got.values()) == funded
    assert by["displacement-subsidy"].unfunded > 0  # the pack's budget cannot pay 50,000 families
    with dep.db.read() as conn:
        before = conn.execute(select(func.count()).select_from(tables.entitlements)).scalar()
    again = programmes.run_programmes(dep, "2021-05", now=NOW)
    assert all(t.new == 0 for t in again.programmes)
    with dep.db.read() as conn:
        after = conn.execute(select(func.count()).select_from(tables.entitlements)).scalar()
    assert after == before
    assert log.publish_checkpoint(dep) is not None


def _owed_per_household(
    dep: Deployment, programme_id: str, position: dict[str, int]
) -> Counter[int]:
    e = tables.entitlements.c
    with dep.db.read() as conn:
        rows = conn.execute(
            select(e.household_id, func.count().label("n"))
            .where(e.programme_id == programme_id)
            .group_by(e.household_id)
        )
        return Counter({position[row.household_id]: row.n for row in rows})
