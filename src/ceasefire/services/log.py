"""The verifiable record: logging every record version, checkpoints, witnesses, proofs, audit.

Every version of a record becomes a log leaf in the transaction that writes
it (`record`). `publish_checkpoint` adds the new leaves to the tree and signs a
C2SP checkpoint; `collect_cosignatures` pushes it to the deployment's
witnesses (C2SP tlog-witness) and stores their cosignatures; a checkpoint is
*settled* when every witness has cosigned it. `audit` recomputes every leaf
from the database and every checkpoint from the leaves, so a row edited
behind the service's back is found.
"""

from __future__ import annotations

import base64
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ceasefire.domain.authorization import PROTECTED_FIELDS, Viewer
from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.records import Corroboration, IncidentVersion
from ceasefire.ledger import merkle
from ceasefire.ledger.leaf import Entry, commitment, derive, new_secret
from ceasefire.ledger.note import (
    Checkpoint,
    Note,
    NoteError,
    parse_checkpoint,
    parse_note,
    verify_cosignature,
    verify_note,
)
from ceasefire.services.deployment import Deployment, WitnessEndpoint, utcnow
from ceasefire.store import aid as aid_store
from ceasefire.store import cases as case_store
from ceasefire.store import exports as export_store
from ceasefire.store import geography as geography_store
from ceasefire.store import groups as group_store
from ceasefire.store import incidents as incident_store
from ceasefire.store import log as store
from ceasefire.store import movements as movement_store
from ceasefire.store import notices as notice_store
from ceasefire.store import notifications as notification_store
from ceasefire.store.aid import AidEvent
from ceasefire.store.cases import Case, CaseEvent
from ceasefire.store.exports import Export
from ceasefire.store.groups import GroupVersion
from ceasefire.store.movements import MovementVersion
from ceasefire.store.notices import NoticeVersion
from ceasefire.store.notifications import NotificationVersion, Reply

MAX_ENTRIES = 1000
SYSTEM_ORG = "ceasefire"
"""author_org of what the service records itself (a case filed on the public form)"""
logger = logging.getLogger("ceasefire.log")


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def version_entry(version: IncidentVersion, secret: bytes) -> Entry:
    """The log entry of one incident version. Fields only some readers may see (sources)
    are committed to inside it, so other readers can still check the rest."""
    record = dict(version.content)
    protected = {name: record.pop(name) for name in PROTECTED_FIELDS if name in record}
    return Entry(
        kind="incident",
        id=version.incident_id,
        version=version.version,
        at=_at(version.at),
        author_org=version.author_org,
        content={
            "change": version.change,
            "status": version.status.value,
            "classification": version.classification.value,
            "reason": version.reason,
            "record": record,
            "protected": commitment(protected, derive(secret, "protected")),
        },
    )


def corroboration_entry(corroboration: Corroboration) -> Entry:
    return Entry(
        kind="corroboration",
        id=corroboration.id,
        version=1,
        at=_at(corroboration.at),
        author_org=corroboration.organisation_id,
        content={
            "incident_id": corroboration.incident_id,
            "note": corroboration.note,
            **corroboration.content,
        },
    )


def notification_entry(version: NotificationVersion) -> Entry:
    """One step of a notification: queued, delivered, failed, acknowledged, escalated."""
    return Entry(
        kind="notification",
        id=version.notification_id,
        version=version.version,
        at=_at(version.at),
        author_org=version.author_org,
        content={"event": version.event, **version.content},
    )


def reply_entry(reply: Reply) -> Entry:
    """A party's reply to a notification, attached to the record it is about."""
    return Entry(
        kind="reply",
        id=reply.id,
        version=1,
        at=_at(reply.at),
        author_org=reply.organisation_id,
        content={
            "notification_id": reply.notification_id,
            "incident_id": reply.incident_id,
            "text": reply.text,
        },
    )


def notice_entry(version: NoticeVersion) -> Entry:
    """One state of an activity notice: what, who, where, when, and how it was assessed."""
    return Entry(
        kind="notice",
        id=version.notice_id,
        version=version.version,
        at=_at(version.at),
        author_org=version.author_org,
        content={"change": version.change, "status": version.status.value, **version.content},
    )


