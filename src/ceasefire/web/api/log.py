"""/api/v1/log: the checkpoint, proofs, entries and keys, for anyone who wants to verify.

The checkpoint, the proofs and the keys carry only hashes, sizes and public
keys, so they need no account: a party's witness or auditor checks the log
with public keys alone. Entries name records (kind, id, version, time and
reporting organisation) and so need a signed-in user; their content is in
clear only for public records.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import Forbidden, NotFound
from ceasefire.services import log
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import api_viewer, deployment

router = APIRouter(prefix="/log", tags=["log"])

DepDep = Annotated[Deployment, Depends(deployment)]
ViewerDep = Annotated[Viewer, Depends(api_viewer)]
Size = Annotated[int, Query(ge=0, le=2**62)]


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(dep: DepDep) -> PlainTextResponse:
    """The latest checkpoint (C2SP signed note) with the witnesses' cosignatures."""
    note = log.served_checkpoint(dep)
    if note is None:
        raise NotFound("the log has no checkpoint yet")
    return PlainTextResponse(note, media_type="text/plain; charset=utf-8")


@router.get("/proof/inclusion")
def inclusion(index: Size, size: Size, dep: DepDep) -> dict[str, Any]:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    proof = log.inclusion_proof(dep, index, size)
    return {"index": index, "size": size, "hashes": _b64(proof)}


@router.get("/proof/consistency")
def consistency(old: Size, new: Size, dep: DepDep) -> dict[str, Any]:
    """RFC 9162 consistency proof from the tree of `old` leaves to the tree of `new`."""
    proof = log.consistency_proof(dep, old, new)
    return {"old": old, "new": new, "hashes": _b64(proof)}


@router.get("/entries")
def entries(start: Size, end: Size, dep: DepDep, viewer: ViewerDep) -> dict[str, Any]:
    """The leaves [start, end), each as its bytes in base64 (at most 1,000 at a time)."""
    if not authz.can_read_log_entries(viewer):
        raise Forbidden("your role cannot read log entries")
    leaves = log.entries(dep, start, end)
    return {"start": start, "entries": [base64.b64encode(leaf).decode() for leaf in leaves]}


@router.get("/keys")
def keys(dep: DepDep) -> dict[str, Any]:
    """The log's and the required witnesses' verifier keys (C2SP vkey strings)."""
    return log.verifier_keys(dep)
