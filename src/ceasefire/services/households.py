"""The registry of displaced households: registering one (a caseworker, or the household on
the public form), importing a list, verifying a self-registered one, recording a change of
circumstances, closing one, and reading it.

Members' names, birth dates and documents, the address, the phone number, the origin in
words and the vulnerabilities are sealed before they are written (store.sealing) and opened
only for the caseworkers of the organisations that serve the household. Each version of a
household is a log leaf committed to, never revealed. A new member with the birth date of
someone already registered is compared with them (domain.dedup) and, if the names agree, a
duplicate is proposed to a caseworker.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.cases import new_reference, normalise_phone
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.households import (
    HouseholdChange,
    HouseholdDraft,
    HouseholdStatus,
    Member,
    Source,
)
from ceasefire.services import log
from ceasefire.services.deployment import Deployment, sealer_of, utcnow
from ceasefire.store import aid as store
from ceasefire.store import tables
from ceasefire.store.aid import AidEvent, Household, Person, served_by_text
from ceasefire.store.db import advance
from ceasefire.store.sealing import Sealer

KIND = "household"
PUBLIC = "public"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Registered:
    household: Household
    proposals: int
    """Duplicates proposed for its members"""


def register_household(
    dep: Deployment,
    draft: HouseholdDraft,
    *,
    viewer: Viewer | None = None,
    now: datetime | None = None,
) -> Registered:
    """Register a household: by a caseworker of a humanitarian organisation (it serves the
    household from then on), or by the household itself (no viewer: it waits for the
    registry keeper's caseworkers to verify it before any programme counts it)."""
    keeper = _registrar(dep, viewer)
    now = now or utcnow()
    with dep.db.begin() as conn:
        rows = _rows(dep, conn, draft, keeper, viewer, now)
        store.insert_households(conn, [rows.household])
        store.insert_people(conn, rows.people)
        log.record_aid(conn, store.insert_events(conn, [rows.event]))
        from ceasefire.services import duplicates  # the dedup service reads households

        proposals = duplicates.propose_for(dep, conn, rows.household["id"], now)
        household = _get(conn, rows.household["id"])
    return Registered(household, proposals)


def import_households(
    dep: Deployment,
    viewer: Viewer | None,
    drafts: Sequence[HouseholdDraft],
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Register many households at once (a list kept elsewhere until now), all or none; each
    is a version and a log leaf as if registered alone. No viewer: the command line, on
    behalf of the registry keeper. Duplicates are looked for afterwards, by
    `duplicates.find_duplicates`, over the whole registry."""
    keeper = _registrar(dep, viewer, importing=True)
    now = now or utcnow()
    ids: list[str] = []
    with dep.db.begin() as conn:
        for start in range(0, len(drafts), 1000):
            batch = [
                _rows(dep, conn, d, keeper, viewer, now, start + i)
                for i, d in enumerate(drafts[start : start + 1000])
            ]
            store.insert_households(conn, [r.household for r in batch])
            store.insert_people(conn, [p for r in batch for p in r.people])
            log.record_aid(conn, store.insert_events(conn, [r.event for r in batch]))
            ids.extend(r.household["id"] for r in batch)
            if progress:
                progress(len(ids), len(drafts))
    return ids


def verify_household(
    dep: Deployment, viewer: Viewer, household_id: str, now: datetime | None = None
) -> Household:
    """A caseworker who serves a self-registered household has seen it: programmes count it."""
    item = for_caseworker(dep, viewer, household_id)
    if item.status != HouseholdStatus.awaiting_verification:
        raise Conflict(f"the household is {item.status}, not awaiting verification")
    return _change(
        dep,
        viewer,
        item,
        "verified",
        {"status": HouseholdStatus.active.value, "verified_at": now or utcnow()},
        {},
        now,
    )


def change_household(
    dep: Deployment,
    viewer: Viewer,
    household_id: str,
    change: HouseholdChange,
    now: datetime | None = None,
) -> Household:
    """Record a change of circumstances (a return, a move, a new shelter, a lost home)."""
    item = for_caseworker(dep, viewer, household_id)
    _still_open(item)
    if change.current_place_id and dep.gazetteer.place(change.current_place_id) is None:
        raise InvalidInput("current_place_id", f"unknown place {change.current_place_id!r}")
    sealer = sealer_of(dep)
    opened = open_household(dep, item)
    values: dict[str, Any] = {}
    for name in ("displacement", "current_place_id", "shelter", "home"):
        value = getattr(change, name)
        if value is not None:
            values[name] = str(value)
    private = dict(opened)
    for name in ("address", "phone", "vulnerabilities"):
        value = getattr(change, name)
        if value is not None:
            private[name] = [str(v) for v in value] if name == "vulnerabilities" else value or None
    if private != opened:
        values["sealed"] = sealer.seal(json.dumps(private, ensure_ascii=False), _context(item.id))
        phone = private.get("phone")
        values["phone_index"] = sealer.index(normalise_phone(phone), "phone") if phone else None
    note = (
        sealer.seal(change.note, f"{_context(item.id)}:{item.version + 1}") if change.note else None
    )
    changed = {k: v for k, v in values.items() if k not in ("sealed", "phone_index")}
    return _change(dep, viewer, item, "changed", values, {"changed": changed, "note": note}, now)


def add_member(
    dep: Deployment,
    viewer: Viewer,
    household_id: str,
    member: Member,
    now: datetime | None = None,
) -> Registered:
    """A new member of a household (a birth, a relative who joined): sealed like the others,
    and compared at once with the registry's people of the same birth date."""
    item = for_caseworker(dep, viewer, household_id)
    _still_open(item)
    now = now or utcnow()
    sealer = sealer_of(dep)
    with dep.db.begin() as conn:
        numbers = [p.number for p in store.people_of(conn, [item.id]).get(item.id, [])]
        row = _person_row(sealer, item.id, max(numbers, default=0) + 1, member)
        store.insert_people(conn, [row])
        if not advance(
            conn, tables.households, item.id, item.version, updated_at=now, size=item.size + 1
        ):
            raise Conflict("the household changed meanwhile: reload it and try again")
        write_version(
            conn,
            item,
            viewer,
            "member_added",
            now,
            {"person": row["id"], "sealed_person": row["sealed"]},
        )
        from ceasefire.services import duplicates

        proposed = duplicates.propose_for(dep, conn, item.id, now)
        return Registered(_get(conn, item.id), proposed)


def member_left(
    dep: Deployment,
    viewer: Viewer,
    household_id: str,
    person_id: str,
    reason: str,
    now: datetime | None = None,
) -> Household:
    """A member who left the household (or died): no programme counts them from now on, and
    what was still owed to them is cancelled. The last member does not leave: the household
    is closed instead."""
    if not reason.strip():
        raise InvalidInput("reason", "say why the member left")
    item = for_caseworker(dep, viewer, household_id)
    _still_open(item)
    now = now or utcnow()
    with dep.db.begin() as conn:
        members = store.people_of(conn, [item.id]).get(item.id, [])
        person = next((p for p in members if p.id == person_id), None)
        if person is None:
            raise NotFound("no such member of this household", "person_id")
        if person.status != "active":
            raise Conflict(f"the member is {person.status} already")
        if sum(1 for p in members if p.status == "active") == 1:
            raise Conflict("the last member does not leave: close the household instead")
        store.set_person(conn, person.id, status="left")
        cancelled = store.cancel_owed(conn, person.id)
        if not advance(
            conn, tables.households, item.id, item.version, updated_at=now, size=item.size - 1
        ):
            raise Conflict("the household changed meanwhile: reload it and try again")
        sealed = sealer_of(dep).seal(
            reason.strip()[:1000], f"{_context(item.id)}:{item.version + 1}"
        )
        write_version(
            conn,
            item,
            viewer,
            "member_left",
            now,
            {"person": person.id, "cancelled": cancelled, "note": sealed},
        )
        return _get(conn, item.id)


def close_household(
    dep: Deployment, viewer: Viewer, household_id: str, reason: str, now: datetime | None = None
) -> Household:
    """Close a household's record (it needs no more help, or left): programmes stop counting it."""
    if not reason.strip():
        raise InvalidInput("reason", "say why the household's record is closed")
    item = for_caseworker(dep, viewer, household_id)
    if item.status in (HouseholdStatus.merged, HouseholdStatus.closed):
        raise Conflict(f"the household is {item.status} already")
    sealed = sealer_of(dep).seal(reason.strip()[:1000], f"{_context(item.id)}:{item.version + 1}")
    return _change(
        dep, viewer, item, "closed", {"status": HouseholdStatus.closed.value}, {"note": sealed}, now
    )


# --- reading ------------------------------------------------------------------------------


def household_view(dep: Deployment, viewer: Viewer, household_id: str) -> dict[str, Any]:
    """A household as its caseworkers see it: its facts, its members, what it is owed and got,
    and its history."""
    item = for_caseworker(dep, viewer, household_id)
    with dep.db.read() as conn:
        members = store.people_of(conn, [item.id]).get(item.id, [])
        owed = store.entitlements_of(conn, item.id)
        history = store.events_of(conn, KIND, item.id)
    sealer = sealer_of(dep)
    return {
        **present(item),
        **open_household(dep, item),
        "members": [
            {
                **open_person(dep, p),
                "id": p.id,
                "number": p.number,
                "status": p.status,
                "merged_into": p.merged_into,
            }
            for p in members
        ],
        "entitlements": [_entitlement(dep, row) for row in owed],
        "history": [_history(sealer, item.id, e) for e in history],
    }


def households(
    dep: Deployment, viewer: Viewer, *, status: str | None = None, place_id: str | None = None
) -> list[dict[str, Any]]:
    """The households the viewer's organisation serves, newest first, with the head's name."""
    if not authz.can_register_households(viewer, set(dep.scenario.aid.organisations)):
        raise Forbidden("the registry is for the humanitarian organisations' caseworkers")
    own = [p.id for p in dep.scenario.aid.programmes if p.organisation == viewer.organisation_id]
    with dep.db.read() as conn:
        found = store.households_for(
            conn, viewer.organisation_id, own, status=status, place_id=place_id
        )
        members = store.people_of(conn, [h.id for h in found])
    listed = []
    for item in found:
        head = next(iter(members.get(item.id, [])), None)
        opened = open_person(dep, head) if head else {}
        name = f"{opened.get('given_name', '')} {opened.get('family_name', '')}".strip()
        listed.append({**present(item), "head": name})
    return listed


def present(item: Household) -> dict[str, Any]:
    """What anyone who may see the household reads of it without opening it."""
    return {
        "id": item.id,
        "reference": item.reference,
        "version": item.version,
        "status": item.status,
        "source": item.source,
        "displacement": item.displacement,
        "origin_place_id": item.origin_place_id,
        "current_place_id": item.current_place_id,
        "shelter": item.shelter,
        "home": item.home,
        "size": item.size,
        "served_by": list(item.served_by),
        "registered_by": item.registered_by,
        "registered_at": item.registered_at.isoformat(),
        "verified_at": item.verified_at.isoformat() if item.verified_at else None,
        "merged_into": item.merged_into,
    }


def serving(dep: Deployment, conn: Any, item: Household) -> set[str]:
    """The organisations that serve a household: those named on it and those whose
    programmes owe it something."""
    programmes = store.served_through(conn, item.id)
    runs = {p.organisation for p in dep.scenario.aid.programmes if p.id in programmes}
    return set(item.served_by) | runs


def open_household(dep: Deployment, item: Household) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(sealer_of(dep).open(item.sealed, _context(item.id)))
    return opened


def open_person(dep: Deployment, person: Person) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(sealer_of(dep).open(person.sealed, f"person:{person.id}"))
    return opened


def add_served_by(conn: Any, item: Household, organisations: set[str]) -> None:
    if organisations - set(item.served_by):
        conn.execute(
            tables.households.update()
            .where(tables.households.c.id == item.id)
            .values(served_by=served_by_text({*item.served_by, *organisations}))
        )


def write_version(
    conn: Any,
    item: Household,
    viewer: Viewer | None,
    action: str,
    now: datetime,
    details: dict[str, Any],
) -> AidEvent:
    """The journal entry and log leaf of a household's version (already written)."""
    current = _get(conn, item.id)
    content = {**_content(current), **details}
    return log.journal(
        conn,
        KIND,
        item.id,
        current.version,
        action,
        content,
        by=viewer,
        at=now,
        actor=PUBLIC,
        organisation=current.registered_by,
    )


# --- inside -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    household: dict[str, Any]
    people: list[dict[str, Any]]
    event: dict[str, Any]


def _registrar(dep: Deployment, viewer: Viewer | None, importing: bool = False) -> str:
    aid = dep.scenario.aid
    if viewer is None:
        if aid.registry.self_registration is None:
            raise Forbidden("this deployment takes no self-registration")
        return aid.registry.self_registration
    if not authz.can_register_households(viewer, set(aid.organisations)):
        raise Forbidden("households are registered by the humanitarian organisations' caseworkers")
    return viewer.organisation_id


def _rows(
    dep: Deployment,
    conn: Any,
    draft: HouseholdDraft,
    keeper: str,
    viewer: Viewer | None,
    now: datetime,
    row: int | None = None,
) -> _Rows:
    where = "" if row is None else f"households[{row}]."
    for field in ("origin_place_id", "current_place_id"):
        place_id = getattr(draft, field)
        if place_id is not None and dep.gazetteer.place(place_id) is None:
            raise InvalidInput(f"{where}{field}", f"unknown place {place_id!r}")
    sealer = sealer_of(dep)
    household_id = str(uuid.uuid4())
    self_registered = viewer is None and row is None
    private = {
        "address": draft.address,
        "phone": draft.phone,
        "origin_text": draft.origin_text,
        "vulnerabilities": [v.value for v in draft.vulnerabilities],
        "language": draft.language,
    }
    household = {
        "id": household_id,
        "reference": _unused_reference(conn),
        "version": 1,
        "status": (
            HouseholdStatus.awaiting_verification if self_registered else HouseholdStatus.active
        ).value,
        "source": (Source.self_registered if self_registered else Source.caseworker).value,
        "displacement": draft.displacement.value,
        "origin_place_id": draft.origin_place_id,
        "current_place_id": draft.current_place_id,
        "shelter": draft.shelter.value,
        "home": draft.home.value,
        "size": len(draft.members),
        "served_by": served_by_text([keeper]),
        "registered_by": keeper,
        "sealed": sealer.seal(json.dumps(private, ensure_ascii=False), _context(household_id)),
        "phone_index": sealer.index(normalise_phone(draft.phone), "phone") if draft.phone else None,
        "merged_into": None,
        "registered_at": _noon(draft.registered) if draft.registered else now,
        "updated_at": now,
        "verified_at": None if self_registered else now,
    }
    people = [_person_row(sealer, household_id, n, m) for n, m in enumerate(draft.members, 1)]
    event = {
        "kind": KIND,
        "record_id": household_id,
        "version": 1,
        "at": now,
        "actor": viewer.username if viewer else PUBLIC,
        "organisation": keeper,
        "action": "registered",
        "content": {**_content_of(household), "people": [p["sealed"] for p in people]},
    }
    return _Rows(household, people, event)


def _person_row(sealer: Sealer, household_id: str, number: int, member: Member) -> dict[str, Any]:
    person_id = str(uuid.uuid4())
    return {
        "id": person_id,
        "household_id": household_id,
        "number": number,
        "status": "active",
        "merged_into": None,
        "born_index": born_index(sealer, member.born.isoformat()),
        "sealed": sealer.seal(member.model_dump_json(), f"person:{person_id}"),
    }


def born_index(sealer: Sealer, born: str) -> str:
    return sealer.index(born, "born")


def _content_of(row: dict[str, Any]) -> dict[str, Any]:
    names = (
        "status",
        "displacement",
        "origin_place_id",
        "current_place_id",
        "shelter",
        "home",
        "size",
        "served_by",
        "sealed",
        "merged_into",
    )
    return {name: row[name] for name in names}


def _content(item: Household) -> dict[str, Any]:
    return _content_of({**item.__dict__, "served_by": served_by_text(item.served_by)})


def _change(
    dep: Deployment,
    viewer: Viewer,
    item: Household,
    action: str,
    values: dict[str, Any],
    details: dict[str, Any],
    now: datetime | None,
) -> Household:
    now = now or utcnow()
    with dep.db.begin() as conn:
        if not advance(conn, tables.households, item.id, item.version, updated_at=now, **values):
            raise Conflict("the household changed meanwhile: reload it and try again")
        write_version(conn, item, viewer, action, now, details)
        return _get(conn, item.id)


def for_caseworker(dep: Deployment, viewer: Viewer, household_id: str) -> Household:
    """The household, if the viewer may open it."""
    with dep.db.read() as conn:
        item = store.get_household(conn, household_id)
        if item is None:
            raise NotFound("no such household", "household_id")
        served = serving(dep, conn, item)
    if not authz.can_open_household(viewer, served):
        raise Forbidden("only the caseworkers of the organisations serving it open a household")
    return item


def _still_open(item: Household) -> None:
    if item.status in (HouseholdStatus.merged, HouseholdStatus.closed):
        raise Conflict(f"the household is {item.status}: nothing changes it any more")


def _get(conn: Any, household_id: str) -> Household:
    found = store.get_household(conn, household_id)
    if found is None:
        raise NotFound("no such household", "household_id")
    return found


def _context(household_id: str) -> str:
    return f"household:{household_id}"


def _unused_reference(conn: Any) -> str:
    while True:
        reference = new_reference()
        if store.by_reference(conn, reference) is None:
            return reference


def _entitlement(dep: Deployment, row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "programme_id": row.programme_id,
        "occurrence": row.occurrence,
        "period": row.period,
        "person_id": row.person_id,
        "amount": row.amount_minor / 100 if row.currency else None,
        "currency": row.currency,
        "item": row.item,
        "quantity": row.quantity,
        "status": row.status,
        "delivered_on": row.on.isoformat() if row.on else None,
        "delivered_at": row.place_id,
        "delivered_by": row.username,
    }


def _history(sealer: Sealer, household_id: str, event: AidEvent) -> dict[str, Any]:
    note = event.content.get("note")
    return {
        "version": event.version,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "organisation": event.organisation,
        "action": event.action,
        "changed": event.content.get("changed", {}),
        "note": sealer.open(note, f"{_context(household_id)}:{event.version}") if note else "",
    }


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
