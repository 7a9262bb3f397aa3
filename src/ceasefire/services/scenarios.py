"""Loading a scenario's demo accounts and sample records into a deployment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from ceasefire.domain.assistance import ClaimDraft, Delivery, Stage, StageMove
from ceasefire.domain.authorization import Role
from ceasefire.domain.errors import DomainError
from ceasefire.services import (
    accounts,
    activities,
    cases,
    households,
    housing,
    incidents,
    programmes,
)
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import accounts as account_store
from ceasefire.store import aid as aid_store
from ceasefire.store import cases as case_store
from ceasefire.store import incidents as incident_store


def load_demo_users(dep: Deployment) -> int:
    """Create the pack's demo users that do not exist yet; return how many were created."""
    created = 0
    for user in dep.scenario.users:
        with dep.db.read() as conn:
            if account_store.user_by_name(conn, user.username) is not None:
                continue
        accounts.add_user(
            dep,
            username=user.username,
            display_name=user.display_name,
            organisation_id=user.organisation,
            roles=[r.value for r in user.roles],
            password=user.password,
            language=user.language,
        )
        created += 1
    return created


def load_sample_incidents(dep: Deployment, progress: Callable[[int], None] | None = None) -> int:
    """Record the pack's sample incidents (once: skipped if any incident exists)."""
    with dep.db.read() as conn:
        viewers = {u.username: accounts.viewer_of(u) for u in account_store.all_users(conn)}
        if incident_store.count_incidents(conn):
            return 0
    for n, sample in enumerate(dep.scenario.incidents, start=1):
        reporter = viewers[sample.reporter]
        incident = incidents.report_incident(dep, reporter, sample.incident)
        for corroboration in sample.corroborations:
            incidents.corroborate_incident(
                dep, viewers[corroboration.by], incident.id, note=corroboration.note
            )
        for change in sample.status_changes:
            try:
                incidents.change_status(
                    dep, viewers[change.by], incident.id, change.status, reason=change.reason
                )
            except DomainError as exc:
                raise DomainError(f"sample incident {n}: {exc.message}", exc.field) from exc
        if progress:
            progress(n)
    return len(dep.scenario.incidents)


def load_sample_requests(dep: Deployment, now: datetime | None = None) -> int:
    """File the pack's sample requests and what the desk did with them, so many hours before
    `now` (once: skipped if any case exists)."""
    now = now or utcnow()
    with dep.db.read() as conn:
        viewers = {u.username: accounts.viewer_of(u) for u in account_store.all_users(conn)}
        if case_store.count_cases(conn):
            return 0
    for n, sample in enumerate(dep.scenario.requests, start=1):
        filed_at = now - timedelta(hours=sample.hours_ago)
        by = viewers[sample.taken_by] if sample.taken_by else None
        try:
            item = cases.file_request(dep, sample.request, viewer=by, now=filed_at).case
            for step in sample.then:
                at = filed_at + timedelta(hours=step.hours_later)
                if step.take:
                    cases.take(dep, viewers[step.by], item.id, now=at)
                if step.update is not None:
                    cases.update(dep, viewers[step.by], item.id, step.update, now=at)
        except DomainError as exc:
            raise DomainError(f"sample request {n}: {exc.message}", exc.field) from exc
    return len(dep.scenario.requests)


def load_sample_aid(dep: Deployment, now: datetime | None = None) -> int:
    """Register the pack's sample households, compute the sample months' entitlements, move
    the sample housing stages, file the sample claims, and record the sample activities and
    grants (once: skipped if any household exists). Returns the households registered."""
    samples = dep.scenario.aid.samples
    with dep.db.read() as conn:
        viewers = {u.username: accounts.viewer_of(u) for u in account_store.all_users(conn)}
        if aid_store.count_households(conn, ["active", "awaiting_verification", "closed"]):
            return 0
    now = now or utcnow()
    pipeline = dep.scenario.aid.housing[0] if dep.scenario.aid.housing else None
    try:
        for n, sample in enumerate(samples.households):
            by = viewers[sample.by] if sample.by else None
            done = households.register_household(
                dep,
                sample.household,
                viewer=by,
                now=_noon(sample.household.registered or date(2021, 3, 15), n),
            )
            item = done.household
            if sample.housing is not None and pipeline is not None:
                mover = next(
                    v
                    for v in viewers.values()
                    if v.organisation_id == pipeline.organisation and v.has(Role.caseworker)
                )
                for stage in Stage:
                    housing.move_stage(dep, mover, pipeline.id, item.id, StageMove(stage=stage))
                    if stage is sample.housing:
                        break
            if sample.claim is not None and by is not None:
                claim = ClaimDraft(household_id=item.id, **sample.claim.model_dump())
                housing.file_claim(dep, by, claim)
        for month in samples.runs:
            programmes.run_programmes(dep, month, now=now)
        for handover in samples.handovers:
            by = viewers[handover.by]
            owed = programmes.owed(dep, by, handover.programme, handover.period)
            delivery = Delivery(
                entitlements=[o["id"] for o in owed],
                place_id=handover.place_id,
                on=handover.day,
                reference="sample",
            )
            programmes.record_delivery(dep, by, delivery, now=_noon(handover.day, 0))
        for sample_activity in samples.activities:
            activities.record_activity(dep, viewers[sample_activity.by], sample_activity.activity)
        for sample_grant in samples.grants:
            activities.record_grant(dep, viewers[sample_grant.by], sample_grant.grant)
    except DomainError as exc:
        raise DomainError(f"aid samples: {exc.message}", exc.field) from exc
    return len(samples.households)


def _noon(day: date, hours: int) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(hours=hours)