def record_notice(
    conn: Any, version: NoticeVersion, steps: Sequence[NotificationVersion] = ()
) -> int:
    """Log a notice's version and the notifications it caused (committed to: a notice is
    read by its filer, the mission and those told of it, not by everyone who reads the log)."""
    leaf = (notice_entry(version), new_secret(), True)
    return store.append(conn, [leaf, *notification_leaves(steps)])[0]


def group_entry(version: GroupVersion) -> Entry:
    """One state of a working group's meeting (agenda, attendance, minutes) or commitment."""
    return Entry(
        kind=version.kind,
        id=version.record_id,
        version=version.version,
        at=_at(version.at),
        author_org=version.author_org,
        content={"change": version.change, **version.content},
    )


def record_group_version(
    conn: Any, version: GroupVersion, steps: Sequence[NotificationVersion] = ()
) -> int:
    """Log a meeting's or a commitment's version, and the notifications it caused (committed
    to: a group's work is its members', and a confidential group's nobody else's)."""
    leaf = (group_entry(version), new_secret(), True)
    return store.append(conn, [leaf, *notification_leaves(steps)])[0]


def movement_entry(version: MovementVersion) -> Entry:
    """A movement's registration, or one checkpoint's report on it."""
    return Entry(
        kind="movement",
        id=version.movement_id,
        version=version.version,
        at=_at(version.at),
        author_org=version.author_org,
        content={
            "change": version.change,
            "status": version.status.value,
            "incident_id": version.incident_id,
            **version.content,
        },
    )


def record_movement(conn: Any, version: MovementVersion, public: bool) -> int:
    """Log a movement's version (committed to unless the movement is public)."""
    return store.append(conn, [(movement_entry(version), new_secret(), not public)])[0]


def case_entry(item: Case, event: CaseEvent) -> Entry:
    """A case's version (`event`): what it is about, the sealed identity included, and what
    this version did, the sealed notes included; always committed to (the leaf shows a salted
    hash only)."""
    content: dict[str, Any] = {
        "reference": item.reference,
        "status": event.status.value,
        "category": item.category,
        "priority": event.priority.value,
        "place_id": item.place_id,
        "zone": item.zone,
        "acts": list(event.acts),
        "inform": list(event.inform),
        "other_side_first": event.other_side_first,
        "sealed": item.sealed,
    }
    if event.version > 1:
        content.update(
            action=event.action,
            actor=event.actor,
            owner=event.owner,
            details=event.details,
            notes=event.notes,
        )
    return Entry(
        kind="case",
        id=item.id,
        version=event.version,
        at=_at(event.at),
        author_org=SYSTEM_ORG,
        content=content,
    )


def record_case(
    conn: Any, item: Case, event: CaseEvent, steps: Sequence[NotificationVersion] = ()
) -> int:
    leaf = (case_entry(item, event), new_secret(), True)
    return store.append(conn, [leaf, *notification_leaves(steps)])[0]


LINE = "line-of-contact"


def line_entry(row: Any) -> Entry:
    """A version of the line of contact the mission recorded (a `line_versions` row): its
    drawing and provenance, in the open, for every party to hold the others to."""
    return Entry(
        kind="line",
        id=LINE,
        version=row.version,
        at=_at(row.recorded_at),
        author_org=row.author_org,
        content={
            "drawing": row.drawing,
            "provenance": row.provenance,
            "illustrative": row.illustrative,
            "recorded_by": row.recorded_by,
        },
    )


def record_line(conn: Any, row: Any) -> int:
    return store.append(conn, [(line_entry(row), new_secret(), False)])[0]


def export_entry(export: Export) -> Entry:
    """Who took which report or export, with which filters (and a report's figures' hash)."""
    return Entry(
        kind="export",
        id=export.id,
        version=1,
        at=_at(export.at),
        author_org=export.organisation_id,
        content={
            "by": export.username,
            "export": export.kind,
            "parameters": export.parameters,
            "sha256": export.sha256,
            "records": export.records,
        },
    )


def aid_entry(event: AidEvent) -> Entry:
    """A version of an assistance record (a household, a run, a handover…): always committed
    to — the leaf shows a salted hash only — as it concerns people in need."""
    return Entry(
        kind=event.kind,
        id=event.record_id,
        version=event.version,
        at=_at(event.at),
        author_org=event.organisation,
        content={"action": event.action, "actor": event.actor, **event.content},
    )


