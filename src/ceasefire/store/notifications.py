"""Queries on notifications: the outbox rows, their versions, claiming work for a dispatcher.

A dispatcher *claims* due rows in a short transaction (on PostgreSQL with
`FOR UPDATE SKIP LOCKED`, so several dispatchers never take the same row),
marking them `sending` under a lease; it delivers outside any transaction and
records the result in another. A dispatcher that dies mid-delivery leaves its
lease to expire, and the row is delivered again: at least once, with an
idempotency key so receivers can drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from ceasefire.store.tables import notification_versions, notifications, replies, users

DUE = ("pending", "retrying", "sending")


@dataclass(frozen=True)
class Notification:
    id: str
    record_kind: str
    record_id: str
    record_version: int
    contact_id: str
    organisation_id: str
    rules: tuple[str, ...]
    level: int
    escalated_from: str | None
    reply_id: str | None
    version: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    ack_deadline: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_channel: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class NotificationVersion:
    notification_id: str
    version: int
    at: datetime
    event: str
    author_org: str
    content: dict[str, Any]


def _notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        record_kind=row.record_kind,
        record_id=row.record_id,
        record_version=row.record_version,
        contact_id=row.contact_id,
        organisation_id=row.organisation_id,
        rules=tuple(r for r in row.rules.split(",") if r),
        level=row.level,
        escalated_from=row.escalated_from,
        reply_id=row.reply_id,
        version=row.version,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        ack_deadline=row.ack_deadline,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        ack_channel=row.ack_channel,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def insert_notification(conn: Connection, **values: Any) -> None:
    conn.execute(insert(notifications).values(**values))


def insert_version(conn: Connection, version: NotificationVersion) -> None:
    conn.execute(
        insert(notification_versions).values(
            notification_id=version.notification_id,
            version=version.version,
            at=version.at,
            event=version.event,
            author_org=version.author_org,
            content=version.content,
        )
    )


def get(conn: Connection, notification_id: str, for_update: bool = False) -> Notification | None:
    query = select(notifications).where(notifications.c.id == notification_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _notification(row) if row else None


def by_token_hash(conn: Connection, token_hash: str) -> Notification | None:
    row = conn.execute(
        select(notifications).where(notifications.c.ack_token_hash == token_hash).with_for_update()
    ).first()
    return _notification(row) if row else None


def update_notification(conn: Connection, notification_id: str, **values: Any) -> None:
    conn.execute(
        update(notifications).where(notifications.c.id == notification_id).values(**values)
    )


def claim_due(conn: Connection, now: datetime, lease: timedelta, limit: int) -> list[Notification]:
    """Take up to `limit` due notifications for delivery (call in a short transaction)."""
    c = notifications.c
    rows = conn.execute(
        select(notifications)
        .where(c.status.in_(DUE), c.next_attempt_at <= now)
        .order_by(c.next_attempt_at, c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = [_notification(row) for row in rows]
    if claimed:
        conn.execute(
            update(notifications)
            .where(c.id.in_([n.id for n in claimed]))
            .values(status="sending", next_attempt_at=now + lease)
        )
    return claimed


def overdue(conn: Connection, now: datetime) -> list[Notification]:
    """Unacknowledged past their deadline and not yet escalated."""
    c = notifications.c
    child = notifications.alias("child")
    rows = conn.execute(
        select(notifications).where(
            c.acknowledged_at.is_(None),
            c.ack_deadline <= now,
            ~select(child.c.id).where(child.c.escalated_from == c.id).exists(),
        )
    )
    return [_notification(row) for row in rows]


def for_record(conn: Connection, kind: str, record_id: str) -> list[Notification]:
    c = notifications.c
    rows = conn.execute(
        select(notifications)
        .where(c.record_kind == kind, c.record_id == record_id)
        .order_by(c.created_at, c.level, c.contact_id)
    )
    return [_notification(row) for row in rows]


def for_organisation(
    conn: Connection, organisation_id: str | None, open_only: bool, limit: int = 200
) -> list[Notification]:
    c = notifications.c
    query = select(notifications).order_by(c.created_at.desc()).limit(limit)
    if organisation_id is not None:
        query = query.where(c.organisation_id == organisation_id)
    if open_only:
        query = query.where(c.acknowledged_at.is_(None))
    return [_notification(row) for row in conn.execute(query)]


def counts(conn: Connection, now: datetime) -> dict[str, int]:
    c = notifications.c
    unacked = c.acknowledged_at.is_(None)
    queries = {
        "open": and_(unacked, c.status != "dead"),
        "overdue": and_(unacked, c.ack_deadline <= now),
        "dead": c.status == "dead",
        "escalated": c.level > 0,
        "retrying": or_(c.status == "retrying", c.status == "sending"),
    }
    return {
        name: int(
            conn.execute(
                select(func.count()).select_from(notifications).where(condition)
            ).scalar_one()
        )
        for name, condition in queries.items()
    }


def versions(conn: Connection) -> list[NotificationVersion]:
    rows = conn.execute(select(notification_versions))
    return [
        NotificationVersion(
            row.notification_id, row.version, row.at, row.event, row.author_org, row.content
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Reply:
    id: str
    notification_id: str
    incident_id: str
    organisation_id: str
    author: str
    at: datetime
    text: str


def insert_reply(conn: Connection, reply: Reply, author_id: int) -> None:
    conn.execute(
        insert(replies).values(
            id=reply.id,
            notification_id=reply.notification_id,
            incident_id=reply.incident_id,
            organisation_id=reply.organisation_id,
            author_id=author_id,
            at=reply.at,
            text=reply.text,
        )
    )


def replies_of(
    conn: Connection, incident_id: str | None = None, reply_id: str | None = None
) -> list[Reply]:
    """Replies to one incident's notifications, one reply, or every reply (for the audit)."""
    query = select(replies, users.c.username).join(users, users.c.id == replies.c.author_id)
    if incident_id is not None:
        query = query.where(replies.c.incident_id == incident_id)
    if reply_id is not None:
        query = query.where(replies.c.id == reply_id)
    rows = conn.execute(query.order_by(replies.c.at, replies.c.id))
    return [
        Reply(r.id, r.notification_id, r.incident_id, r.organisation_id, r.username, r.at, r.text)
        for r in rows
    ]
