"""Benchmark of notification latency: from a report's POST to the message at each ministry.

    .venv/bin/python bench/notify.py                      # 20 reports/s for 60 s, SQLite
    .venv/bin/python bench/notify.py --quick              # a 10-second smoke run
    .venv/bin/python bench/notify.py --rate 20 --seconds 60 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

For each database it starts, in a temporary directory, a real `ceasefire serve` (web app
and log worker, and the notification dispatcher in a process it starts), after `ceasefire init`, the
pack's demo users and `ceasefire token create jmc.ru.monitor`; on PostgreSQL in a temporary
database created on the given server and dropped afterwards. A process of the benchmark's
own runs the receivers: an SMTP server (aiosmtpd) for `mod-armenia-duty` (mailto://) and an
HTTP webhook receiver for `mod-azerbaijan-duty` and `rpk-duty` (json://, one path each).

It then posts public shelling reports as `jmc.ru.monitor` (the rule
`jmc-russian-staff-violation` notifies both ministries, and `night-violation` the
peacekeepers' duty officer: three messages per report). The service runs a copy of the
reference pack in which the night rule holds at every hour, so that every run carries that
heaviest load whenever it runs. The reports are posted open-loop: report i is scheduled at
i / rate seconds, sent from a thread pool with httpx. Each POST's return and each message's
arrival are stamped with time.time() in this process; messages are matched to reports by the
record URL in their text (`/incidents/<id>`), and duplicates by `X-Ceasefire-Idempotency-Key`.
After the load it waits up to 20 s for missing messages (the drain); whatever has not arrived
by then is lost.

It prints the results as Markdown and replaces its own section of docs/benchmarks.md.
All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import email
import hashlib
import json
import math
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message as Mail
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import apprise
import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from ceasefire.config import Settings
from ceasefire.delivery import channels
from ceasefire.services import scenarios
from ceasefire.services.deployment import open_deployment
from ceasefire.services.notifications import Message
from ceasefire.store.tables import notification_versions, notifications

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_PACK = ROOT / "scenarios" / "nagorno-karabakh-2020"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "notify"
DATABASE_PREFIX = "ceasefire_notify_"
CEASEFIRE = Path(sys.executable).with_name("ceasefire")
LOOPBACK = "127.0.0.1"

REPORTER = "jmc.ru.monitor"
EMAIL = "e-mail to mod-armenia-duty (SMTP)"
WEBHOOK = "webhook to mod-azerbaijan-duty (json://)"
CHANNELS = (EMAIL, WEBHOOK)
"""the channels measured: each report must reach both ministries"""
NIGHT = "webhook to rpk-duty (json://)"
"""the peacekeepers' duty officer, told of violations at night: carried, not measured"""
HOOK_PATHS = {"/hook": WEBHOOK, "/rpk": NIGHT}
HEADER = "X-Ceasefire-Idempotency-Key"
RECORD_URL = re.compile(
    r"/incidents/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

WARMUP_REPORTS = 3
PROBE_SENDS = 20
DRAIN_SECONDS = 20.0
SETTLE_SECONDS = 1.0
MAX_BEHIND_SECONDS = 10.0
POST_TIMEOUT = 30.0
WORKERS = 32
STARTUP_SECONDS = 60.0
CLI_SECONDS = 120.0
STOP_SECONDS = 15.0
REQUIREMENT_SECONDS = 1.0
SENT_AT_SLACK = 0.1
"""seconds an arrival may follow the stored `sent_at` before the stamp counts as early"""
KEPT_UP_SLACK = 0.5
"""seconds the last tenth's median latency may exceed the first tenth's, for 'kept up'"""


# --- options and small helpers ----------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    rate: float
    seconds: float
    postgres: str | None
    quick: bool
    write: bool
    workdir: Path | None
    command: str

    @property
    def reports(self) -> int:
        return max(1, round(self.rate * self.seconds))


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(
        description="Benchmark report-to-delivery latency (see the module docstring)."
    )
    parser.add_argument("--rate", type=float, default=20.0, help="reports per second (20)")
    parser.add_argument("--seconds", type=float, help="seconds of load (60; --quick 10)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL, in a temporary database created (and dropped) on this "
        "server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--quick", action="store_true", help="a 10-second smoke run")
    parser.add_argument(
        "--workdir", type=Path, help="where the temporary data directories go (default: /tmp)"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    if not 0 < args.rate <= 1000 or not 0 < seconds <= 3600:
        parser.error("--rate must be in (0, 1000] and --seconds in (0, 3600]")
    return Options(
        rate=args.rate,
        seconds=seconds,
        postgres=args.postgres,
        quick=bool(args.quick),
        write=not args.no_write,
        workdir=args.workdir,
        command=command_line("bench/notify.py", argv, args.postgres),
    )


def command_line(script: str, argv: Sequence[str], secret: str | None) -> str:
    """The command as the results show it: a database URL without its password."""
    shown = [
        make_url(a).render_as_string(hide_password=True) if a == secret else a
        for a in [script, *argv]
    ]
    return ".venv/bin/python " + " ".join(shown)


def progress(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0.99 for p99)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def duration(seconds: float) -> str:
    if math.isinf(seconds):
        return "not delivered"
    if math.isnan(seconds):
        return "-"
    if abs(seconds) < 1:
        return f"{seconds * 1e3:.0f} ms" if abs(seconds) >= 0.01 else f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


# --- the receivers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    channel: str
    at: float
    """time.time() when the message was in (SMTP DATA done, webhook body read)"""
    key: str
    incident: str | None
    keyed: bool
    """the key came in the `X-Ceasefire-Idempotency-Key` header (not from the text)"""


@dataclass
class Arrivals:
    """Every message the receivers took, in order. In the receivers' process each one is
    forwarded (as a plain tuple) to the benchmark process, which keeps them."""

    items: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    forward: Any = None
    """the receivers' process: a multiprocessing queue to the benchmark process"""

    def add(self, channel: str, at: float, key: str, message_text: str) -> None:
        found = RECORD_URL.search(message_text)
        keyed = bool(key)
        if not keyed:  # fall back on the message's last line, "Reference: <notification id>"
            ids = UUID.findall(message_text)
            key = ids[-1] if ids else ""
        incident = found.group(1) if found else None
        if self.forward is not None:
            self.forward.put((channel, at, key, incident, keyed))
            return
        with self.lock:
            self.items.append(Arrival(channel, at, key, incident, keyed))

    def snapshot(self) -> list[Arrival]:
        with self.lock:
            return list(self.items)


def plain_text(mail: Mail) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


class SmtpSink:
    """The aiosmtpd handler: stamps and keeps each message it accepts."""

    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.time()
        mail = email.message_from_bytes(envelope.content)
        self.arrivals.add(EMAIL, at, str(mail.get(HEADER, "")), plain_text(mail))
        return "250 OK"


def webhook_server(arrivals: Arrivals) -> ThreadingHTTPServer:
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            at = time.time()
            try:
                message = str(json.loads(body).get("message", ""))
            except (ValueError, AttributeError):
                message = body.decode("utf-8", "replace")
            channel = HOOK_PATHS.get(self.path, f"webhook {self.path}")
            arrivals.add(channel, at, self.headers.get(HEADER, ""), message)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Hook)
    server.daemon_threads = True
    return server


@dataclass(frozen=True)
class Receivers:
    arrivals: Arrivals
    mailto: str
    webhook: str
    night: str


def run_receivers(forward: Any, ports: Any, stop: Any) -> None:
    """The receivers' process: an SMTP server and a webhook receiver on loopback, until
    `stop` is set. They run apart from the load generator, as a real mail server and a real
    webhook would: in one process, the two would slow each other down and the dispatcher's
    sends with them."""
    arrivals = Arrivals(forward=forward)
    smtp_port = free_port()
    controller = Controller(SmtpSink(arrivals), hostname=LOOPBACK, port=smtp_port)
    controller.start()
    hook = webhook_server(arrivals)
    thread = threading.Thread(target=hook.serve_forever, name="webhook", daemon=True)
    thread.start()
    ports.put((smtp_port, hook.server_address[1]))
    stop.wait()
    hook.shutdown()
    hook.server_close()
    controller.stop()


@contextmanager
def receivers() -> Iterator[Receivers]:
    """The receivers, in a process of their own, stopped when the block ends; what they take
    is kept in this process's `Arrivals` by a thread reading their queue."""
    spawn = multiprocessing.get_context("spawn")
    forward, ports, stop = spawn.Queue(), spawn.Queue(), spawn.Event()
    process = spawn.Process(target=run_receivers, args=(forward, ports, stop), daemon=True)
    process.start()
    arrivals = Arrivals()

    def keep() -> None:
        while (item := forward.get()) is not None:
            with arrivals.lock:
                arrivals.items.append(Arrival(*item))

    keeper = threading.Thread(target=keep, name="arrivals", daemon=True)
    keeper.start()
    try:
        smtp_port, hook_port = ports.get(timeout=STARTUP_SECONDS)
        yield Receivers(
            arrivals,
            mailto=f"mailto://{LOOPBACK}:{smtp_port}?from=desk@ceasefire.invalid"
            "&to=mod-armenia-duty@demo.invalid&mode=insecure",
            webhook=f"json://{LOOPBACK}:{hook_port}/hook",
            night=f"json://{LOOPBACK}:{hook_port}/rpk",
        )
    finally:
        stop.set()
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
        forward.put(None)
        keeper.join(STOP_SECONDS)


# --- the service ------------------------------------------------------------------------------


@dataclass
class Service:
    url: str
    token: str
    log: Path
    stop_seconds: float = math.nan
    """how long `serve` took to exit once asked to (SIGTERM)"""


NIGHT_HOURS = '      hours: "20:00-06:00"\n'


def night_pack(workdir: Path) -> Path:
    """A copy of the reference pack whose `night-violation` rule holds at every hour, so that
    every run carries the pack's heaviest routing of a violation (three messages per report)
    whatever the time of day it runs at."""
    pack = workdir / "pack"
    shutil.copytree(REFERENCE_PACK, pack)
    policy = pack / "notifications.yaml"
    text = policy.read_text()
    if text.count(NIGHT_HOURS) != 1:
        raise RuntimeError(f"{policy}: the night rule's hours are not {NIGHT_HOURS.strip()!r}")
    policy.write_text(text.replace(NIGHT_HOURS, ""))
    return pack


def service_env(
    data_dir: Path, pack: Path, database_url: str, port: int, wiring: Receivers
) -> dict[str, str]:
    """This process's environment without CEASEFIRE_* settings, plus the service's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEASEFIRE_")}
    env.update(
        CEASEFIRE_CONFIG=str(data_dir / "absent.toml"),
        CEASEFIRE_DATA_DIR=str(data_dir),
        CEASEFIRE_DATABASE_URL=database_url,
        CEASEFIRE_SCENARIO=str(pack),
        CEASEFIRE_HOST=LOOPBACK,
        CEASEFIRE_PORT=str(port),
        CEASEFIRE_CONTACT_CHANNELS=json.dumps(
            {
                "mod-armenia-duty": [wiring.mailto],
                "mod-azerbaijan-duty": [wiring.webhook],
                "rpk-duty": [wiring.night],
            }
        ),
        CEASEFIRE_LANG="en",
        CEASEFIRE_DAILY_REPORTS="false",  # the receivers count the incidents' messages only
    )
    return env


def run_cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(CEASEFIRE), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ceasefire {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def load_demo_users(data_dir: Path, pack: Path, database_url: str) -> int:
    """What `ceasefire demo` does for accounts: the pack's demo users, through the service."""
    settings = Settings(data_dir=data_dir, database_url=database_url, scenario=pack)
    dep = open_deployment(settings)
    try:
        return scenarios.load_demo_users(dep)
    finally:
        dep.db.dispose()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)


