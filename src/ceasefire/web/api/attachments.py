"""/api/v1/attachments: upload a file (raw body), fetch it by its SHA-256."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput
from ceasefire.services import attachments
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(prefix="/attachments", tags=["attachments"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]


@router.post("", status_code=201)
async def upload(request: Request, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """Send the file as the raw request body with its Content-Type."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    sha256 = attachments.upload_attachment(dep, viewer, content, media_type)
    return {"sha256": sha256, "size": len(content)}


@router.get("/{sha256}")
def download(sha256: str, dep: DepDep, viewer: ViewerDep) -> Response:
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise InvalidInput("sha256", "must be 64 lower-case hex digits")
    stored = attachments.read_attachment(dep, viewer, sha256)
    return Response(
        stored.content,
        media_type=stored.media_type,
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )
