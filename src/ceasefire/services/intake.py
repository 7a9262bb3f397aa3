"""Field intake: the forms a user may fill in, and each submission a field app sends —
kept as it came (sealed: a resident's request names the resident), then mapped onto the
record its form creates. A resend (field apps resend
after a timeout) is recognised by its instanceID and creates nothing; a submission that
cannot be mapped is quarantined with the reason, for the duty officer to see and to turn
into the right record by hand. Nothing sent is dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError

from ceasefire.domain import authorization as authz
from ceasefire.domain.assistance import Evidence
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from ceasefire.domain.forms import IntakeForm
from ceasefire.domain.incidents import Attachment
from ceasefire.intake import mapping
from ceasefire.intake.openrosa import Instance, SubmissionError, read_instance
from ceasefire.services import activities, attachments, cases, incidents, notices, places
from ceasefire.services.deployment import Deployment, sealer_of, utcnow
from ceasefire.store import intake as store
from ceasefire.store.intake import Submission

MAX_LIST = 200


def forms_for(dep: Deployment, viewer: Viewer) -> list[IntakeForm]:
    """The forms this user may fill in and send."""
    return [f for f in dep.scenario.forms if _open_to(f, viewer)]


def form_for(dep: Deployment, viewer: Viewer, form_id: str) -> IntakeForm:
    form = dep.scenario.form(form_id)
    if form is None or not _open_to(form, viewer):
        raise NotFound("no such form for you", "form")
    return form


def _open_to(form: IntakeForm, viewer: Viewer) -> bool:
    return form.open_to(viewer.roles, viewer.organisation_id)


@dataclass(frozen=True)
class Received:
    submission: Submission
    again: bool
    """A resend of a submission already received (nothing new was created)"""


File = tuple[str, bytes, str]
"""(file name in the form, content, media type)"""


def receive(
    dep: Deployment, viewer: Viewer, xml: bytes, files: list[File], now: datetime | None = None
) -> Received:
    """Keep a submission and its files, then create the record its form maps to; quarantine
    it, with the reason, when that cannot be done."""
    now = now or utcnow()
    try:
        instance: Instance | None = read_instance(xml)
        reason = None
    except SubmissionError as exc:
        instance, reason = None, str(exc)
    form = dep.scenario.form(instance.form_id) if instance else None
    if form is not None and not _open_to(form, viewer):
        raise Forbidden("your role may not send this form")
    if instance is not None and form is None:
        reason = f"form {instance.form_id[:80]!r} is not one of this deployment's"
    if instance is not None:
        with dep.db.read() as conn:
            earlier = store.by_instance(conn, instance.instance_id)
        if earlier is not None:
            return Received(earlier, again=True)
    kept = [
        {
            "name": name,
            "sha256": attachments.keep(dep, viewer, content, media_type),
            "media_type": media_type,
        }
        for name, content, media_type in files
    ]
    submission_id = str(uuid.uuid4())
    try:
        with dep.db.begin() as conn:
            store.insert_submission(
                conn,
                viewer.user_id or None,
                id=submission_id,
                instance_id=instance.instance_id if instance else None,
                form_id=instance.form_id[:80] if instance else None,
                form_version=(instance.version if instance else "")[:40],
                username=viewer.username,
                organisation_id=viewer.organisation_id,
                received_at=now,
                updated_at=now,
                status="quarantined" if reason else "received",
                reason=reason,
                content=sealer_of(dep).seal(
                    xml.decode("utf-8", errors="replace"), f"submission:{submission_id}"
                ),
                files=kept,
            )
    except IntegrityError:  # the same instance, sent twice at once: the other one keeps it
        assert instance is not None
        with dep.db.read() as conn:
            earlier = store.by_instance(conn, instance.instance_id)
        assert earlier is not None
        return Received(earlier, again=True)
    if instance is not None and form is not None:
        _create(dep, viewer, submission_id, form, instance.values, kept, now)
    with dep.db.read() as conn:
        stored = store.get_submission(conn, submission_id)
    assert stored is not None
    return Received(stored, again=False)


def _create(
    dep: Deployment,
    viewer: Viewer,
    submission_id: str,
    form: IntakeForm,
    values: dict[str, str],
    kept: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Create the form's record from the answers, and mark the submission with it (or with
    why it could not be created)."""
    try:
        record_id = create_record(dep, viewer, form, values, kept, now)
    except DomainError as exc:
        reason = exc.message if exc.field is None else f"{exc.field}: {exc.message}"
        _mark(dep, submission_id, now, status="quarantined", reason=reason)
        return
    _mark(
        dep,
        submission_id,
        now,
        status="created",
        record_kind=form.creates,
        record_id=record_id,
        reason=None,
    )