def wait_ready(process: subprocess.Popen[bytes], url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ceasefire serve exited ({process.returncode}):\n{tail(log)}")
        try:
            if httpx.get(f"{url}/api/v1/me", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"ceasefire serve did not answer in {STARTUP_SECONDS:.0f} s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_service(workdir: Path, database_url: str, wiring: Receivers) -> Iterator[Service]:
    """`ceasefire init`, demo users, a token, then `ceasefire serve` until the block ends."""
    data_dir, pack = workdir / "data", night_pack(workdir)
    port = free_port()
    env = service_env(data_dir, pack, database_url, port, wiring)
    run_cli(["init"], env)
    load_demo_users(data_dir, pack, database_url)
    token = run_cli(["token", "create", REPORTER, "--label", "bench"], env).strip()
    log = workdir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(CEASEFIRE), "serve"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service(f"http://{LOOPBACK}:{port}", token, log)
    try:
        wait_ready(process, service.url, token, log)
        yield service
    finally:
        asked = time.monotonic()
        stop_process(process)
        service.stop_seconds = time.monotonic() - asked


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of `base`, dropped afterwards."""
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


# --- the load ---------------------------------------------------------------------------------


def report_body(index: int) -> dict[str, Any]:
    """The tests' violation (tests/builders.py): public shelling near Taghavard, 3 h ago."""
    now = datetime.now(UTC).replace(microsecond=0)
    started = (now - timedelta(hours=3)).isoformat()
    ended = (now - timedelta(hours=2, minutes=50)).isoformat()
    return {
        "category": "shelling",
        "title": f"Mortar impacts east of Taghavard (benchmark report {index})",
        "started_at": started,
        "ended_at": ended,
        "time_precision": "exact",
        "location": {"place_id": "taghavard", "precision": "near_town"},
        "observations": [
            {
                "platform": "drone",
                "observer": "JMC UAV sortie 2",
                "window_start": started,
                "window_end": ended,
                "sighting": "explosion",
                "explosion": "impact",
                "count": 4,
                "direction": "incoming",
                "distance_min_m": 2000,
                "distance_max_m": 3000,
                "bearing_deg": 95,
                "weapon": "mortar",
                "confidence": "high",
            }
        ],
        "casualties": {"civilian_killed": 0, "civilian_injured": None},
        "narrative": {"en": "Four impacts in an orchard.", "ru": "Четыре разрыва в саду."},
        "sources": [{"organisation_id": "jmc-russia", "channel": "drone", "reliability": "B"}],
        "classification": "public",
    }


@dataclass(frozen=True)
class Sent:
    index: int
    lag: float
    """how late the POST started after its scheduled time, s"""
    seconds: float
    """the POST's round trip, s"""
    returned_at: float
    """time.time() when the answer was in"""
    status: int
    """HTTP status; 0 when the request failed"""
    incident: str | None


def post_report(client: httpx.Client, index: int, scheduled: float) -> Sent:
    body = report_body(index)
    start = time.monotonic()
    try:
        answer = client.post("/api/v1/incidents", json=body)
        status = answer.status_code
        incident = str(answer.json()["id"]) if status == 201 else None
    except (httpx.HTTPError, ValueError, KeyError):
        status, incident = 0, None
    returned_at = time.time()
    return Sent(index, start - scheduled, time.monotonic() - start, returned_at, status, incident)


@contextmanager
def api_client(service: Service) -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    with httpx.Client(
        base_url=service.url,
        headers={"Authorization": f"Bearer {service.token}"},
        timeout=POST_TIMEOUT,
        limits=limits,
    ) as client:
        yield client


def drive(client: httpx.Client, rate: float, reports: int, seconds: float) -> list[Sent]:
    """Open loop: report i is due at i / rate s; stops early only if it falls far behind."""
    futures = []
    budget = seconds + MAX_BEHIND_SECONDS
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="load") as pool:
        start = time.monotonic()
        for index in range(reports):
            scheduled = start + index / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif time.monotonic() - start > budget:
                progress(f"fell {-delay:.1f} s behind the schedule; stopping at {index} reports")
                break
            futures.append(pool.submit(post_report, client, index, scheduled))
    return [future.result() for future in futures]


def wait_for(arrivals: Arrivals, wanted: set[tuple[str, str]], limit: float) -> float:
    """Wait until a message reached each (incident, channel) in `wanted`, at most `limit` s."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if wanted <= {(a.incident, a.channel) for a in arrivals.snapshot() if a.incident}:
            break
        time.sleep(0.05)
    return time.monotonic() - start


def warm_up(client: httpx.Client, arrivals: Arrivals, log: Path) -> set[str]:
    """A few reports one at a time; their messages must arrive before the load starts."""
    sent = [post_report(client, -1 - n, time.monotonic()) for n in range(WARMUP_REPORTS)]
    ids = {s.incident for s in sent if s.incident}
    if len(ids) < WARMUP_REPORTS:
        statuses = [s.status for s in sent]
        raise RuntimeError(f"warm-up reports refused: {statuses}; serve says:\n{tail(log)}")
    wanted = {(i, c) for i in ids for c in CHANNELS}
    wait_for(arrivals, wanted, DRAIN_SECONDS)
    got = {(a.incident, a.channel) for a in arrivals.snapshot()}
    if not wanted <= got:
        raise RuntimeError(
            f"warm-up: {len(wanted & got)} of {len(wanted)} messages came; serve says:\n{tail(log)}"
        )
    return ids


# --- the cost of one delivery ---------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    sends: dict[str, list[float]]
    """channel -> seconds per `channels.send` call"""
    ssl_context: float
    """median seconds to create a default SSL context"""


def probe_channels(sends: int) -> Probe:
    """Time the service's own `channels.send`, one message at a time, against fresh receivers."""
    message = Message(str(uuid.uuid4()), "[ceasefire] probe", "probe\n" * 12)
    timed: dict[str, list[float]] = {}
    with receivers() as wiring:
        for channel, url in ((EMAIL, wiring.mailto), (WEBHOOK, wiring.webhook)):
            timed[channel] = []
            for _ in range(sends + 1):  # the first one loads Apprise's plugins: not counted
                start = time.perf_counter()
                error = channels.send([url], message)
                timed[channel].append(time.perf_counter() - start)
                if error is not None:
                    raise RuntimeError(f"probe: {channel}: {error}")
            del timed[channel][0]
    contexts = []
    for _ in range(sends):
        start = time.perf_counter()
        ssl.create_default_context()
        contexts.append(time.perf_counter() - start)
    return Probe(timed, statistics.median(contexts))


# --- one database -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelResult:
    channel: str
    received: int
    delivered: int
    """reports with at least one message on this channel"""
    lost: int
    duplicates: int
    """messages beyond the first with the same idempotency key"""
    latencies: list[float]
    """first message's arrival minus the POST's return, one per accepted report: infinite when
    no message came (so a median or p99 over them counts the lost ones as the slowest)"""

    @property
    def slowest(self) -> float:
        """The longest latency of a message that did arrive."""
        return max((t for t in self.latencies if math.isfinite(t)), default=math.nan)


@dataclass(frozen=True)
class Outbox:
    """The notifications table at the end of the drain (the service still running)."""

    statuses: dict[str, int]
    contacts: dict[str, int]
    failed_attempts: int
    stamps: dict[str, tuple[float, float | None]]
    """notification id -> (created_at, sent_at) as POSIX times"""

    reports: int
    """reports behind these notifications (the load's and the warm-up's)"""

    @property
    def per_report(self) -> float:
        return sum(self.contacts.values()) / self.reports if self.reports else math.nan

    @property
    def waiting(self) -> int:
        """Notifications not yet delivered (nor given up): still queued or in flight."""
        return sum(self.statuses.get(s, 0) for s in ("pending", "retrying", "sending"))


@dataclass(frozen=True)
class Stages:
    """Where a message's time went, from the service's own timestamps and the arrival."""

    queued: list[float]
    """sent_at - created_at: from the report's transaction to the recorded delivery"""
    after_sent_at: list[float]
    """arrival - sent_at: how long after its recorded delivery time a message arrived"""
    throughput: float
    """messages per second between the first and the last arrival of the load"""


@dataclass
class RunResult:
    database: str
    version: str
    sent: list[Sent]
    load_seconds: float
    drain_seconds: float
    channels: list[ChannelResult] = field(default_factory=list)
    incomplete: int = 0
    """accepted reports without both messages"""
    strays: int = 0
    """messages that name no report of the load (nor of the warm-up)"""
    unkeyed: int = 0
    """messages without the idempotency key header"""
    outbox: Outbox | None = None
    stages: Stages | None = None
    serve_errors: int = 0
    stop_seconds: float = math.nan
    stranded: tuple[int, int] = (0, 0)
    """left `sending` after `serve` stopped; of those, already at their receiver"""
    trend: tuple[float, float] = (math.nan, math.nan)
    """median report-to-delivery (both channels) of the first and of the last tenth of reports"""

    @property
    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if s.incident]

    @property
    def answer_rate(self) -> float:
        """Accepted reports per second, between the first and the last answer."""
        answers = sorted(s.returned_at for s in self.accepted)
        span = answers[-1] - answers[0] if len(answers) > 1 else math.nan
        return (len(answers) - 1) / span if span > 0 else math.nan


