"""Accounts: adding users, signing in, API tokens, a user's language.

Passwords are hashed with Argon2; API tokens are random and only their
SHA-256 is stored, so a database leak does not leak usable tokens.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ceasefire.domain.authorization import Role, Viewer
from ceasefire.domain.errors import InvalidInput, Locked, NotFound
from ceasefire.domain.naming import LANGUAGES
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import accounts
from ceasefire.store.accounts import User

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")
TOKEN_PREFIX = "cf_"
MIN_PASSWORD = 8


def viewer_of(user: User) -> Viewer:
    return Viewer(
        user_id=user.id,
        username=user.username,
        organisation_id=user.organisation_id,
        roles=user.roles,
        mission=user.mission,
        language=user.language,
        audience=user.audience or user.organisation_audience,
    )


def add_user(
    dep: Deployment,
    *,
    username: str,
    display_name: str,
    organisation_id: str,
    roles: list[str],
    password: str,
    language: str = "en",
) -> User:
    if not USERNAME.match(username):
        raise InvalidInput("username", "2–40 characters: lower-case letters, digits, _ . -")
    if not display_name.strip():
        raise InvalidInput("display_name", "must not be empty")
    if dep.scenario.organisation(organisation_id) is None:
        raise InvalidInput("organisation", f"unknown organisation {organisation_id!r}")
    if not roles:
        raise InvalidInput("roles", "give at least one role")
    known = {r.value for r in Role}
    for role in roles:
        if role not in known:
            raise InvalidInput("roles", f"unknown role {role!r}; known: {', '.join(sorted(known))}")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD} characters")
    if language not in LANGUAGES:
        raise InvalidInput("language", f"must be one of {', '.join(LANGUAGES)}")
    with dep.db.begin() as conn:
        if accounts.user_by_name(conn, username) is not None:
            raise InvalidInput("username", f"{username!r} is taken")
        user_id = accounts.insert_user(
            conn,
            username=username,
            display_name=display_name.strip(),
            organisation_id=organisation_id,
            roles=frozenset(Role(r) for r in roles),
            password_hash=_hasher.hash(password),
            language=language,
            at=utcnow(),
        )
        user = accounts.user_by_id(conn, user_id)
    assert user is not None
    return user


def list_users(dep: Deployment) -> list[User]:
    with dep.db.read() as conn:
        return accounts.all_users(conn)


MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
LOCKOUT = timedelta(minutes=15)
logger = logging.getLogger("ceasefire.accounts")


def authenticate(
    dep: Deployment,
    username: str,
    password: str,
    address: str | None = None,
    now: datetime | None = None,
) -> Viewer | None:
    """The viewer for these credentials, or None (same answer for unknown user and bad
    password). After 5 failures for a name, or 20 from an address, within 15 minutes,
    sign-in is refused — even with the right password — until the window has passed."""
    now = now or utcnow()
    with dep.db.read() as conn:
        by_name, by_address = accounts.failures_since(conn, now - LOCKOUT, username, address)
        user = accounts.user_by_name(conn, username)
    if by_name >= MAX_FAILURES_PER_USER or by_address >= MAX_FAILURES_PER_ADDRESS:
        logger.warning("sign-in refused while locked out: %r from %s", username[:100], address)
        raise Locked("too many failed sign-ins: try again in 15 minutes")
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        _failed(dep, username, address, now)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _failed(dep, username, address, now)
        return None
    with dep.db.begin() as conn:
        accounts.clear_failures(conn, username)
        if _hasher.check_needs_rehash(user.password_hash):
            accounts.set_password_hash(conn, user.id, _hasher.hash(password))
    return viewer_of(user)


def _failed(dep: Deployment, username: str, address: str | None, now: datetime) -> None:
    with dep.db.begin() as conn:
        accounts.record_failure(conn, username, address, now)
    logger.warning("failed sign-in for %r from %s", username[:100], address)


def viewer_by_id(dep: Deployment, user_id: int) -> Viewer | None:
    with dep.db.read() as conn:
        user = accounts.user_by_id(conn, user_id)
    return viewer_of(user) if user is not None and user.active else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(dep: Deployment, username: str, label: str = "cli") -> str:
    """A new API token for `username`; the only time the token itself is ever shown."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with dep.db.begin() as conn:
        user = accounts.user_by_name(conn, username)
        if user is None:
            raise NotFound(f"no user {username!r}", "username")
        accounts.insert_token(
            conn, user_id=user.id, token_hash=_token_hash(token), label=label, at=utcnow()
        )
    return token


def viewer_for_token(dep: Deployment, token: str) -> Viewer | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    with dep.db.read() as conn:
        user = accounts.user_by_token_hash(conn, _token_hash(token))
    return viewer_of(user) if user is not None and user.active else None


def revoke_token(dep: Deployment, token: str) -> int:
    with dep.db.begin() as conn:
        return accounts.revoke_tokens(conn, at=utcnow(), token_hash=_token_hash(token))


def revoke_user_tokens(dep: Deployment, username: str) -> int:
    with dep.db.begin() as conn:
        user = accounts.user_by_name(conn, username)
        if user is None:
            raise NotFound(f"no user {username!r}", "username")
        return accounts.revoke_tokens(conn, at=utcnow(), user_id=user.id)


def set_language(dep: Deployment, viewer: Viewer, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput("language", f"must be one of {', '.join(LANGUAGES)}")
    with dep.db.begin() as conn:
        accounts.set_language(conn, viewer.user_id, language)
