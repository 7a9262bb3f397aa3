"""Assistance programmes at work: computing a month's entitlements from the pack's rules,
recording what was actually handed over, and reconciling the two.

A run goes through the registry's active households (registered before the month ends) in
the order they were registered, opens what the rules need (members' sex and birth date, the
household's vulnerabilities) and owes each eligible beneficiary each occurrence it is not
owed yet — so running a month again, or a one-time programme in a later month, owes nothing
twice. A cash programme stops owing when its budget is spent; the run counts who went
unfunded. Each run is a log leaf carrying the SHA-256 of the entitlements it added; each
batch of handovers is another.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import Delivery
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput
from ceasefire.domain.households import HouseholdStatus
from ceasefire.domain.programmes import Facts, Per, Programme, next_month, parse_month
from ceasefire.ledger.leaf import canonical
from ceasefire.services import households, log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import aid as store
from ceasefire.store import tables
from ceasefire.store.aid import Household, Person

RUN = "entitlement-run"
DELIVERY = "delivery"
SYSTEM = "system"
Progress = Callable[[int, int], None]


@dataclass
class ProgrammeTotals:
    programme_id: str
    eligible: int = 0
    """Beneficiaries eligible this month"""
    new: int = 0
    """Entitlements this run added"""
    already: int = 0
    """Owed before (an earlier run, or a one-time benefit already given)"""
    unfunded: int = 0
    """Eligible but left unowed: the budget was spent"""
    amount_minor: int = 0
    quantity: int = 0


@dataclass
class RunSummary:
    run_id: str
    period: str
    households: int
    programmes: list[ProgrammeTotals] = field(default_factory=list)
    sha256: str = ""


def run_programmes(
    dep: Deployment,
    period: str,
    *,
    viewer: Viewer | None = None,
    programme_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> RunSummary:
    """Compute and record a month's entitlements (see the module). No viewer: the command
    line, for every programme; a viewer runs its organisation's programmes."""
    try:
        month = parse_month(period)
    except ValueError as exc:
        raise InvalidInput("period", str(exc)) from None
    chosen = _programmes(dep, viewer, programme_ids, month)
    now = now or utcnow()
    summary = RunSummary(str(uuid.uuid4()), period, 0)
    try:
        _compute(dep, chosen, month, summary, viewer, progress, now)
    except IntegrityError:  # another run wrote the same entitlements first; this one wrote none
        raise Conflict(
            "another run of these programmes was recording at the same time: "
            "run it again (nothing is owed twice)"
        ) from None
    return summary


def _compute(
    dep: Deployment,
    chosen: list[Programme],
    month: date,
    summary: RunSummary,
    viewer: Viewer | None,
    progress: Progress | None,
    now: datetime,
) -> None:
    """The run, in one transaction (see run_programmes)."""
    totals = {p.id: ProgrammeTotals(p.id) for p in chosen}
    rows: list[dict[str, Any]] = []
    with dep.db.begin() as conn:
        owed = {p.id: store.owed_keys(conn, p.id, p.occurrences(month)) for p in chosen}
        room = {p.id: _room(conn, p) for p in chosen}
        total = store.count_households(conn, [HouseholdStatus.active.value])
        for page in _pages(conn, next_month(month)):
            members = store.people_of(conn, [h.id for h in page])
            for item in page:
                facts = _facts(dep, item, members.get(item.id, []), chosen)
                for programme in chosen:
                    _owe(
                        programme,
                        month,
                        item,
                        facts,
                        owed[programme.id],
                        room,
                        totals[programme.id],
                        summary.run_id,
                        rows,
                    )
            summary.households += len(page)
            if progress:
                progress(summary.households, max(total, summary.households))
        store.insert_entitlements(conn, rows)
        summary.programmes = list(totals.values())
        summary.sha256 = _digest(rows)
        content = {
            "period": summary.period,
            "households": summary.households,
            "programmes": [asdict(t) for t in summary.programmes],
            "sha256": summary.sha256,
        }
        log.journal(
            conn, RUN, summary.run_id, 1, "computed", content, by=viewer, at=now, actor=SYSTEM
        )


