"""Request dependencies: the deployment, and who is asking (bearer token or session)."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Unauthenticated
from ceasefire.services import accounts
from ceasefire.services.deployment import Deployment


def deployment(request: Request) -> Deployment:
    return cast(Deployment, request.app.state.deployment)


def api_viewer(request: Request) -> Viewer:
    """The API's only authentication: `Authorization: Bearer <token>`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send an API token: Authorization: Bearer <token>")
    viewer = accounts.viewer_for_token(deployment(request), token.strip())
    if viewer is None:
        raise Unauthenticated("the token is unknown or revoked")
    return viewer


def session_viewer(request: Request) -> Viewer | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    return accounts.viewer_by_id(deployment(request), user_id)
