"""Who does what where (3W): organisations' activities by place, sector, status and period,
carried out directly or through a local partner; grants from international agencies to
local partners; and the 3W table in and out as HXL (the hashtag row directly under the
header row, people counts as explicit totals).

Every signed-in user reads the 3W (it names organisations, not people); a caseworker or
analyst of a humanitarian organisation involved in an activity records it.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, cast, or_, select

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import ActivityDraft, GrantDraft, NeedsAssessmentDraft
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.services import log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import aid as store
from ceasefire.store import attachments as attachment_store
from ceasefire.store import tables
from ceasefire.store.db import advance

ACTIVITY = "activity"
GRANT = "grant"
ASSESSMENT = "needs-assessment"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#activity+id"),
    ("organisation", "#org+funding+code"),
    ("partner", "#org+impl+code"),
    ("sector", "#sector+code"),
    ("activity", "#activity+name"),
    ("place_id", "#loc+code"),
    ("place", "#loc+name"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("status", "#status"),
    ("start", "#date+start"),
    ("end", "#date+end"),
    ("targeted", "#targeted+ind+total"),
    ("reached", "#reached+ind+total"),
    ("remote", "#indicator+remote"),
)
"""The 3W table's columns and their HXL hashtags."""
TAGS = {tag: name for name, tag in COLUMNS}


def record_activity(
    dep: Deployment, viewer: Viewer, draft: ActivityDraft, now: datetime | None = None
) -> dict[str, Any]:
    _check(dep, viewer, draft)
    now = now or utcnow()
    activity_id = str(uuid.uuid4())
    with dep.db.begin() as conn:
        conn.execute(
            tables.activities.insert().values(
                id=activity_id, version=1, **_values(viewer, draft, now)
            )
        )
        _version(conn, viewer, ACTIVITY, activity_id, 1, "recorded", now, draft)
    return activity_view(dep, viewer, activity_id)


