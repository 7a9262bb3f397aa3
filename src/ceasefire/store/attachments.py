"""Queries on attachments and on which incidents refer to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from ceasefire.store.tables import attachments, incident_attachments


def insert_attachment(
    conn: Connection,
    *,
    sha256: str,
    size: int,
    media_type: str,
    user_id: int,
    org: str,
    at: datetime,
) -> None:
    if conn.execute(select(attachments.c.sha256).where(attachments.c.sha256 == sha256)).first():
        return
    conn.execute(
        insert(attachments).values(
            sha256=sha256,
            size=size,
            media_type=media_type,
            uploaded_by=user_id,
            uploader_org=org,
            at=at,
        )
    )


def known_attachments(conn: Connection, hashes: Sequence[str]) -> set[str]:
    rows = conn.execute(select(attachments.c.sha256).where(attachments.c.sha256.in_(hashes)))
    return set(rows.scalars())


def attachment(conn: Connection, sha256: str) -> Any:
    return conn.execute(select(attachments).where(attachments.c.sha256 == sha256)).first()


def link_attachments(conn: Connection, incident_id: str, hashes: Sequence[str]) -> None:
    conn.execute(
        delete(incident_attachments).where(incident_attachments.c.incident_id == incident_id)
    )
    rows = [{"incident_id": incident_id, "sha256": h} for h in sorted(set(hashes))]
    if rows:
        conn.execute(insert(incident_attachments), rows)


def incidents_with(conn: Connection, sha256: str) -> list[str]:
    rows = conn.execute(
        select(incident_attachments.c.incident_id).where(incident_attachments.c.sha256 == sha256)
    )
    return list(rows.scalars())


def all_hashes(conn: Connection) -> list[str]:
    return list(conn.execute(select(attachments.c.sha256).order_by(attachments.c.sha256)).scalars())
