"""Queries on the working groups' meetings and commitments, and their versions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from ceasefire.domain.groups import CommitmentStatus
from ceasefire.store.tables import (
    commitments,
    document_signatures,
    documents,
    group_versions,
    meetings,
)


@dataclass(frozen=True)
class Meeting:
    id: str
    group_id: str
    number: int
    version: int
    status: str
    """planned, or met once its minutes are recorded"""
    scheduled_at: datetime
    since: datetime | None
    """The previous meeting's time: what came after it is on this one's proposed agenda"""
    place_id: str | None
    place_text: str
    agenda: list[dict[str, Any]]
    attendance: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Commitment:
    id: str
    group_id: str
    meeting: int | None
    version: int
    status: CommitmentStatus
    organisation: str
    text: str
    due: date
    evidence_needed: str
    evidence: str | None
    resolves: list[dict[str, str]]
    reminded_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Document:
    id: str
    group_id: str
    meeting: int | None
    title: str
    text: str
    language: str
    signatories: list[str]
    copies: list[str]
    substance_sha256: str
    issued_at: datetime


@dataclass(frozen=True)
class Signature:
    id: str
    document_id: str
    copy: str
    organisation: str
    signed_by: str
    signed_at: datetime
    scan_sha256: str | None


@dataclass(frozen=True)
class GroupVersion:
    kind: str
    record_id: str
    version: int
    at: datetime
    author_org: str
    change: str
    content: dict[str, Any]


def insert_meeting(conn: Connection, **values: Any) -> None:
    conn.execute(insert(meetings).values(**values))


def get_meeting(conn: Connection, group_id: str, number: int) -> Meeting | None:
    row = conn.execute(
        select(meetings).where(meetings.c.group_id == group_id, meetings.c.number == number)
    ).first()
    return Meeting(**row._mapping) if row is not None else None


def meetings_of(conn: Connection, group_id: str) -> list[Meeting]:
    rows = conn.execute(
        select(meetings).where(meetings.c.group_id == group_id).order_by(meetings.c.number)
    )
    return [Meeting(**row._mapping) for row in rows]


def last_number(conn: Connection, group_id: str) -> int:
    found = conn.execute(
        select(func.max(meetings.c.number)).where(meetings.c.group_id == group_id)
    ).scalar_one()
    return int(found or 0)


def insert_commitment(conn: Connection, **values: Any) -> None:
    conn.execute(insert(commitments).values(**values))


def get_commitment(conn: Connection, commitment_id: str) -> Commitment | None:
    row = conn.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
    return _commitment(row) if row is not None else None


def commitments_of(conn: Connection, group_ids: list[str]) -> list[Commitment]:
    """The groups' commitments, soonest due first."""
    c = commitments.c
    rows = conn.execute(
        select(commitments).where(c.group_id.in_(group_ids)).order_by(c.due, c.created_at)
    )
    return [_commitment(row) for row in rows]


def open_commitments(conn: Connection) -> list[Commitment]:
    rows = conn.execute(
        select(commitments).where(commitments.c.status == CommitmentStatus.open.value)
    )
    return [_commitment(row) for row in rows]


def insert_document(conn: Connection, **values: Any) -> None:
    conn.execute(insert(documents).values(**values))


def get_document(conn: Connection, document_id: str) -> Document | None:
    row = conn.execute(select(documents).where(documents.c.id == document_id)).first()
    return Document(**row._mapping) if row is not None else None


def documents_of(conn: Connection, group_ids: list[str]) -> list[Document]:
    d = documents.c
    rows = conn.execute(
        select(documents).where(d.group_id.in_(group_ids)).order_by(d.issued_at, d.id)
    )
    return [Document(**row._mapping) for row in rows]


def insert_signature(conn: Connection, **values: Any) -> None:
    conn.execute(insert(document_signatures).values(**values))


def signatures_of(conn: Connection, document_id: str) -> list[Signature]:
    s = document_signatures.c
    rows = conn.execute(
        select(document_signatures).where(s.document_id == document_id).order_by(s.signed_at, s.id)
    )
    return [Signature(**row._mapping) for row in rows]


def insert_version(conn: Connection, **values: Any) -> None:
    conn.execute(insert(group_versions).values(**values))


def versions_of(conn: Connection, kind: str, record_id: str) -> list[GroupVersion]:
    v = group_versions.c
    rows = conn.execute(
        select(group_versions).where(v.kind == kind, v.record_id == record_id).order_by(v.version)
    )
    return [GroupVersion(**row._mapping) for row in rows]


def all_versions(conn: Connection) -> Iterator[GroupVersion]:
    for row in conn.execute(select(group_versions)):
        yield GroupVersion(**row._mapping)


def _commitment(row: Any) -> Commitment:
    values = dict(row._mapping)
    values["status"] = CommitmentStatus(values["status"])
    return Commitment(**values)