def channel_result(channel: str, accepted: list[Sent], arrivals: list[Arrival]) -> ChannelResult:
    mine = [a for a in arrivals if a.channel == channel]
    first: dict[str, float] = {}
    for arrival in mine:
        if arrival.incident is not None:
            first[arrival.incident] = min(arrival.at, first.get(arrival.incident, math.inf))
    latencies = [first.get(s.incident or "", math.inf) - s.returned_at for s in accepted]
    delivered = sum(1 for t in latencies if math.isfinite(t))
    keys = Counter(a.key for a in mine)
    return ChannelResult(
        channel=channel,
        received=len(mine),
        delivered=delivered,
        lost=len(accepted) - delivered,
        duplicates=sum(n - 1 for n in keys.values()),
        latencies=latencies,
    )


def analyse(result: RunResult, arrivals: list[Arrival], warm: set[str]) -> None:
    ids = {s.incident for s in result.accepted}
    measured = [a for a in arrivals if a.incident in ids]
    result.channels = [channel_result(c, result.accepted, measured) for c in CHANNELS]
    told = {(a.incident, a.channel) for a in measured}
    result.incomplete = sum(
        1 for s in result.accepted if any((s.incident, c) not in told for c in CHANNELS)
    )
    known = ids | warm
    result.strays = sum(1 for a in arrivals if a.incident not in known)
    result.unkeyed = sum(1 for a in arrivals if not a.keyed)
    result.trend = trend(result.accepted, measured)


