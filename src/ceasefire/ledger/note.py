"""C2SP signed notes with Ed25519 keys, checkpoints, and tlog-cosignature/v1 cosignatures.

- signed-note: a text ending in a newline, a blank line, then signature lines
  `— <name> base64(key ID || signature)`. A key ID is the first four bytes of
  SHA-256(name || "\\n" || type || public key); type 0x01 is an Ed25519 note
  signature, 0x04 an Ed25519 cosignature. Keys travel as *vkey* strings
  (`name+hex(key ID)+base64(type || public key)`) and signer keys as
  `PRIVATE+KEY+name+hex(key ID)+base64(0x01 || seed)`.
- tlog-checkpoint: the note body `origin\\nsize\\nbase64(root)\\n`.
- tlog-cosignature/v1: an Ed25519 signature over `cosignature/v1\\ntime T\\n` + the
  checkpoint body, sent as the 8-byte big-endian T followed by the signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note, key or checkpoint, or a signature that does not verify."""


def _valid_name(name: str) -> bool:
    return bool(name) and not any(ch.isspace() or ch == "+" for ch in name)


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures (0x01) or cosignatures (0x04)."""

    name: str
    kind: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def check(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3 or not _valid_name(parts[0]):
        raise NoteError(f"not a verifier key: {vkey!r}")
    name, hex_id, encoded = parts
    raw = _b64decode(encoded, "the verifier key")
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 note (0x01) and cosignature (0x04) keys are supported")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id.lower():
        raise NoteError(f"the key ID of {name!r} does not match its key")
    return verifier


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey
    kind: int = ED25519

    @classmethod
    def generate(cls, name: str, kind: int = ED25519) -> Signer:
        if not _valid_name(name):
            raise NoteError(f"a key name has no spaces or '+': {name!r}")
        return cls(name, Ed25519PrivateKey.generate(), kind)

    @property
    def verifier(self) -> Verifier:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, self.kind, public)

    @property
    def skey(self) -> str:
        seed = self.private.private_bytes_raw()
        encoded = base64.b64encode(bytes([self.kind]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{encoded}"

    def sign_note(self, text: str) -> str:
        """The note `text` signed by this key (text must end in a newline)."""
        body = _check_text(text)
        signature = Signature(self.name, self.verifier.key_id, self.private.sign(body))
        return text + "\n" + signature.line()


def parse_skey(skey: str) -> Signer:
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _valid_name(parts[2]):
        raise NoteError("not a signer key (PRIVATE+KEY+name+id+key)")
    raw = _b64decode(parts[4], "the signer key")
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 signer keys are supported")
    signer = Signer(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[0])
    if signer.verifier.key_id.hex() != parts[3].lower():
        raise NoteError("the key ID does not match the signer key")
    return signer


def _check_text(text: str) -> bytes:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note text ends in a newline and has no blank line")
    return text.encode()


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    def serialize(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def parse_note(message: str) -> Note:
    """Split a signed note into its text and signature lines (no verification)."""
    split = message.rfind("\n\n")
    if split < 0 or not message.endswith("\n"):
        raise NoteError("a signed note is text, a blank line and signature lines")
    text, block = message[: split + 1], message[split + 2 :]
    _check_text(text)
    signatures = []
    for line in block.splitlines():
        if not line.startswith(DASH + " "):
            raise NoteError(f"not a signature line: {line[:40]!r}")
        name, _, payload = line[2:].rpartition(" ")
        raw = _b64decode(payload, "a signature")
        if not _valid_name(name) or len(raw) < 5:
            raise NoteError(f"malformed signature line: {line[:40]!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"a note has 1 to {MAX_SIGNATURES} signatures")
    return Note(text, tuple(signatures))


def signature_by(note: Note, verifier: Verifier) -> Signature | None:
    for signature in note.signatures:
        if signature.name == verifier.name and signature.key_id == verifier.key_id:
            return signature
    return None


def verify_note(message: str, verifier: Verifier) -> Note:
    """Parse a note and check its signature by `verifier` (a 0x01 key); raise NoteError if not."""
    note = parse_note(message)
    signature = signature_by(note, verifier)
    if signature is None:
        raise NoteError(f"the note has no signature by {verifier.name}")
    if not verifier.check(note.text.encode(), signature.signature):
        raise NoteError(f"the signature by {verifier.name} does not verify")
    return note


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise NoteError("a checkpoint body is origin, size and root hash lines")
    size_text = lines[1]
    if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
        raise NoteError("the checkpoint size is not a decimal number")
    root_hash = _b64decode(lines[2], "the checkpoint root hash")
    if len(root_hash) != 32:
        raise NoteError("the checkpoint root hash is not 32 bytes")
    return Checkpoint(lines[0], int(size_text), root_hash)


# --- cosignatures --------------------------------------------------------------------------


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(signer: Signer, checkpoint_text: str, timestamp: int) -> Signature:
    """A tlog-cosignature/v1 by `signer` (a 0x04 key) over a checkpoint body."""
    if signer.kind != COSIGNATURE_V1:
        raise NoteError("a cosigner key has type 0x04")
    signed = signer.private.sign(cosignature_message(checkpoint_text, timestamp))
    return Signature(signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + signed)


def verify_cosignature(note: Note, verifier: Verifier) -> int:
    """Check the cosignature of `verifier` on a checkpoint note; return its timestamp."""
    signature = signature_by(note, verifier)
    if signature is None:
        raise NoteError(f"no cosignature by {verifier.name}")
    if len(signature.signature) != 72:
        raise NoteError(f"the cosignature by {verifier.name} is malformed")
    (timestamp,) = struct.unpack(">Q", signature.signature[:8])
    message = cosignature_message(note.text, timestamp)
    if not verifier.check(message, signature.signature[8:]):
        raise NoteError(f"the cosignature by {verifier.name} does not verify")
    return int(timestamp)
