"""A working group's status-neutral documents: the chairs' secretariat issues a decision or
agreement once, as neutral text, for the audiences it names; each audience's copy renders its
own names and carries only the signatory blocks it accepts; every copy prints the SHA-256 of
the shared substance, which the log records; signatures are recorded per copy.

A document is seen by whoever sees its group. Its version and each signature are log leaves
(committed to; a bundle shows them, with the hash, to those who see the group).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.documents import DocumentDraft, placeholders, render, substance_hash
from ceasefire.domain.errors import Conflict, InvalidInput, NotFound
from ceasefire.domain.incidents import Slug, Strict
from ceasefire.domain.naming import in_language
from ceasefire.domain.scenario import Scenario
from ceasefire.services import groups
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import groups as store
from ceasefire.store.groups import Document

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class SignatureDraft(Strict):
    """That an organisation's representative signed one copy (its scan, by its hash)."""

    organisation: Slug
    signed_by: str = Field(min_length=1, max_length=200)
    signed_at: AwareDatetime
    scan_sha256: str | None = Field(default=None, pattern=SHA256.pattern)


def issue_document(
    dep: Deployment,
    viewer: Viewer,
    group_id: str,
    draft: DocumentDraft,
    now: datetime | None = None,
) -> Document:
    """Issue a decision or agreement of the group as mirrored copies."""
    group = groups.run_group(dep, viewer, group_id)
    scenario = dep.scenario
    audiences = {a.id for a in scenario.audiences}
    for i, audience in enumerate(draft.copies):
        if audience not in audiences:
            raise InvalidInput(f"copies.{i}", f"unknown audience {audience!r}: {sorted(audiences)}")
    for i, organisation in enumerate(draft.signatories):
        if organisation not in group.members:
            raise InvalidInput(f"signatories.{i}", f"{organisation!r} is not a member")
    for field, text in (("title", draft.title), ("text", draft.text)):
        for kind, name_id in placeholders(text):
            if _names(scenario, dep, kind, name_id) is None:
                raise InvalidInput(field, f"{{{kind}:{name_id}}} names no known {kind}")
    now = now or utcnow()
    with dep.db.begin() as conn:
        if draft.meeting is not None and store.get_meeting(conn, group.id, draft.meeting) is None:
            raise InvalidInput("meeting", f"the group has no meeting {draft.meeting}")
        document_id = str(uuid.uuid4())
        store.insert_document(
            conn,
            id=document_id,
            group_id=group.id,
            meeting=draft.meeting,
            title=draft.title,
            text=draft.text,
            language=draft.language,
            signatories=list(draft.signatories),
            copies=list(draft.copies),
            substance_sha256=substance_hash(draft.title, draft.text),
            issued_at=now,
        )
        issued = store.get_document(conn, document_id)
        assert issued is not None
        content = {k: v for k, v in asdict(issued).items() if k not in ("id", "issued_at")}
        groups.record(conn, "document", issued.id, 1, now, viewer, "issued", content)
    return issued


def get_document(dep: Deployment, viewer: Viewer, document_id: str) -> Document:
    """The document, or NotFound (also when its group is not one the viewer sees)."""
    with dep.db.read() as conn:
        found = store.get_document(conn, document_id)
    if found is None:
        raise NotFound("no such document", "document_id")
    try:
        groups.get_group(dep, viewer, found.group_id)
    except NotFound:
        raise NotFound("no such document", "document_id") from None
    return found


def documents_of(dep: Deployment, viewer: Viewer, group_id: str) -> list[Document]:
    group = groups.get_group(dep, viewer, group_id)
    with dep.db.read() as conn:
        return store.documents_of(conn, [group.id])


def mirrored_copy(dep: Deployment, document: Document, audience_id: str) -> dict[str, Any]:
    """One audience's copy: the title and text with its names, the signatory blocks it
    accepts (each with the signatures recorded on this copy), and the substance's hash."""
    scenario = dep.scenario
    audience = next((a for a in scenario.audiences if a.id == audience_id), None)
    if audience is None or audience_id not in document.copies:
        raise NotFound(f"the document has no copy for {audience_id!r}", "copy")
    with dep.db.read() as conn:
        signed = [s for s in store.signatures_of(conn, document.id) if s.copy == audience_id]

    def name(kind: str, name_id: str) -> str:
        names = _names(scenario, dep, kind, name_id)
        return scenario.name_of(names, audience.id, document.language) if names else name_id

    blocks = []
    for organisation in accepted(scenario, audience_id, document.signatories):
        found = scenario.organisation(organisation)
        blocks.append({
            "organisation": organisation,
            "name": scenario.name_of(found.names, audience.id, document.language)
            if found else organisation,
            "signatures": [asdict(s) | {"signed_at": s.signed_at.isoformat()}
                           for s in signed if s.organisation == organisation],
        })  # fmt: skip
    return {
        "document_id": document.id,
        "group_id": document.group_id,
        "meeting": document.meeting,
        "copy": audience_id,
        "copy_label": in_language(audience.label, document.language, audience_id),
        "language": document.language,
        "title": render(document.title, name),
        "text": render(document.text, name),
        "signatory_blocks": blocks,
        "substance_sha256": document.substance_sha256,
        "issued_at": document.issued_at.isoformat(),
    }


def accepted(scenario: Scenario, audience_id: str, signatories: list[str]) -> list[str]:
    """The signatories whose blocks a copy for this audience carries: all but those of the
    parties the audience omits."""
    audience = next(a for a in scenario.audiences if a.id == audience_id)
    kept = []
    for organisation in signatories:
        found = scenario.organisation(organisation)
        if found is None or found.party not in audience.omits_signatures_of:
            kept.append(organisation)
    return kept


def sign(
    dep: Deployment,
    viewer: Viewer,
    document_id: str,
    audience_id: str,
    draft: SignatureDraft,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record that an organisation signed one copy (by the chairs' secretariat, who hold the
    signed copies); a copy is signed once per organisation."""
    document = get_document(dep, viewer, document_id)
    groups.run_group(dep, viewer, document.group_id)
    if audience_id not in document.copies:
        raise NotFound(f"the document has no copy for {audience_id!r}", "copy")
    if draft.organisation not in accepted(dep.scenario, audience_id, document.signatories):
        raise InvalidInput("organisation", f"no signatory block for it on the {audience_id} copy")
    now = now or utcnow()
    with dep.db.begin() as conn:
        done = store.signatures_of(conn, document.id)
        if any(s.copy == audience_id and s.organisation == draft.organisation for s in done):
            raise Conflict(f"{draft.organisation} has signed the {audience_id} copy already")
        signature_id = str(uuid.uuid4())
        values = {"copy": audience_id, **draft.model_dump()}
        store.insert_signature(conn, id=signature_id, document_id=document.id, **values)
        content = {"document": document.id, **draft.model_dump(mode="json"), "copy": audience_id}
        groups.record(conn, "signature", signature_id, 1, now, viewer, "signed", content)
    return mirrored_copy(dep, document, audience_id)


def _names(scenario: Scenario, dep: Deployment, kind: str, name_id: str) -> Any:
    """The names of what a placeholder names, or None."""
    if kind == "org":
        found: Any = scenario.organisation(name_id)
    elif kind == "party":
        found = next((p for p in scenario.parties if p.id == name_id), None)
    else:
        found = dep.gazetteer.place(name_id)
    return found.names if found is not None else None