def trend(accepted: list[Sent], measured: list[Arrival]) -> tuple[float, float]:
    """Median latency of the first and of the last tenth of the reports, both channels
    (a message that did not come counts as the slowest)."""
    first: dict[tuple[str | None, str], float] = {}
    for a in measured:
        first[a.incident, a.channel] = min(a.at, first.get((a.incident, a.channel), math.inf))
    ordered = sorted(accepted, key=lambda s: s.index)
    tenth = max(1, len(ordered) // 10)

    def median_of(part: list[Sent]) -> float:
        values = [
            first.get((s.incident, c), math.inf) - s.returned_at for s in part for c in CHANNELS
        ]
        return statistics.median(values) if values else math.nan

    return median_of(ordered[:tenth]), median_of(ordered[-tenth:])


def read_outbox(database_url: str, reports: int) -> Outbox:
    engine = create_engine(database_url)
    c = notifications.c
    try:
        with engine.connect() as conn:
            statuses = conn.execute(select(c.status, func.count()).group_by(c.status)).all()
            contacts = conn.execute(select(c.contact_id, func.count()).group_by(c.contact_id))
            failed = conn.execute(
                select(func.count()).where(notification_versions.c.event.in_(["failed", "dead"]))
            ).scalar_one()
            stamps = conn.execute(select(c.id, c.created_at, c.sent_at)).all()
        return Outbox(
            statuses={str(s): int(n) for s, n in statuses},
            contacts={str(contact): int(n) for contact, n in contacts},
            failed_attempts=int(failed),
            reports=reports,
            stamps={
                str(i): (created.timestamp(), sent.timestamp() if sent else None)
                for i, created, sent in stamps
            },
        )
    finally:
        engine.dispose()


def stages(outbox: Outbox, measured: list[Arrival]) -> Stages:
    first: dict[str, float] = {}
    for arrival in measured:
        first[arrival.key] = min(arrival.at, first.get(arrival.key, math.inf))
    queued, after = [], []
    for key, arrived in first.items():
        created, sent = outbox.stamps.get(key, (math.nan, None))
        if sent is not None:
            queued.append(sent - created)
            after.append(arrived - sent)
    times = sorted(first.values())
    span = times[-1] - times[0] if len(times) > 1 else math.nan
    return Stages(queued, after, (len(times) - 1) / span if span > 0 else math.nan)


def stranded_after_stop(database_url: str, arrivals: list[Arrival]) -> tuple[int, int]:
    """Notifications left `sending` once `serve` has stopped, and how many of them had in fact
    reached their receiver (a later dispatcher sends those again when the lease ends)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            ids = conn.execute(
                select(notifications.c.id).where(notifications.c.status == "sending")
            )
            left = {str(i) for (i,) in ids}
    finally:
        engine.dispose()
    return len(left), len(left & {a.key for a in arrivals})


def database_version(database_url: str) -> str:
    if make_url(database_url).get_backend_name() == "sqlite":
        return sqlite3.sqlite_version
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
    finally:
        engine.dispose()


def serve_errors(log: Path) -> int:
    """Lines of the serve log that report an error or a traceback."""
    return sum(
        1
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("Traceback") or " ERROR" in line or line.startswith("ERROR")
    )


@dataclass(frozen=True)
class Observed:
    """What one database's run saw, before any analysis."""

    sent: list[Sent]
    load_seconds: float
    drain_seconds: float
    warm: set[str]
    arrivals: list[Arrival]
    """messages in by the end of the drain"""
    outbox: Outbox
    stranded: tuple[int, int]
    log: Path
    stop_seconds: float


def observe(database: str, database_url: str, workdir: Path, options: Options) -> Observed:
    """Start the receivers and the service, warm up, drive the load, drain, stop."""
    workdir.mkdir(parents=True)
    with receivers() as wiring:
        with running_service(workdir, database_url, wiring) as service:
            progress(f"{database}: serve is up at {service.url}; warming up")
            with api_client(service) as client:
                warm = warm_up(client, wiring.arrivals, service.log)
                progress(f"{database}: {options.reports} reports at {options.rate:g}/s")
                start = time.monotonic()
                sent = drive(client, options.rate, options.reports, options.seconds)
                load_seconds = time.monotonic() - start
            wanted = {(s.incident, c) for s in sent if s.incident for c in CHANNELS}
            progress(f"{database}: load done in {load_seconds:.1f} s; draining")
            drained = wait_for(wiring.arrivals, wanted, DRAIN_SECONDS)
            time.sleep(SETTLE_SECONDS)  # a late duplicate still counts
            arrivals = wiring.arrivals.snapshot()  # what came after this is not counted
            outbox = read_outbox(database_url, len(warm) + sum(1 for s in sent if s.incident))
            progress(f"{database}: drained in {drained:.1f} s; stopping serve")
        time.sleep(SETTLE_SECONDS)  # a message sent just before the end is in by now
        stranded = stranded_after_stop(database_url, wiring.arrivals.snapshot())
    return Observed(
        sent=sent,
        load_seconds=load_seconds,
        drain_seconds=drained,
        warm=warm,
        arrivals=arrivals,
        outbox=outbox,
        stranded=stranded,
        log=service.log,
        stop_seconds=service.stop_seconds,
    )


def bench_database(database: str, database_url: str, workdir: Path, options: Options) -> RunResult:
    seen = observe(database, database_url, workdir, options)
    result = RunResult(
        database, database_version(database_url), seen.sent, seen.load_seconds, seen.drain_seconds
    )
    analyse(result, seen.arrivals, seen.warm)
    ids = {sent.incident for sent in result.accepted}
    result.outbox = seen.outbox
    result.stages = stages(seen.outbox, [a for a in seen.arrivals if a.incident in ids])
    result.stranded = seen.stranded
    result.serve_errors = serve_errors(seen.log)
    result.stop_seconds = seen.stop_seconds
    for channel in result.channels:
        if not channel.latencies:
            continue  # no report was accepted
        progress(
            f"{database}: {channel.channel}: median "
            f"{duration(statistics.median(channel.latencies))}, p99 "
            f"{duration(percentile(channel.latencies, 0.99))}, lost {channel.lost}, "
            f"duplicates {channel.duplicates}"
        )
    return result


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    ram: str
    python: str
    sqlite: str
    postgres: str | None
    code: str


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    ticks: int
    """user + system CPU time so far, in clock ticks"""
    name: str


def processes() -> dict[int, Proc]:
    """Every process on the machine now, from /proc/PID/stat."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            line = stat.read_text(errors="replace")
            cmdline = stat.with_name("cmdline").read_bytes().replace(b"\0", b" ").strip()
        except OSError:
            continue  # the process has gone
        name, fields = line[line.index("(") + 1 : line.rindex(")")], line.rsplit(")", 1)[1].split()
        pid = int(stat.parent.name)
        label = cmdline.decode(errors="replace") or name
        found[pid] = Proc(pid, int(fields[1]), int(fields[11]) + int(fields[12]), label)
    return found


def descendants(procs: dict[int, Proc], root: int) -> set[int]:
    tree, grew = {root}, True
    while grew:
        more = {p.pid for p in procs.values() if p.ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def serves_this_run(proc: Proc) -> bool:
    """PostgreSQL's own background processes, and the backends of this run's database."""
    postgres = proc.name.startswith("postgres:")
    return postgres and (DATABASE_PREFIX in proc.name or "(" not in proc.name)


@dataclass
class Others:
    """CPU time used during the run by processes other than this run's own (and PostgreSQL's
    that serve it), sampled every 2 s: other benchmarks or tests skew the timings."""

    first: dict[int, int] = field(default_factory=dict)
    last: dict[int, int] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)

    def sample(self) -> None:
        procs = processes()
        mine = descendants(procs, os.getpid()) | {os.getppid()}
        for proc in procs.values():
            if proc.pid in mine or serves_this_run(proc):
                continue
            self.first.setdefault(proc.pid, proc.ticks)
            self.last[proc.pid] = proc.ticks
            self.labels[proc.pid] = proc.name[:70]

    def seconds(self) -> dict[str, float]:
        """Seconds of CPU by command line, most first."""
        used: dict[str, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for pid, ticks in self.last.items():
            label = self.labels[pid]
            used[label] = used.get(label, 0.0) + (ticks - self.first[pid]) / tick
        ranked = sorted(used.items(), key=lambda item: -item[1])
        return {label: seconds for label, seconds in ranked if seconds > 0}


@contextmanager
def watching_others() -> Iterator[Others]:
    """Sample the other processes' CPU time every 2 s until the block ends."""
    others = Others()
    others.sample()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(2.0):
            others.sample()

    watcher = threading.Thread(target=watch, name="watcher", daemon=True)
    watcher.start()
    try:
        yield others
    finally:
        done.set()
        watcher.join(timeout=STOP_SECONDS)
        others.sample()


