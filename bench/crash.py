"""Crash harness: report traffic through the API while `ceasefire serve` is killed outright.

    .venv/bin/python bench/crash.py                      # 20 kills on SQLite
    .venv/bin/python bench/crash.py --kills 20 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

For each database: `ceasefire init`, the pack's demo users, a token for `jmc.ru.monitor`, a
witness of the log (in this process, with its own key and state file, which `serve` pushes
every checkpoint to), and the receivers of bench/notify.py (an SMTP server and a webhook
receiver, in a process of their own). Then, `--kills` times: start `serve` (checkpoints every
second), post reports from several threads without pause, and after a random 1-4 s kill
serve's whole process group (web app, log worker, dispatcher) with SIGKILL. A last `serve`
then runs until every notification is delivered, and the harness checks:

- every report whose POST was answered 201 is in the database, with its version's log leaf;
- every notification those reports required (rows written in the report's transaction) was
  delivered: its idempotency key reached its receiver; a key that came more than once is a
  message sent again after a kill cut its dispatcher off before the delivery was recorded
  (at-least-once delivery, which the key lets a receiver fold) and is counted; two
  notifications for the same report and contact point would be a true duplicate;
- the witness accepted every checkpoint, and cosigns the final one (consistent with all it
  saw before each kill); `ceasefire audit` passes.

It prints the results as Markdown and replaces its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Connection, create_engine, func, select

import notify as rig  # bench/notify.py: receivers, service environment, report bodies
from ceasefire.config import Settings
from ceasefire.ledger.note import COSIGNATURE_V1, Signer
from ceasefire.ledger.witness import Witness, serve
from ceasefire.services.deployment import open_deployment
from ceasefire.store.tables import incidents, log_leaves, notifications

SECTION = "crash"
MARK_BEGIN, MARK_END = rig.markers(SECTION, "bench/crash.py")
POSTERS = 8
KILL_AFTER = (1.0, 4.0)
"""seconds of traffic before each kill, drawn uniformly"""
SETTLE_SECONDS = 150.0
"""how long the last serve may take to deliver everything (a message a kill left `sending` waits
for its 60 s lease to run out) and to have the witness cosign its checkpoint"""


@dataclass
class Traffic:
    """Reports posted across all the serve lives; shared by the posting threads."""

    acknowledged: list[str] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)
    failed: int = 0
    """POSTs that got no answer (the service died under them): not acknowledged"""
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_forever(url: str, token: str, traffic: Traffic, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        index = 0
        while not stop.is_set():
            index += 1
            try:
                answer = client.post("/api/v1/incidents", json=rig.report_body(index), timeout=10)
            except httpx.HTTPError:
                with traffic.lock:
                    traffic.failed += 1
                time.sleep(0.05)  # the service is down: wait for the next one
                continue
            with traffic.lock:
                if answer.status_code == 201:
                    traffic.acknowledged.append(str(answer.json()["id"]))
                else:
                    traffic.refused[answer.status_code] += 1


@contextmanager
def witness(data_dir: Path, database_url: str, workdir: Path) -> Iterator[tuple[Witness, str]]:
    """A witness of this deployment's log, and the CEASEFIRE_WITNESSES value naming it."""
    settings = Settings(data_dir=data_dir, database_url=database_url, scenario=rig.REFERENCE_PACK)
    dep = open_deployment(settings)
    log_key = dep.log.signer.verifier
    dep.db.dispose()
    signer = Signer.generate("witness.crash.bench", COSIGNATURE_V1)
    it = Witness(signer, log_key, workdir / "witness" / "state.json")
    server = serve(it, rig.LOOPBACK, 0)
    threading.Thread(target=server.serve_forever, name="witness", daemon=True).start()
    url = f"http://{rig.LOOPBACK}:{server.server_address[1]}"
    try:
        yield it, json.dumps([{"vkey": signer.verifier.vkey, "url": url}])
    finally:
        server.shutdown()
        server.server_close()


def start_serve(env: dict[str, str], log: Path, url: str, token: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(rig.CEASEFIRE), "serve"],
            env=env,
            cwd=rig.ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill takes the dispatcher too
        )
    rig.wait_ready(process, url, token, log)
    return process


