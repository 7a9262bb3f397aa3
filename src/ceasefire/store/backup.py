"""Dumping every table to JSON lines from one consistent snapshot, and loading them back.

The dump is the same whatever the database: a backup taken from SQLite can be
restored into PostgreSQL and the other way round. Binary values are base64,
times ISO 8601 in UTC; tables are written and loaded in foreign-key order.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Connection, LargeBinary, delete, insert, select

from ceasefire.store.tables import UTCDateTime, log_state, metadata

BATCH = 5_000


def tables_in_order() -> list[str]:
    return [table.name for table in metadata.sorted_tables]


def _encode(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(value).decode()
    if isinstance(column_type, UTCDateTime):
        return value.isoformat()
    return value


def _decode(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    return value


def dump_table(conn: Connection, name: str, out: IO[str]) -> int:
    """Write one table as JSON lines (in primary-key order); return how many rows."""
    table = metadata.tables[name]
    columns = list(table.columns)
    count = 0
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    for row in result:
        record = {c.name: _encode(row._mapping[c.name], c.type) for c in columns}
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def load_table(
    conn: Connection, name: str, lines: Iterator[str], progress: Callable[[int], None] | None
) -> int:
    """Insert a dumped table into an empty database (log_state replaces its initial row)."""
    table = metadata.tables[name]
    types = {c.name: c.type for c in table.columns}
    if table is log_state:
        conn.execute(delete(log_state))
    batch: list[dict[str, Any]] = []
    count = 0
    for line in lines:
        record = json.loads(line)
        batch.append({key: _decode(value, types[key]) for key, value in record.items()})
        if len(batch) >= BATCH:
            conn.execute(insert(table), batch)
            count += len(batch)
            batch = []
            if progress:
                progress(count)
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    return count
