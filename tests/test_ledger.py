"""The ledger on its own: RFC 9162 trees and proofs, C2SP signed notes, checkpoints and
cosignatures — against the published vectors, an independent implementation (tlog-scales),
and Hypothesis properties (every proof verifies, every mutated proof fails)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tlog_scales import tlog as independent
from tlog_scales.signing import Vkey

from ceasefire.ledger import merkle
from ceasefire.ledger.leaf import Entry, commitment, derive, read_leaf
from ceasefire.ledger.note import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteError,
    Signer,
    cosign,
    cosignature_message,
    parse_checkpoint,
    parse_note,
    parse_skey,
    parse_vkey,
    verify_cosignature,
    verify_note,
)

from .conftest import require

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors"


def vectors(name: str) -> dict:  # type: ignore[type-arg]
    path = VECTORS / name
    require(path.exists(), f"the shared test vectors: put shared/ beside this checkout ({path})")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def tree_of(leaves: list[bytes]) -> dict[merkle.Node, bytes]:
    """The stored nodes of a tree, built the way the log integrates leaves."""
    nodes: dict[merkle.Node, bytes] = {}
    for index, data in enumerate(leaves):
        nodes[(0, index)] = merkle.leaf_hash(data)
        nodes.update(merkle.parents(0, index, lambda lv, ix: nodes[(lv, ix)]))
    return nodes


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from the definition in RFC 9162 section 2.1.1."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


# --- the RFC 6962 / 9162 vectors -----------------------------------------------------------


def test_rfc6962_vectors_leaf_hashes_and_roots() -> None:
    v = vectors("rfc6962.json")
    leaves = [bytes.fromhex(x) for x in v["leaf_inputs_hex"]]
    assert [merkle.leaf_hash(x).hex() for x in leaves] == v["leaf_hashes"]
    source = merkle.from_mapping(tree_of(leaves))
    for size, root in v["root_by_tree_size"].items():
        assert merkle.root(int(size), source).hex() == root, size
        compact = merkle.CompactRange()
        for data in leaves[: int(size)]:
            compact.append(merkle.leaf_hash(data))
        assert compact.root().hex() == root


def test_rfc6962_vectors_inclusion_proofs() -> None:
    v = vectors("rfc6962.json")
    leaves = [bytes.fromhex(x) for x in v["leaf_inputs_hex"]]
    source = merkle.from_mapping(tree_of(leaves))
    for case in v["inclusion"]:
        index, size = case["leaf_index"], case["tree_size"]
        proof = merkle.inclusion_proof(index, size, source)
        assert [h.hex() for h in proof] == case["path"]
        root = merkle.root(size, source)
        merkle.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), proof, root)


def test_rfc6962_vectors_consistency_proofs() -> None:
    v = vectors("rfc6962.json")
    leaves = [bytes.fromhex(x) for x in v["leaf_inputs_hex"]]
    source = merkle.from_mapping(tree_of(leaves))
    for case in v["consistency"]:
        old, new = case["first"], case["second"]
        proof = merkle.consistency_proof(old, new, source)
        assert [h.hex() for h in proof] == case["path"]
        merkle.verify_consistency(
            old, new, merkle.root(old, source), merkle.root(new, source), proof
        )


def test_signed_note_vectors() -> None:
    v = vectors("signed-note.json")
    for case in v["notes"]:
        key = parse_vkey(case["vkey"])
        note = verify_note(case["note"], key)
        assert key.vkey == case["vkey"]
        if "skey" in case:
            signer = parse_skey(case["skey"])
            assert signer.verifier.vkey == case["vkey"]
            assert signer.sign_note(note.text) == case["note"]  # Ed25519 is deterministic
        tampered = case["note"].replace(note.text, note.text.upper())
        with pytest.raises(NoteError):
            verify_note(tampered, key)


def test_cosignature_message_vector() -> None:
    v = vectors("signed-note.json")
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosignature_message(body, 1679315147).decode() == v["cosignature_message_example"]


# --- properties ----------------------------------------------------------------------------

leaf_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=70, unique=True)


@settings(max_examples=150, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_every_inclusion_proof_verifies_and_every_mutation_fails(leaves, data) -> None:  # type: ignore[no-untyped-def]
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    source = merkle.from_mapping(tree_of(leaves))
    root = merkle.root(size, source)
    assert root == reference_root(leaves[:size])
    proof = merkle.inclusion_proof(index, size, source)
    leaf = merkle.leaf_hash(leaves[index])
    merkle.verify_inclusion(index, size, leaf, proof, root)
    independent.InclusionProof(index, size, proof).check(leaf, root)
    mutations = [("root", proof, root[:-1] + bytes([root[-1] ^ 1]), index, size)]
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        flipped = [*proof[:at], bytes([proof[at][0] ^ 0x80]) + proof[at][1:], *proof[at + 1 :]]
        mutations += [
            ("hash", flipped, root, index, size),
            ("short", proof[:-1], root, index, size),
        ]
    mutations.append(("long", [*proof, root], root, index, size))
    if size > 1:
        mutations.append(("index", proof, root, (index + 1) % size, size))
    for _name, bad, bad_root, bad_index, bad_size in mutations:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(bad_index, bad_size, leaf, bad, bad_root)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves=leaf_lists, data=st.data())
def test_every_consistency_proof_verifies_and_every_mutation_fails(leaves, data) -> None:  # type: ignore[no-untyped-def]
    new = data.draw(st.integers(1, len(leaves)))
    old = data.draw(st.integers(1, new))
    source = merkle.from_mapping(tree_of(leaves))
    old_root, new_root = merkle.root(old, source), merkle.root(new, source)
    proof = merkle.consistency_proof(old, new, source)
    merkle.verify_consistency(old, new, old_root, new_root, proof)
    independent.ConsistencyProof(old, new, proof).check(old_root, new_root)
    if old == new:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, old_root, bytes(32), proof)
        return
    at = data.draw(st.integers(0, len(proof) - 1))
    flipped = [*proof[:at], bytes([proof[at][0] ^ 1]) + proof[at][1:], *proof[at + 1 :]]
    for bad, a, b in (
        (flipped, old_root, new_root),
        (proof[:-1], old_root, new_root),
        ([*proof, new_root], old_root, new_root),
        (proof, bytes(32), new_root),
        (proof, old_root, bytes(32)),
    ):
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, new, a, b, bad)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 10**7), data=st.data())
def test_proofs_read_a_logarithmic_number_of_stored_nodes(size: int, data) -> None:  # type: ignore[no-untyped-def]
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    bound = 2 * size.bit_length() + 2
    assert len(merkle.plan_inclusion(index, size)) <= bound
    assert len(merkle.plan_consistency(old, size)) <= 2 * bound
    assert len(merkle.plan_root(size)) <= size.bit_length()


# --- notes, checkpoints and cosignatures, checked by tlog-scales ------------------------------


def test_checkpoint_signed_here_verifies_with_tlog_scales() -> None:
    log = Signer.generate("ceasefire/test-log")
    leaves = [b"one", b"two", b"three"]
    source = merkle.from_mapping(tree_of(leaves))
    body = Checkpoint("ceasefire/test-log", 3, merkle.root(3, source)).body()
    note = log.sign_note(body)
    parsed = independent.Checkpoint.from_text(note)
    parsed.verify(Vkey.from_string(log.verifier.vkey))
    assert parsed.size == 3 and parsed.root_hash == merkle.root(3, source)

    witness = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    cosigned = note + cosign(witness, body, 1_700_000_000).line()
    again = independent.Checkpoint.from_text(cosigned)
    key = Vkey.from_string(witness.verifier.vkey)
    signature = next(s for s in again.signatures if key.match(s))
    key.get_verifier().verify_note(signature, again)
    assert verify_cosignature(parse_note(cosigned), witness.verifier) == 1_700_000_000


def test_a_cosignature_by_another_key_or_on_another_body_fails() -> None:
    witness = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    impostor = Signer.generate("witness.example/w1", COSIGNATURE_V1)
    body = Checkpoint("log", 1, bytes(32)).body()
    note = parse_note(body + "\n" + cosign(impostor, body, 5).line())
    with pytest.raises(NoteError):
        verify_cosignature(note, witness.verifier)
    other = Checkpoint("log", 2, bytes(32)).body()
    moved = parse_note(other + "\n" + cosign(witness, body, 5).line())
    with pytest.raises(NoteError):
        verify_cosignature(moved, witness.verifier)


@pytest.mark.parametrize(
    "text",
    [
        "origin\n12\nnot base64!\n",
        "origin\n012\n" + "A" * 43 + "=\n",
        "origin\n-1\n" + "A" * 43 + "=\n",
        "origin\n1\nAAAA\n",
        "\n1\n" + "A" * 43 + "=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


# --- leaves ---------------------------------------------------------------------------------


def test_a_committed_leaf_hides_the_content_and_the_salt_reveals_it() -> None:
    entry = Entry("incident", "id-1", 2, "2021-04-11T05:30:00+00:00", "rpk", {"title": "Tractor"})
    secret = b"s" * 32
    leaf = entry.leaf(derive(secret, "content"))
    view = read_leaf(leaf)
    assert view.content is None and b"Tractor" not in leaf
    assert view.commitment == commitment({"title": "Tractor"}, derive(secret, "content"))
    assert read_leaf(entry.leaf(None)).content == {"title": "Tractor"}
    assert derive(secret, "content") != derive(secret, "protected")
    with pytest.raises(ValueError):
        read_leaf(b'{"kind": "incident"}')
