"""The same person registered twice: finding them (domain.dedup, over people who share a birth
date), proposing them to a caseworker, and the caseworker's decision — merge the later record
into the earlier, or dismiss the proposal. Nothing is ever merged without a caseworker.

Only people with the same birth date are compared: the registry finds them by a keyed hash
of the date, so the dates are never stored in clear.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from ceasefire.domain import authorization as authz
from ceasefire.domain import dedup
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, NotFound
from ceasefire.domain.households import HouseholdStatus
from ceasefire.services import households, log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import aid as store
from ceasefire.store import tables
from ceasefire.store.aid import Person

KIND = "duplicate"
Progress = Callable[[int, int], None]


def propose_for(dep: Deployment, conn: Any, household_id: str, now: datetime) -> int:
    """Compare a new household's members with the registry's people of the same birth dates;
    propose those who seem the same person. Returns how many were proposed."""
    found = 0
    for person in store.people_of(conn, [household_id]).get(household_id, []):
        others = store.people_born_like(conn, person.born_index, besides=household_id)
        if not others:
            continue
        mine = _candidate(dep, person)
        for other in others:
            score, reasons = dedup.similarity(_candidate(dep, other), mine)
            if score >= dedup.THRESHOLD:
                found += _insert(conn, other.id, person.id, score, reasons, now)
    return found


def find_duplicates(
    dep: Deployment, *, progress: Progress | None = None, now: datetime | None = None
) -> int:
    """Look over the whole registry (the command line's `households duplicates`): propose
    every pair of people with the same birth date whose names agree. Pairs proposed before
    (dismissed ones included) are not proposed again. Returns how many are new."""
    now = now or utcnow()
    found = 0
    with dep.db.begin() as conn:
        blocks = list(store.active_people_by_born(conn))
        for done, block in enumerate(blocks, start=1):
            people = {p.id: p for p in block}
            candidates = [_candidate(dep, p) for p in block]
            for proposal in dedup.propose(candidates):
                first, second = sorted(
                    (people[proposal.a], people[proposal.b]),
                    key=lambda p: (p.household_id, p.number),
                )
                found += _insert(conn, first.id, second.id, proposal.score, proposal.reasons, now)
            if progress and (done % 100 == 0 or done == len(blocks)):
                progress(done, len(blocks))
    return found


def proposals(dep: Deployment, viewer: Viewer, limit: int = 200) -> list[dict[str, Any]]:
    """Open proposals about households the viewer serves, with both people as far as the
    viewer may open them (one the viewer may not open shows its household's reference only)."""
    if not authz.can_register_households(viewer, set(dep.scenario.aid.organisations)):
        raise Forbidden("duplicates are reviewed by the caseworkers who serve the households")
    d = tables.duplicates.c
    shown = []
    with dep.db.read() as conn:
        rows = conn.execute(
            select(tables.duplicates)
            .where(d.status == "proposed")
            .order_by(d.score.desc(), d.found_at)
            .limit(limit * 5)
        ).all()
        for row in rows:
            sides = [_side(dep, conn, viewer, row.person_a), _side(dep, conn, viewer, row.person_b)]
            if not any(side["open"] for side in sides):
                continue
            shown.append(
                {
                    "id": row.id,
                    "score": round(row.score, 3),
                    "reasons": row.reasons,
                    "found_at": row.found_at.isoformat(),
                    "a": sides[0],
                    "b": sides[1],
                    "decidable": all(side["open"] for side in sides),
                }
            )
            if len(shown) == limit:
                break
    return shown


def merge_duplicate(
    dep: Deployment, viewer: Viewer, proposal_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """The caseworker confirms the two are one person: the later record (b) is merged into
    the earlier (a). What was still owed to b is cancelled; what b received stays on record.
    A household left with no one is merged into a's household, whose organisations then
    serve both."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        row, first, second = _decidable(dep, conn, viewer, proposal_id)
        store.set_person(conn, second.id, status="merged", merged_into=first.id)
        cancelled = store.cancel_owed(conn, second.id)
        left = [
            p
            for p in store.people_of(conn, [second.household_id])[second.household_id]
            if p.status == "active"
        ]
        kept = store.get_household(conn, first.household_id)
        gone = store.get_household(conn, second.household_id)
        assert kept is not None and gone is not None
        if gone.id != kept.id:
            households.add_served_by(conn, kept, set(gone.served_by))
        values: dict[str, Any] = {"size": len(left), "updated_at": now}
        if not left:
            values.update(status=HouseholdStatus.merged.value, merged_into=kept.id)
        conn.execute(
            tables.households.update()
            .where(tables.households.c.id == gone.id)
            .values(version=gone.version + 1, **values)
        )
        details = {"person": second.id, "into": first.id, "cancelled": cancelled}
        households.write_version(conn, gone, viewer, "duplicate_merged", now, details)
        _decide(conn, viewer, row.id, "merged", now, details)
    return {
        "merged": second.id,
        "into": first.id,
        "cancelled": len(cancelled),
        "household_merged": not left,
    }


def dismiss_duplicate(
    dep: Deployment, viewer: Viewer, proposal_id: str, now: datetime | None = None
) -> None:
    """The caseworker finds the two are different people: the pair is not proposed again."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        row, first, second = _decidable(dep, conn, viewer, proposal_id)
        _decide(conn, viewer, row.id, "dismissed", now, {"a": first.id, "b": second.id})


# --- inside -------------------------------------------------------------------------------


def _candidate(dep: Deployment, person: Person) -> dedup.Person:
    opened = households.open_person(dep, person)
    return dedup.Person(
        key=person.id,
        given=opened["given_name"],
        family=opened["family_name"],
        patronymic=opened.get("patronymic", ""),
        born=date.fromisoformat(opened["born"]),
        household=person.household_id,
        sex=opened.get("sex", ""),
    )


def _insert(
    conn: Any, first: str, second: str, score: float, reasons: tuple[str, ...], now: datetime
) -> int:
    d = tables.duplicates.c
    known = conn.execute(
        select(d.id).where(
            or_(
                (d.person_a == first) & (d.person_b == second),
                (d.person_a == second) & (d.person_b == first),
            )
        )
    ).first()
    if known is not None:
        return 0
    conn.execute(
        tables.duplicates.insert().values(
            id=str(uuid.uuid4()),
            person_a=first,
            person_b=second,
            score=score,
            reasons=list(reasons),
            status="proposed",
            found_at=now,
        )
    )
    return 1


def _side(dep: Deployment, conn: Any, viewer: Viewer, person_id: str) -> dict[str, Any]:
    person = store.get_person(conn, person_id)
    assert person is not None
    item = store.get_household(conn, person.household_id)
    assert item is not None
    allowed = authz.can_open_household(viewer, households.serving(dep, conn, item))
    side: dict[str, Any] = {
        "person_id": person.id,
        "household_id": item.id,
        "reference": item.reference,
        "open": allowed,
        "current_place_id": item.current_place_id,
    }
    if allowed:
        opened = households.open_person(dep, person)
        side.update(
            {
                k: opened.get(k, "")
                for k in ("given_name", "family_name", "patronymic", "born", "sex")
            }
        )
    return side


def _decidable(dep: Deployment, conn: Any, viewer: Viewer, proposal_id: str) -> Any:
    row = conn.execute(
        select(tables.duplicates).where(tables.duplicates.c.id == proposal_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound("no such proposal", "proposal_id")
    first, second = store.get_person(conn, row.person_a), store.get_person(conn, row.person_b)
    assert first is not None and second is not None
    for person in (first, second):
        item = store.get_household(conn, person.household_id)
        assert item is not None
        if not authz.can_open_household(viewer, households.serving(dep, conn, item)):
            raise Forbidden("a duplicate is decided by a caseworker who serves both households")
    if row.status != "proposed":
        raise Conflict(f"the proposal was {row.status} already")
    if first.status != "active" or second.status != "active":
        raise Conflict("one of the two was merged meanwhile")
    return row, first, second


def _decide(
    conn: Any,
    viewer: Viewer,
    proposal_id: str,
    status: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    conn.execute(
        tables.duplicates.update()
        .where(tables.duplicates.c.id == proposal_id)
        .values(status=status, decided_at=now, decided_by=viewer.username)
    )
    log.journal(conn, KIND, proposal_id, 1, status, details, by=viewer, at=now)
