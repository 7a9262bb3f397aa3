"""A witness: what each party runs to cosign the log's checkpoints, per C2SP tlog-witness.

The log pushes `POST /add-checkpoint` with the size the witness last cosigned,
a consistency proof and the new signed checkpoint. The witness checks the
log's signature, that the old size is the one it holds (else 409 with its
size), and the proof (else 422); only then does it persist the new state —
atomically, before answering — and return its tlog-cosignature/v1. A
checkpoint that contradicts what it cosigned before (a rewritten history)
is refused, and both signed checkpoints are kept as evidence of the log's
misbehaviour, with an alarm in the witness's log.

This module needs nothing from the rest of ceasefire: a party can run it, or
reimplement it from the specifications, without trusting the log's code.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ceasefire.ledger import merkle
from ceasefire.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    cosign,
    parse_checkpoint,
    verify_note,
)

log = logging.getLogger("ceasefire.witness")
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63


@dataclass
class WitnessState:
    """The latest checkpoint this witness cosigned for its log."""

    origin: str
    size: int
    root_hash: str
    note: str

    @property
    def root(self) -> bytes:
        return base64.b64decode(self.root_hash)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    def __init__(self, signer: Signer, log_key: Verifier, state_file: Path) -> None:
        self.signer = signer
        self.log_key = log_key
        self.state_file = state_file
        self._lock = threading.Lock()

    @property
    def origin(self) -> str:
        return self.log_key.name

    def state(self) -> WitnessState | None:
        if not self.state_file.exists():
            return None
        return WitnessState(**json.loads(self.state_file.read_text(encoding="utf-8")))

    def add_checkpoint(self, request: bytes, now: int | None = None) -> Answer:
        try:
            old, proof, message = _parse_request(request)
        except ValueError as exc:
            return Answer(400, f"{exc}\n")
        first_line = message.split("\n", 1)[0]
        if first_line != self.origin:
            return Answer(404, f"unknown log origin {first_line!r}\n")
        try:
            note = verify_note(message, self.log_key)
            checkpoint = parse_checkpoint(note.text)
        except NoteError as exc:
            return Answer(403, f"{exc}\n")
        if old > checkpoint.size:
            return Answer(400, "the old size is larger than the checkpoint size\n")
        with self._lock, _file_lock(self.state_file):
            state = self.state()
            held = state.size if state else 0
            if old != held:
                return Answer(409, f"{held}\n", "text/x.tlog.size")
            refusal = self._check(state, old, proof, checkpoint)
            if refusal is not None:
                self._keep_evidence(state, message, old, proof, refusal)
                return Answer(409 if old == checkpoint.size else 422, f"{refusal}\n")
            self._save(
                WitnessState(
                    origin=self.origin,
                    size=checkpoint.size,
                    root_hash=base64.b64encode(checkpoint.root_hash).decode(),
                    note=message,
                )
            )
        signature = cosign(self.signer, note.text, int(time.time()) if now is None else now)
        return Answer(200, signature.line())

    def _check(
        self, state: WitnessState | None, old: int, proof: list[bytes], checkpoint: Checkpoint
    ) -> str | None:
        old_root = state.root if state else merkle.EMPTY_ROOT
        try:
            merkle.verify_consistency(old, checkpoint.size, old_root, checkpoint.root_hash, proof)
        except merkle.ProofError as exc:
            return f"the checkpoint is not consistent with the one cosigned at size {old}: {exc}"
        return None

    def _keep_evidence(
        self, state: WitnessState | None, message: str, old: int, proof: list[bytes], why: str
    ) -> None:
        folder = self.state_file.parent / (self.state_file.name + ".evidence")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}.json"
        evidence = {
            "reason": why,
            "cosigned": state.note if state else None,
            "presented": message,
            "old_size": old,
            "proof": [base64.b64encode(p).decode() for p in proof],
        }
        _write_atomically(path, json.dumps(evidence, indent=1))
        log.error("ALARM: log %s presented an inconsistent history (%s); evidence in %s",
                  self.origin, why, path)  # fmt: skip

    def _save(self, state: WitnessState) -> None:
        _write_atomically(self.state_file, json.dumps(asdict(state), indent=1))


def _parse_request(request: bytes) -> tuple[int, list[bytes], str]:
    if len(request) > MAX_BODY:
        raise ValueError("the request is too large")
    try:
        text = request.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the request is not UTF-8") from None
    head, sep, message = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise ValueError("the request starts with an old size line and a blank line")
    size = lines[0][4:]
    if not size.isdigit() or (size.startswith("0") and size != "0"):
        raise ValueError("the old size is not a decimal number")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise ValueError("too many consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            value = base64.b64decode(line, validate=True)
        except ValueError:
            raise ValueError("a proof line is not base64") from None
        if len(value) != 32:
            raise ValueError("a proof line is not a 32-byte hash")
        proof.append(value)
    return int(size), proof, message


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class _file_lock:
    """An exclusive lock on `<state>.lock`, so two witness processes cannot race."""

    def __init__(self, state_file: Path) -> None:
        self.path = state_file.with_name(state_file.name + ".lock")

    def __enter__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """An HTTP server answering POST /add-checkpoint (call serve_forever on it)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "ceasefire-witness"

        def do_POST(self) -> None:
            if self.path.rstrip("/").rsplit("/", 1)[-1] != "add-checkpoint":
                self._answer(Answer(404, "not found\n"))
                return
            length = self.headers.get("Content-Length", "")
            if not length.isdigit() or int(length) > MAX_BODY:
                self._answer(Answer(400, "send a Content-Length of at most 64 KiB\n"))
                return
            self._answer(witness.add_checkpoint(self.rfile.read(int(length))))

        def _answer(self, answer: Answer) -> None:
            body = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.info("%s %s", self.address_string(), format % args)

    return ThreadingHTTPServer((host, port), Handler)
