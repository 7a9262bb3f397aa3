"""Loading a scenario's demo accounts and sample records into a deployment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ceasefire.domain.errors import DomainError
from ceasefire.services import accounts, cases, incidents
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import accounts as account_store
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
