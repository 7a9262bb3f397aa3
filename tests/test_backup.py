"""Backup and restore: a snapshot restored into an empty directory (and another database)
passes the audit, and the witness that cosigned before the backup accepts the restored
log's next checkpoint as consistent with what it saw."""

from __future__ import annotations

import io
import re
import tarfile
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ceasefire.config import Settings
from ceasefire.domain.errors import InvalidInput
from ceasefire.ledger.note import COSIGNATURE_V1, Signer
from ceasefire.ledger.witness import Witness, serve
from ceasefire.services import attachments, backups, incidents, log
from ceasefire.services.deployment import Deployment, LogKeys, WitnessEndpoint, open_deployment
from ceasefire.store.db import Database

from .builders import violation_draft
from .conftest import REFERENCE_PACK, _postgres_database


@pytest.fixture
def witness(dep: Deployment, tmp_path: Path):  # type: ignore[no-untyped-def]
    signer = Signer.generate("witness.backup.test", COSIGNATURE_V1)
    server = serve(Witness(signer, dep.log.signer.verifier, tmp_path / "w" / "state.json"),
                   "127.0.0.1", 0)  # fmt: skip
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield WitnessEndpoint(signer.verifier, f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


def with_witness(dep: Deployment, endpoint: WitnessEndpoint) -> Deployment:
    return replace(dep, log=LogKeys(dep.log.signer, (endpoint,)))


def fill(dep: Deployment, viewer: Any) -> str:
    monitor = viewer("rpk.monitor")
    photo = attachments.upload_attachment(dep, monitor, b"crater " * 50, "image/jpeg")
    draft = violation_draft(attachments=[{"sha256": photo, "filename": "crater.jpg"}])
    first = incidents.report_incident(dep, monitor, draft)
    incidents.report_incident(dep, monitor, violation_draft(classification="mission"))
    incidents.corroborate_incident(dep, viewer("jmc.tr.monitor"), first.id, note="seen")
    return photo


def restored_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "restored",
        database_url=url,
        scenario=REFERENCE_PACK,
        secret_key="restored-" + uuid.uuid4().hex,
    )


@pytest.mark.parametrize("into", ["sqlite", "postgresql"])
def test_a_restored_backup_passes_audit_and_the_witness_check(  # type: ignore[no-untyped-def]
    into, dep, viewer, settings, witness, tmp_path
) -> None:
    witnessed = with_witness(dep, witness)
    photo = fill(witnessed, viewer)
    log.publish_checkpoint(witnessed)
    assert [r.error for r in log.collect_cosignatures(witnessed)] == [None]
    target = tmp_path / "backup.tar.gz"
    summary = backups.backup(witnessed, settings, target, include_keys=True)
    assert summary.rows["incidents"] == 2 and summary.attachments == 1

    urls = (
        iter([f"sqlite:///{tmp_path / 'restored.db'}"])
        if into == "sqlite"
        else (_postgres_database())
    )
    url = next(urls)
    try:
        fresh = restored_settings(tmp_path, url)
        manifest = backups.restore(target, fresh)
        assert manifest["checkpoint"]["size"] == summary.checkpoint_size
        db = Database(url)
        try:
            restored = with_witness(open_deployment(fresh, db), witness)
            assert log.audit(restored).problems == []
            assert (fresh.attachments_dir / photo[:2] / photo).read_bytes() == b"crater " * 50
            incidents.report_incident(restored, viewer("rpk.monitor"), violation_draft())
            log.publish_checkpoint(restored)
            reports = log.collect_cosignatures(restored)
            assert [r.error for r in reports] == [None]  # consistent with before the backup
            with pytest.raises(InvalidInput, match="not empty"):
                backups.restore(target, fresh)
        finally:
            db.dispose()
    finally:
        if hasattr(urls, "close"):
            urls.close()  # drops the PostgreSQL database


def test_a_damaged_backup_is_refused_and_writes_nothing(dep, viewer, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fill(dep, viewer)
    log.publish_checkpoint(dep)
    good = tmp_path / "good.tar.gz"
    backups.backup(dep, settings, good)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(good) as source, tarfile.open(damaged, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "tables/incidents.jsonl":
                data = data.replace(b"Mortar", b"Rifle!")
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    fresh = restored_settings(tmp_path, f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(InvalidInput, match=re.escape("tables/incidents.jsonl is damaged")):
        backups.restore(damaged, fresh)
    backups.restore(good, fresh)  # the failed attempt left the database empty
