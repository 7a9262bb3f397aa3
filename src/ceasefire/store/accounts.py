"""Queries on users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from ceasefire.domain.authorization import Role
from ceasefire.store.tables import api_tokens, organisations, sign_in_failures, users


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    organisation_id: str
    roles: frozenset[Role]
    password_hash: str
    language: str
    audience: str | None
    active: bool
    mission: bool
    organisation_audience: str


_COLUMNS = (users, organisations.c.mission, organisations.c.audience.label("org_audience"))


def _user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        organisation_id=row.organisation_id,
        roles=frozenset(Role(r) for r in row.roles.split(",") if r),
        password_hash=row.password_hash,
        language=row.language,
        audience=row.audience,
        active=row.active,
        mission=row.mission,
        organisation_audience=row.org_audience,
    )


def _select() -> Any:
    return select(*_COLUMNS).join(organisations, organisations.c.id == users.c.organisation_id)


def insert_user(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    organisation_id: str,
    roles: frozenset[Role],
    password_hash: str,
    language: str,
    at: datetime,
) -> int:
    result = conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name,
            organisation_id=organisation_id,
            roles=",".join(sorted(roles)),
            password_hash=password_hash,
            language=language,
            active=True,
            created_at=at,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_by_name(conn: Connection, username: str) -> User | None:
    row = conn.execute(_select().where(users.c.username == username)).first()
    return _user(row) if row is not None else None


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(_select().where(users.c.id == user_id)).first()
    return _user(row) if row is not None else None


def all_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(_select().order_by(users.c.username))]


def set_language(conn: Connection, user_id: int, language: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(language=language))


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def insert_token(
    conn: Connection, *, user_id: int, token_hash: str, label: str, at: datetime
) -> int:
    result = conn.execute(
        insert(api_tokens).values(
            user_id=user_id, token_hash=token_hash, label=label, created_at=at
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_by_token_hash(conn: Connection, token_hash: str) -> User | None:
    row = conn.execute(
        _select()
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
    ).first()
    return _user(row) if row is not None else None


def revoke_tokens(
    conn: Connection, *, at: datetime, token_hash: str | None = None, user_id: int | None = None
) -> int:
    """Revoke one token (by hash) or all of a user's tokens; return how many were revoked."""
    query = update(api_tokens).where(api_tokens.c.revoked_at.is_(None))
    if token_hash is not None:
        query = query.where(api_tokens.c.token_hash == token_hash)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return int(conn.execute(query.values(revoked_at=at)).rowcount)


def record_failure(conn: Connection, username: str, address: str | None, at: datetime) -> None:
    conn.execute(insert(sign_in_failures).values(username=username[:100], address=address, at=at))


def failures_since(
    conn: Connection, since: datetime, username: str, address: str | None
) -> tuple[int, int]:
    """Failed sign-ins since `since`: (for this username, from this address)."""
    f = sign_in_failures.c
    by_name = conn.execute(
        select(func.count()).where(f.username == username[:100], f.at >= since)
    ).scalar_one()
    by_address = 0
    if address is not None:
        by_address = conn.execute(
            select(func.count()).where(f.address == address, f.at >= since)
        ).scalar_one()
    return int(by_name), int(by_address)


def clear_failures(conn: Connection, username: str) -> None:
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.username == username[:100]))