def others_line(used: dict[str, float], minutes: float) -> str:
    total = sum(used.values())
    named = [f"`{label}` {seconds:.0f} s" for label, seconds in used.items() if seconds >= 1]
    top = f" ({', '.join(named[:4])})" if named else ""
    share = total / (minutes * 60) if minutes > 0 else math.nan
    return (
        f"other processes used {total:.0f} CPU-seconds during the run, {share:.0%} of one core{top}"
    )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def first_field(path: str, prefix: str) -> str | None:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return None


def code_version() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    trees = "+".join(t[:7] for t in git("rev-parse", "HEAD:src", "HEAD:scenarios").split())
    diff = git("diff", "HEAD", "--", "src", "scenarios")
    code = f"commit {commit} (src+scenarios trees {trees or 'unknown'})"
    if not diff:
        return code
    digest = hashlib.sha256(diff.encode()).hexdigest()[:12]
    return f"{code} with uncommitted changes under src/ (diff sha256 {digest})"


def same_code(one: str, other: str) -> bool:
    """Whether two `code_version()`s name the same source (commits aside)."""
    return one.split(" (", 1)[-1] == other.split(" (", 1)[-1]


def machine(results: list[RunResult]) -> Machine:
    memory = first_field("/proc/meminfo", "MemTotal")
    postgres = [r.version for r in results if r.database == "PostgreSQL"]
    return Machine(
        cpu=first_field("/proc/cpuinfo", "model name") or "unknown",
        cores=os.cpu_count() or 0,
        ram=f"{int(memory.split()[0]) / 1024**2:.1f} GiB" if memory else "unknown",
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgres=postgres[0] if postgres else None,
        code=code_version(),
    )