def record_delivery(
    dep: Deployment,
    viewer: Viewer,
    delivery: Delivery,
    now: datetime | None = None,
    programme_id: str | None = None,
) -> dict[str, Any]:
    """Record what was handed over: each entitlement named is settled, by the viewer's
    organisation (which must run its programme), at a place, on a day — all or none. An
    entitlement delivered, or cancelled, already is an error naming it; so is one of another
    programme than `programme_id`, when the handover is one programme's list."""
    if dep.gazetteer.place(delivery.place_id) is None:
        raise InvalidInput("place_id", f"unknown place {delivery.place_id!r}")
    if len(set(delivery.entitlements)) != len(delivery.entitlements):
        raise InvalidInput("entitlements", "each entitlement at most once")
    now = now or utcnow()
    if delivery.on > now.date():
        raise InvalidInput("on", "a handover is recorded after it happened, not before")
    batch = str(uuid.uuid4())
    with dep.db.begin() as conn:
        found = store.entitlements_by_id(conn, delivery.entitlements)
        for i, entitlement_id in enumerate(delivery.entitlements):
            row = found.get(entitlement_id)
            if row is None or programme_id not in (None, row.programme_id):
                raise InvalidInput(f"entitlements[{i}]", f"no entitlement {entitlement_id} here")
            programme = dep.scenario.aid.programme(row.programme_id)
            if programme is None or not authz.can_run_programme(viewer, programme.organisation):
                raise Forbidden(f"entitlements[{i}]: handed over by the programme's organisation")
            if row.status != "owed":
                raise Conflict(f"entitlements[{i}]: entitlement {entitlement_id} is {row.status}")
        store.insert_deliveries(
            conn,
            [
                {
                    "entitlement_id": i,
                    "batch_id": batch,
                    "on": delivery.on,
                    "place_id": delivery.place_id,
                    "reference": delivery.reference,
                    "username": viewer.username,
                    "organisation": viewer.organisation_id,
                    "recorded_at": now,
                }
                for i in delivery.entitlements
            ],
        )
        store.set_status(conn, delivery.entitlements, "delivered")
        content = {
            "entitlements": sorted(delivery.entitlements),
            "on": delivery.on.isoformat(),
            "place_id": delivery.place_id,
            "reference": delivery.reference,
        }
        log.journal(conn, DELIVERY, batch, 1, "delivered", content, by=viewer, at=now)
    return {"batch": batch, "delivered": len(delivery.entitlements)}


