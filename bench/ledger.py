"""Benchmark of the verifiable log: what it costs a report, how fast it grows, how proofs scale.

    .venv/bin/python bench/ledger.py                      # sizes 1M and 10M, SQLite only
    .venv/bin/python bench/ledger.py --quick              # a minute or two
    .venv/bin/python bench/ledger.py --sizes 1000000,10000000 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

It measures, in one run on one machine:

1. `report_incident` with and without its version's log leaf, and without any leaf,
   alternated in rounds, on SQLite and, with `--postgres`, on a temporary PostgreSQL database;
2. leaves sequenced per second (`store.log.append`, one transaction per leaf) and leaves
   integrated per second by `publish_checkpoint` with 10,000 leaves pending;
3. inclusion and consistency proof times on logs of 10k leaves and of each `--sizes` size,
   built in a SQLite file (synthetic leaf rows, then `store.log.integrate` in chunks);
4. `verify_bundle` on the bundle of a mission user over a settled log of 10,000 records;
5. raw `hashlib.sha256` throughput, so every figure can be read as a number of raw hashes.

It prints the results as Markdown and replaces its own section of docs/benchmarks.md.
Everything runs on the local machine; the only network traffic is to the given PostgreSQL.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, func, select, text, update
from sqlalchemy.engine import make_url

from ceasefire.config import Settings
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.incidents import IncidentDraft, Status
from ceasefire.domain.records import IncidentVersion
from ceasefire.ledger import merkle
from ceasefire.ledger.bundle import read_trust, verify_bundle
from ceasefire.ledger.leaf import Entry, commitment, derive, new_secret
from ceasefire.pack import read_pack
from ceasefire.services import accounts, bundles, incidents, scenarios
from ceasefire.services import log as log_service
from ceasefire.services.deployment import Deployment, initialise, open_deployment
from ceasefire.store import log as log_store
from ceasefire.store import migrate
from ceasefire.store.accounts import user_by_name
from ceasefire.store.db import Database
from ceasefire.store.notifications import NotificationVersion
from ceasefire.store.tables import log_leaves, log_nodes, log_state

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_PACK = ROOT / "scenarios" / "nagorno-karabakh-2020"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "ledger"
REPORTER = "jmc.ru.monitor"
BUNDLE_USER = "jmc.duty"
REFERENCE_SIZE = 10_000
PENDING = 10_000
INTEGRATE_CHUNK = 200_000
INSERT_BATCH = 50_000
INSERT_TRANSACTION = 1_000_000
BUILD_CACHE_KIB = 2_000_000
MIN_PROOFS = 20
SAMPLE_ID = "00000000-0000-4000-8000-000000000000"

CLASSIFICATIONS: tuple[dict[str, Any], ...] = (
    {"classification": "public"},
    {"classification": "restricted", "restricted_to": ["mod-armenia", "jmc-turkey"]},
    {"classification": "mission"},
)
"""The drafts cycle through these: one leaf in three shows its content, two commit to it."""


# --- options, timing and formatting -----------------------------------------------------------


@dataclass(frozen=True)
class Options:
    quick: bool
    sizes: tuple[int, ...]
    postgres: str | None
    reports: int
    round_size: int
    appends: int
    integrations: int
    proofs: int
    proof_budget: float
    bundle_records: int
    workdir: Path | None
    write: bool
    command: str


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(
        description="Benchmark the verifiable log (see the module docstring)."
    )
    parser.add_argument("--quick", action="store_true", help="a small run of a minute or two")
    parser.add_argument(
        "--sizes",
        help="comma-separated large log sizes for the proof benchmark "
        "(default 1000000,10000000; with --quick 100000); 10,000 is always measured too",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run the report path on PostgreSQL, in a temporary database created "
        "(and dropped) on this server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--reports", type=int, help="reports per variant (default 300; quick 60)")
    parser.add_argument(
        "--proofs", type=int, help="proofs per kind and size (default 200; quick 50)"
    )
    parser.add_argument(
        "--proof-budget",
        type=float,
        help="seconds at most per series of proofs, at least 20 proofs (default 300; quick 20)",
    )
    parser.add_argument(
        "--bundle-records", type=int, help="records in the bundle (default 10000; quick 1000)"
    )
    parser.add_argument(
        "--workdir", type=Path, help="where temporary databases go (default: a new temp dir)"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    default_sizes = "100000" if quick else "1000000,10000000"
    sizes = tuple(int(s.replace("_", "")) for s in (args.sizes or default_sizes).split(",") if s)
    if any(size < 2 for size in sizes):
        parser.error("--sizes: every size must be at least 2")
    shown = ["bench/ledger.py", *argv]
    if args.postgres:
        shown = [
            make_url(a).render_as_string(hide_password=True) if a == args.postgres else a
            for a in shown
        ]
    return Options(
        quick=quick,
        sizes=tuple(sorted({REFERENCE_SIZE, *sizes})),
        postgres=args.postgres,
        reports=args.reports or (60 if quick else 300),
        round_size=10,
        appends=300 if quick else 1000,
        integrations=2 if quick else 3,
        proofs=args.proofs or (50 if quick else 200),
        proof_budget=args.proof_budget or (20.0 if quick else 300.0),
        bundle_records=args.bundle_records or (1000 if quick else 10_000),
        workdir=args.workdir,
        write=not args.no_write,
        command=".venv/bin/python " + " ".join(shown),
    )


def progress(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs" if seconds < 1e-4 else f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    if seconds < 600:
        return f"{seconds:.3g} s"
    return f"{seconds / 60:.1f} min"


def count(value: float) -> str:
    return f"{value:,.0f}"


def size_label(leaves: int) -> str:
    if leaves >= 1_000_000 and leaves % 100_000 == 0:
        return f"{leaves / 1_000_000:g}M"
    if leaves >= 1_000 and leaves % 1_000 == 0:
        return f"{leaves // 1_000}k"
    return count(leaves)


def megabytes(size: int) -> str:
    if size >= 10 * 1024**3:
        return f"{size / 1024**3:.1f} GiB"
    return f"{size / 1024**2:,.0f} MiB" if size >= 1024**2 else f"{size / 1024:,.0f} KiB"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- the machine and raw hashing --------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    ram: str
    python: str
    sqlite: str
    postgres: str | None = None
    code: str = "unknown"


def machine(postgres_version: str | None, code: str) -> Machine:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    return Machine(
        cpu=cpu,
        cores=os.cpu_count() or 0,
        ram=ram,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=postgres_version,
        code=code,
    )


def code_version() -> str:
    """The commit the run measured, and whether src/ differed from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes in src/" if changed else "")


