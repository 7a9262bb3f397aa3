"""Queries on residents' dialogues by SMS or messaging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ceasefire.store.tables import conversations


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    address_index: str
    step: str
    sealed: str
    messages: int
    started_at: datetime
    updated_at: datetime
    case_id: str | None


def open_one(
    conn: Connection, channel: str, address_index: str, for_update: bool = False
) -> Conversation | None:
    """The dialogue this address has under way on this channel, if any."""
    c = conversations.c
    query = select(conversations).where(
        c.channel == channel, c.address_index == address_index, c.step != "done"
    )
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query.order_by(c.started_at.desc()).limit(1)).first()
    return _conversation(row) if row is not None else None


def insert_conversation(conn: Connection, **values: Any) -> None:
    conn.execute(insert(conversations).values(**values))


def save(conn: Connection, conversation_id: str, **values: Any) -> None:
    conn.execute(
        update(conversations).where(conversations.c.id == conversation_id).values(**values)
    )


def recent(conn: Connection, limit: int) -> list[Conversation]:
    c = conversations.c
    rows = conn.execute(select(conversations).order_by(c.updated_at.desc(), c.id).limit(limit))
    return [_conversation(row) for row in rows]


def _conversation(row: Any) -> Conversation:
    return Conversation(
        id=row.id,
        channel=row.channel,
        address_index=row.address_index,
        step=row.step,
        sealed=row.sealed,
        messages=row.messages,
        started_at=row.started_at,
        updated_at=row.updated_at,
        case_id=row.case_id,
    )
