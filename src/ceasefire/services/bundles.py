"""Exporting a verification bundle: what one user may see, with everything needed to check it
offline against the log's and the witnesses' public keys (`ceasefire.ledger.bundle`)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Forbidden, NotFound
from ceasefire.domain.records import IncidentQuery
from ceasefire.ledger import merkle
from ceasefire.ledger.bundle import FORMAT
from ceasefire.ledger.leaf import Entry, derive
from ceasefire.services import exports, groups, log
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import groups as group_store
from ceasefire.store import incidents as incident_store
from ceasefire.store import log as log_store


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def export_bundle(
    dep: Deployment,
    viewer: Viewer,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The settled checkpoint, every leaf up to it, and each record version this viewer may
    read that it covers (incidents and their corroborations; the records of the working
    groups the viewer sees), with salts and inclusion proofs."""
    if not authz.can_export_bundle(viewer):
        raise Forbidden("your role cannot export bundles")
    readable = list(exports.readable_incidents(dep, viewer, IncidentQuery()))
    with dep.db.read() as conn:
        settled = log_store.latest_checkpoint(conn, settled=True)
        if settled is None:
            raise NotFound("the log has no settled checkpoint yet: wait for the witnesses")
        size = settled.size
        note = settled.note + "".join(
            line for line, _at in sorted(log_store.cosignatures(conn, size).values())
        )
        leaves = [leaf.data for leaf in log_store.leaves(conn, 0, size)]
        records: list[dict[str, Any]] = []
        for done, incident in enumerate(readable, start=1):
            sees_protected = not authz.hidden_fields(viewer, incident.access)
            versions = incident_store.versions_of(conn, incident.id)
            corroborations = incident_store.corroborations_of(conn, incident.id)
            stored = {
                (leaf.kind, leaf.record_id, leaf.version): leaf
                for kind, ids in (
                    ("incident", [incident.id]),
                    ("corroboration", [c.id for c in corroborations]),
                )
                for leaf in log_store.leaves_of(conn, kind, ids)
                if leaf.index < size
            }
            for version in versions:
                leaf = stored.get(("incident", incident.id, version.version))
                if leaf is None:
                    continue
                item = _item(conn, leaf, log.version_entry(version, leaf.secret), size)
                if sees_protected:
                    fields = {
                        k: version.content[k]
                        for k in authz.PROTECTED_FIELDS
                        if k in version.content
                    }
                    item["protected"] = {
                        "fields": fields,
                        "salt": _b64(derive(leaf.secret, "protected")),
                    }
                records.append(item)
            for corroboration in corroborations:
                leaf = stored.get(("corroboration", corroboration.id, 1))
                if leaf is not None:
                    entry = log.corroboration_entry(corroboration)
                    records.append(_item(conn, leaf, entry, size))
            if progress:
                progress(done)
        records.extend(_group_records(dep, viewer, conn, size))
    return {
        "format": FORMAT,
        "origin": dep.log.origin,
        "exported_by": {"user": viewer.username, "organisation": viewer.organisation_id},
        "exported_at": (now or utcnow()).isoformat(),
        "checkpoint": note,
        "leaves": [_b64(data) for data in leaves],
        "records": records,
    }


def _item(conn: Any, leaf: log_store.StoredLeaf, entry: Entry, size: int) -> dict[str, Any]:
    """One record version as the database holds it, with what checks it against the log."""
    nodes = log_store.node_source(conn, merkle.plan_inclusion(leaf.index, size))
    return {
        "index": leaf.index,
        "kind": entry.kind,
        "id": entry.id,
        "version": entry.version,
        "at": entry.at,
        "author_org": entry.author_org,
        "content": entry.content,
        "salt": _b64(leaf.content_salt) if leaf.content_salt else None,
        "proof": [_b64(h) for h in merkle.inclusion_proof(leaf.index, size, nodes)],
    }


def _group_records(dep: Deployment, viewer: Viewer, conn: Any, size: int) -> list[dict[str, Any]]:
    """Every version of the meetings, commitments, documents (with their substance hash) and
    signatures of the working groups the viewer sees."""
    visible = [g.id for g in groups.visible_groups(dep, viewer)]
    ids = {
        "meeting": [m.id for g in visible for m in group_store.meetings_of(conn, g)],
        "commitment": [c.id for c in group_store.commitments_of(conn, visible)],
        "document": [d.id for d in group_store.documents_of(conn, visible)],
    }
    ids["signature"] = [s.id for d in ids["document"] for s in group_store.signatures_of(conn, d)]
    items = []
    for kind, record_ids in ids.items():
        stored = {
            (leaf.record_id, leaf.version): leaf
            for leaf in log_store.leaves_of(conn, kind, record_ids)
            if leaf.index < size
        }
        for record_id in record_ids:
            for version in group_store.versions_of(conn, kind, record_id):
                leaf = stored.get((record_id, version.version))
                if leaf is not None:
                    items.append(_item(conn, leaf, log.group_entry(version), size))
    return items
