"""Queries on the log: sequencing leaves, the tree's stored nodes, checkpoints and witnesses.

`append` runs inside the transaction of the record it logs: it advances the one
`log_state` row, which every appender must lock, so leaf indexes are dense and
follow commit order on SQLite (one writer) and on PostgreSQL (the row lock is
held to commit) alike. `integrate` later adds the leaves to the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from ceasefire.ledger import merkle
from ceasefire.ledger.leaf import Entry, derive
from ceasefire.store.tables import (
    log_checkpoints,
    log_cosignatures,
    log_leaves,
    log_nodes,
    log_state,
    log_witnesses,
)


@dataclass(frozen=True)
class StoredLeaf:
    index: int
    kind: str
    record_id: str
    version: int
    leaf_hash: bytes
    data: bytes
    secret: bytes
    committed: bool

    @property
    def content_salt(self) -> bytes | None:
        return derive(self.secret, "content") if self.committed else None


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    created_at: datetime
    settled_at: datetime | None


def append(conn: Connection, entries: list[tuple[Entry, bytes, bool]]) -> list[int]:
    """Give each (entry, secret, committed) the next index and store its leaf (content
    committed to with the secret's content salt when `committed`); return the indexes."""
    end = conn.execute(
        update(log_state)
        .where(log_state.c.id == 1)
        .values(next_index=log_state.c.next_index + len(entries))
        .returning(log_state.c.next_index)
    ).scalar_one()
    first = int(end) - len(entries)
    rows: list[dict[str, Any]] = []
    for offset, (entry, secret, committed) in enumerate(entries):
        data = entry.leaf(derive(secret, "content") if committed else None)
        rows.append(
            {
                "idx": first + offset,
                "kind": entry.kind,
                "record_id": entry.id,
                "version": entry.version,
                "leaf_hash": merkle.leaf_hash(data),
                "data": data,
                "secret": secret,
                "committed": committed,
            }
        )
    conn.execute(insert(log_leaves), rows)
    return list(range(first, first + len(entries)))


def lock_state(conn: Connection) -> tuple[int, int]:
    """Lock the sequencer row for this transaction; return (next_index, integrated_size)."""
    row = conn.execute(
        select(log_state.c.next_index, log_state.c.integrated_size)
        .where(log_state.c.id == 1)
        .with_for_update()
    ).one()
    return int(row.next_index), int(row.integrated_size)


def next_index(conn: Connection) -> int:
    """How many leaves are sequenced (without locking: for readers)."""
    return int(conn.execute(select(log_state.c.next_index).where(log_state.c.id == 1)).scalar_one())


def integrate(conn: Connection, old: int, new: int) -> None:
    """Add leaves [old, new) to the stored tree (call with the state locked)."""
    hashes = conn.execute(
        select(log_leaves.c.leaf_hash)
        .where(log_leaves.c.idx >= old, log_leaves.c.idx < new)
        .order_by(log_leaves.c.idx)
    ).scalars()
    known = nodes(conn, merkle.frontier(old))
    made: dict[merkle.Node, bytes] = {}

    def lookup(level: int, index: int) -> bytes:
        key = (level, index)
        return made[key] if key in made else known[key]

    count = 0
    for index, leaf_hash in enumerate(hashes, start=old):
        made[(0, index)] = leaf_hash
        made.update(merkle.parents(0, index, lookup))
        count += 1
    if count != new - old:
        raise RuntimeError(f"leaves {old}..{new} are not all stored: the log has a gap")
    if made:
        conn.execute(
            insert(log_nodes),
            [{"level": lv, "idx": ix, "hash": h} for (lv, ix), h in made.items()],
        )
    conn.execute(update(log_state).where(log_state.c.id == 1).values(integrated_size=new))


def nodes(conn: Connection, keys: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    """The stored nodes at these (level, index) keys, in one query that the primary key
    answers: one `level = ? AND idx IN (…)` term per level. (A row-value `IN` would make
    SQLite scan the whole table.)"""
    by_level: dict[int, list[int]] = {}
    for level, index in keys:
        by_level.setdefault(level, []).append(index)
    if not by_level:
        return {}
    c = log_nodes.c
    condition = or_(*(and_(c.level == lv, c.idx.in_(ix)) for lv, ix in sorted(by_level.items())))
    rows = conn.execute(select(c.level, c.idx, c.hash).where(condition))
    return {(row.level, row.idx): row.hash for row in rows}


def node_source(conn: Connection, keys: Iterable[merkle.Node]) -> merkle.NodeSource:
    return merkle.from_mapping(nodes(conn, keys))


def leaves(conn: Connection, start: int, end: int) -> list[StoredLeaf]:
    rows = conn.execute(
        select(log_leaves)
        .where(log_leaves.c.idx >= start, log_leaves.c.idx < end)
        .order_by(log_leaves.c.idx)
    )
    return [_leaf(row) for row in rows]


def leaves_of(conn: Connection, kind: str, record_ids: Iterable[str]) -> list[StoredLeaf]:
    ids = list(record_ids)
    rows = conn.execute(
        select(log_leaves)
        .where(log_leaves.c.kind == kind, log_leaves.c.record_id.in_(ids))
        .order_by(log_leaves.c.idx)
    )
    return [_leaf(row) for row in rows]


def _leaf(row: Any) -> StoredLeaf:
    return StoredLeaf(
        row.idx,
        row.kind,
        row.record_id,
        row.version,
        row.leaf_hash,
        row.data,
        row.secret,
        row.committed,
    )


def insert_checkpoint(
    conn: Connection, size: int, root_hash: bytes, note: str, at: datetime
) -> None:
    conn.execute(
        insert(log_checkpoints).values(size=size, root_hash=root_hash, note=note, created_at=at)
    )


def latest_checkpoint(conn: Connection, settled: bool = False) -> StoredCheckpoint | None:
    query = select(log_checkpoints).order_by(log_checkpoints.c.size.desc()).limit(1)
    if settled:
        query = query.where(log_checkpoints.c.settled_at.is_not(None))
    row = conn.execute(query).first()
    if row is None:
        return None
    return StoredCheckpoint(row.size, row.root_hash, row.note, row.created_at, row.settled_at)


def all_checkpoints(conn: Connection) -> list[StoredCheckpoint]:
    rows = conn.execute(select(log_checkpoints).order_by(log_checkpoints.c.size))
    return [
        StoredCheckpoint(row.size, row.root_hash, row.note, row.created_at, row.settled_at)
        for row in rows
    ]


def checkpoint_at(conn: Connection, size: int) -> StoredCheckpoint | None:
    row = conn.execute(select(log_checkpoints).where(log_checkpoints.c.size == size)).first()
    if row is None:
        return None
    return StoredCheckpoint(row.size, row.root_hash, row.note, row.created_at, row.settled_at)


def cosignatures(conn: Connection, size: int) -> dict[str, tuple[str, datetime]]:
    rows = conn.execute(select(log_cosignatures).where(log_cosignatures.c.size == size))
    return {row.witness: (row.line, row.signed_at) for row in rows}


def add_cosignature(conn: Connection, size: int, witness: str, line: str, at: datetime) -> None:
    conn.execute(
        insert(log_cosignatures).values(size=size, witness=witness, line=line, signed_at=at)
    )


def settle(conn: Connection, size: int, at: datetime) -> None:
    conn.execute(
        update(log_checkpoints)
        .where(log_checkpoints.c.size == size, log_checkpoints.c.settled_at.is_(None))
        .values(settled_at=at)
    )


def witness_positions(conn: Connection) -> Mapping[str, tuple[int, str | None]]:
    rows = conn.execute(select(log_witnesses))
    return {row.name: (int(row.size), row.last_error) for row in rows}


def record_witness(conn: Connection, name: str, size: int, error: str | None, at: datetime) -> None:
    changed = conn.execute(
        update(log_witnesses)
        .where(log_witnesses.c.name == name)
        .values(size=size, last_error=error, checked_at=at)
    ).rowcount
    if not changed:
        conn.execute(
            insert(log_witnesses).values(name=name, size=size, last_error=error, checked_at=at)
        )
