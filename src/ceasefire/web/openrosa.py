"""The OpenRosa server ODK Collect, KoboCollect and Enketo are pointed at (the service's
base URL): `GET /formList`, `GET /forms/{id}/form.xml`, `GET /forms/{id}/manifest`, and
`HEAD`/`POST /submission` (multipart: `xml_submission_file` and the files the answers
name). Users sign in with their own name and password over HTTP Basic (HTTPS is the
deployment's); each sees and sends only the forms its roles may fill in."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import DomainError, Locked
from ceasefire.intake import openrosa
from ceasefire.services import accounts, intake
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import deployment
from ceasefire.web.errors import status_of

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
DepDep = Annotated[Deployment, Depends(deployment)]
XML = "text/xml; charset=utf-8"


class OpenRosaRefusal(Exception):
    """An OpenRosa request refused: answered as an OpenRosaResponse with this status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def basic_viewer(request: Request) -> Viewer:
    """The user of an HTTP Basic `Authorization` header (the sign-in lockout applies)."""
    challenge = {"WWW-Authenticate": 'Basic realm="ceasefire", charset="UTF-8"'}
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise OpenRosaRefusal(401, "sign in with your user name and password", challenge)
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise OpenRosaRefusal(401, "the credentials are not Basic", challenge) from None
    address = request.client.host if request.client else None
    try:
        viewer = accounts.authenticate(deployment(request), username, password, address)
    except Locked as exc:
        raise OpenRosaRefusal(429, exc.message) from None
    if viewer is None:
        raise OpenRosaRefusal(401, "the user name or the password is wrong", challenge)
    return viewer


ViewerDep = Annotated[Viewer, Depends(basic_viewer)]


def xml(body: bytes, status: int = 200, **headers: str) -> Response:
    return Response(
        body, status_code=status, media_type=XML, headers={**openrosa.HEADERS, **headers}
    )


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def refused(action: Callable[[], T]) -> T:
    """The action's DomainError as an OpenRosa refusal (field apps read XML, not JSON)."""
    try:
        return action()
    except DomainError as exc:
        raise OpenRosaRefusal(status_of(exc), exc.message) from None


@router.get("/formList")
def form_list(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    return xml(openrosa.form_list(intake.forms_for(dep, viewer), base_url(request)))


@router.get("/forms/{form_id}/form.xml")
def form_download(form_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    return xml(refused(lambda: intake.form_for(dep, viewer, form_id)).xform.encode())


@router.get("/forms/{form_id}/manifest")
def form_manifest(form_id: str, dep: DepDep, viewer: ViewerDep) -> Response:
    refused(lambda: intake.form_for(dep, viewer, form_id))
    return xml(openrosa.manifest())


ACCEPT = {"X-OpenRosa-Accept-Content-Length": str(openrosa.MAX_SUBMISSION_BYTES)}


@router.head("/submission")
def submission_check(request: Request, viewer: ViewerDep) -> Response:
    """What a field app asks before it sends: may I, and how much at once."""
    return Response(
        status_code=204,
        headers={**openrosa.HEADERS, **ACCEPT, "Location": f"{base_url(request)}/submission"},
    )


@router.post("/submission")
async def submission(request: Request, dep: DepDep, viewer: ViewerDep) -> Response:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > openrosa.MAX_SUBMISSION_BYTES:
        raise OpenRosaRefusal(413, "the submission is larger than this server takes at once")
    try:
        form = await request.form(max_files=100, max_fields=100)
    except Exception as exc:
        raise OpenRosaRefusal(400, f"the request is not multipart form data: {exc}") from None
    instance = form.get("xml_submission_file")
    if not isinstance(instance, UploadFile):
        raise OpenRosaRefusal(400, "the request has no xml_submission_file")
    files = []
    for name, part in form.multi_items():
        if name != "xml_submission_file" and isinstance(part, UploadFile):
            files.append(
                (
                    part.filename or name,
                    await part.read(),
                    part.content_type or "application/octet-stream",
                )
            )
    content = await instance.read()
    received = refused(lambda: intake.receive(dep, viewer, content, files))
    kept = received.submission
    if received.again:
        return xml(openrosa.response("Already received."), 202)
    if kept.status == "quarantined":
        said = (
            f"Received. It could not be recorded as it is ({kept.reason}): the duty officer will."
        )
    else:
        said = f"Received and recorded ({kept.record_kind} {kept.record_id})."
    return xml(openrosa.response(said), 201, Location=f"{base_url(request)}/submission")


def install(app: FastAPI) -> None:
    """Answer refusals on these routes as OpenRosa responses."""

    @app.exception_handler(OpenRosaRefusal)
    async def _refused(request: Request, exc: OpenRosaRefusal) -> Response:
        return xml(openrosa.response(exc.message, "error"), exc.status, **exc.headers)
