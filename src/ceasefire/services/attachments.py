"""Attachments: photos, documents and recordings stored by their SHA-256 content hash.

Anyone who may report may upload; a file is readable by the uploader's
organisation and by whoever may read an incident that refers to it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Forbidden, InvalidInput, NotFound
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import attachments as store
from ceasefire.store import incidents as incident_store

MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    media_type: str
    content: bytes


def upload_attachment(dep: Deployment, viewer: Viewer, content: bytes, media_type: str) -> str:
    caseworker = authz.can_register_households(viewer, set(dep.scenario.aid.organisations))
    if not authz.can_report(viewer) and not caseworker:
        raise Forbidden(
            "monitors, duty officers and humanitarian caseworkers (evidence) upload attachments"
        )
    return keep(dep, viewer, content, media_type)


def keep(dep: Deployment, viewer: Viewer, content: bytes, media_type: str) -> str:
    """Store a file by its SHA-256 (a form's photo arrives with the form: it is kept, whoever
    sent it, so that nothing a field app sent is lost); return the hash."""
    if not content:
        raise InvalidInput("file", "is empty")
    if len(content) > dep.max_attachment_bytes:
        raise InvalidInput("file", f"is larger than {dep.max_attachment_bytes} bytes")
    media_type = media_type.split(";")[0].strip().lower() or "application/octet-stream"
    if not MEDIA_TYPE.match(media_type):
        raise InvalidInput("media_type", "is not a media type like image/jpeg")
    sha256 = hashlib.sha256(content).hexdigest()
    # The file goes to disk first: a row never points at a missing file.
    dep.files.put(content)
    with dep.db.begin() as conn:
        store.insert_attachment(
            conn,
            sha256=sha256,
            size=len(content),
            media_type=media_type,
            user_id=viewer.user_id,
            org=viewer.organisation_id,
            at=utcnow(),
        )
    return sha256


def read_attachment(dep: Deployment, viewer: Viewer, sha256: str) -> StoredFile:
    with dep.db.read() as conn:
        row = store.attachment(conn, sha256)
        if row is None:
            raise NotFound("no such attachment", "sha256")
        allowed = row.uploader_org == viewer.organisation_id
        for incident_id in [] if allowed else store.incidents_with(conn, sha256):
            incident = incident_store.get_incident(conn, incident_id)
            if incident is not None and authz.can_read(viewer, incident.access):
                allowed = True
                break
        if not allowed:
            from ceasefire.services import activities, housing  # claims', assessments' files

            allowed = housing.evidence_readable(dep, conn, viewer, sha256)
            allowed = allowed or activities.files_readable(conn, viewer, sha256)
    if not allowed:
        raise NotFound("no such attachment", "sha256")
    return StoredFile(sha256=sha256, media_type=row.media_type, content=dep.files.read(sha256))
