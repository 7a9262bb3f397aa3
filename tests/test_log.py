"""The verifiable record in the service, on both databases: leaves in the same transaction as
their records, checkpoints cosigned by two real witnesses over HTTP, proofs from the API
checked by tlog-scales, rewritten history refused and audited, bundles verified offline."""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tlog_scales import tlog as independent
from tlog_scales.signing import Vkey

from ceasefire.ledger import merkle
from ceasefire.ledger.bundle import read_trust, verify_bundle
from ceasefire.ledger.leaf import read_leaf
from ceasefire.ledger.note import COSIGNATURE_V1, Signer
from ceasefire.ledger.witness import Witness, serve
from ceasefire.services import bundles, incidents, log
from ceasefire.services.deployment import Deployment, LogKeys, WitnessEndpoint
from ceasefire.store import tables
from ceasefire.web.app import create_app

from .builders import violation_draft

WITNESSES = ("witness.mod.am", "witness.mod.az")


@pytest.fixture
def witnessed(dep: Deployment, tmp_path: Path) -> Iterator[Deployment]:
    """The deployment with two witnesses, each its own key, state file and HTTP server."""
    servers, endpoints = [], []
    for name in WITNESSES:
        signer = Signer.generate(name, COSIGNATURE_V1)
        server = serve(Witness(signer, dep.log.signer.verifier, tmp_path / name / "state.json"),
                       "127.0.0.1", 0)  # fmt: skip
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        endpoints.append(WitnessEndpoint(signer.verifier, url))
    yield replace(dep, log=LogKeys(dep.log.signer, tuple(endpoints)))
    for server in servers:
        server.shutdown()
        server.server_close()


QUIET = {"category": "fortification", "observations": []}
"""A category no notification rule routes: one leaf per report, as these tests count."""


def report(dep: Deployment, viewer: Any, **changes: Any) -> Any:
    draft = violation_draft(**{**QUIET, **changes})
    return incidents.report_incident(dep, viewer("jmc.ru.monitor"), draft)


def leaves(dep: Deployment) -> list[Any]:
    with dep.db.read() as conn:
        return list(conn.execute(select(tables.log_leaves).order_by(tables.log_leaves.c.idx)))


def settle(dep: Deployment) -> list[log.WitnessReport]:
    log.publish_checkpoint(dep)
    return log.collect_cosignatures(dep)


