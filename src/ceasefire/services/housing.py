"""Housing and compensation: households moving through a housing programme's pipeline
(registered, eligible, allocated, under construction, housed) against the programme's target,
and claims for lost property (filed with evidence, assessed, then approved or rejected).

A housing programme's organisation moves its households; it serves them from the moment one
enters. Claims are assessed and decided by the pack's compensation organisation; what was
lost, in the household's words, and the assessor's notes are sealed. Each move and each step
of a claim is a version and a log leaf.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import (
    Assessment,
    ClaimDraft,
    ClaimStatus,
    Decision,
    Stage,
    StageMove,
    can_move_stage,
    claim_step,
    suppress,
)
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.domain.households import HouseholdStatus
from ceasefire.domain.programmes import Facts, HousingProgramme, holds
from ceasefire.services import households, log
from ceasefire.services.deployment import Deployment, sealer_of, utcnow
from ceasefire.store import aid as store
from ceasefire.store import attachments as attachment_store
from ceasefire.store import tables
from ceasefire.store.db import advance

HOUSING = "housing"
CLAIM = "claim"


# --- housing ------------------------------------------------------------------------------


def move_stage(
    dep: Deployment,
    viewer: Viewer,
    programme_id: str,
    household_id: str,
    move: StageMove,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Enter a household in a housing programme (at registered) or move it one stage on (or
    back). Moving to eligible checks the programme's conditions."""
    programme = _housing(dep, viewer, programme_id)
    now = now or utcnow()
    with dep.db.begin() as conn:
        item = store.get_household(conn, household_id, for_update=True)  # one move at a time
        if item is None:
            raise NotFound("no such household", "household_id")
        if item.status != HouseholdStatus.active:
            raise Conflict(f"the household is {item.status}: only an active one is housed")
        h = tables.housing.c
        row = conn.execute(
            select(tables.housing).where(h.programme_id == programme.id, h.household_id == item.id)
        ).first()
        current = Stage(row.stage) if row is not None else None
        why = can_move_stage(current, move.stage)
        if why:
            raise Conflict(why)
        if move.stage is Stage.eligible:
            facts = _facts(item)
            failed = [
                c.describe() for c in programme.eligible if not holds(c, facts, utcnow().date())
            ]
            if failed:
                raise Conflict(f"the household does not meet: {'; '.join(failed)}")
        if row is None:
            record_id, version = str(uuid.uuid4()), 1
            conn.execute(
                tables.housing.insert().values(
                    id=record_id,
                    programme_id=programme.id,
                    household_id=item.id,
                    stage=move.stage.value,
                    version=1,
                    updated_at=now,
                )
            )
            households.add_served_by(conn, item, {programme.organisation})
        else:
            record_id, version = row.id, row.version + 1
            if not advance(
                conn, tables.housing, row.id, row.version, stage=move.stage.value, updated_at=now
            ):
                raise Conflict("the household moved meanwhile: reload and try again")
        note = (
            sealer_of(dep).seal(move.note, f"housing:{record_id}:{version}") if move.note else None
        )
        content = {
            "programme_id": programme.id,
            "household_id": item.id,
            "stage": move.stage.value,
            "note": note,
        }
        log.journal(conn, HOUSING, record_id, version, move.stage.value, content, by=viewer, at=now)
    return {"id": record_id, "version": version, **content}