def latency_row(result: RunResult, channel: ChannelResult) -> list[str]:
    values = channel.latencies
    return [
        result.database,
        channel.channel,
        str(len(result.accepted)),
        str(channel.received),
        f"**{duration(statistics.median(values))}**" if values else "-",
        f"**{duration(percentile(values, 0.99))}**" if values else "-",
        duration(channel.slowest),
        str(channel.lost),
        str(channel.duplicates),
    ]


def post_row(result: RunResult) -> list[str]:
    times = [s.seconds for s in result.sent]
    lags = [s.lag for s in result.sent]
    return [
        result.database,
        str(len(result.sent)),
        str(len(result.accepted)),
        f"{result.answer_rate:.1f}/s",
        f"**{duration(statistics.median(times))}**",
        f"**{duration(percentile(times, 0.99))}**",
        duration(max(times)),
        duration(percentile(lags, 0.99)),
        str(result.incomplete),
        str(result.strays),
        str(result.serve_errors),
    ]


def stage_row(result: RunResult) -> list[str]:
    st = result.stages
    if st is None or not st.queued:
        return [result.database, "-", "-", "-", "-", "-", "-"]
    return [
        result.database,
        duration(statistics.median(st.queued)),
        duration(percentile(st.queued, 0.99)),
        duration(statistics.median(st.after_sent_at)),
        duration(percentile(st.after_sent_at, 0.99)),
        duration(max(st.after_sent_at)),
        f"{st.throughput:.1f} messages/s",
    ]