def kill_group(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass
class Outcome:
    database: str
    kills: int = 0
    seconds: float = 0.0
    traffic: Traffic = field(default_factory=Traffic)
    missing: int = 0
    """acknowledged reports not in the database"""
    leafless: int = 0
    """acknowledged reports without their version's log leaf"""
    required: int = 0
    undelivered: int = 0
    resent: int = 0
    """notifications whose message reached its receiver more than once (same key)"""
    doubled: int = 0
    """(report, contact point) pairs with more than one notification"""
    witness_size: int = 0
    log_size: int = 0
    refusals: int = 0
    audit: str = ""


def leaf_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(log_leaves)).scalar_one())


def check(outcome: Outcome, database_url: str, arrivals: list[rig.Arrival]) -> None:
    acknowledged = set(outcome.traffic.acknowledged)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            present = {str(i) for (i,) in conn.execute(select(incidents.c.id))}
            leafed = {
                str(i)
                for (i,) in conn.execute(
                    select(log_leaves.c.record_id).where(log_leaves.c.kind == "incident")
                )
            }
            rows = conn.execute(
                select(notifications.c.id, notifications.c.record_id, notifications.c.contact_id)
            ).all()
            outcome.log_size = leaf_count(conn)
    finally:
        engine.dispose()
    outcome.missing = len(acknowledged - present)
    outcome.leafless = len(acknowledged - leafed)
    required = [r for r in rows if str(r.record_id) in acknowledged]
    keys = Counter(a.key for a in arrivals)
    outcome.required = len(required)
    outcome.undelivered = sum(1 for r in required if keys[str(r.id)] == 0)
    outcome.resent = sum(1 for r in required if keys[str(r.id)] > 1)
    pairs = Counter((str(r.record_id), r.contact_id) for r in required)
    outcome.doubled = sum(1 for n in pairs.values() if n > 1)


def run_database(database: str, database_url: str, workdir: Path, kills: int) -> Outcome:
    outcome = Outcome(database)
    data_dir, log = workdir / "data", workdir / "serve.log"
    pack = rig.night_pack(workdir)
    with rig.receivers() as wiring:
        port = rig.free_port()
        env = rig.service_env(data_dir, pack, database_url, port, wiring)
        rig.run_cli(["init"], env)
        rig.load_demo_users(data_dir, pack, database_url)
        token = rig.run_cli(["token", "create", rig.REPORTER, "--label", "crash"], env).strip()
        url = f"http://{rig.LOOPBACK}:{port}"
        with witness(data_dir, database_url, workdir) as (observer, witnesses):
            env.update(CEASEFIRE_WITNESSES=witnesses, CEASEFIRE_CHECKPOINT_INTERVAL_SECONDS="1")
            stop = threading.Event()
            posters = [
                threading.Thread(target=post_forever, args=(url, token, outcome.traffic, stop))
                for _ in range(POSTERS)
            ]
            began = time.monotonic()
            process = start_serve(env, log, url, token)
            for poster in posters:
                poster.start()
            for kill in range(kills):
                time.sleep(random.uniform(*KILL_AFTER))
                kill_group(process)
                outcome.kills += 1
                rig.progress(
                    f"{database}: kill {kill + 1}/{kills}; "
                    f"{len(outcome.traffic.acknowledged)} reports acknowledged so far"
                )
                process = start_serve(env, log, url, token)
            stop.set()
            for poster in posters:
                poster.join()
            rig.progress(f"{database}: traffic stopped; letting the last serve settle")
            settle(observer, database_url, outcome, process)
            outcome.seconds = time.monotonic() - began
            rig.stop_process(process)
            outcome.audit = audit(env)
        check(outcome, database_url, wiring.arrivals.snapshot())
    return outcome


