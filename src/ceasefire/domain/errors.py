"""Errors the domain raises; the API and CLI turn them into messages.

Each carries enough to tell the user what to fix: the field (a dotted path
into the input) and the reason.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """A value is well-formed but not acceptable (unknown category, future time…)."""

    code = "invalid_input"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", field)
        self.reason = reason


class NotFound(DomainError):
    """The record does not exist, or the user may not know that it exists."""

    code = "not_found"


class Forbidden(DomainError):
    """The user can see the record but may not perform this action on it."""

    code = "forbidden"


class Conflict(DomainError):
    """The record changed since the user last read it."""

    code = "conflict"


class Unauthenticated(DomainError):
    """No valid credentials were presented."""

    code = "unauthenticated"


class Locked(DomainError):
    """Too many failed attempts: the account or address is locked out for a while."""

    code = "locked"