def outbox_line(result: RunResult) -> str:
    outbox = result.outbox
    if outbox is None:
        return ""
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(outbox.statuses.items()))
    contacts = ", ".join(f"{c} {n}" for c, n in sorted(outbox.contacts.items()))
    left, arrived = result.stranded
    stranded = (
        f"left {left} notifications `sending` under their lease, {arrived} of which had reached "
        f"their receiver (a dispatcher will send those again)"
        if left
        else "left no notification `sending`"
    )
    return (
        f"{result.database}: {statuses} (by contact point: {contacts}); "
        f"{outbox.failed_attempts} failed delivery attempts; the drain took "
        f"{result.drain_seconds:.1f} s; `serve` took {result.stop_seconds:.1f} s to stop "
        f"(SIGTERM) and {stranded}."
    )


def messages_per_report(result: RunResult) -> str:
    return f"{result.outbox.per_report:.1f}" if result.outbox else "?"


def meaning(result: RunResult) -> str:
    """One sentence: did the dispatcher keep up with the load (the queue empty when the drain
    ended, and the latency not growing through the run), and what the latency is made of."""
    per_report = result.outbox.per_report if result.outbox else math.nan
    offered = per_report * result.answer_rate
    rate = result.stages.throughput if result.stages else math.nan
    waiting = result.outbox.waiting if result.outbox else 0
    early, late = (
        duration(t) if math.isfinite(t) else "over half not delivered within the drain"
        for t in result.trend
    )
    if waiting == 0 and result.trend[1] <= result.trend[0] + KEPT_UP_SLACK:
        return (
            f"On {result.database} the dispatcher kept up ({rate:.1f} messages/s delivered, "
            f"{offered:.1f} created): a message waits for the next dispatcher round and its own "
            f"delivery (first tenth of the reports: median {early}; last tenth: {late})."
        )
    left = (
        f"{waiting} notifications were still queued when the drain ended"
        if waiting
        else f"the queue emptied {result.drain_seconds:.0f} s after the load ended"
    )
    return (
        f"On {result.database} the dispatcher did not keep up: it delivered {rate:.1f} "
        f"messages/s while reports created {offered:.1f} ({per_report:.1f} per report), so "
        f"the queue and the latency grew through the run (first tenth of the reports: "
        f"median {early}; last tenth: {late}) and {left}."
    )


def verdict(results: list[RunResult]) -> str:
    sqlite = next((r for r in results if r.database == "SQLite"), None)
    if sqlite is None or not all(c.latencies for c in sqlite.channels):
        return "**Requirement not measured**: no SQLite deliveries."
    medians = [statistics.median(c.latencies) for c in sqlite.channels]
    holds = all(m < REQUIREMENT_SECONDS for m in medians)
    shown = " and ".join(duration(m) for m in medians)
    losses = sum(c.lost for c in sqlite.channels)
    lost = (
        f"; {losses} messages did not arrive within the drain and count as slower than any"
        if losses
        else ""
    )
    return (
        f"**Requirement (median report-to-delivery under 1 s on SQLite): "
        f"{'holds' if holds else 'does not hold'}** at {sqlite.answer_rate:.0f} reports/s "
        f"(medians {shown}){lost}."
    )


def header(results: list[RunResult], options: Options, info: RunInfo) -> str:
    m = machine(results)
    postgres = f", PostgreSQL {m.postgres}" if m.postgres else ""
    quick = " (a `--quick` smoke run)" if options.quick else ""
    code = (
        m.code
        if same_code(m.code, info.code_before)
        else f"{info.code_before} at the start, {m.code} at the end (it changed during the run)"
    )
    return (
        f"Command: `{options.command}`{quick}\n\n"
        f"Date: {info.started:%Y-%m-%d %H:%M} UTC; the run took {info.minutes:.0f} min. "
        f"Code: {code}.\n\n"
        f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}, "
        f"SQLite {m.sqlite}{postgres}; Apprise {apprise.__version__}. Load average before the "
        f"run: {info.load_before}; {others_line(info.others, info.minutes)}."
    )


def results_tables(results: list[RunResult]) -> list[str]:
    return [
        table(
            [
                "database",
                "channel",
                "reports accepted",
                "messages received",
                "report-to-delivery median",
                "p99",
                "max (delivered)",
                "lost",
                "duplicates",
            ],
            [latency_row(r, c) for r in results for c in r.channels],
        ),
        table(
            [
                "database",
                "reports sent",
                "accepted (201)",
                "answered per second",
                "POST median",
                "POST p99",
                "POST max",
                "send lag p99",
                "reports without both messages",
                "stray messages",
                "serve log errors",
            ],
            [post_row(r) for r in results],
        ),
    ]


def sent_at_reading(result: RunResult) -> str:
    """What the stored `sent_at` says against the real arrival, in one sentence."""
    after = result.stages.after_sent_at if result.stages else []
    if not after:
        return ""
    median = statistics.median(after)
    if median > SENT_AT_SLACK:
        return (
            f"On {result.database} a message arrived a median {duration(median)} (max "
            f"{duration(max(after))}) *after* the `sent_at` stored for it: the stored delivery "
            f"time is earlier than the real one, so the record and its `delivered` log leaf say "
            f"the message went out before it did."
        )
    return (
        f"On {result.database} the stored `sent_at` and the arrival agree (arrival minus "
        f"`sent_at`: median {duration(median)})."
    )