def _mark(dep: Deployment, submission_id: str, now: datetime, **outcome: Any) -> None:
    """Record what became of a submission."""
    with dep.db.begin() as conn:
        store.set_outcome(conn, submission_id, updated_at=now, **outcome)


def create_record(
    dep: Deployment,
    viewer: Viewer,
    form: IntakeForm,
    values: dict[str, str],
    kept: list[dict[str, Any]],
    now: datetime,
) -> str:
    """The record a form's answers make, created as `viewer`; returns its id."""
    place = partial(places.place_named, dep, viewer)
    if form.creates == "incident":
        files = {
            f["name"]: Attachment(
                sha256=f["sha256"], filename=f["name"][:255], media_type=f["media_type"]
            )
            for f in kept
        }
        draft = mapping.incident(values, files, place, viewer.language)
        return incidents.report_incident(dep, viewer, draft, now=now).id
    if form.creates == "case":
        return cases.file_request(
            dep, mapping.request(values, place), viewer=viewer, now=now
        ).case.id
    if form.creates == "assessment":
        kept_files = {
            f["name"]: Evidence(
                sha256=f["sha256"], filename=f["name"][:255], media_type=f["media_type"]
            )
            for f in kept
        }
        assessed = mapping.assessment(values, kept_files, place)
        return str(activities.record_assessment(dep, viewer, assessed, now=now)["id"])
    return notices.file_notice(dep, viewer, mapping.notice(values, place), now=now).id


def submissions(dep: Deployment, viewer: Viewer, status: str | None = None) -> list[Submission]:
    """The latest submissions (quarantined ones only, if asked), for the duty officers."""
    check_watching(viewer)
    if status not in (None, "received", "created", "quarantined"):
        raise InvalidInput("status", "one of received, created, quarantined")
    with dep.db.read() as conn:
        return store.recent(conn, MAX_LIST, status)


def check_watching(viewer: Viewer) -> None:
    """What field apps and residents sent is for the mission's duty officers."""
    if not authz.can_watch_intake(viewer):
        raise Forbidden("the intake is the mission's duty officers'")


def submission(dep: Deployment, viewer: Viewer, submission_id: str) -> Submission:
    check_watching(viewer)
    with dep.db.read() as conn:
        found = store.get_submission(conn, submission_id)
    if found is None:
        raise NotFound("no such submission", "id")
    return found


def resolve(
    dep: Deployment,
    viewer: Viewer,
    submission_id: str,
    values: dict[str, str],
    now: datetime | None = None,
) -> Submission:
    """The duty officer's fix of a quarantined submission: the answers as corrected, mapped
    again and created as the duty officer; the raw submission stays as it came."""
    found = submission(dep, viewer, submission_id)
    if found.status == "created":
        raise InvalidInput("id", "this submission already made its record")
    form = dep.scenario.form(found.form_id or "")
    if form is None:
        raise InvalidInput("form", "the submission names no form of this deployment")
    now = now or utcnow()
    record_id = create_record(dep, viewer, form, values, found.files, now)  # as corrected
    _mark(
        dep,
        submission_id,
        now,
        status="created",
        record_kind=form.creates,
        record_id=record_id,
        reason=f"created by {viewer.username}",
    )
    return submission(dep, viewer, submission_id)


def raw(dep: Deployment, found: Submission) -> str:
    """A submission as it came (sealed at rest: a resident's request names the resident)."""
    return str(sealer_of(dep).open(found.content, f"submission:{found.id}"))


def answers(dep: Deployment, found: Submission) -> dict[str, str]:
    """A stored submission's answers (empty if its XML cannot be read)."""
    try:
        return read_instance(raw(dep, found).encode()).values
    except SubmissionError:
        return {}