@dataclass(frozen=True)
class HashRates:
    per_second_64: float
    per_second_300: float


@dataclass(frozen=True)
class Hashing:
    """Raw SHA-256 rates measured at the start and at the end of the run."""

    start: HashRates
    end: HashRates

    @property
    def per_second_64(self) -> float:
        return (self.start.per_second_64 + self.end.per_second_64) / 2

    @property
    def per_second_300(self) -> float:
        return (self.start.per_second_300 + self.end.per_second_300) / 2

    def hashes(self, seconds: float) -> str:
        """A duration as the number of raw 64-byte SHA-256 hashes done in that time."""
        return count(seconds * self.per_second_64)


def hash_rate(size: int, calls: int) -> float:
    """Raw `hashlib.sha256(data).digest()` calls per second on `size`-byte inputs (best of 5)."""
    data = os.urandom(size)
    sha256 = hashlib.sha256
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            sha256(data).digest()
        best = min(best, time.perf_counter() - start)
    return calls / best


def bench_hashing(quick: bool) -> HashRates:
    calls = 200_000 if quick else 500_000
    result = HashRates(hash_rate(64, calls), hash_rate(300, calls))
    progress(
        f"sha256: {count(result.per_second_64)}/s on 64 bytes, "
        f"{count(result.per_second_300)}/s on 300 bytes"
    )
    return result


# --- deployments, drafts and leaves -----------------------------------------------------------


def make_deployment(url: str, data_dir: Path) -> Deployment:
    """A deployment as tests/conftest.py prepares one: reference scenario, demo users."""
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        scenario=REFERENCE_PACK,
        secret_key="bench-" + uuid.uuid4().hex,
    )
    db = Database(url)
    initialise(settings, db, read_pack(REFERENCE_PACK))
    dep = open_deployment(settings, db)
    scenarios.load_demo_users(dep)
    return dep


def viewer(dep: Deployment, username: str) -> Viewer:
    with dep.db.read() as conn:
        user = user_by_name(conn, username)
    if user is None:
        raise RuntimeError(f"the demo user {username} is missing")
    return accounts.viewer_of(user)