def diagnostics(results: list[RunResult], probe: Probe) -> list[str]:
    return [
        "### Where the time goes",
        table(
            [
                "database",
                "created_at to sent_at, median",
                "p99",
                "arrival after sent_at, median",
                "p99",
                "max",
                "delivery rate (first to last arrival)",
            ],
            [stage_row(r) for r in results],
        ),
        "This table compares each notification's own timestamps in the database (`created_at`, "
        "in the report's transaction; `sent_at`, stored with its `delivered` step) with the "
        "message's arrival at the receiver. " + " ".join(sent_at_reading(r) for r in results),
        table(
            ["channel", "`channels.send` per message, median", "p90", "sends timed"],
            [
                [c, duration(statistics.median(t)), duration(percentile(t, 0.9)), str(len(t))]
                for c, t in probe.sends.items()
            ],
        ),
        f"`ceasefire.delivery.channels.send` called in the benchmark process, one message at a "
        f"time, before the services start, against the same kind of receivers: the dispatcher "
        f"does this for every message. Creating a "
        f"default SSL context (`ssl.create_default_context()`) takes "
        f"{duration(probe.ssl_context)} here (median); Apprise {apprise.__version__}'s SMTP "
        f"client creates one for every connection, even with `mode=insecure`; "
        + (
            "the service gives it contexts that read the system's CA directory lazily "
            "(`ceasefire.delivery.channels.LazyTrustSSL`), which is why an e-mail costs "
            "less than that."
            if channels.use_lazy_trust()
            else "this system's CA directory does not hold the whole CA file, so the service "
            "leaves that as it is and every e-mail pays for it."
        ),
        "Notifications in the database at the end of the drain: "
        + " ".join(outbox_line(r) for r in results)
        + " Messages without the "
        + f"`{HEADER}` header: "
        + ", ".join(f"{r.database} {r.unkeyed}" for r in results)
        + ".",
    ]


@dataclass(frozen=True)
class RunInfo:
    started: datetime
    minutes: float
    load_before: str
    code_before: str
    others: dict[str, float]
    """CPU-seconds used by other processes during the run, by command line"""


def render(results: list[RunResult], probe: Probe, options: Options, info: RunInfo) -> str:
    parts = [
        "## Notification latency (bench/notify.py)",
        header(results, options, info),
        f"Load: {options.reports} public shelling reports by `{REPORTER}`, scheduled "
        f"open-loop at {options.rate:g} per second for {options.seconds:g} s (POST "
        f"/api/v1/incidents from {WORKERS} httpx threads), each notifying both ministries "
        f"and the peacekeepers' duty officer (the pack's night rule, made to hold at every "
        f"hour in the copy of the pack the service runs: "
        f"{' and '.join(f'{r.database} {messages_per_report(r)}' for r in results)} messages "
        f"per report in this run); {WARMUP_REPORTS} warm-up reports before it are not counted. "
        f"A real `ceasefire serve` (dispatcher interval 0.25 s, the default) on loopback "
        f"delivers to an aiosmtpd server and a webhook receiver run in a process of the "
        f"benchmark's own.",
        *results_tables(results),
        f"Report-to-delivery is the time from the POST's answer at the load generator to the "
        f"message's arrival at the receiver (both stamped with time.time(), on the same "
        f"clock), for the first message of each report on each channel, a lost message "
        f"counting as slower than any that came; *lost* counts "
        f"accepted reports with no message on that channel {DRAIN_SECONDS:.0f} s after the "
        f"load ended, *duplicates* messages that repeat an `{HEADER}` already received. Send "
        f"lag is how late a POST started after its scheduled time (open loop).",
        "What the numbers mean: " + " ".join(meaning(r) for r in results),
        verdict(results),
        *diagnostics(results, probe),
    ]
    return "\n\n".join(parts) + "\n"


def markers(section: str, script: str) -> tuple[str, str]:
    """The lines around a benchmark's own section of docs/benchmarks.md."""
    return (
        f"<!-- begin {section}: written by {script}, replaced on every run -->",
        f"<!-- end {section} -->",
    )


MARK_BEGIN, MARK_END = markers(SECTION, "bench/notify.py")
INTRO = """# Benchmarks

Results of the benchmarks in `bench/`. Each section is written by its script, and says on
which machine and on what date it ran; run the command it shows to regenerate it. A script
replaces only its own section (between its markers), so each benchmark keeps its own.
"""


def write_section(path: Path, body: str, begin: str = MARK_BEGIN, end: str = MARK_END) -> None:
    """Replace a benchmark's section of `path` (this one's unless `begin` and `end` name
    another's), re-read just now; other sections stay."""
    current = path.read_text(encoding="utf-8") if path.exists() else INTRO
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        updated = head + block + rest.split(end, 1)[1]
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.write_text(updated, encoding="utf-8")
    os.replace(staged, path)


# --- main -------------------------------------------------------------------------------------


def run(options: Options, workdir: Path) -> list[RunResult]:
    results = [
        bench_database(
            "SQLite",
            f"sqlite:///{workdir / 'sqlite' / 'data' / 'ceasefire.db'}",
            workdir / "sqlite",
            options,
        )
    ]
    if options.postgres:
        with postgres_database(options.postgres) as url:
            results.append(bench_database("PostgreSQL", url, workdir / "postgres", options))
    return results


def main(argv: Sequence[str]) -> int:
    options = parse_options(argv)
    # A TERM ends the run like Ctrl-C: the service is stopped and the temporary data removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, before, clock = datetime.now(UTC), load_average(), time.monotonic()
    code = code_version()
    with watching_others() as others:
        progress(f"timing channels.send, {PROBE_SENDS} messages per channel")
        probe = probe_channels(PROBE_SENDS)
        with tempfile.TemporaryDirectory(prefix="ceasefire-notify-", dir=options.workdir) as work:
            progress(f"working in {work}")
            results = run(options, Path(work))
    info = RunInfo(started, (time.monotonic() - clock) / 60, before, code, others.seconds())
    section = render(results, probe, options, info)
    print(section)
    if options.write:
        write_section(DOCS, section)
        progress(f"wrote the section to {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
