"""Status-neutral documents: an agreement of the water group issued as two mirrored copies —
each with its audience's names and the signatory blocks it accepts (the Azerbaijani copy
omits the de facto authorities'), both printing the same SHA-256 of the substance, which a
bundle proves is in the log (`ceasefire verify`); one word changed changes the hash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ceasefire.domain.documents import DocumentDraft, substance_hash
from ceasefire.services import bundles, documents, log

from .test_cli import run as run  # the fixture

WATER = "water-infrastructure"
TEXT = (
    "The parties agree that the water company's crew from {place:stepanakert} repairs the "
    "main pipe north of {place:taghavard} on 20 April, escorted by the peacekeepers.\n\n"
    "{org:mod-azerbaijan} lets the crew pass its positions; {org:nk-authorities} provides "
    "the crew and the materials."
)
AGREEMENT = {
    "title": "Repair of the Taghavard water main",
    "text": TEXT,
    "language": "en",
    "signatories": ["mod-armenia", "mod-azerbaijan", "nk-authorities", "rpk"],
    "copies": ["armenian", "azerbaijani"],
}


def test_two_mirrored_copies_say_the_same_thing_in_each_sides_names(  # type: ignore[no-untyped-def]
    dep, viewer, client, auth, run, tmp_path: Path
) -> None:
    issued = client.post(f"/api/v1/groups/{WATER}/documents", json=AGREEMENT,
                         headers=auth("rpk.duty"))  # fmt: skip
    assert issued.status_code == 201, issued.text
    document = issued.json()
    armenian, azerbaijani = document["mirrored"]
    assert "Stepanakert" in armenian["text"] and "Khankendi" not in armenian["text"]
    assert "Khankendi" in azerbaijani["text"] and "Stepanakert" not in azerbaijani["text"]
    assert "{" not in armenian["text"] + azerbaijani["text"]  # every name rendered
    blocks = {c["copy"]: [b["organisation"] for b in c["signatory_blocks"]]
              for c in document["mirrored"]}  # fmt: skip
    assert blocks == {"armenian": ["mod-armenia", "mod-azerbaijan", "nk-authorities", "rpk"],
                      "azerbaijani": ["mod-armenia", "mod-azerbaijan", "rpk"]}  # fmt: skip
    digest = substance_hash(AGREEMENT["title"], TEXT)
    assert armenian["substance_sha256"] == azerbaijani["substance_sha256"] == digest
    for copy in ("armenian", "azerbaijani"):  # printed on each copy
        page = client.get(f"/api/v1/documents/{document['id']}/copies/{copy}",
                          headers=auth("am.liaison"))  # fmt: skip
        assert page.json()["substance_sha256"] == digest
    # one word changed: another hash
    assert substance_hash(AGREEMENT["title"], TEXT.replace("main pipe", "old pipe")) != digest
    # the log holds it: a bundle of what the Azerbaijani liaison sees verifies offline
    log.publish_checkpoint(dep)
    bundle = bundles.export_bundle(dep, viewer("az.liaison"))
    held = [r for r in bundle["records"] if r["kind"] == "document"]
    assert [r["content"]["substance_sha256"] for r in held] == [digest]
    (tmp_path / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    keys = run("log", "keys")
    (tmp_path / "trust").write_text(keys.output, encoding="utf-8")
    verified = run("verify", str(tmp_path / "bundle.json"), "--trust", str(tmp_path / "trust"))
    assert verified.exit_code == 0, verified.output
    assert log.audit(dep).problems == []


def test_signatures_are_recorded_per_copy(client, auth, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    draft = DocumentDraft.model_validate(AGREEMENT)
    issued = documents.issue_document(dep, viewer("rpk.duty"), WATER, draft)
    signed: dict[str, Any] = {"organisation": "mod-azerbaijan", "signed_by": "Col. R. Aliyev",
                              "signed_at": "2021-04-19T10:00:00+04:00",
                              "scan_sha256": "a" * 64}  # fmt: skip
    done = client.post(f"/api/v1/documents/{issued.id}/copies/azerbaijani/signatures",
                       json=signed, headers=auth("rpk.duty"))  # fmt: skip
    assert done.status_code == 201, done.text
    block = next(b for b in done.json()["signatory_blocks"] if b["organisation"] == signed[
        "organisation"])  # fmt: skip
    assert block["signatures"][0]["signed_by"] == "Col. R. Aliyev"
    other = client.get(f"/api/v1/documents/{issued.id}/copies/armenian", headers=auth("rpk.duty"))
    assert all(not b["signatures"] for b in other.json()["signatory_blocks"])
    refused = [
        ({**signed, "organisation": "nk-authorities"}, "organisation", "azerbaijani", 422),
        (signed, "signed the azerbaijani copy already", "azerbaijani", 409),
        ({**signed, "scan_sha256": "not-a-hash"}, "scan_sha256", "armenian", 422),
        (signed, "no copy", "neutral", 404),
    ]
    for body, said, copy, status in refused:
        answer = client.post(f"/api/v1/documents/{issued.id}/copies/{copy}/signatures",
                             json=body, headers=auth("rpk.duty"))  # fmt: skip
        assert answer.status_code == status and said in answer.text, answer.text
    liaison = client.post(f"/api/v1/documents/{issued.id}/copies/armenian/signatures",
                          json={**signed, "organisation": "mod-armenia"},
                          headers=auth("am.liaison"))  # fmt: skip
    assert liaison.status_code == 403  # the chairs' secretariat records signatures
    page = client.get(f"/documents/{issued.id}/copies/azerbaijani", follow_redirects=False)
    assert page.status_code == 303  # pages need a session


def test_a_bad_document_names_its_field_and_writes_nothing(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ({"text": "Meet at {place:atlantis}."}, "text"),
        ({"copies": ["martian"]}, "copies"),
        ({"signatories": ["unhcr"]}, "signatories"),
        ({"copies": ["armenian", "armenian"]}, "copies"),
        ({"title": ""}, "title"),
        ({"meeting": 9}, "meeting"),
    ]
    for change, field in cases:
        answer = client.post(f"/api/v1/groups/{WATER}/documents", json={**AGREEMENT, **change},
                             headers=auth("rpk.duty"))  # fmt: skip
        assert answer.status_code == 422 and field in str(answer.json()["error"]), answer.text
    refused = client.post(f"/api/v1/groups/{WATER}/documents", json=AGREEMENT,
                          headers=auth("am.liaison"))  # fmt: skip
    assert refused.status_code == 403
    with dep.db.read() as conn:
        from sqlalchemy import select

        from ceasefire.store import tables

        assert conn.execute(select(tables.documents)).first() is None


def test_the_secretariat_issues_and_prints_a_copy_from_the_terminal(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    issued = run("group", "issue", WATER, "--as", "rpk.duty", "--file", "-",
                 stdin=json.dumps(AGREEMENT))  # fmt: skip
    assert issued.exit_code == 0, issued.output
    document_id, digest = issued.output.split()
    printed = run("group", "copy", document_id, "--as", "az.liaison", "--for", "azerbaijani")
    assert printed.exit_code == 0, printed.output
    assert f"SHA-256: {digest}" in printed.output and "Khankendi" in printed.output


def test_each_copy_prints_as_pdf_with_its_names_and_the_hash(client, auth, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    armenian = {**AGREEMENT, "language": "hy", "title": "Թաղավարդի ջրատարի վերանորոգում"}
    issued = client.post(f"/api/v1/groups/{WATER}/documents", json=armenian,
                         headers=auth("rpk.duty")).json()  # fmt: skip
    texts = {}
    for copy in ("armenian", "azerbaijani"):
        answer = client.get(f"/api/v1/documents/{issued['id']}/copies/{copy}.pdf",
                            headers=auth("am.liaison"))  # fmt: skip
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        reader = PdfReader(BytesIO(answer.content))
        texts[copy] = " ".join(page.extract_text() for page in reader.pages)
    digest = issued["substance_sha256"]
    for text in texts.values():
        assert digest in text.replace("\n", "") and "Թաղավարդի ջրատարի վերանորոգում" in text
    assert "Ստեփանակերտ" in texts["armenian"] and "Ստեփանակերտ" not in texts["azerbaijani"]
    assert "Խանքենդի" in texts["azerbaijani"]
    written = tmp_path / "copy.pdf"
    done = run("group", "copy", issued["id"], "--as", "az.liaison", "--for", "azerbaijani",
               "--pdf", str(written))  # fmt: skip
    assert done.exit_code == 0 and written.read_bytes().startswith(b"%PDF")