def drafts() -> list[IncidentDraft]:
    """Valid incident drafts (tests/builders.py), one per classification in CLASSIFICATIONS."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.builders import violation_draft  # the tests' own valid draft

    return [violation_draft(**changes) for changes in CLASSIFICATIONS]


def sample_entries() -> list[tuple[Entry, bytes, bool]]:
    """(entry, secret, committed) of an incident version per classification, as the service
    logs them (`log.version_entry`), all with the record id SAMPLE_ID."""
    made = []
    for draft in drafts():
        version = IncidentVersion(
            incident_id=SAMPLE_ID,
            version=1,
            at=datetime.now(UTC),
            author=REPORTER,
            author_org="jmc-russia",
            change="reported",
            status=Status.reported,
            classification=draft.classification,
            reason=None,
            content=draft.model_dump(mode="json"),
        )
        secret = new_secret()
        made.append(
            (
                log_service.version_entry(version, secret),
                secret,
                draft.classification.value != "public",
            )
        )
    return made


class SyntheticLeaves:
    """log_leaves rows shaped like the service's, made fast: the sample leaves' bytes with a
    fresh record id (and commitment) spliced in, so sizes match real leaves."""

    def __init__(self) -> None:
        self._templates: list[tuple[bytes, bytes, bytes | None, bool]] = []
        for entry, secret, committed in sample_entries():
            salt = derive(secret, "content") if committed else None
            data = entry.leaf(salt)
            if salt is None:
                before, after = data.split(SAMPLE_ID.encode())
                self._templates.append((before, after, None, False))
            else:
                hex_commitment = commitment(entry.content, salt).encode()
                head, tail = data.split(hex_commitment)
                middle, after = tail.split(SAMPLE_ID.encode())
                self._templates.append((head, middle, after, True))
        self.mean_size = statistics.mean(
            len(self.row(i)[5]) for i in range(len(self._templates) * 10)
        )

    def row(self, index: int) -> tuple[int, str, str, int, bytes, bytes, bytes, bool]:
        first, second, third, committed = self._templates[index % len(self._templates)]
        record_id = str(uuid.uuid4())
        secret = os.urandom(32)
        if third is None:
            data = first + record_id.encode() + second
        else:
            digest = hashlib.sha256(secret).hexdigest().encode()
            data = first + digest + second + record_id.encode() + third
        return (index, "incident", record_id, 1, merkle.leaf_hash(data), data, secret, committed)


# --- 1. the report path with and without the log ----------------------------------------------


WITH_LOG, NO_VERSION_LEAF, NO_LEAVES = "with the log", "no version leaf", "no leaves"
VARIANTS = (WITH_LOG, NO_VERSION_LEAF, NO_LEAVES)


@dataclass(frozen=True)
class ReportPath:
    database: str
    leaves_per_report: int
    """Leaves one report adds with the log: its version's, and its notifications' steps."""
    timings: dict[str, list[float]]

    def median(self, variant: str) -> float:
        return statistics.median(self.timings[variant])

    def p95(self, variant: str) -> float:
        return percentile(self.timings[variant], 0.95)

    def ratio(self, without: str = NO_VERSION_LEAF) -> float:
        return self.median(WITH_LOG) / self.median(without)


def _no_log(conn: Any, version: IncidentVersion, steps: Sequence[NotificationVersion] = ()) -> int:
    """Stands in for `log.record_version`: logs the notification steps, not the version."""
    if steps:
        log_store.append(conn, log_service.notification_leaves(steps))
    return -1


def _no_append(conn: Any, entries: list[tuple[Entry, bytes, bool]]) -> list[int]:
    """Stands in for `store.log.append`: stores no leaf (the indexes are made up)."""
    return list(range(len(entries)))


@contextmanager
def variant_of_log(variant: str) -> Iterator[None]:
    """Run the block with the log as `variant` says (this process only): NO_VERSION_LEAF
    replaces `services.log.record_version` by one that logs the notifications' steps only;
    NO_LEAVES also replaces `store.log.append`, so that no leaf is written at all."""
    record_version, append = log_service.record_version, log_store.append
    if variant in (NO_VERSION_LEAF, NO_LEAVES):
        log_service.record_version = _no_log
    if variant == NO_LEAVES:
        log_store.append = _no_append
    try:
        yield
    finally:
        log_service.record_version, log_store.append = record_version, append


def bench_report_path(dep: Deployment, database: str, options: Options) -> ReportPath:
    monitor = viewer(dep, REPORTER)
    draft = drafts()[0]
    before = leaf_count(dep)
    incidents.report_incident(dep, monitor, draft)
    leaves_per_report = leaf_count(dep) - before
    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    rounds = math.ceil(options.reports / options.round_size)
    for number in range(-1, rounds):  # round -1 warms every variant up and is not kept
        turn = number % len(VARIANTS)
        for variant in VARIANTS[turn:] + VARIANTS[:turn]:
            with variant_of_log(variant):
                for _ in range(options.round_size):
                    start = time.perf_counter()
                    incidents.report_incident(dep, monitor, draft)
                    elapsed = time.perf_counter() - start
                    if number >= 0:
                        timings[variant].append(elapsed)
    result = ReportPath(database, leaves_per_report, timings)
    progress(
        f"{database} report path: {duration(result.median(WITH_LOG))} with the log, "
        f"{duration(result.median(NO_VERSION_LEAF))} without the version's leaf "
        f"(ratio {result.ratio():.2f}), {duration(result.median(NO_LEAVES))} without any "
        f"leaf (ratio {result.ratio(NO_LEAVES):.2f})"
    )
    return result


def leaf_count(dep: Deployment) -> int:
    with dep.db.read() as conn:
        return log_store.next_index(conn)


# --- 2. append and integration rates ----------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    database: str
    appends: list[float]
    """Seconds per append transaction (one leaf each)."""
    integrations: list[float]
    """Seconds per publish_checkpoint with PENDING leaves pending."""

    @property
    def append_rate(self) -> float:
        return len(self.appends) / sum(self.appends)

    @property
    def integration_rate(self) -> float:
        return PENDING / statistics.median(self.integrations)


def fresh_entries(samples: list[tuple[Entry, bytes, bool]], number: int) -> list[Any]:
    """`number` entries cycling through the samples, each with its own id and secret."""
    return [
        (
            dataclasses.replace(samples[i % len(samples)][0], id=str(uuid.uuid4())),
            new_secret(),
            samples[i % len(samples)][2],
        )
        for i in range(number)
    ]


def bench_rates(dep: Deployment, database: str, options: Options) -> Rates:
    samples = sample_entries()
    appends = []
    for entry in fresh_entries(samples, options.appends):
        start = time.perf_counter()
        with dep.db.begin() as conn:
            log_store.append(conn, [entry])
        appends.append(time.perf_counter() - start)
    log_service.publish_checkpoint(dep)  # integrate everything so far: only the batch pends
    integrations = []
    for _ in range(options.integrations):
        with dep.db.begin() as conn:
            log_store.append(conn, fresh_entries(samples, PENDING))
        start = time.perf_counter()
        size = log_service.publish_checkpoint(dep)
        integrations.append(time.perf_counter() - start)
        if size is None:
            raise RuntimeError("publish_checkpoint found nothing to integrate")
    result = Rates(database, appends, integrations)
    progress(
        f"{database}: {count(result.append_rate)} leaves/s appended one per transaction, "
        f"{count(result.integration_rate)} leaves/s integrated"
    )
    return result


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of `base`, dropped afterwards."""
    name = f"ceasefire_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def postgres_version(dep: Deployment) -> str:
    with dep.db.read() as conn:
        return str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]


