"""Request dependencies: the deployment, and who is asking (bearer token or session)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import cast

from fastapi import Request

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Locked, Unauthenticated
from ceasefire.services import accounts
from ceasefire.services.deployment import Deployment

logger = logging.getLogger("ceasefire.web")


def deployment(request: Request) -> Deployment:
    return cast(Deployment, request.app.state.deployment)


class FailureWindow:
    """Counts failures per client address over a sliding minute, in this process."""

    def __init__(self, limit: int, seconds: float = 60.0) -> None:
        self.limit = limit
        self.seconds = seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def exceeded(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address)) >= self.limit

    def add(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(time.monotonic())

    def _recent(self, address: str) -> deque[float]:
        window = self._failures.setdefault(address, deque())
        while window and window[0] < time.monotonic() - self.seconds:
            window.popleft()
        return window


def api_viewer(request: Request) -> Viewer:
    """The API's only authentication: `Authorization: Bearer <token>`."""
    address = request.client.host if request.client else "?"
    bad_tokens: FailureWindow = request.app.state.bad_tokens
    if bad_tokens.exceeded(address):
        logger.warning("API token guessing from %s: refusing for a minute", address)
        raise Locked("too many invalid tokens from your address: wait a minute")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send an API token: Authorization: Bearer <token>")
    viewer = accounts.viewer_for_token(deployment(request), token.strip())
    if viewer is None:
        bad_tokens.add(address)
        raise Unauthenticated("the token is unknown or revoked")
    return viewer


def session_viewer(request: Request) -> Viewer | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    return accounts.viewer_by_id(deployment(request), user_id)