def record_aid(conn: Any, events: Sequence[AidEvent]) -> list[int]:
    """Log versions of assistance records, in the caller's transaction."""
    return store.append(conn, [(aid_entry(e), new_secret(), True) for e in events])


def journal(
    conn: Any,
    kind: str,
    record_id: str,
    version: int,
    action: str,
    content: dict[str, Any],
    *,
    by: Viewer | None,
    at: datetime,
    actor: str = "system",
    organisation: str = SYSTEM_ORG,
) -> AidEvent:
    """Write one version of an assistance record to its journal and its leaf to the log, in
    the caller's transaction: done by `by`, or (None) by `actor` in `organisation`'s name."""
    event = aid_store.insert_event(
        conn,
        kind=kind,
        record_id=record_id,
        version=version,
        at=at,
        actor=by.username if by else actor,
        organisation=by.organisation_id if by else organisation,
        action=action,
        content=content,
    )
    record_aid(conn, [event])
    return event


def record_export(conn: Any, export: Export, steps: Sequence[NotificationVersion] = ()) -> int:
    """Log an export (committed to: who reads what is the mission's to know), and the
    notification that sent it, if any."""
    leaf = (export_entry(export), new_secret(), True)
    return store.append(conn, [leaf, *notification_leaves(steps)])[0]


def record_version(
    conn: Any, version: IncidentVersion, steps: Sequence[NotificationVersion] = ()
) -> int:
    """Log an incident version, and the first steps of the notifications it caused, in the
    caller's transaction; return the version's leaf index. Call it last before the commit:
    on PostgreSQL the sequencer row stays locked from here to the end of the transaction."""
    secret = new_secret()
    committed = version.classification is not Classification.public
    leaf = (version_entry(version, secret), secret, committed)
    return store.append(conn, [leaf, *notification_leaves(steps)])[0]


def notification_leaves(steps: Sequence[NotificationVersion]) -> list[tuple[Entry, bytes, bool]]:
    """The log leaves of notification steps, to append (always committed to: a step names
    who was told, which not every reader of the record may know)."""
    return [(notification_entry(step), new_secret(), True) for step in steps]


def record_corroboration(
    conn: Any, corroboration: Corroboration, classification: Classification
) -> int:
    """Log a corroboration, committed to unless the incident it confirms is public."""
    committed = classification is not Classification.public
    entry = corroboration_entry(corroboration)
    return store.append(conn, [(entry, new_secret(), committed)])[0]


# --- checkpoints and witnesses -------------------------------------------------------------


def publish_checkpoint(dep: Deployment, now: datetime | None = None) -> int | None:
    """Add new leaves to the tree and sign a checkpoint; return its size, or None if the
    latest checkpoint already covers every leaf."""
    now = now or utcnow()
    with dep.db.begin() as conn:
        size, integrated = store.lock_state(conn)
        latest = store.latest_checkpoint(conn)
        if latest is not None and latest.size == size:
            return None
        store.integrate(conn, integrated, size)
        root = merkle.root(size, store.node_source(conn, merkle.plan_root(size)))
        body = Checkpoint(dep.log.origin, size, root).body()
        store.insert_checkpoint(conn, size, root, dep.log.signer.sign_note(body), now)
        if not dep.log.witnesses:
            store.settle(conn, size, now)
    return size


@dataclass(frozen=True)
class WitnessReport:
    witness: str
    size: int
    """The size the witness now holds, as far as the log knows."""
    line: str | None = None
    """Its cosignature line, when it cosigned."""
    error: str | None = None


Post = Callable[[str, bytes], tuple[int, str]]