# --- 3. proofs on large logs ------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    leaves: int
    insert_seconds: float
    integrate_seconds: float
    file_bytes: int
    node_rows: int
    mean_leaf_bytes: float


@dataclass(frozen=True)
class Series:
    seconds: list[float]
    nodes: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 0.95)


@dataclass(frozen=True)
class Proofs:
    build: Build
    inclusion: Series
    consistency: Series
    root_lookup: Series
    query_plan: str
    scans_table: bool
    indexed_inclusion: Series
    indexed_consistency: Series


def file_bytes(path: Path) -> int:
    return sum(
        p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )


def build_log(path: Path, leaves: int) -> Build:
    """A log of `leaves` synthetic leaves in a fresh SQLite file with the service's schema:
    leaf rows in large batches, then the tree through `store.log.integrate` in chunks."""
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    synthetic = SyntheticLeaves()
    columns = "idx, kind, record_id, version, leaf_hash, data, secret, committed"
    statement = f"INSERT INTO log_leaves ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    label = size_label(leaves)
    start = time.perf_counter()
    for first in range(0, leaves, INSERT_TRANSACTION):
        last = min(leaves, first + INSERT_TRANSACTION)
        with db.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
            for batch in range(first, last, INSERT_BATCH):
                rows = [synthetic.row(i) for i in range(batch, min(last, batch + INSERT_BATCH))]
                conn.exec_driver_sql(statement, rows)
            conn.execute(update(log_state).where(log_state.c.id == 1).values(next_index=last))
        elapsed = time.perf_counter() - start
        progress(f"{label}: {count(last)} leaves inserted ({count(last / elapsed)}/s)")
    inserted = time.perf_counter()
    done = 0
    while done < leaves:
        with db.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
            size, integrated = log_store.lock_state(conn)
            done = min(size, integrated + INTEGRATE_CHUNK)
            log_store.integrate(conn, integrated, done)
        elapsed = time.perf_counter() - inserted
        remaining = elapsed / done * (leaves - done)
        progress(
            f"{label}: {count(done)} leaves integrated ({count(done / elapsed)}/s, "
            f"{duration(remaining)} to go)"
        )
    integrate_seconds = time.perf_counter() - inserted
    with db.begin() as conn:
        node_rows = int(conn.execute(select(func.count()).select_from(log_nodes)).scalar_one())
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return Build(
        leaves=leaves,
        insert_seconds=inserted - start,
        integrate_seconds=integrate_seconds,
        file_bytes=file_bytes(path),
        node_rows=node_rows,
        mean_leaf_bytes=synthetic.mean_size,
    )


Fetch = Callable[[Connection, list[merkle.Node]], merkle.NodeSource]


def service_fetch(conn: Connection, keys: list[merkle.Node]) -> merkle.NodeSource:
    """What the service does: `store.log.node_source`."""
    return log_store.node_source(conn, keys)