def settle(
    observer: Witness, database_url: str, outcome: Outcome, process: subprocess.Popen[bytes]
) -> None:
    """Wait until nothing is left to deliver and the witness holds the whole log."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + SETTLE_SECONDS
    try:
        while time.monotonic() < deadline and process.poll() is None:
            with engine.connect() as conn:
                waiting = conn.execute(
                    select(notifications.c.id).where(
                        notifications.c.status.in_(["pending", "sending", "retrying"])
                    )
                ).first()
                size = leaf_count(conn)
            state = observer.state()
            if waiting is None and state is not None and state.size == size:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    state = observer.state()
    outcome.witness_size = state.size if state else 0
    evidence = observer.state_file.with_name(observer.state_file.name + ".evidence")
    outcome.refusals = len(list(evidence.glob("*"))) if evidence.is_dir() else 0


def audit(env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(rig.CEASEFIRE), "audit"], env=env, capture_output=True, text=True, check=False
    )
    return "passed" if done.returncode == 0 else f"FAILED: {done.stdout}{done.stderr}".strip()


# --- the report --------------------------------------------------------------------------------


def render(outcomes: list[Outcome], command: str, started: datetime) -> str:
    rows = []
    for o in outcomes:
        t = o.traffic
        rows.append(
            [
                o.database,
                str(o.kills),
                f"{o.seconds:.0f} s",
                str(len(t.acknowledged)),
                str(t.failed),
                ", ".join(f"{n}× {s}" for s, n in sorted(t.refused.items())) or "none",
                f"**{o.missing}**",
                f"**{o.leafless}**",
                str(o.required),
                f"**{o.undelivered}**",
                str(o.resent),
                f"**{o.doubled}**",
                f"{o.witness_size} of {o.log_size}",
                str(o.refusals),
                o.audit,
            ]
        )
    verdict = all(
        o.missing == o.leafless == o.undelivered == o.doubled == o.refusals == 0
        and o.witness_size == o.log_size
        and o.audit == "passed"
        and o.kills >= 20
        for o in outcomes
    )
    return "\n\n".join(
        [
            "## Crash safety (bench/crash.py)",
            f"Command: `{command}`",
            f"Date: {started:%Y-%m-%d %H:%M} UTC. Code: {rig.code_version()}.",
            f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
            f"Python {platform.python_version()}.",
            f"Load: {POSTERS} threads post reports without pause; `serve` (checkpoints every "
            f"second, one witness) is killed with SIGKILL, with its whole process group, after "
            f"{KILL_AFTER[0]:g}-{KILL_AFTER[1]:g} s of traffic, and started again.",
            rig.table(
                [
                    "database",
                    "kills",
                    "run",
                    "reports acknowledged (201)",
                    "POSTs cut off",
                    "other answers",
                    "acknowledged but missing",
                    "without their log leaf",
                    "notifications required",
                    "not delivered",
                    "sent again after a kill (same key)",
                    "double notifications",
                    "witness holds",
                    "checkpoints refused",
                    "`ceasefire audit`",
                ],
                rows,
            ),
            "*Sent again after a kill* counts messages a receiver got twice with the same "
            "`X-Ceasefire-Idempotency-Key`: the dispatcher had sent them and was killed before "
            "it recorded the delivery, so the next one sent them again once their lease ran "
            "out. Delivery is at-least-once; the key lets a receiver fold the repeat. *Double "
            "notifications* would be two notifications for one report and contact point.",
            f"**Requirement (20+ kills per database; nothing acknowledged lost, no double "
            f"delivery, checkpoints consistent): {'holds' if verdict else 'does not hold'}.**",
        ]
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Crash harness (see the module docstring).")
    parser.add_argument("--kills", type=int, default=20, help="kills per database (20)")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (temporary db)")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if not 1 <= args.kills <= 1000:
        parser.error("--kills must be between 1 and 1000")
    started = datetime.now(UTC)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="ceasefire-crash-") as work:
        sqlite_dir = Path(work) / "sqlite"
        sqlite_dir.mkdir()
        url = f"sqlite:///{sqlite_dir / 'crash.db'}"
        outcomes.append(run_database("SQLite", url, sqlite_dir, args.kills))
        if args.postgres:
            pg_dir = Path(work) / "postgresql"
            pg_dir.mkdir()
            with rig.postgres_database(args.postgres) as pg_url:
                outcomes.append(run_database("PostgreSQL", pg_url, pg_dir, args.kills))
    command = ".venv/bin/python bench/crash.py " + " ".join(argv)
    section = render(outcomes, command.strip(), started)
    print(section)
    if not args.no_write:
        rig.write_section(rig.DOCS, section, MARK_BEGIN, MARK_END)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