def http_post(url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(64 * 1024).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, f"unreachable: {exc}"


def collect_cosignatures(
    dep: Deployment, now: datetime | None = None, post: Post = http_post
) -> list[WitnessReport]:
    """Ask every witness that has not cosigned the latest checkpoint to cosign it."""
    now = now or utcnow()
    with dep.db.read() as conn:
        latest = store.latest_checkpoint(conn)
        if latest is None:
            return []
        have = store.cosignatures(conn, latest.size)
        positions = store.witness_positions(conn)
    reports = []
    for witness in dep.log.witnesses:
        if witness.key.name in have:
            continue
        old = positions.get(witness.key.name, (0, None))[0]
        report = _push(dep, witness, latest.note, latest.size, old, post)
        with dep.db.begin() as conn:
            already = store.cosignatures(conn, latest.size)  # another worker may have been first
            if report.line is not None and witness.key.name not in already:
                store.add_cosignature(conn, latest.size, witness.key.name, report.line, now)
            store.record_witness(conn, witness.key.name, report.size, report.error, now)
        reports.append(report)
    with dep.db.begin() as conn:
        cosigned = store.cosignatures(conn, latest.size)
        if all(w.key.name in cosigned for w in dep.log.witnesses):
            store.settle(conn, latest.size, now)
    return reports


def _push(
    dep: Deployment, witness: WitnessEndpoint, note: str, size: int, old: int, post: Post
) -> WitnessReport:
    """One add-checkpoint exchange, retried once with the size a 409 reports."""
    name = witness.key.name
    for _attempt in range(2):
        if old > size:
            return WitnessReport(name, old, error=f"the witness holds size {old} > {size}")
        proof = consistency_proof(dep, old, size) if old else []
        lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        status, body = post(f"{witness.url}/add-checkpoint", f"old {old}\n{lines}\n{note}".encode())
        if status == 409 and body.strip().isdigit():
            old = int(body.strip())
            continue
        if status != 200:
            return WitnessReport(name, old, error=f"{status}: {body.strip()[:500]}")
        try:
            text = parse_note(note).text
            signed = parse_note(text + "\n" + body)
            verify_cosignature(Note(text, signed.signatures), witness.key)
        except NoteError as exc:
            return WitnessReport(name, old, error=f"bad cosignature: {exc}")
        line = next(s.line() for s in signed.signatures if s.name == name)
        return WitnessReport(name, size, line=line)
    return WitnessReport(name, old, error="the witness keeps reporting another size")


@dataclass(frozen=True)
class CheckpointState:
    size: int
    root_hash: bytes
    created_at: datetime
    settled_at: datetime | None
    cosigned: dict[str, datetime]
    note: str


def checkpoint_state(dep: Deployment) -> CheckpointState | None:
    with dep.db.read() as conn:
        latest = store.latest_checkpoint(conn)
        if latest is None:
            return None
        lines = store.cosignatures(conn, latest.size)
    return CheckpointState(
        size=latest.size,
        root_hash=latest.root_hash,
        created_at=latest.created_at,
        settled_at=latest.settled_at,
        cosigned={name: at for name, (_line, at) in lines.items()},
        note=latest.note + "".join(line for line, _at in sorted(lines.values())),
    )


def served_checkpoint(dep: Deployment) -> str | None:
    """The latest checkpoint with every cosignature collected for it."""
    state = checkpoint_state(dep)
    return state.note if state else None


def verifier_keys(dep: Deployment) -> dict[str, Any]:
    return {
        "log": dep.log.signer.verifier.vkey,
        "origin": dep.log.origin,
        "witnesses": [{"vkey": w.key.vkey, "required": True} for w in dep.log.witnesses],
    }


# --- proofs and entries --------------------------------------------------------------------


def _published_size(conn: Any) -> int:
    latest = store.latest_checkpoint(conn)
    return latest.size if latest else 0


def inclusion_proof(dep: Deployment, index: int, size: int) -> list[bytes]:
    with dep.db.read() as conn:
        if not 0 < size <= _published_size(conn):
            raise InvalidInput("size", "must be between 1 and the latest checkpoint's size")
        if not 0 <= index < size:
            raise InvalidInput("index", "must be a leaf index below size")
        nodes = store.node_source(conn, merkle.plan_inclusion(index, size))
    return merkle.inclusion_proof(index, size, nodes)


def consistency_proof(dep: Deployment, old: int, new: int) -> list[bytes]:
    with dep.db.read() as conn:
        if not 0 <= new <= _published_size(conn):
            raise InvalidInput("new", "must not exceed the latest checkpoint's size")
        if not 0 <= old <= new:
            raise InvalidInput("old", "must be between 0 and new")
        nodes = store.node_source(conn, merkle.plan_consistency(old, new))
    return merkle.consistency_proof(old, new, nodes)


def entries(dep: Deployment, start: int, end: int) -> list[bytes]:
    """Leaf bytes of [start, end), at most MAX_ENTRIES, within the published tree."""
    with dep.db.read() as conn:
        size = _published_size(conn)
        if not 0 <= start < end:
            raise InvalidInput("end", "must be greater than start, and start at least 0")
        if end - start > MAX_ENTRIES:
            raise InvalidInput("end", f"at most {MAX_ENTRIES} entries at a time")
        if end > size:
            raise InvalidInput("end", f"the latest checkpoint has {size} entries")
        return [leaf.data for leaf in store.leaves(conn, start, end)]


# --- audit ---------------------------------------------------------------------------------


@dataclass
class AuditReport:
    leaves: int = 0
    records: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)