def indexed_fetch(conn: Connection, keys: list[merkle.Node]) -> merkle.NodeSource:
    """For comparison only (not the service's query): the same nodes through
    `(level = ? AND idx = ?) OR …`, which SQLite answers from the primary key index."""
    found: dict[merkle.Node, bytes] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        wanted = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
        rows = conn.exec_driver_sql(
            f"SELECT level, idx, hash FROM log_nodes WHERE {wanted}",
            tuple(value for key in chunk for value in key),
        )
        found.update({(level, idx): node for level, idx, node in rows})
    return merkle.from_mapping(found)


def time_series(
    work: Callable[[int], list[merkle.Node]], draws: list[int], budget: float
) -> Series:
    """Run `work` on each draw (it returns the nodes it read) until the budget is spent, but
    at least MIN_PROOFS times."""
    seconds: list[float] = []
    nodes: list[int] = []
    deadline = time.perf_counter() + budget
    for number, draw in enumerate(draws):
        if number >= MIN_PROOFS and time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        planned = work(draw)
        seconds.append(time.perf_counter() - start)
        nodes.append(len(planned))
    return Series(seconds, nodes)


def proof_series(
    conn: Connection, leaves: int, fetch: Fetch, options: Options, seed: int
) -> tuple[Series, Series]:
    """Inclusion proofs of random leaves and consistency proofs from random sizes, both
    against the whole tree, as `services.log` computes them."""

    def inclusion(index: int) -> list[merkle.Node]:
        plan = merkle.plan_inclusion(index, leaves)
        merkle.inclusion_proof(index, leaves, fetch(conn, plan))
        return plan

    def consistency(old: int) -> list[merkle.Node]:
        plan = merkle.plan_consistency(old, leaves)
        merkle.consistency_proof(old, leaves, fetch(conn, plan))
        return plan

    draw = random.Random(seed)
    indexes = [draw.randrange(leaves) for _ in range(options.proofs)]
    olds = [draw.randrange(1, leaves) for _ in range(options.proofs)]
    for index in indexes[:3]:  # warm the connection and caches up
        inclusion(index)
    return (
        time_series(inclusion, indexes, options.proof_budget),
        time_series(consistency, olds, options.proof_budget),
    )


def check_proofs(conn: Connection, leaves: int, seed: int) -> None:
    """Verify a few proofs against the root, so the timings are of correct proofs."""
    draw = random.Random(seed)
    root = merkle.root(leaves, log_store.node_source(conn, merkle.plan_root(leaves)))
    for index in (0, leaves - 1, draw.randrange(leaves)):
        proof = merkle.inclusion_proof(
            index, leaves, log_store.node_source(conn, merkle.plan_inclusion(index, leaves))
        )
        leaf = conn.execute(select(log_leaves.c.leaf_hash).where(log_leaves.c.idx == index))
        merkle.verify_inclusion(index, leaves, leaf.scalar_one(), proof, root)
    old = draw.randrange(1, leaves)
    old_root = merkle.root(old, log_store.node_source(conn, merkle.plan_root(old)))
    proof = merkle.consistency_proof(
        old, leaves, log_store.node_source(conn, merkle.plan_consistency(old, leaves))
    )
    merkle.verify_consistency(old, leaves, old_root, root, proof)