def housing_progress(
    dep: Deployment, viewer: Viewer, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Each housing programme's households by stage against its target and the pace the
    target needs: exact for the programme's organisation, small cells suppressed (and the
    share of the target with them) for everyone else."""
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the programmes' figures")
    today = (now or utcnow()).date()
    minimum = dep.scenario.aid.registry.minimum_cell
    h = tables.housing.c
    with dep.db.read() as conn:
        rows = conn.execute(
            select(h.programme_id, h.stage, func.count().label("n")).group_by(
                h.programme_id, h.stage
            )
        ).all()
    found = []
    for programme in dep.scenario.aid.housing:
        counts = {row.stage: row.n for row in rows if row.programme_id == programme.id}
        target = programme.target
        exact = authz.can_run_programme(viewer, programme.organisation)
        stages = {s.value: counts.get(s.value, 0) for s in Stage}
        if not exact:
            stages = {stage: suppress(n, minimum) for stage, n in stages.items()}
        housed = stages[Stage.housed.value]
        found.append(
            {
                "programme_id": programme.id,
                "organisation": programme.organisation,
                "stages": stages,
                "housed": housed,
                "target": target.families,
                "of": target.of,
                "start": target.start.isoformat(),
                "end": target.end.isoformat(),
                "expected_by_now": target.expected_by(today),
                "share_of_target": None if housed is None else round(housed / target.families, 4),
            }
        )
    return found


def stages_of(dep: Deployment, viewer: Viewer, household_id: str) -> dict[str, str]:
    """The housing programmes a household is in and its stage in each (its caseworkers')."""
    households.for_caseworker(dep, viewer, household_id)
    h = tables.housing.c
    with dep.db.read() as conn:
        rows = conn.execute(
            select(h.programme_id, h.stage).where(h.household_id == household_id)
        ).all()
    return {row.programme_id: row.stage for row in rows}


def pipeline(dep: Deployment, viewer: Viewer, programme_id: str) -> list[dict[str, Any]]:
    """The households in a housing programme and the stage of each, furthest first (its
    organisation's caseworkers)."""
    programme = _housing(dep, viewer, programme_id)
    h, x = tables.households.c, tables.housing.c
    order = {stage.value: n for n, stage in enumerate(reversed(Stage))}
    with dep.db.read() as conn:
        rows = conn.execute(
            select(x.household_id, x.stage, x.updated_at, h.reference, h.current_place_id, h.size)
            .join(tables.households, h.id == x.household_id)
            .where(x.programme_id == programme.id)
        ).all()
    found = [
        {
            "household_id": r.household_id,
            "reference": r.reference,
            "stage": r.stage,
            "current_place_id": r.current_place_id,
            "size": r.size,
            "updated_at": r.updated_at.isoformat(),
        }
        for r in rows
    ]
    return sorted(found, key=lambda r: (order[r["stage"]], r["updated_at"]))


def candidates(
    dep: Deployment, viewer: Viewer, programme_id: str, limit: int = 200
) -> list[dict[str, Any]]:
    """Active households that meet a housing programme's conditions and are not in it yet,
    longest registered first — for its organisation to enter (it serves them from then on).
    Their facts and reference only: the personal data opens once they are entered."""
    programme = _housing(dep, viewer, programme_id)
    today = utcnow().date()
    h = tables.households.c
    entered = select(tables.housing.c.household_id).where(
        tables.housing.c.programme_id == programme.id
    )
    found: list[dict[str, Any]] = []
    with dep.db.read() as conn:
        rows = conn.execute(
            select(tables.households)
            .where(h.status == HouseholdStatus.active.value, h.id.not_in(entered))
            .order_by(h.registered_at, h.id)
        )
        for row in rows:
            item = store.household_of(row)
            facts = _facts(item)
            if "vulnerability" in programme.fields:
                opened = households.open_household(dep, item)["vulnerabilities"]
                facts = replace(facts, vulnerabilities=frozenset(opened))
            if all(holds(c, facts, today) for c in programme.eligible):
                found.append(households.present(item))
                if len(found) == limit:
                    break
    return found


# --- compensation -------------------------------------------------------------------------


def file_claim(
    dep: Deployment, viewer: Viewer, draft: ClaimDraft, now: datetime | None = None
) -> dict[str, Any]:
    """File a household's claim for lost property: by a caseworker who serves the household.
    The compensation organisation serves it from then on."""
    organisation = _compensation(dep)
    item = households.for_caseworker(dep, viewer, draft.household_id)
    if item.status != HouseholdStatus.active:
        raise Conflict(f"the household is {item.status}")
    with dep.db.read() as conn:
        for i, digest in enumerate(draft.evidence):
            row = attachment_store.attachment(conn, digest)
            if row is None or row.uploader_org != viewer.organisation_id:
                raise InvalidInput(f"evidence[{i}]", "no file your organisation uploaded has it")
    now = now or utcnow()
    claim_id = str(uuid.uuid4())
    sealed = sealer_of(dep).seal(
        json.dumps({"property": draft.property}, ensure_ascii=False), f"claim:{claim_id}"
    )
    values = {
        "id": claim_id,
        "household_id": item.id,
        "version": 1,
        "status": ClaimStatus.filed.value,
        "currency": draft.currency,
        "claimed_minor": int(draft.claimed * 100),
        "assessed_minor": None,
        "decided_minor": None,
        "evidence": draft.evidence,
        "sealed": sealed,
        "filed_by": viewer.organisation_id,
        "filed_at": now,
        "updated_at": now,
    }
    with dep.db.begin() as conn:
        conn.execute(tables.claims.insert().values(**values))
        households.add_served_by(conn, item, {organisation})
        content = {
            "household_id": item.id,
            "claimed_minor": values["claimed_minor"],
            "currency": draft.currency,
            "evidence": draft.evidence,
            "sealed": sealed,
        }
        log.journal(conn, CLAIM, claim_id, 1, "filed", content, by=viewer, at=now)
    return claim_view(dep, viewer, claim_id)


def assess_claim(
    dep: Deployment,
    viewer: Viewer,
    claim_id: str,
    assessment: Assessment,
    now: datetime | None = None,
) -> dict[str, Any]:
    row = _claim_for_decider(dep, viewer, claim_id, "assess")
    minor = int(assessment.assessed * 100)
    note = _seal_note(dep, claim_id, row.version + 1, assessment.note)
    return _step(
        dep,
        viewer,
        row,
        "assessed",
        {"status": ClaimStatus.assessed.value, "assessed_minor": minor},
        {"assessed_minor": minor, "note": note},
        now,
    )


def decide_claim(
    dep: Deployment, viewer: Viewer, claim_id: str, decision: Decision, now: datetime | None = None
) -> dict[str, Any]:
    row = _claim_for_decider(dep, viewer, claim_id, "decide")
    status = ClaimStatus.approved if decision.approve else ClaimStatus.rejected
    minor = int(decision.amount * 100) if decision.amount is not None else None
    note = _seal_note(dep, claim_id, row.version + 1, decision.reason)
    return _step(
        dep,
        viewer,
        row,
        status.value,
        {"status": status.value, "decided_minor": minor},
        {"decided_minor": minor, "note": note},
        now,
    )


def claim_view(dep: Deployment, viewer: Viewer, claim_id: str) -> dict[str, Any]:
    row = _claim(dep, claim_id)
    households.for_caseworker(dep, viewer, row.household_id)
    sealer = sealer_of(dep)
    with dep.db.read() as conn:
        history = store.events_of(conn, CLAIM, claim_id)
    return {
        "id": row.id,
        "household_id": row.household_id,
        "version": row.version,
        "status": row.status,
        "currency": row.currency,
        "claimed": row.claimed_minor / 100,
        "assessed": _money(row.assessed_minor),
        "decided": _money(row.decided_minor),
        "evidence": list(row.evidence),
        "filed_by": row.filed_by,
        "filed_at": row.filed_at.isoformat(),
        "property": json.loads(sealer.open(row.sealed, f"claim:{row.id}"))["property"],
        "history": [
            {
                "version": e.version,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "note": sealer.open(e.content["note"], f"claim:{row.id}:{e.version}")
                if e.content.get("note")
                else "",
            }
            for e in history
        ],
    }


def claims_of(dep: Deployment, viewer: Viewer, household_id: str) -> list[dict[str, Any]]:
    households.for_caseworker(dep, viewer, household_id)
    c = tables.claims.c
    with dep.db.read() as conn:
        ids = [
            r.id
            for r in conn.execute(
                select(c.id).where(c.household_id == household_id).order_by(c.filed_at)
            )
        ]
    return [claim_view(dep, viewer, claim_id) for claim_id in ids]


def claims_queue(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    """Claims waiting for the compensation organisation: filed (to assess), assessed (to
    decide), oldest first, without what was lost (the claim's page shows it)."""
    if viewer.organisation_id != _compensation(dep) or not viewer.has(authz.Role.caseworker):
        raise Forbidden("the claims queue is the compensation organisation's caseworkers'")
    c = tables.claims.c
    with dep.db.read() as conn:
        rows = conn.execute(
            select(tables.claims, tables.households.c.reference)
            .join(tables.households, tables.households.c.id == c.household_id)
            .where(c.status.in_([ClaimStatus.filed.value, ClaimStatus.assessed.value]))
            .order_by(c.filed_at)
            .limit(500)
        ).all()
    return [
        {
            "id": r.id,
            "household_id": r.household_id,
            "reference": r.reference,
            "status": r.status,
            "claimed": r.claimed_minor / 100,
            "currency": r.currency,
            "assessed": _money(r.assessed_minor),
            "filed_at": r.filed_at.isoformat(),
        }
        for r in rows
    ]


# --- inside -------------------------------------------------------------------------------


def _housing(dep: Deployment, viewer: Viewer, programme_id: str) -> HousingProgramme:
    programme = dep.scenario.aid.housing_programme(programme_id)
    if programme is None:
        raise InvalidInput("programme_id", f"unknown housing programme {programme_id!r}")
    if not authz.can_run_programme(viewer, programme.organisation):
        raise Forbidden("a housing programme's households are moved by its organisation")
    return programme


def _facts(item: Any) -> Facts:
    return Facts(
        displacement=item.displacement,
        shelter=item.shelter,
        home=item.home,
        origin_place=item.origin_place_id,
        current_place=item.current_place_id,
        vulnerabilities=frozenset(),
        household_size=item.size,
    )


def _compensation(dep: Deployment) -> str:
    organisation = dep.scenario.aid.compensation
    if organisation is None:
        raise Forbidden("this deployment names no compensation organisation")
    return organisation


def _claim(dep: Deployment, claim_id: str) -> Any:
    with dep.db.read() as conn:
        row = conn.execute(select(tables.claims).where(tables.claims.c.id == claim_id)).first()
    if row is None:
        raise NotFound("no such claim", "claim_id")
    return row


def _claim_for_decider(dep: Deployment, viewer: Viewer, claim_id: str, step: str) -> Any:
    if viewer.organisation_id != _compensation(dep) or not viewer.has(authz.Role.caseworker):
        raise Forbidden("claims are assessed and decided by the compensation organisation")
    row = _claim(dep, claim_id)
    why = claim_step(ClaimStatus(row.status), step)
    if why:
        raise Conflict(why)
    return row


def _step(
    dep: Deployment,
    viewer: Viewer,
    row: Any,
    action: str,
    values: dict[str, Any],
    details: dict[str, Any],
    now: datetime | None,
) -> dict[str, Any]:
    now = now or utcnow()
    with dep.db.begin() as conn:
        if not advance(conn, tables.claims, row.id, row.version, updated_at=now, **values):
            raise Conflict("the claim changed meanwhile: reload it and try again")
        log.journal(conn, CLAIM, row.id, row.version + 1, action, details, by=viewer, at=now)
    return claim_view(dep, viewer, row.id)


def _seal_note(dep: Deployment, claim_id: str, version: int, note: str) -> str | None:
    return sealer_of(dep).seal(note, f"claim:{claim_id}:{version}") if note else None


def _money(minor: int | None) -> float | None:
    return None if minor is None else minor / 100


def evidence_readable(dep: Deployment, conn: Any, viewer: Viewer, sha256: str) -> bool:
    """Whether a file is evidence of a claim on a household the viewer may open."""
    c = tables.claims.c
    rows = conn.execute(
        select(c.household_id, c.evidence).where(cast(c.evidence, String).contains(sha256))
    )
    for row in rows:
        item = store.get_household(conn, row.household_id)
        if (
            sha256 in row.evidence
            and item is not None
            and authz.can_open_household(viewer, households.serving(dep, conn, item))
        ):
            return True
    return False
