"""Backup and restore: a consistent snapshot of the record, its attachments and its log state,
restorable into an empty directory (and any supported database).

A backup is a gzip'd tar holding `manifest.json` (format, time, schema
revision, scenario, row counts, the latest checkpoint, a SHA-256 of every
member), one JSON-lines file per table, the attachment files, and — only when
asked — the log's signing key. Restoring checks every member's hash, refuses a
database that already holds records, loads the tables, and checks that the
restored log reproduces the checkpoint the backup names.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from ceasefire.config import Settings
from ceasefire.domain.errors import InvalidInput
from ceasefire.ledger import merkle
from ceasefire.services.deployment import Deployment, utcnow
from ceasefire.store import attachments as attachment_store
from ceasefire.store import backup as dump
from ceasefire.store import log as log_store
from ceasefire.store import migrate
from ceasefire.store.db import Database
from ceasefire.store.tables import incidents, users

FORMAT = "ceasefire-backup/1"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]
    attachments: int
    checkpoint_size: int | None
    with_keys: bool


def backup(
    dep: Deployment,
    settings: Settings,
    target: Path,
    include_keys: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BackupSummary:
    """Write a backup of the deployment to `target` (a .tar.gz), from one snapshot. Tables
    are streamed through temporary files, so a large log never sits in memory."""
    rows: dict[str, int] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        staged: dict[str, Path] = {}
        with dep.db.read() as conn:
            if not dep.db.is_sqlite:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            checkpoint = log_store.latest_checkpoint(conn)
            for name in dump.tables_in_order():
                if progress:
                    progress(name)
                path = Path(work) / f"{name}.jsonl"
                with path.open("w", encoding="utf-8") as out:
                    rows[name] = dump.dump_table(conn, name, out)
                staged[f"tables/{name}.jsonl"] = path
            revision = migrate.current_revision(conn)
            hashes = attachment_store.all_hashes(conn)
        files = [dep.files.path(sha) for sha in hashes]  # those the snapshot refers to
        root = settings.attachments_dir
        staged.update({f"attachments/{p.relative_to(root)}": p for p in files})
        if include_keys:
            staged["keys/log.key"] = settings.resolved_log_key_file
            staged["keys/desk.key"] = settings.resolved_desk_key_file
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "scenario": dep.scenario.info.id,
            "origin": dep.log.origin,
            "schema_revision": revision,
            "rows": rows,
            "attachments": len(files),
            "checkpoint": None
            if checkpoint is None
            else {"size": checkpoint.size, "root_hash": checkpoint.root_hash.hex()},
            "sha256": {name: _file_hash(path) for name, path in staged.items()},
        }
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            _add(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            for name, path in staged.items():
                archive.add(path, arcname=name, recursive=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    return BackupSummary(
        target, rows, len(files), checkpoint.size if checkpoint else None, include_keys
    )


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def restore(
    source: Path, settings: Settings, progress: Callable[[str, int], None] | None = None
) -> dict[str, Any]:
    """Restore a backup into the configured (empty) database and data directory. Everything
    is loaded in one transaction: a damaged member or a log that does not reproduce its
    checkpoint leaves the database as it was."""
    with _open(source) as archive:
        manifest = _read_manifest(archive)
        hashes: dict[str, str] = manifest["sha256"]
        for name in hashes:
            if name.startswith("/") or ".." in Path(name).parts:
                raise InvalidInput("backup", f"refusing the path {name}")
        db = Database(settings.resolved_database_url)
        try:
            migrate.upgrade(db)
            with db.begin() as conn:
                if log_store.next_index(conn) or _has_records(conn):
                    raise InvalidInput("database", "is not empty: restore into an empty database")
                for table in dump.tables_in_order():
                    name = f"tables/{table}.jsonl"
                    digest = hashlib.sha256()
                    lines = _lines(_member(archive, name), digest)
                    dump.load_table(conn, table, lines, partial(_tick, progress, table))
                    if digest.hexdigest() != hashes.get(name):
                        raise InvalidInput("backup", f"{name} is damaged (its hash does not match)")
                _check_checkpoint(conn, manifest)
        finally:
            db.dispose()
        for name, expected in hashes.items():
            if name.startswith("tables/"):
                continue
            data = _member(archive, name).read()
            if hashlib.sha256(data).hexdigest() != expected:
                raise InvalidInput("backup", f"{name} is damaged (its hash does not match)")
            _place(settings, name, data)
    return manifest


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise InvalidInput("backup", f"cannot be read: {exc}") from None


def _lines(handle: IO[bytes], digest: Any) -> Iterator[str]:
    for raw in handle:
        digest.update(raw)
        yield raw.decode("utf-8")


KEYS = {"keys/log.key": "log_key_file", "keys/desk.key": "desk_key_file"}
"""A backup's key files, and the setting that says where each goes."""


def _place(settings: Settings, name: str, data: bytes) -> None:
    """Put an attachment or a key file where the configuration says."""
    if name.startswith("attachments/"):
        path = settings.attachments_dir / name.removeprefix("attachments/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    elif name in KEYS:
        setting = KEYS[name]
        target = getattr(settings, f"resolved_{setting}")
        if target.exists():
            raise InvalidInput(setting, f"{target} exists; not overwriting a key")
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)


def _tick(progress: Callable[[str, int], None] | None, table: str, count: int) -> None:
    if progress:
        progress(table, count)


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.loads(_member(archive, "manifest.json").read())
    except ValueError:
        raise InvalidInput("backup", "has no readable manifest.json") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("backup", f"is not a {FORMAT} backup")
    return manifest


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        handle = archive.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise InvalidInput("backup", f"{name} is missing")
    return handle


def _has_records(conn: Any) -> bool:
    return any(
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (incidents, users)
    )


def _check_checkpoint(conn: Any, manifest: dict[str, Any]) -> None:
    """The restored leaves must add up to the checkpoint the backup was taken at."""
    expected = manifest.get("checkpoint")
    if expected is None:
        return
    size = int(expected["size"])
    tree = merkle.CompactRange()
    for start in range(0, size, 10_000):
        for leaf in log_store.leaves(conn, start, min(size, start + 10_000)):
            tree.append(merkle.leaf_hash(leaf.data))
    if tree.size != size or tree.root().hex() != expected["root_hash"]:
        raise InvalidInput("backup", "the restored log does not reproduce its checkpoint")