def node_query_plan(db: Database, conn: Connection, keys: list[merkle.Node]) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN for the statement `store.log.nodes` sends for `keys`."""
    sent: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if "log_nodes" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        log_store.nodes(conn, keys)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [str(row[-1]) for row in rows]


def bench_proofs(workdir: Path, leaves: int, options: Options) -> Proofs:
    path = workdir / f"log-{leaves}.db"
    try:
        build = build_log(path, leaves)
        label = size_label(leaves)
        progress(
            f"{label}: built in {duration(build.insert_seconds + build.integrate_seconds)}, "
            f"{megabytes(build.file_bytes)}; timing proofs"
        )
        db = Database(f"sqlite:///{path}")  # a fresh engine, as the service opens it
        try:
            with db.read() as conn:
                check_proofs(conn, leaves, seed=leaves)
                plan = node_query_plan(db, conn, merkle.plan_inclusion(leaves // 3, leaves))
                inclusion, consistency = proof_series(conn, leaves, service_fetch, options, 1)
                progress(
                    f"{label}: inclusion {duration(inclusion.median)}, "
                    f"consistency {duration(consistency.median)} (service query)"
                )
                fast_inclusion, fast_consistency = proof_series(
                    conn, leaves, indexed_fetch, options, 1
                )
                root_plan = merkle.plan_root(leaves)

                def root_lookup(_: int) -> list[merkle.Node]:
                    merkle.root(leaves, log_store.node_source(conn, root_plan))
                    return root_plan

                roots = time_series(root_lookup, list(range(5)), options.proof_budget / 10)
        finally:
            db.dispose()
        return Proofs(
            build=build,
            inclusion=inclusion,
            consistency=consistency,
            root_lookup=roots,
            query_plan="; ".join(plan),
            scans_table=any(step.startswith("SCAN log_nodes") for step in plan),
            indexed_inclusion=fast_inclusion,
            indexed_consistency=fast_consistency,
        )
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


# --- 4. bundle verification -------------------------------------------------------------------


@dataclass(frozen=True)
class BundleResult:
    records: int
    leaves: int
    report_seconds: float
    export_seconds: float
    bundle_bytes: int
    verify: list[float]

    @property
    def per_10k(self) -> float:
        return statistics.median(self.verify) * 10_000 / self.records


def bench_bundle(workdir: Path, options: Options) -> BundleResult:
    data_dir = workdir / "bundle"
    dep = make_deployment(f"sqlite:///{data_dir / 'ceasefire.db'}", data_dir)
    try:
        monitor = viewer(dep, REPORTER)
        variants = drafts()
        start = time.perf_counter()
        for number in range(options.bundle_records):
            incidents.report_incident(dep, monitor, variants[number % len(variants)])
            if (number + 1) % 1000 == 0:
                progress(f"bundle: {count(number + 1)} incidents reported")
        report_seconds = time.perf_counter() - start
        if log_service.publish_checkpoint(dep) != leaf_count(dep):
            raise RuntimeError("the checkpoint does not cover every leaf")
        start = time.perf_counter()
        exported = bundles.export_bundle(dep, viewer(dep, BUNDLE_USER))
        export_seconds = time.perf_counter() - start
        progress(f"bundle: exported in {duration(export_seconds)}; verifying")
        encoded = json.dumps(exported, ensure_ascii=False).encode()
        bundle = json.loads(encoded)  # as a verifier reads it from a file
        trust = read_trust(dep.log.signer.verifier.vkey)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            verdict = verify_bundle(bundle, trust)
            timings.append(time.perf_counter() - start)
            if verdict.problems or verdict.verified != options.bundle_records:
                raise RuntimeError(f"the bundle does not verify: {verdict.problems[:3]}")
    finally:
        dep.db.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    return BundleResult(
        records=verdict.records,
        leaves=len(bundle["leaves"]),
        report_seconds=report_seconds,
        export_seconds=export_seconds,
        bundle_bytes=len(encoded),
        verify=timings,
    )


# --- the report -------------------------------------------------------------------------------


@dataclass
class Results:
    options: Options
    started: datetime
    machine: Machine
    hashing: Hashing
    report_paths: list[ReportPath] = field(default_factory=list)
    rates: list[Rates] = field(default_factory=list)
    proofs: list[Proofs] = field(default_factory=list)
    bundle: BundleResult | None = None
    minutes: float = 0.0


def render(results: Results) -> str:
    m, h, options = results.machine, results.hashing, results.options
    postgres = f", PostgreSQL {m.postgres}" if m.postgres else ""
    parts = [
        "## Ledger (bench/ledger.py)",
        f"Command: `{options.command}`"
        + (" (a `--quick` run: small sizes, fewer samples)" if options.quick else ""),
        f"Date: {results.started.strftime('%Y-%m-%d %H:%M')} UTC; the run took "
        f"{results.minutes:.0f} min. Code: {m.code}.\n\n"
        f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}, "
        f"SQLite {m.sqlite}{postgres}.",
        "### Raw SHA-256",
        table(
            ["input", "hashes per second", "time per hash", "at the start", "at the end"],
            [
                [
                    "64 bytes (a node)",
                    count(h.per_second_64),
                    duration(1 / h.per_second_64),
                    count(h.start.per_second_64),
                    count(h.end.per_second_64),
                ],
                [
                    "300 bytes (a leaf)",
                    count(h.per_second_300),
                    duration(1 / h.per_second_300),
                    count(h.start.per_second_300),
                    count(h.end.per_second_300),
                ],
            ],
        ),
        "`hashlib.sha256(data).digest()` in a loop (best of 5) at the start and at the end of "
        "the run, and their mean; the difference shows how steady the machine was. The "
        '"raw hashes" columns below express a time as that many 64-byte hashes at the mean rate.',
    ]
    if results.report_paths:
        parts += [
            "### Report path with and without the log",
            table(
                [
                    "database",
                    "reports per variant",
                    "leaves per report",
                    "median with the log",
                    "median, no version leaf",
                    "ratio of medians",
                    "median, no leaves",
                    "ratio of medians",
                    "p95 with / no version leaf / no leaves",
                    "version leaf in raw hashes",
                ],
                [
                    [
                        r.database,
                        str(len(r.timings[WITH_LOG])),
                        str(r.leaves_per_report),
                        duration(r.median(WITH_LOG)),
                        duration(r.median(NO_VERSION_LEAF)),
                        verdict(r.ratio()),
                        duration(r.median(NO_LEAVES)),
                        verdict(r.ratio(NO_LEAVES)),
                        " / ".join(duration(r.p95(v)) for v in VARIANTS),
                        h.hashes(r.median(WITH_LOG) - r.median(NO_VERSION_LEAF)),
                    ]
                    for r in results.report_paths
                ],
            ),
            f"Each row times `report_incident` (the tests' public violation draft: one "
            f"transaction writing the incident, its version, its leaf and its notifications) "
            f"with the log; with `log.record_version` logging the notification steps only (no "
            f"version leaf, the comparison the requirement ratio ≤ 1.5 is about); and with "
            f"`store.log.append` a no-op too (no leaves: the report's notification steps are "
            f"leaves as well, {results.report_paths[0].leaves_per_report - 1} of them here, "
            f"appended in the same call as the version's). The three "
            f"alternate in rounds of {options.round_size}, in turn, so drift hits all of them.",
        ]
    if results.rates:
        parts += [
            "### Append and integration rates",
            table(
                [
                    "database",
                    "appended, one transaction per leaf",
                    "median append transaction",
                    f"integrated by publish_checkpoint, {size_label(PENDING)} pending",
                    "integration per leaf in raw hashes",
                ],
                [
                    [
                        r.database,
                        f"{count(r.append_rate)} leaves/s",
                        duration(statistics.median(r.appends)),
                        f"{count(r.integration_rate)} leaves/s",
                        h.hashes(1 / r.integration_rate),
                    ]
                    for r in results.rates
                ],
            ),
            f"Appending is `store.log.append` of one leaf in its own committed transaction "
            f"({count(options.appends)} of them, as each report does), so it is bounded by "
            f"the commit; integration is the median of {options.integrations} "
            f"`publish_checkpoint` calls with {count(PENDING)} leaves pending (hashing the "
            f"tree, writing its nodes, signing the checkpoint).",
        ]
    if results.proofs:
        parts += proof_tables(results)
    if results.bundle:
        b = results.bundle
        scaled = "" if b.records == 10_000 else f" (scaled from {count(b.records)} records)"
        parts += [
            "### Bundle verification",
            table(
                [
                    "records",
                    "leaves",
                    "verify_bundle, median of 3",
                    "per 10,000 records",
                    "per record in raw hashes",
                    "export_bundle",
                    "bundle size",
                    f"reporting the {count(b.records)} incidents",
                ],
                [
                    [
                        count(b.records),
                        count(b.leaves),
                        duration(statistics.median(b.verify)),
                        f"**{duration(b.per_10k)}**{scaled}",
                        h.hashes(statistics.median(b.verify) / b.records),
                        duration(b.export_seconds),
                        megabytes(b.bundle_bytes),
                        duration(b.report_seconds),
                    ]
                ],
            ),
            f"A SQLite deployment without witnesses (so `publish_checkpoint` settles) with "
            f"{count(b.records)} incidents reported through `report_incident` (public, "
            f"restricted and mission in turn); `{BUNDLE_USER}` exports a bundle holding all of "
            f"them, and `verify_bundle` checks it (JSON already parsed) against the log's key. "
            f"The log also holds the reports' notification steps, so the bundle carries "
            f"{count(b.leaves)} leaves, each hashed into the root, of which "
            f"{count(b.leaves - b.records)} are withheld (committed to, without a record).",
        ]
    return "\n\n".join(parts) + "\n"


def verdict(ratio: float) -> str:
    return f"**{ratio:.2f}**" + (" (≤ 1.5: ok)" if ratio <= 1.5 else " (> 1.5!)")


def proof_tables(results: Results) -> list[str]:
    h = results.hashing
    proofs = results.proofs
    parts = [
        "### Proofs on large logs (SQLite)",
        table(
            [
                "leaves",
                "mean leaf",
                "leaf rows inserted",
                "integrated by store.log.integrate",
                "build time",
                "node rows",
                "database file",
            ],
            [
                [
                    size_label(p.build.leaves),
                    f"{p.build.mean_leaf_bytes:.0f} B",
                    f"{count(p.build.leaves / p.build.insert_seconds)}/s",
                    f"{count(p.build.leaves / p.build.integrate_seconds)} leaves/s",
                    duration(p.build.insert_seconds + p.build.integrate_seconds),
                    count(p.build.node_rows),
                    megabytes(p.build.file_bytes),
                ]
                for p in proofs
            ],
        ),
        f"Each log is a SQLite file with the service's schema: synthetic leaf rows shaped like "
        f"the service's (one public, two committed in turn) inserted in batches of "
        f"{count(INSERT_BATCH)}, then the tree written by `store.log.integrate` in chunks of "
        f"{count(INTEGRATE_CHUNK)} leaves, as `publish_checkpoint` writes it.",
        table(
            [
                "leaves",
                "inclusion proof, median",
                "p95",
                "in raw hashes",
                "consistency proof, median",
                "p95",
                "nodes per proof (incl. / cons.)",
                "node rows the query reads",
                "proofs timed (incl. / cons.)",
            ],
            [
                [
                    size_label(p.build.leaves),
                    f"**{duration(p.inclusion.median)}**",
                    duration(p.inclusion.p95),
                    h.hashes(p.inclusion.median),
                    f"**{duration(p.consistency.median)}**",
                    duration(p.consistency.p95),
                    f"{statistics.median(p.inclusion.nodes):.0f} / "
                    f"{statistics.median(p.consistency.nodes):.0f}",
                    f"all {count(p.build.node_rows)} (full scan)"
                    if p.scans_table
                    else "the nodes wanted",
                    f"{len(p.inclusion.seconds)} / {len(p.consistency.seconds)}",
                ]
                for p in proofs
            ],
        ),
        "A proof is what `services.log.inclusion_proof` / `consistency_proof` do on one open "
        "connection: plan the nodes, fetch them with `store.log.node_source`, compute the proof "
        "(random leaf indexes and old sizes, against the whole tree; a few proofs are verified "
        "against the root first). Nodes per proof is the median number of stored nodes planned "
        "and fetched.",
    ]
    if any(p.scans_table for p in proofs):
        plan = next(p.query_plan for p in proofs if p.scans_table)
        parts += [
            table(
                [
                    "leaves",
                    "inclusion, index lookup",
                    "consistency, index lookup",
                    "speed-up (inclusion)",
                    "checkpoint root lookup (service query)",
                ],
                [
                    [
                        size_label(p.build.leaves),
                        duration(p.indexed_inclusion.median),
                        duration(p.indexed_consistency.median),
                        f"{p.inclusion.median / p.indexed_inclusion.median:,.0f}×",
                        duration(p.root_lookup.median),
                    ]
                    for p in proofs
                ],
            ),
            f"The node lookup of `store.log.nodes` (`(level, idx) IN (VALUES …)`) is a full "
            f"scan of log_nodes on SQLite {results.machine.sqlite} (EXPLAIN QUERY PLAN: "
            f"`{plan}`), so a proof reads every node row and its time grows with the log. "
            f"For comparison only, the same proofs with the same nodes fetched by "
            f"`(level = ? AND idx = ?) OR …`, which SQLite answers from the primary key, are "
            f"in the first columns; the last column is the root lookup that every "
            f"`publish_checkpoint` does (the same query).",
        ]
    return parts


MARK_BEGIN = f"<!-- begin {SECTION}: written by bench/ledger.py, replaced on every run -->"
MARK_END = f"<!-- end {SECTION} -->"
INTRO = """# Benchmarks