def update_activity(
    dep: Deployment,
    viewer: Viewer,
    activity_id: str,
    draft: ActivityDraft,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A new version of an activity (its status, its reach, its end)."""
    current = activity_view(dep, viewer, activity_id)
    if not authz.can_record_activity(
        viewer,
        set(dep.scenario.aid.organisations),
        {current["organisation"], current["partner"] or ""},
    ):
        raise Forbidden("an activity is updated by an organisation involved in it")
    _check(dep, viewer, draft)
    now = now or utcnow()
    with dep.db.begin() as conn:
        if not advance(
            conn, tables.activities, activity_id, current["version"], **_values(viewer, draft, now)
        ):
            raise Conflict("the activity changed meanwhile: reload it and try again")
        _version(conn, viewer, ACTIVITY, activity_id, current["version"] + 1, "updated", now, draft)
    return activity_view(dep, viewer, activity_id)


def import_activities(
    dep: Deployment, viewer: Viewer, text: str, now: datetime | None = None
) -> list[str]:
    """Record the activities of a 3W table in HXL (CSV with the hashtag row under the header
    row; the columns are found by their hashtags, in any order) — all or none; an error
    names the row and the column."""
    drafts = list(_read(text))
    for i, draft in enumerate(drafts):
        try:
            _check(dep, viewer, draft)
        except (InvalidInput, Forbidden) as exc:
            field = getattr(exc, "field", None) or "organisation"
            raise InvalidInput(f"rows[{i + 1}].{field}", getattr(exc, "reason", str(exc))) from None
    now = now or utcnow()
    ids = []
    with dep.db.begin() as conn:
        for draft in drafts:
            activity_id = str(uuid.uuid4())
            conn.execute(
                tables.activities.insert().values(
                    id=activity_id, version=1, **_values(viewer, draft, now)
                )
            )
            _version(conn, viewer, ACTIVITY, activity_id, 1, "imported", now, draft)
            ids.append(activity_id)
    return ids


def activities(
    dep: Deployment,
    viewer: Viewer,
    *,
    sector: str | None = None,
    status: str | None = None,
    organisation: str | None = None,
) -> list[dict[str, Any]]:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read who does what where")
    a = tables.activities.c
    query = select(tables.activities).order_by(a.start.desc(), a.id)
    for column, value in ((a.sector, sector), (a.status, status), (a.organisation, organisation)):
        if value:
            query = query.where(column == value)
    with dep.db.read() as conn:
        rows = conn.execute(query.limit(5000)).all()
    return [_present(dep, viewer, row) for row in rows]


def activity_view(dep: Deployment, viewer: Viewer, activity_id: str) -> dict[str, Any]:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read who does what where")
    with dep.db.read() as conn:
        row = conn.execute(
            select(tables.activities).where(tables.activities.c.id == activity_id)
        ).first()
        history = store.events_of(conn, ACTIVITY, activity_id)
    if row is None:
        raise NotFound("no such activity", "activity_id")
    return {
        **_present(dep, viewer, row),
        "history": [
            {"version": e.version, "at": e.at.isoformat(), "actor": e.actor, "action": e.action}
            for e in history
        ],
    }


def export_activities(dep: Deployment, viewer: Viewer, **filters: Any) -> str:
    """The 3W table as HXL-tagged CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerow([tag for _, tag in COLUMNS])
    for item in activities(dep, viewer, **filters):
        writer.writerow(["" if item[name] is None else item[name] for name, _ in COLUMNS])
    return out.getvalue()


def record_grant(
    dep: Deployment, viewer: Viewer, draft: GrantDraft, now: datetime | None = None
) -> dict[str, Any]:
    aid = dep.scenario.aid
    for field in ("donor", "recipient"):
        if dep.scenario.organisation(getattr(draft, field)) is None:
            raise InvalidInput(field, f"unknown organisation {getattr(draft, field)!r}")
    if aid.sector(draft.sector) is None:
        raise InvalidInput("sector", f"unknown sector {draft.sector!r}")
    if not authz.can_record_activity(
        viewer, set(aid.organisations), {draft.donor, draft.recipient}
    ):
        raise Forbidden("a grant is recorded by its donor or its recipient")
    now = now or utcnow()
    grant_id = str(uuid.uuid4())
    values = {
        **draft.model_dump(exclude={"amount"}),
        "amount_minor": int(draft.amount * 100),
        "recorded_by": viewer.username,
        "recorded_at": now,
    }
    with dep.db.begin() as conn:
        conn.execute(tables.grants.insert().values(id=grant_id, **values))
        _version(conn, viewer, GRANT, grant_id, 1, "recorded", now, draft)
    return {"id": grant_id, **_grant(values)}


def grants(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read who does what where")
    with dep.db.read() as conn:
        rows = conn.execute(select(tables.grants).order_by(tables.grants.c.start.desc())).all()
    return [{"id": row.id, **_grant(dict(row._mapping))} for row in rows]


def record_assessment(
    dep: Deployment, viewer: Viewer, draft: NeedsAssessmentDraft, now: datetime | None = None
) -> dict[str, Any]:
    """Record a remote needs assessment: made by the viewer's organisation (the local
    partner on the ground) for an agency, with photos and video already kept by hash."""
    aid = dep.scenario.aid
    if dep.scenario.organisation(draft.organisation) is None:
        raise InvalidInput("organisation", f"unknown organisation {draft.organisation!r}")
    if dep.gazetteer.place(draft.place_id) is None:
        raise InvalidInput("place_id", f"unknown place {draft.place_id!r}")
    for i, sector in enumerate(draft.sectors):
        if aid.sector(sector) is None:
            raise InvalidInput(f"sectors[{i}]", f"unknown sector {sector!r}")
    if not authz.can_record_activity(viewer, set(aid.organisations), {viewer.organisation_id}):
        raise Forbidden("assessments are made by the humanitarian organisations' staff")
    now = now or utcnow()
    assessment_id = str(uuid.uuid4())
    with dep.db.begin() as conn:
        for i, evidence in enumerate(draft.files):
            if attachment_store.attachment(conn, evidence.sha256) is None:
                raise InvalidInput(f"files[{i}].sha256", "no file kept has this SHA-256")
        values = {
            **draft.model_dump(mode="json"),
            "on": draft.on,
            "conducted_by": viewer.organisation_id,
            "recorded_by": viewer.username,
            "recorded_at": now,
        }
        conn.execute(tables.needs_assessments.insert().values(id=assessment_id, **values))
        _version(conn, viewer, ASSESSMENT, assessment_id, 1, "recorded", now, draft)
    return assessment_view(dep, viewer, assessment_id)


def assessments(dep: Deployment, viewer: Viewer) -> list[dict[str, Any]]:
    """Every needs assessment, newest first (every signed-in user: places, not people)."""
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the needs assessments")
    n = tables.needs_assessments.c
    with dep.db.read() as conn:
        rows = conn.execute(select(tables.needs_assessments).order_by(n.on.desc()).limit(500))
        return [_assessment(dep, viewer, row) for row in rows]


def assessment_view(dep: Deployment, viewer: Viewer, assessment_id: str) -> dict[str, Any]:
    if not authz.can_read_aid_figures(viewer):
        raise Forbidden("sign in to read the needs assessments")
    n = tables.needs_assessments.c
    with dep.db.read() as conn:
        row = conn.execute(select(tables.needs_assessments).where(n.id == assessment_id)).first()
    if row is None:
        raise NotFound("no such assessment", "assessment_id")
    return _assessment(dep, viewer, row)


def files_readable(conn: Any, viewer: Viewer, sha256: str) -> bool:
    """Whether a file is a photo or video of an assessment made by or for the viewer's
    organisation."""
    n = tables.needs_assessments.c
    rows = conn.execute(
        select(n.files).where(
            cast(n.files, String).contains(sha256),
            or_(n.organisation == viewer.organisation_id, n.conducted_by == viewer.organisation_id),
        )
    )
    return any(sha256 in (f["sha256"] for f in row.files) for row in rows)


def place_name(dep: Deployment, viewer: Viewer, place_id: str | None) -> str:
    """A place's name as the viewer's audience says it."""
    place = dep.gazetteer.place(place_id or "")
    if place is None:
        return place_id or ""
    return dep.scenario.name_of(place.names, viewer.audience, viewer.language)


# --- inside -------------------------------------------------------------------------------


def _check(dep: Deployment, viewer: Viewer, draft: ActivityDraft) -> None:
    aid = dep.scenario.aid
    for field in ("organisation", "partner"):
        org = getattr(draft, field)
        if org is not None and dep.scenario.organisation(org) is None:
            raise InvalidInput(field, f"unknown organisation {org!r}")
    if aid.sector(draft.sector) is None:
        raise InvalidInput(
            "sector", f"unknown sector {draft.sector!r}: one of {[s.id for s in aid.sectors]}"
        )
    if dep.gazetteer.place(draft.place_id) is None:
        raise InvalidInput("place_id", f"unknown place {draft.place_id!r}")
    involved = {draft.organisation, draft.partner or ""}
    if not authz.can_record_activity(viewer, set(aid.organisations), involved):
        raise Forbidden("an activity is recorded by an organisation involved in it")


def _values(viewer: Viewer, draft: ActivityDraft, now: datetime) -> dict[str, Any]:
    return {
        **draft.model_dump(),
        "status": draft.status.value,
        "recorded_by": viewer.username,
        "updated_at": now,
    }


def _version(
    conn: Any,
    viewer: Viewer,
    kind: str,
    record_id: str,
    version: int,
    action: str,
    now: datetime,
    draft: ActivityDraft | GrantDraft | NeedsAssessmentDraft,
) -> None:
    content = draft.model_dump(mode="json")
    log.journal(conn, kind, record_id, version, action, content, by=viewer, at=now)


def _assessment(dep: Deployment, viewer: Viewer, row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "organisation": row.organisation,
        "conducted_by": row.conducted_by,
        "place_id": row.place_id,
        "place": place_name(dep, viewer, row.place_id),
        "on": row.on.isoformat(),
        "sectors": list(row.sectors),
        "people_in_need": row.people_in_need,
        "households_in_need": row.households_in_need,
        "summary": row.summary,
        "files": list(row.files),
        "recorded_by": row.recorded_by,
    }


def _present(dep: Deployment, viewer: Viewer, row: Any) -> dict[str, Any]:
    place = dep.gazetteer.place(row.place_id)
    return {
        "id": row.id,
        "version": row.version,
        "organisation": row.organisation,
        "partner": row.partner,
        "sector": row.sector,
        "activity": row.activity,
        "place_id": row.place_id,
        "place": place_name(dep, viewer, row.place_id),
        "latitude": f"{place.lat:.5f}" if place else None,
        "longitude": f"{place.lon:.5f}" if place else None,
        "status": row.status,
        "start": row.start.isoformat(),
        "end": row.end.isoformat() if row.end else None,
        "targeted": row.targeted,
        "reached": row.reached,
        "remote": "yes" if row.remote else "no",
    }


def _grant(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "donor": values["donor"],
        "recipient": values["recipient"],
        "sector": values["sector"],
        "amount": values["amount_minor"] / 100,
        "currency": values["currency"],
        "start": _day(values["start"]),
        "end": _day(values["end"]),
        "purpose": values["purpose"],
    }


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _read(text: str) -> Iterator[ActivityDraft]:
    """Activities from an HXL CSV: the header row, the hashtag row, then the rows."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if len(rows) < 2:
        raise InvalidInput("file", "an HXL table has a header row and a hashtag row")
    tags = [_base(tag) for tag in rows[1]]
    if not any(tag.startswith("#") for tag in tags):
        raise InvalidInput("file", "the second row must hold HXL hashtags (#org, #sector, …)")
    known = {_base(tag): name for tag, name in TAGS.items()}
    columns = {known[tag]: i for i, tag in enumerate(tags) if tag in known}
    for name in ("organisation", "sector", "place_id", "activity", "status", "start"):
        if name not in columns:
            raise InvalidInput("file", f"no column tagged {dict(COLUMNS)[name]}")
    for number, row in enumerate(rows[2:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, Any] = {}
        for name, i in columns.items():
            cell = row[i].strip() if i < len(row) else ""
            if name in ("id", "place", "latitude", "longitude") or cell == "":
                continue
            values[name] = cell.lower() in ("yes", "true", "1") if name == "remote" else cell
        try:
            yield ActivityDraft.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "row"
            raise InvalidInput(f"rows[{number}].{where}", error["msg"]) from None


def _base(tag: str) -> str:
    """A hashtag with its attributes sorted (HXL attributes are unordered)."""
    parts = tag.strip().lower().replace(" ", "").split("+")
    return "+".join([parts[0], *sorted(p for p in parts[1:] if p)])