def reconciliation(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    """Entitled against delivered, by programme and month: counts and sums, for every
    signed-in user. The programme's own organisation reads every line exactly; anyone else
    reads a line with a count below the minimum cell suppressed whole (its counts and sums
    None, `suppressed` true), so that no household is singled out and no suppressed count
    is worked out from the others. `paid_twice_count`: handovers to people later found to be
    duplicates of someone (the same person, paid twice)."""
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the programmes' figures")
    aid = dep.scenario.aid
    minimum = aid.registry.minimum_cell
    with dep.db.read() as conn:
        rows = store.reconciliation(conn, [p.id for p in aid.programmes])
        twice = store.delivered_to_duplicates(conn, [p.id for p in aid.programmes])
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        line = table.setdefault(
            (row.programme_id, row.period),
            {
                "programme_id": row.programme_id,
                "period": row.period,
                **{
                    f"{s}_{m}": 0
                    for s in ("owed", "delivered", "cancelled")
                    for m in ("count", "amount", "quantity")
                },
            },
        )
        line[f"{row.status}_count"] += row.count
        line[f"{row.status}_amount"] += row.amount_minor / 100
        line[f"{row.status}_quantity"] += row.quantity
    for line in table.values():
        programme = aid.programme(line["programme_id"])
        line["currency"] = programme.money.currency if programme and programme.money else None
        line["item"] = programme.items.item if programme and programme.items else None
        line["entitled_count"] = line["owed_count"] + line["delivered_count"]
        line["entitled_amount"] = line["owed_amount"] + line["delivered_amount"]
        line["entitled_quantity"] = line["owed_quantity"] + line["delivered_quantity"]
        line["paid_twice_count"] = twice.get((line["programme_id"], line["period"]), 0)
        entitled = line["entitled_count"]
        line["delivered_share"] = line["delivered_count"] / entitled if entitled else None
        exact = programme is not None and authz.can_run_programme(viewer, programme.organisation)
        small = [n for k, n in line.items() if k.endswith("_count") and 0 < n < minimum]
        line["suppressed"] = bool(small) and not exact
        if line["suppressed"]:
            for key in [k for k in line if k.endswith(("_count", "_amount", "_quantity"))]:
                line[key] = None
            line["delivered_share"] = None
    return list(table.values())


def owed(
    dep: Deployment, viewer: Viewer, programme_id: str, period: str, after: int = 0
) -> list[dict[str, Any]]:
    """What a programme still owes for a month, to hand over: the entitlement, the household's
    reference and place (its caseworkers open the household for the names)."""
    programme = dep.scenario.aid.programme(programme_id)
    if programme is None:
        raise InvalidInput("programme_id", f"unknown programme {programme_id!r}")
    if not authz.can_run_programme(viewer, programme.organisation):
        raise Forbidden("a programme's list is for the caseworkers of its organisation")
    with dep.db.read() as conn:
        rows = store.owed_for(conn, programme_id, period, after=after)
        homes = {
            r.id: r
            for r in conn.execute(
                select(
                    tables.households.c.id,
                    tables.households.c.reference,
                    tables.households.c.current_place_id,
                ).where(tables.households.c.id.in_({row.household_id for row in rows}))
            )
        }
    return [
        {
            "id": row.id,
            "occurrence": row.occurrence,
            "household_id": row.household_id,
            "reference": homes[row.household_id].reference,
            "current_place_id": homes[row.household_id].current_place_id,
            "person_id": row.person_id,
            "amount": row.amount_minor / 100 if row.currency else None,
            "currency": row.currency,
            "item": row.item,
            "quantity": row.quantity,
        }
        for row in rows
    ]


def runs(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the programmes' figures")
    with dep.db.read() as conn:
        found = store.recent_events(conn, RUN)
    return [{"id": e.record_id, "at": e.at.isoformat(), "by": e.actor, **e.content} for e in found]


def explain(
    dep: Deployment, viewer: Viewer, programme_id: str, household_id: str, period: str
) -> list[dict[str, Any]]:
    """Why each member of a household is (not) eligible for a programme in a month: each
    condition and whether it held."""
    programme = dep.scenario.aid.programme(programme_id)
    if programme is None:
        raise InvalidInput("programme_id", f"unknown programme {programme_id!r}")
    try:
        month = parse_month(period)
    except ValueError as exc:
        raise InvalidInput("period", str(exc)) from None
    item = households.for_caseworker(dep, viewer, household_id)
    with dep.db.read() as conn:
        members = store.people_of(conn, [item.id]).get(item.id, [])
    base = _facts(dep, item, members, [programme])
    if programme.per is Per.household:
        return [{"person": None, "conditions": programme.explain(base.household, month)}]
    return [
        {"person": number, "conditions": programme.explain(person, month)}
        for number, person in base.people
    ]


# --- inside -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HouseholdFacts:
    household: Facts
    people: list[tuple[int, Facts]]
    """(number, facts) of each active member"""
    person_ids: dict[int, str]


def _programmes(
    dep: Deployment, viewer: Viewer | None, programme_ids: Sequence[str] | None, month: date
) -> list[Programme]:
    aid = dep.scenario.aid
    if programme_ids:
        chosen = []
        for i, programme_id in enumerate(programme_ids):
            programme = aid.programme(programme_id)
            if programme is None:
                raise InvalidInput(f"programmes[{i}]", f"unknown programme {programme_id!r}")
            chosen.append(programme)
    else:
        chosen = [
            p
            for p in aid.programmes
            if viewer is None or authz.can_run_programme(viewer, p.organisation)
        ]
    if viewer is not None:
        if not chosen:
            raise Forbidden(
                "programmes are run by the caseworkers of the organisations running them"
            )
        for programme in chosen:
            if not authz.can_run_programme(viewer, programme.organisation):
                raise Forbidden(f"{programme.id} is run by {programme.organisation}")
    return [p for p in chosen if p.runs_in(month)]


def _pages(conn: Any, before: date) -> Any:
    """Active households registered before `before`, in the order they were registered."""
    h = tables.households.c
    limit = datetime(before.year, before.month, before.day, tzinfo=utcnow().tzinfo)
    last: tuple[datetime, str] | None = None
    while True:
        query = select(tables.households).where(
            h.status == HouseholdStatus.active.value, h.registered_at < limit
        )
        if last is not None:
            query = query.where(
                or_(h.registered_at > last[0], and_(h.registered_at == last[0], h.id > last[1]))
            )
        page = [
            store.household_of(row)
            for row in conn.execute(query.order_by(h.registered_at, h.id).limit(2000))
        ]
        if not page:
            return
        yield page
        last = (page[-1].registered_at, page[-1].id)


def _facts(
    dep: Deployment, item: Household, members: list[Person], programmes: Sequence[Programme]
) -> _HouseholdFacts:
    """The facts the programmes decide on, opening only what their conditions need."""
    vulnerabilities: frozenset[str] = frozenset()
    if any("vulnerability" in p.fields for p in programmes):
        vulnerabilities = frozenset(households.open_household(dep, item)["vulnerabilities"])
    active = [m for m in members if m.status == "active"]
    base = Facts(
        displacement=item.displacement,
        shelter=item.shelter,
        home=item.home,
        origin_place=item.origin_place_id,
        current_place=item.current_place_id,
        vulnerabilities=vulnerabilities,
        household_size=len(active),
    )
    people: list[tuple[int, Facts]] = []
    if any(p.per is Per.person for p in programmes):
        for member in active:
            opened = households.open_person(dep, member)
            people.append(
                (
                    member.number,
                    Facts(
                        **{
                            **base.__dict__,
                            "sex": opened["sex"],
                            "born": date.fromisoformat(opened["born"]),
                        }
                    ),
                )
            )
    return _HouseholdFacts(base, people, {m.number: m.id for m in active})


def _room(conn: Any, programme: Programme) -> int | None:
    """What is left of a cash programme's budget, in hundredths (None: no budget)."""
    if programme.budget is None:
        return None
    return programme.budget.minor - store.committed_minor(conn, programme.id)


def _owe(
    programme: Programme,
    month: date,
    item: Household,
    facts: _HouseholdFacts,
    owed: set[tuple[str, str]],
    room: dict[str, int | None],
    totals: ProgrammeTotals,
    run_id: str,
    rows: list[dict[str, Any]],
) -> None:
    if programme.per is Per.household:
        eligible = facts.person_ids and programme.eligible_on(facts.household, month)
        chosen: list[tuple[int | None, str]] = [(None, item.id)] if eligible else []
    else:
        chosen = [
            (number, facts.person_ids[number])
            for number, person in facts.people
            if programme.eligible_on(person, month)
        ]
    period = month.strftime("%Y-%m")
    unit = programme.unit_minor
    for number, beneficiary in chosen:
        totals.eligible += 1
        for occurrence in programme.occurrences(month):
            if (occurrence, beneficiary) in owed:
                totals.already += 1
                continue
            left = room[programme.id]
            if left is not None and left < unit:
                totals.unfunded += 1
                continue
            if left is not None:
                room[programme.id] = left - unit
            owed.add((occurrence, beneficiary))
            rows.append(
                {
                    "programme_id": programme.id,
                    "occurrence": occurrence,
                    "beneficiary": beneficiary,
                    "household_id": item.id,
                    "person_id": beneficiary if number is not None else None,
                    "period": period,
                    "amount_minor": unit,
                    "currency": programme.money.currency if programme.money else None,
                    "item": programme.items.item if programme.items else None,
                    "quantity": programme.items.quantity if programme.items else None,
                    "run_id": run_id,
                    "status": "owed",
                }
            )
            totals.new += 1
            totals.amount_minor += unit
            totals.quantity += programme.items.quantity if programme.items else 0


def _digest(rows: list[dict[str, Any]]) -> str:
    """SHA-256 over the added entitlements (canonical JSON lines, sorted), for the log."""
    names = (
        "programme_id",
        "occurrence",
        "beneficiary",
        "amount_minor",
        "currency",
        "item",
        "quantity",
    )
    lines = sorted(canonical({n: row[n] for n in names}) for row in rows)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line + b"\n")
    return digest.hexdigest()
