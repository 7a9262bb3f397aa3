"""Queries on activity notices, their readers and their versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, insert, or_, select

from ceasefire.domain.authorization import ReadScope
from ceasefire.domain.incidents import STORED
from ceasefire.domain.notices import NoticeDraft, NoticeStatus
from ceasefire.store.tables import notice_readers, notice_versions, notices, users


@dataclass(frozen=True)
class Notice:
    id: str
    version: int
    status: NoticeStatus
    owner_org: str
    author: str
    draft: NoticeDraft
    assessment: dict[str, Any]
    """As `services.notices` stores it: risk, reasons, measures, counterparts"""
    escort: bool
    readers: frozenset[str]
    created_at: datetime
    updated_at: datetime

    @property
    def risk(self) -> str:
        return str(self.assessment["risk"])


@dataclass(frozen=True)
class NoticeVersion:
    notice_id: str
    version: int
    at: datetime
    author_org: str
    change: str
    status: NoticeStatus
    content: dict[str, Any]


def insert_notice(
    conn: Connection,
    *,
    notice_id: str,
    draft: NoticeDraft,
    owner_org: str,
    author_id: int,
    assessment: dict[str, Any],
    escort: bool,
    readers: list[str],
    at: datetime,
) -> None:
    conn.execute(
        insert(notices).values(
            id=notice_id,
            version=1,
            status=NoticeStatus.filed.value,
            owner_org=owner_org,
            author_id=author_id,
            activity=draft.activity.value,
            risk=assessment["risk"],
            escort=escort,
            nearest_post=assessment["measures"]["post_id"],
            starts_at=draft.starts_at,
            last_end=draft.last_end,
            content=draft.model_dump(mode="json"),
            assessment=assessment,
            created_at=at,
            updated_at=at,
        )
    )
    if readers:
        conn.execute(
            insert(notice_readers),
            [{"notice_id": notice_id, "organisation_id": org} for org in readers],
        )


def insert_version(conn: Connection, version: NoticeVersion) -> None:
    conn.execute(
        insert(notice_versions).values(
            notice_id=version.notice_id,
            version=version.version,
            at=version.at,
            author_org=version.author_org,
            change=version.change,
            status=version.status.value,
            content=version.content,
        )
    )


def _visible(scope: ReadScope) -> ColumnElement[bool]:
    named = exists().where(
        notice_readers.c.notice_id == notices.c.id,
        notice_readers.c.organisation_id == scope.organisation_id,
    )
    return or_(notices.c.owner_org == scope.organisation_id, named)


def _select() -> Any:
    return select(notices, users.c.username).join(users, users.c.id == notices.c.author_id)


def get_notice(conn: Connection, notice_id: str, *, for_update: bool = False) -> Notice | None:
    query = _select().where(notices.c.id == notice_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=notices)
    row = conn.execute(query).first()
    return _notice(conn, row) if row is not None else None


def list_notices(
    conn: Connection,
    scope: ReadScope,
    *,
    post: str | None = None,
    between: tuple[datetime, datetime] | None = None,
    limit: int = 200,
) -> list[Notice]:
    """Notices visible in `scope`, soonest first; `between` keeps those with an occurrence
    that may fall in the span (callers check the occurrences)."""
    c = notices.c
    query = _select().where(_visible(scope))
    if post is not None:
        query = query.where(c.nearest_post == post)
    if between is not None:
        query = query.where(c.starts_at < between[1], c.last_end > between[0])
    rows = conn.execute(query.order_by(c.starts_at, c.id).limit(limit)).all()
    return [_notice(conn, row) for row in rows]


def versions_of(conn: Connection, notice_id: str) -> list[NoticeVersion]:
    v = notice_versions.c
    rows = conn.execute(select(notice_versions).where(v.notice_id == notice_id).order_by(v.version))
    return [_version(row) for row in rows]


def all_versions(conn: Connection) -> Iterator[NoticeVersion]:
    for row in conn.execute(select(notice_versions)):
        yield _version(row)


def _version(row: Any) -> NoticeVersion:
    return NoticeVersion(
        notice_id=row.notice_id,
        version=row.version,
        at=row.at,
        author_org=row.author_org,
        change=row.change,
        status=NoticeStatus(row.status),
        content=row.content,
    )


def _notice(conn: Connection, row: Any) -> Notice:
    readers = conn.execute(
        select(notice_readers.c.organisation_id).where(notice_readers.c.notice_id == row.id)
    ).scalars()
    return Notice(
        id=row.id,
        version=row.version,
        status=NoticeStatus(row.status),
        owner_org=row.owner_org,
        author=row.username,
        draft=NoticeDraft.model_validate(row.content, context=STORED),
        assessment=row.assessment,
        escort=row.escort,
        readers=frozenset(readers),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