def audit(dep: Deployment, progress: Callable[[int, int], None] | None = None) -> AuditReport:
    """Recompute every leaf from the records and every checkpoint from the leaves."""
    report = AuditReport()
    problems = report.problems
    with dep.db.read() as conn:
        versions = {
            ("incident", v.incident_id, v.version): v for v in incident_store.all_versions(conn)
        }
        corroborations = {
            ("corroboration", c.id, 1): c for c in incident_store.all_corroborations(conn)
        }
        steps = {
            ("notification", n.notification_id, n.version): notification_entry(n)
            for n in notification_store.versions(conn)
        }
        steps.update(
            {("reply", r.id, 1): reply_entry(r) for r in notification_store.replies_of(conn)}
        )
        steps.update(
            {
                ("notice", v.notice_id, v.version): notice_entry(v)
                for v in notice_store.all_versions(conn)
            }
        )
        steps.update(
            {
                ("movement", v.movement_id, v.version): movement_entry(v)
                for v in movement_store.all_versions(conn)
            }
        )
        steps.update(
            {
                ("line", LINE, row.version): line_entry(row)
                for row in geography_store.line_versions_recorded(conn)
            }
        )
        steps.update(
            {
                (v.kind, v.record_id, v.version): group_entry(v)
                for v in group_store.all_versions(conn)
            }
        )
        steps.update({("export", e.id, 1): export_entry(e) for e in export_store.all_exports(conn)})
        steps.update(
            {(e.kind, e.record_id, e.version): aid_entry(e) for e in aid_store.all_events(conn)}
        )
        filed = {c.id: c for c in case_store.all_cases(conn)}
        steps.update(
            {
                ("case", e.case_id, e.version): case_entry(filed[e.case_id], e)
                for e in case_store.all_events(conn)
            }
        )
        report.records = len(versions) + len(corroborations) + len(steps)
        size = store.next_index(conn)
        checkpoints = {c.size: c for c in store.all_checkpoints(conn)}
        tree = merkle.CompactRange()
        seen: set[tuple[str, str, int]] = set()
        for start in range(0, size, 10_000):
            for leaf in store.leaves(conn, start, min(size, start + 10_000)):
                key = (leaf.kind, leaf.record_id, leaf.version)
                seen.add(key)
                label = f"{leaf.kind} {leaf.record_id} version {leaf.version}"
                entry = steps.get(key) or _expected_entry(
                    key, leaf.secret, versions, corroborations
                )
                if entry is None:
                    problems.append(f"leaf {leaf.index}: {label} is not in the records")
                elif entry.leaf(leaf.content_salt) != leaf.data:
                    problems.append(
                        f"{label}: the stored record no longer matches leaf {leaf.index}"
                    )
                if merkle.leaf_hash(leaf.data) != leaf.leaf_hash:
                    problems.append(
                        f"leaf {leaf.index}: its stored hash is not the hash of its data"
                    )
                tree.append(merkle.leaf_hash(leaf.data))
                _check_checkpoint(dep, conn, checkpoints.get(tree.size), tree.root(), problems)
                report.leaves += 1
            if progress:
                progress(min(size, start + 10_000), size)
        expected = versions.keys() | corroborations.keys() | steps.keys()
        for kind, record_id, number in sorted(expected - seen):
            problems.append(f"{kind} {record_id} version {number}: has no leaf in the log")
        report.checkpoints = len(checkpoints)
    return report


def _expected_entry(
    key: tuple[str, str, int],
    secret: bytes,
    versions: dict[tuple[str, str, int], IncidentVersion],
    corroborations: dict[tuple[str, str, int], Corroboration],
) -> Entry | None:
    if key in versions:
        return version_entry(versions[key], secret)
    if key in corroborations:
        return corroboration_entry(corroborations[key])
    return None