def test_every_version_and_corroboration_is_a_leaf_in_commit_order(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    first = report(dep, viewer, category="shelling")
    second = report(dep, viewer, title="Bursts near Khramort")
    monitor = viewer("jmc.ru.monitor")
    incidents.correct_incident(
        dep, monitor, first.id, violation_draft(), base_version=1, reason="x"
    )
    incidents.corroborate_incident(dep, viewer("jmc.tr.monitor"), second.id, note="seen too")
    rows = leaves(dep)
    assert [row.idx for row in rows] == list(range(len(rows)))
    rows = [row for row in rows if row.kind != "notification"]  # the ministries were told too
    assert [(row.kind, row.record_id, row.version) for row in rows] == [
        ("incident", first.id, 1),
        ("incident", second.id, 1),
        ("incident", first.id, 2),
        ("corroboration", rows[3].record_id, 1),
        ("incident", second.id, 2),  # the corroboration moved it to "corroborated"
    ]


def test_a_public_leaf_shows_the_record_but_not_its_sources(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    report(dep, viewer)
    view = read_leaf(leaves(dep)[0].data)
    assert view.content is not None
    assert view.content["record"]["title"] == "Mortar impacts east of Taghavard"
    assert "sources" not in view.content["record"]
    assert len(view.content["protected"]) == 64  # sources, committed to


def test_a_restricted_leaf_commits_to_the_content_without_showing_it(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    report(dep, viewer, classification="restricted", restricted_to=["mod-armenia"])
    row = leaves(dep)[0]
    view = read_leaf(row.data)
    assert view.content is None and view.commitment is not None
    assert b"Taghavard" not in row.data


def test_a_failed_write_leaves_no_leaf(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    first = report(dep, viewer)
    before = len(leaves(dep))
    with pytest.raises(Exception, match="version"):
        incidents.correct_incident(
            dep, viewer("jmc.ru.monitor"), first.id, violation_draft(), base_version=7, reason="x"
        )
    assert len(leaves(dep)) == before


def test_checkpoint_and_proofs_from_the_api_verify_with_tlog_scales(  # type: ignore[no-untyped-def]
    witnessed, viewer, settings, auth
) -> None:
    for n in range(5):
        report(witnessed, viewer, title=f"Impacts {n}")
    reports = settle(witnessed)
    assert [(r.witness, r.error) for r in reports] == [(w, None) for w in WITNESSES]
    client = TestClient(create_app(settings, witnessed))

    keys = client.get("/api/v1/log/keys").json()
    note = client.get("/api/v1/log/checkpoint").text
    checkpoint = independent.Checkpoint.from_text(note)
    checkpoint.verify(Vkey.from_string(keys["log"]))
    assert checkpoint.size == 5
    for witness in keys["witnesses"]:
        key = Vkey.from_string(witness["vkey"])
        signature = next(s for s in checkpoint.signatures if key.match(s))
        key.get_verifier().verify_note(signature, checkpoint)

    entries = client.get("/api/v1/log/entries?start=0&end=5", headers=auth("az.liaison")).json()
    for index, encoded in enumerate(entries["entries"]):
        proof = client.get(f"/api/v1/log/proof/inclusion?index={index}&size=5").json()
        hashes = [base64.b64decode(h) for h in proof["hashes"]]
        leaf_hash = merkle.leaf_hash(base64.b64decode(encoded))
        independent.InclusionProof(index, 5, hashes).check(leaf_hash, checkpoint.root_hash)

    for n in range(4):
        report(witnessed, viewer, title=f"More impacts {n}")
    settle(witnessed)
    later = independent.Checkpoint.from_text(client.get("/api/v1/log/checkpoint").text)
    consistency = client.get("/api/v1/log/proof/consistency?old=5&new=9").json()
    hashes = [base64.b64decode(h) for h in consistency["hashes"]]
    independent.ConsistencyProof(5, 9, hashes).check(checkpoint.root_hash, later.root_hash)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/log/proof/inclusion?index=3&size=99", "size"),
        ("/api/v1/log/proof/inclusion?index=5&size=3", "index"),
        ("/api/v1/log/proof/inclusion?index=-1&size=3", "index"),
        ("/api/v1/log/proof/consistency?old=4&new=2", "old"),
        ("/api/v1/log/proof/consistency?old=1&new=99", "new"),
        ("/api/v1/log/proof/consistency?old=x&new=3", "old"),
    ],
)
def test_proof_requests_outside_the_log_are_refused(  # type: ignore[no-untyped-def]
    path, field, dep, viewer, client
) -> None:
    for _ in range(3):
        report(dep, viewer)
    log.publish_checkpoint(dep)
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_a_checkpoint_settles_only_when_every_witness_has_cosigned(witnessed, viewer) -> None:  # type: ignore[no-untyped-def]
    report(witnessed, viewer)
    down = replace(witnessed.log.witnesses[1], url="http://127.0.0.1:9")  # nobody listens
    half = replace(witnessed, log=LogKeys(witnessed.log.signer, (witnessed.log.witnesses[0], down)))
    reports = settle(half)
    assert reports[0].error is None and reports[1].error is not None
    assert log.checkpoint_state(half).settled_at is None  # type: ignore[union-attr]
    assert settle(witnessed)[0].witness == WITNESSES[1]  # only the missing one is asked again
    state = log.checkpoint_state(witnessed)
    assert state is not None and state.settled_at is not None
    assert set(state.cosigned) == set(WITNESSES)


def test_witnesses_refuse_a_rewritten_history_and_audit_catches_it(  # type: ignore[no-untyped-def]
    witnessed, viewer, tmp_path
) -> None:
    first = report(witnessed, viewer)
    for _ in range(2):
        report(witnessed, viewer)
    assert all(r.error is None for r in settle(witnessed))
    assert log.audit(witnessed).problems == []

    # Someone edits a record in the database: the audit names it.
    with witnessed.db.begin() as conn:
        version = tables.incident_versions
        content = conn.execute(
            select(version.c.content).where(version.c.incident_id == first.id)
        ).scalar_one()
        edited = copy.deepcopy(content)
        edited["casualties"]["civilian_killed"] = 3
        conn.execute(
            update(version).where(version.c.incident_id == first.id).values(content=edited)
        )
    problems = log.audit(witnessed).problems
    assert problems == [
        f"incident {first.id} version 1: the stored record no longer matches leaf 0"
    ]

    # ... then rewrites the leaf to match and rebuilds the tree on top of it.
    with witnessed.db.begin() as conn:
        row = conn.execute(select(tables.log_leaves).where(tables.log_leaves.c.idx == 0)).one()
        versions = incidents.store.versions_of(conn, first.id)
        data = log.version_entry(versions[0], row.secret).leaf(None)
        conn.execute(
            update(tables.log_leaves)
            .where(tables.log_leaves.c.idx == 0)
            .values(data=data, leaf_hash=merkle.leaf_hash(data))
        )
        conn.execute(tables.log_nodes.delete())
        conn.execute(tables.log_state.update().values(integrated_size=0))
    report(witnessed, viewer)
    refusals = settle(witnessed)
    assert [(r.witness, (r.error or "")[:4]) for r in refusals] == [(w, "422:") for w in WITNESSES]
    for name in WITNESSES:
        evidence = list((tmp_path / name).glob("state.json.evidence/*.json"))
        assert len(evidence) == 1
        kept = json.loads(evidence[0].read_text())
        assert kept["cosigned"].startswith(witnessed.log.origin + "\n3\n")
        assert kept["presented"].startswith(witnessed.log.origin + "\n4\n")
    problems = log.audit(witnessed).problems
    assert "checkpoint 3: its root is not the root of the leaves now stored" in problems


# --- bundles ---------------------------------------------------------------------------------


@pytest.fixture
def bundle_for(witnessed, viewer):  # type: ignore[no-untyped-def]
    """A settled log with public, restricted and corroborated records; exports per user."""
    report(witnessed, viewer, title="Public shelling")
    secret = report(witnessed, viewer, title="Restricted shelling", classification="restricted",
                    restricted_to=["mod-armenia", "jmc-turkey"])  # fmt: skip
    incidents.corroborate_incident(witnessed, viewer("jmc.tr.monitor"), secret.id, note="seen")
    report(witnessed, viewer, title="Mission shelling", classification="mission")
    assert all(r.error is None for r in settle(witnessed))
    trust = read_trust(
        "\n".join(
            [witnessed.log.signer.verifier.vkey, *(w.key.vkey for w in witnessed.log.witnesses)]
        )
    )

    def make(username: str) -> tuple[dict[str, Any], list[Any]]:
        return bundles.export_bundle(witnessed, viewer(username)), trust

    return make


@pytest.mark.parametrize("user", ["am.liaison", "az.liaison", "jmc.duty", "icrc.caseworker"])
def test_an_honest_bundle_verifies_for_every_reader(user, bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for(user)
    verdict = verify_bundle(bundle, trust)
    assert verdict.problems == []
    assert verdict.verified == len(bundle["records"]) > 0
    assert verdict.cosigned_by == list(WITNESSES)
    titles = {r["content"]["record"]["title"] for r in bundle["records"] if r["kind"] == "incident"}
    expected = {
        "am.liaison": {"Public shelling", "Restricted shelling"},
        "az.liaison": {"Public shelling"},
        "jmc.duty": {"Public shelling", "Restricted shelling", "Mission shelling"},
        "icrc.caseworker": {"Public shelling"},
    }[user]
    assert titles == expected
    assert verdict.withheld == len(bundle["leaves"]) - len(bundle["records"])


def _first(bundle: dict[str, Any], **match: Any) -> dict[str, Any]:
    for record in bundle["records"]:
        if all(record.get(k) == v for k, v in match.items()) and record["kind"] == "incident":
            return record  # type: ignore[no-any-return]
    raise AssertionError(match)


def _label(record: dict[str, Any]) -> str:
    return f"{record['kind']} {record['id']} version {record['version']}"


def test_verify_names_an_edited_record(bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("am.liaison")
    record = _first(bundle, salt=None)
    record["content"]["record"]["casualties"]["civilian_killed"] = 2
    assert verify_bundle(bundle, trust).problems == [
        f"{_label(record)}: does not match its leaf {record['index']} (edited content)"
    ]


def test_verify_names_a_dropped_record(bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("am.liaison")
    record = _first(bundle, salt=None)
    bundle["records"].remove(record)
    assert verify_bundle(bundle, trust).problems == [
        f"{_label(record)}: public in the log (leaf {record['index']}) but dropped"
    ]


def test_verify_names_a_record_with_a_wrong_salt(bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("am.liaison")
    record = next(r for r in bundle["records"] if r["salt"] is not None)
    record["salt"] = base64.b64encode(bytes(32)).decode()
    assert verify_bundle(bundle, trust).problems == [
        f"{_label(record)}: does not match its leaf {record['index']} "
        "(wrong salt or edited content)"
    ]


def test_verify_refuses_a_forged_checkpoint_signature(bundle_for, witnessed) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("am.liaison")
    forger = Signer.generate(witnessed.log.origin)
    text = bundle["checkpoint"].split("\n\n")[0] + "\n"
    bundle["checkpoint"] = forger.sign_note(text)
    problems = verify_bundle(bundle, trust).problems
    assert f"checkpoint: the note has no signature by {witnessed.log.origin}" in problems


def test_verify_refuses_a_checkpoint_missing_a_cosignature(bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("am.liaison")
    lines = bundle["checkpoint"].splitlines(keepends=True)
    bundle["checkpoint"] = "".join(line for line in lines if WITNESSES[1] not in line)
    assert verify_bundle(bundle, trust).problems == [
        f"checkpoint: no cosignature by {WITNESSES[1]}"
    ]


def test_verify_names_a_record_whose_protected_fields_were_changed(bundle_for) -> None:  # type: ignore[no-untyped-def]
    bundle, trust = bundle_for("jmc.duty")
    record = next(r for r in bundle["records"] if r.get("protected"))
    record["protected"]["fields"]["sources"][0]["reliability"] = "A"
    problem = verify_bundle(bundle, trust).problems
    assert problem == [
        f"{_label(record)}: its protected fields (sources) do not match their commitment"
    ]


def test_the_cli_exports_and_verifies_a_bundle(bundle_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from ceasefire.cli import app

    bundle, trust = bundle_for("am.liaison")
    path, keys = tmp_path / "bundle.json", tmp_path / "trust.txt"
    path.write_text(json.dumps(bundle))
    keys.write_text("# the log and the witnesses\n" + "\n".join(k.vkey for k in trust) + "\n")
    runner = CliRunner()
    honest = runner.invoke(app, ["verify", str(path), "--trust", str(keys)])
    assert honest.exit_code == 0, honest.output
    assert f"{len(bundle['records'])} of {len(bundle['records'])} record versions verified" in (
        honest.output
    )
    record = _first(bundle, salt=None)
    record["content"]["record"]["title"] = "Nothing happened"
    path.write_text(json.dumps(bundle))
    edited = runner.invoke(app, ["verify", str(path), "--trust", str(keys)])
    assert edited.exit_code == 1
    assert f"FAIL {_label(record)}: does not match its leaf" in edited.output


def test_appends_from_many_connections_stay_dense(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    monitor = viewer("jmc.ru.monitor")
    errors: list[BaseException] = []

    def reporter() -> None:
        try:
            for _ in range(15):
                incidents.report_incident(dep, monitor, violation_draft(**QUIET))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reporter) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = leaves(dep)
    assert [row.idx for row in rows] == list(range(60))
    assert len({row.record_id for row in rows}) == 60
    assert log.publish_checkpoint(dep) == 60
    assert log.audit(dep).problems == []


def test_the_record_page_and_the_log_page_show_the_log(witnessed, viewer, settings) -> None:  # type: ignore[no-untyped-def]
    from .conftest import sign_in

    first = report(witnessed, viewer)
    page = sign_in(TestClient(create_app(settings, witnessed)), "az.liaison")
    assert "badge-logged" in page.get(f"/incidents/{first.id}").text  # not yet in a checkpoint
    settle(witnessed)
    html = page.get(f"/incidents/{first.id}").text
    assert "badge-verified" in html and "badge-logged" not in html
    log_page = page.get("/log").text
    assert '<dd id="checkpoint-size">1</dd>' in log_page
    for name in WITNESSES:
        assert f"<code>{name}</code>" in log_page
    assert witnessed.log.signer.verifier.vkey in log_page


def test_witness_cli_makes_a_key_and_cosigns_over_http(dep, viewer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import socket
    import subprocess
    import sys
    import time

    from typer.testing import CliRunner

    from ceasefire.cli import app
    from ceasefire.ledger.note import parse_vkey

    key = tmp_path / "w.key"
    made = CliRunner().invoke(app, ["witness", "keygen", "witness.test", "--key", str(key)])
    assert made.exit_code == 0, made.output
    vkey = parse_vkey(made.output.strip())
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = CliRunner().invoke(app, ["witness", "keygen", "witness.test", "--key", str(key)])
    assert again.exit_code == 2  # never overwrites a key
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "ceasefire.cli", "witness", "run", "--log", "http://127.0.0.1:9",
         "--key", str(key), "--state", str(tmp_path / "state.json"),
         "--listen", f"127.0.0.1:{port}", "--log-vkey", dep.log.signer.verifier.vkey],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        witnessed = replace(
            dep, log=LogKeys(dep.log.signer, (WitnessEndpoint(vkey, f"http://127.0.0.1:{port}"),))
        )
        report(witnessed, viewer)
        log.publish_checkpoint(witnessed)
        deadline = time.monotonic() + 20
        while (result := log.collect_cosignatures(witnessed)) and result[0].error:
            assert time.monotonic() < deadline, result[0].error
            time.sleep(0.2)
        state = json.loads((tmp_path / "state.json").read_text())
        assert state["size"] == 1
        assert log.checkpoint_state(witnessed).settled_at is not None  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_audit_and_log_commands(dep, viewer, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from ceasefire.cli import app

    monkeypatch.setenv("CEASEFIRE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CEASEFIRE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CEASEFIRE_CONFIG", str(settings.data_dir / "absent.toml"))
    first = report(dep, viewer)
    runner = CliRunner()
    published = runner.invoke(app, ["log", "checkpoint"])
    assert published.exit_code == 0, published.output
    assert f"{dep.log.origin}\n1\n" in published.output
    keys = runner.invoke(app, ["log", "keys"])
    assert dep.log.signer.verifier.vkey in keys.output
    clean = runner.invoke(app, ["audit"])
    assert clean.exit_code == 0, clean.output
    assert "0 problem(s)" in clean.output
    with dep.db.begin() as conn:
        conn.execute(
            update(tables.incident_versions)
            .where(tables.incident_versions.c.incident_id == first.id)
            .values(reason="quietly edited")
        )
    caught = runner.invoke(app, ["audit"])
    assert caught.exit_code == 1
    assert f"FAIL incident {first.id} version 1: the stored record no longer matches leaf 0" in (
        caught.output
    )