Results of the benchmarks in `bench/`. Each section is written by its script, and says on
which machine and on what date it ran; run the command it shows to regenerate it. A script
replaces only its own section (between its markers), so each benchmark keeps its own.
"""


def write_section(path: Path, body: str) -> None:
    """Replace this benchmark's section of `path` (created with its intro if missing)."""
    current = path.read_text(encoding="utf-8") if path.exists() else INTRO
    block = f"{MARK_BEGIN}\n{body.rstrip()}\n{MARK_END}"
    if MARK_BEGIN in current and MARK_END in current:
        head, rest = current.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1]
        updated = head + block + tail
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(updated, encoding="utf-8")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    options = parse_options(argv)
    # A TERM ends the run like Ctrl-C: the temporary databases are still removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(UTC)
    code = code_version()  # now: the modules this run measures were loaded at its start
    clock = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="ceasefire-bench-", dir=options.workdir))
    progress(f"working in {workdir}")
    try:
        first_hashing = bench_hashing(options.quick)
        report_paths, rates, versions = [], [], []
        sqlite_dir = workdir / "sqlite"
        dep = make_deployment(f"sqlite:///{sqlite_dir / 'ceasefire.db'}", sqlite_dir)
        try:
            report_paths.append(bench_report_path(dep, "SQLite", options))
            rates.append(bench_rates(dep, "SQLite", options))
        finally:
            dep.db.dispose()
            shutil.rmtree(sqlite_dir, ignore_errors=True)
        if options.postgres:
            with postgres_database(options.postgres) as url:
                dep = make_deployment(url, workdir / "postgres")
                try:
                    versions.append(postgres_version(dep))
                    report_paths.append(bench_report_path(dep, "PostgreSQL", options))
                    rates.append(bench_rates(dep, "PostgreSQL", options))
                finally:
                    dep.db.dispose()
        results = Results(
            options=options,
            started=started,
            machine=machine(versions[0] if versions else None, code),
            hashing=Hashing(first_hashing, first_hashing),
            report_paths=report_paths,
            rates=rates,
        )
        results.bundle = bench_bundle(workdir, options)
        progress(f"bundle: {duration(results.bundle.per_10k)} per 10,000 records")
        for leaves in options.sizes:
            results.proofs.append(bench_proofs(workdir, leaves, options))
        results.hashing = Hashing(first_hashing, bench_hashing(options.quick))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results.minutes = (time.perf_counter() - clock) / 60
    section = render(results)
    print(section)
    if options.write:
        write_section(DOCS, section)
        progress(f"wrote the section to {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