def _check_checkpoint(
    dep: Deployment,
    conn: Any,
    checkpoint: store.StoredCheckpoint | None,
    root: bytes,
    problems: list[str],
) -> None:
    if checkpoint is None:
        return
    where = f"checkpoint {checkpoint.size}"
    try:
        note = verify_note(checkpoint.note, dep.log.signer.verifier)
        body = parse_checkpoint(note.text)
    except NoteError as exc:
        problems.append(f"{where}: {exc}")
        return
    if body.root_hash != root or checkpoint.root_hash != root:
        problems.append(f"{where}: its root is not the root of the leaves now stored")
    for witness in dep.log.witnesses:
        line = store.cosignatures(conn, checkpoint.size).get(witness.key.name)
        if line is None:
            continue
        try:
            verify_cosignature(parse_note(note.text + "\n" + line[0]), witness.key)
        except NoteError as exc:
            problems.append(f"{where}: {exc}")


# --- a record's leaves, checked --------------------------------------------------------------


@dataclass(frozen=True)
class LeafState:
    """Where one version of a record stands in the log, as checked just now."""

    kind: str
    record_id: str
    version: int
    index: int | None
    state: str
    """verified (in a settled checkpoint, proof checked), logged (awaiting one),
    altered (the record no longer matches its leaf) or missing (no leaf)."""
    secret: bytes | None
    committed: bool


def leaf_states(
    conn: Any, versions: list[IncidentVersion], corroborations: list[Corroboration]
) -> list[LeafState]:
    expected: dict[tuple[str, str, int], IncidentVersion | Corroboration] = {
        ("incident", v.incident_id, v.version): v for v in versions
    }
    expected.update({("corroboration", c.id, 1): c for c in corroborations})
    stored = {
        (leaf.kind, leaf.record_id, leaf.version): leaf
        for kind in ("incident", "corroboration")
        for leaf in store.leaves_of(conn, kind, {k[1] for k in expected if k[0] == kind})
    }
    settled = store.latest_checkpoint(conn, settled=True)
    states = []
    for key, item in expected.items():
        leaf = stored.get(key)
        if leaf is None:
            states.append(LeafState(*key, None, "missing", None, False))
            continue
        entry = (
            version_entry(item, leaf.secret)
            if isinstance(item, IncidentVersion)
            else corroboration_entry(item)
        )
        state = "logged"
        if entry.leaf(leaf.content_salt) != leaf.data:
            state = "altered"
        elif settled is not None and leaf.index < settled.size:
            nodes = store.node_source(conn, merkle.plan_inclusion(leaf.index, settled.size))
            proof = merkle.inclusion_proof(leaf.index, settled.size, nodes)
            try:
                merkle.verify_inclusion(
                    leaf.index, settled.size, leaf.leaf_hash, proof, settled.root_hash
                )
                state = "verified"
            except merkle.ProofError:
                state = "altered"
        states.append(LeafState(*key, leaf.index, state, leaf.secret, leaf.committed))
    return sorted(states, key=lambda s: (s.index is None, s.index or 0))


def run_worker(dep: Deployment, interval: float, stop: threading.Event) -> None:
    """Publish a checkpoint when leaves were added and gather cosignatures, every `interval`
    seconds until `stop` is set (inside `ceasefire serve`)."""
    while not stop.is_set():
        try:
            publish_checkpoint(dep)
            for report in collect_cosignatures(dep):
                if report.error:
                    logger.warning("witness %s did not cosign: %s", report.witness, report.error)
        except Exception:  # keep checkpointing through a bad moment; the error is logged
            logger.exception("the log worker failed; retrying")
        stop.wait(interval)


@dataclass(frozen=True)
class WitnessState:
    name: str
    vkey: str
    size: int
    """The size the log last knew this witness to hold."""
    cosigned_latest_at: datetime | None
    last_error: str | None


def witness_states(dep: Deployment) -> list[WitnessState]:
    with dep.db.read() as conn:
        latest = store.latest_checkpoint(conn)
        cosigned = store.cosignatures(conn, latest.size) if latest else {}
        positions = store.witness_positions(conn)
    return [
        WitnessState(
            name=w.key.name,
            vkey=w.key.vkey,
            size=positions.get(w.key.name, (0, None))[0],
            cosigned_latest_at=cosigned[w.key.name][1] if w.key.name in cosigned else None,
            last_error=positions.get(w.key.name, (0, None))[1],
        )
        for w in dep.log.witnesses
    ]
