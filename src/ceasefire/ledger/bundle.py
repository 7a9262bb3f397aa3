"""Offline verification of an exported bundle, with public keys alone.

A bundle (`ceasefire-bundle/1`, JSON) holds a checkpoint signed by the log and
cosigned by witnesses, every leaf of the log up to that checkpoint, and the
records the exporter may read: each version with its content, its salt when
the leaf commits to the content, and an inclusion proof. `verify_bundle`
checks, against the keys a party trusts:

- the log's signature and a cosignature from every trusted witness;
- that the leaves are exactly the log's leaves up to the checkpoint (their
  root is the checkpoint's root), so nothing was removed or reordered;
- that each record recomputes to its leaf (content and salt) and that the
  leaf's inclusion proof leads to the root;
- that no record was dropped: every public leaf, and every version of a record
  the bundle contains, must come with its record.

Each problem names the record and the reason.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from ceasefire.ledger import merkle
from ceasefire.ledger.leaf import Entry, LeafView, commitment, read_leaf
from ceasefire.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    Verifier,
    parse_checkpoint,
    parse_note,
    parse_vkey,
    verify_cosignature,
    verify_note,
)

FORMAT = "ceasefire-bundle/1"


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    records: int = 0
    verified: int = 0
    withheld: int = 0
    size: int = 0
    cosigned_by: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_trust(text: str) -> list[Verifier]:
    """Trusted keys, one vkey a line (`#` starts a comment)."""
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            try:
                keys.append(parse_vkey(line))
            except NoteError as exc:
                raise ValueError(f"line {number}: {exc}") from None
    return keys


def _label(kind: str, record_id: str, version: int) -> str:
    return f"{kind} {record_id} version {version}"


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid base64") from None


def verify_bundle(bundle: dict[str, Any], trusted: list[Verifier]) -> Verdict:
    verdict = Verdict()
    if bundle.get("format") != FORMAT:
        verdict.problems.append(f"not a {FORMAT} bundle")
        return verdict
    logs = [k for k in trusted if k.kind == ED25519]
    witnesses = [k for k in trusted if k.kind == COSIGNATURE_V1]
    try:
        note = parse_note(str(bundle.get("checkpoint", "")))
        checkpoint = parse_checkpoint(note.text)
    except NoteError as exc:
        verdict.problems.append(f"checkpoint: {exc}")
        return verdict
    log_key = next((k for k in logs if k.name == checkpoint.origin), None)
    if log_key is None:
        verdict.problems.append(f"checkpoint: no trusted key for log {checkpoint.origin!r}")
        return verdict
    try:
        verify_note(note.serialize(), log_key)
    except NoteError as exc:
        verdict.problems.append(f"checkpoint: {exc}")
    for witness in witnesses:
        try:
            verify_cosignature(note, witness)
            verdict.cosigned_by.append(witness.name)
        except NoteError as exc:
            verdict.problems.append(f"checkpoint: {exc}")
    verdict.size = checkpoint.size

    leaves = _leaves(bundle, checkpoint.size, checkpoint.root_hash, verdict)
    records = bundle.get("records")
    if not isinstance(records, list):
        verdict.problems.append("records: not a list")
        return verdict
    covered: set[int] = set()
    for position, record in enumerate(records):
        verdict.records += 1
        index = _check_record(record, position, leaves, checkpoint, verdict)
        if index is not None:
            covered.add(index)
    _check_dropped(leaves, covered, verdict)
    return verdict


def _leaves(
    bundle: dict[str, Any], size: int, root: bytes, verdict: Verdict
) -> dict[int, LeafView]:
    """Decode the leaves and check they are exactly the tree of the checkpoint."""
    encoded = bundle.get("leaves")
    if not isinstance(encoded, list) or len(encoded) != size:
        verdict.problems.append(f"leaves: expected the {size} leaves of the checkpoint")
        return {}
    tree = merkle.CompactRange()
    views: dict[int, LeafView] = {}
    for index, item in enumerate(encoded):
        try:
            data = _b64(item, f"leaf {index}")
            views[index] = read_leaf(data)
        except ValueError as exc:
            verdict.problems.append(f"leaf {index}: {exc}")
            return {}
        tree.append(merkle.leaf_hash(data))
    if tree.root() != root:
        verdict.problems.append("leaves: they do not add up to the checkpoint's root hash")
        return {}
    return views


def _check_record(
    record: Any,
    position: int,
    leaves: dict[int, LeafView],
    checkpoint: Any,
    verdict: Verdict,
) -> int | None:
    try:
        index = int(record["index"])
        entry = Entry(
            kind=str(record["kind"]),
            id=str(record["id"]),
            version=int(record["version"]),
            at=str(record["at"]),
            author_org=str(record["author_org"]),
            content=record["content"],
        )
        salt = None if record.get("salt") is None else _b64(record["salt"], "salt")
        proof = [_b64(p, "proof") for p in record["proof"]]
    except (KeyError, TypeError, ValueError) as exc:
        verdict.problems.append(f"records[{position}]: malformed ({exc})")
        return None
    label = _label(entry.kind, entry.id, entry.version)
    view = leaves.get(index)
    if view is None:
        verdict.problems.append(f"{label}: leaf {index} is not in the checkpoint")
        return None
    if (view.kind, view.id, view.version) != (entry.kind, entry.id, entry.version):
        verdict.problems.append(f"{label}: leaf {index} is about another record")
        return index
    if view.commitment is not None and salt is None:
        verdict.problems.append(
            f"{label}: leaf {index} commits to the content; the salt is missing"
        )
        return index
    leaf = entry.leaf(salt if view.commitment is not None else None)
    if read_leaf(leaf) != view:
        why = "wrong salt or edited content" if view.commitment else "edited content"
        verdict.problems.append(f"{label}: does not match its leaf {index} ({why})")
        return index
    problem = _protected_problem(record.get("protected"), entry.content)
    if problem:
        verdict.problems.append(f"{label}: {problem}")
        return index
    try:
        merkle.verify_inclusion(
            index, checkpoint.size, merkle.leaf_hash(leaf), proof, checkpoint.root_hash
        )
    except merkle.ProofError as exc:
        verdict.problems.append(f"{label}: inclusion proof fails ({exc})")
        return index
    verdict.verified += 1
    return index


def _protected_problem(disclosed: Any, content: Any) -> str | None:
    """Fields disclosed beside the content must match the commitment inside it."""
    if disclosed is None:
        return None
    try:
        salt = _b64(disclosed["salt"], "protected salt")
        fields = disclosed["fields"]
        committed = content["protected"]
    except (KeyError, TypeError, ValueError) as exc:
        return f"malformed protected fields ({exc})"
    if commitment(fields, salt) != committed:
        return "its protected fields (sources) do not match their commitment"
    return None


def _check_dropped(leaves: dict[int, LeafView], covered: set[int], verdict: Verdict) -> None:
    present = {(leaves[i].kind, leaves[i].id) for i in covered if i in leaves}
    for index, view in leaves.items():
        if index in covered:
            continue
        label = _label(view.kind, view.id, view.version)
        if view.content is not None:
            verdict.problems.append(f"{label}: public in the log (leaf {index}) but dropped")
        elif (view.kind, view.id) in present:
            verdict.problems.append(f"{label}: leaf {index} is missing from the bundle")
        else:
            verdict.withheld += 1
