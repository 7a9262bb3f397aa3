"""Load benchmark: the sustained request rate the service answers with p99 under 500 ms.

    .venv/bin/python bench/load.py                      # SQLite
    .venv/bin/python bench/load.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/load.py --quick              # short steps: a smoke run

For each database it starts, in a temporary directory, the service as a deployment runs it:
on SQLite one `ceasefire serve` (one web process, the log worker, the dispatcher in a process
of its own); on PostgreSQL `ceasefire serve --workers 2 --no-dispatch` (two web processes and
the log worker) beside one `ceasefire worker`. Notifications go to real receivers (an SMTP
server and a webhook receiver, bench/notify.py's), under the copy of the reference pack whose
night rule always holds (three messages per report). The database is first given
`--seed` reports spread over the pack's places and the last 30 days, through the service
layer, and the dispatcher is let to deliver their messages.

This process then drives three workloads, each open-loop from asyncio (request i of a step is
due at i / rate s; its latency runs from when it was due, so a generator or server that falls
behind is charged for it), in steps of rising rate (x`--growth` from `--start` per second,
`--step` seconds each) until a step fails — its p99 reaches 500 ms, or a request fails or
is answered with other than 2xx. The last step that passed is then held for `--hold`
seconds; if the hold fails, one step lower is held, and so on. What a hold sustains is the
result.

- mix: what a desk under pressure sees: 10 % reports (POST /api/v1/incidents, as
  `jmc.ru.monitor`), 40 % one record (GET /api/v1/incidents/{id}), 30 % the newest page of
  the list (GET /api/v1/incidents?limit=50) and 20 % a map query (GET /api/v1/incidents with
  a bounding box around a random place of the pack, the last 7 days, up to 500), the reads as
  the Armenian ministry's liaison officer (`am.liaison`), so that authorisation filters them;
- reports: reports only;
- bare insert: the same report body POSTed to an endpoint that stores it as it comes, on the
  same stack (FastAPI and uvicorn, SQLAlchemy through `ceasefire.store.db.Database`, so the
  same engine settings, pool and database, as many web processes as the service) with no
  authentication, no validation, no versions, no log leaf and no notifications.

The ratio of the bare insert's sustained rate to the reports' is what our guarantees cost a
write. It prints the results as Markdown and replaces its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, func, insert, select

import notify as rig
from ceasefire.config import Settings
from ceasefire.domain.incidents import IncidentDraft
from ceasefire.pack import read_pack
from ceasefire.services import accounts, incidents
from ceasefire.services.deployment import open_deployment
from ceasefire.store.accounts import user_by_name
from ceasefire.store.db import Database
from ceasefire.store.tables import notifications

SECTION = "load"
LIMIT_SECONDS = 0.5
"""the p99 a step must stay under"""
REPORTER, READER = rig.REPORTER, "am.liaison"
TIMEOUT = 10.0
CONNECTIONS = 256
SEED_DAYS = 30
MAP_DAYS = 7
MAP_BOX_DEGREES = 0.15
DRAIN_SECONDS = 300.0
MIX = (("report", 10), ("read", 40), ("list", 30), ("map", 20))
HOLD_TRIES = 3


# --- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    postgres: str | None
    start: float
    growth: float
    step: float
    hold: float
    max_rate: float
    seed: int
    quick: bool
    write: bool
    workdir: Path | None
    command: str


def parse_options(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(description="Load benchmark (see the module docstring).")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL (a temporary database on this server, dropped afterwards)",
    )
    parser.add_argument("--start", type=float, default=10.0, help="first step, requests/s (10)")
    parser.add_argument("--growth", type=float, default=1.3, help="rate factor per step (1.3)")
    parser.add_argument("--step", type=float, help="seconds per step (10; --quick 3)")
    parser.add_argument("--hold", type=float, help="seconds of the final hold (30; --quick 5)")
    parser.add_argument("--max-rate", type=float, default=3000.0, help="stop there (3000)")
    parser.add_argument("--seed", type=int, help="reports stored first (2000; --quick 200)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--workdir", type=Path, help="for the data directories (default /tmp)")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    step = args.step or (3.0 if args.quick else 10.0)
    hold = args.hold or (5.0 if args.quick else 30.0)
    seed = args.seed if args.seed is not None else (200 if args.quick else 2000)
    if not 0 < args.start <= args.max_rate or not 1 < args.growth <= 4:
        parser.error("--start must be in (0, --max-rate] and --growth in (1, 4]")
    if not 0 < step <= 600 or not 0 < hold <= 3600 or not 0 <= seed <= 1_000_000:
        parser.error("--step must be in (0, 600], --hold in (0, 3600], --seed in [0, 1000000]")
    return Options(
        postgres=args.postgres,
        start=args.start,
        growth=args.growth,
        step=step,
        hold=hold,
        max_rate=args.max_rate,
        seed=seed,
        quick=bool(args.quick),
        write=not args.no_write,
        workdir=args.workdir,
        command=rig.command_line("bench/load.py", argv, args.postgres),
    )


# --- the bare insert endpoint -------------------------------------------------------------------

BARE = Table(
    "bench_bare_insert",
    MetaData(),
    Column("id", String(36), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
BARE_DATABASE = "LOAD_BENCH_BARE_DATABASE_URL"


def bare_app() -> Any:
    """The bare insert endpoint (built in each of uvicorn's processes, from the environment)."""
    from fastapi import Body, FastAPI

    db = Database(os.environ[BARE_DATABASE])
    app = FastAPI()

    @app.post("/bare", status_code=201)
    def store(body: dict[str, Any] = Body(...)) -> dict[str, str]:
        key = str(uuid.uuid4())
        with db.begin() as conn:
            conn.execute(insert(BARE).values(id=key, body=body, created_at=datetime.now(UTC)))
        return {"id": key}

    return app


@contextmanager
def bare_service(database_url: str, processes: int, workdir: Path) -> Iterator[str]:
    db = Database(database_url)
    BARE.metadata.create_all(db.engine)
    db.dispose()
    port = rig.free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent), **{BARE_DATABASE: database_url})
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "load:bare_app",
        "--factory",
        "--port",
        str(port),
        "--host",
        rig.LOOPBACK,
        "--workers",
        str(processes),
        "--log-level",
        "warning",
    ]
    log = workdir / "bare.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://{rig.LOOPBACK}:{port}"
    try:
        wait_answering(process, f"{url}/docs", log)
        yield url
    finally:
        rig.stop_process(process)


def wait_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + rig.STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited ({process.returncode}):\n{rig.tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {rig.STARTUP_SECONDS:.0f} s:\n{rig.tail(log)}")


# --- the service --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    url: str
    writer: str
    reader: str
    incidents: list[str]
    places: list[tuple[str, float, float]]
    """the pack's places: id, lat, lon"""
    layout: str


def seed(data_dir: Path, pack: Path, database_url: str, count: int) -> list[str]:
    """`count` reports by the monitoring centre's Russian staff, spread over the pack's places
    and the last 30 days, stored through the service layer; their ids."""
    settings = Settings(data_dir=data_dir, database_url=database_url, scenario=pack)
    dep = open_deployment(settings)
    try:
        with dep.db.read() as conn:
            user = user_by_name(conn, REPORTER)
        assert user is not None
        viewer = accounts.viewer_of(user)
        places = [place.id for place in dep.scenario.places]
        chooser = random.Random(7)
        now = datetime.now(UTC).replace(microsecond=0)
        ids = []
        for index in range(count):
            body = report_body(index, chooser.choice(places), chooser.uniform(1, SEED_DAYS * 24))
            draft = IncidentDraft.model_validate(body)
            ids.append(incidents.report_incident(dep, viewer, draft, now=now).id)
            if index % 500 == 499:
                rig.progress(f"  seeded {index + 1} of {count}")
        return ids
    finally:
        dep.db.dispose()


def report_body(index: int, place: str = "taghavard", hours_ago: float = 3.0) -> dict[str, Any]:
    body = rig.report_body(index)
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)
    ended = started + timedelta(minutes=10)
    body["started_at"] = body["observations"][0]["window_start"] = started.isoformat()
    body["ended_at"] = body["observations"][0]["window_end"] = ended.isoformat()
    body["location"] = {"place_id": place, "precision": "near_town"}
    body["title"] = f"Mortar impacts near {place} (load benchmark {index})"
    return body


def wait_delivered(database_url: str) -> float:
    """Wait until no notification is waiting for delivery; return the seconds it took."""
    db, started = Database(database_url), time.monotonic()
    try:
        while time.monotonic() - started < DRAIN_SECONDS:
            with db.read() as conn:
                due = conn.execute(
                    select(func.count()).where(notifications.c.status.in_(("pending", "sending")))
                ).scalar_one()
            if due == 0:
                return time.monotonic() - started
            time.sleep(1.0)
        raise RuntimeError(f"{due} notifications still undelivered after {DRAIN_SECONDS:.0f} s")
    finally:
        db.dispose()


@contextmanager
def running_service(
    workdir: Path, database_url: str, postgres: bool, seeded: int
) -> Iterator[Service]:
    data_dir, pack = workdir / "data", rig.night_pack(workdir)
    with rig.receivers() as wiring:
        env = rig.service_env(data_dir, pack, database_url, rig.free_port(), wiring)
        rig.run_cli(["init"], env)
        rig.load_demo_users(data_dir, pack, database_url)
        writer = rig.run_cli(["token", "create", REPORTER, "--label", "load"], env).strip()
        reader = rig.run_cli(["token", "create", READER, "--label", "load"], env).strip()
        rig.progress(f"  seeding {seeded} reports")
        ids = seed(data_dir, pack, database_url, seeded)
        commands = (
            [["serve", "--workers", "2", "--no-dispatch"], ["worker"]] if postgres else [["serve"]]
        )
        layout = (
            "`ceasefire serve --workers 2 --no-dispatch` and `ceasefire worker`"
            if postgres
            else "`ceasefire serve` (one web process; its dispatcher in a process of its own)"
        )
        processes = []
        try:
            for index, args in enumerate(commands):
                log = (workdir / f"{args[0]}.log").open("wb")
                processes.append(
                    subprocess.Popen(
                        [str(rig.CEASEFIRE), *args],
                        env=env,
                        cwd=rig.ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
                log.close()
                if index == 0:
                    url = f"http://{rig.LOOPBACK}:{env['CEASEFIRE_PORT']}"
                    rig.wait_ready(processes[0], url, writer, workdir / "serve.log")
            rig.progress(f"  delivering the seeds' messages ({wait_delivered(database_url):.0f} s)")
            places = [(p.id, p.lat, p.lon) for p in read_pack(pack).places]
            yield Service(url, writer, reader, ids, places, layout)
        finally:
            for process in processes:
                rig.stop_process(process)


# --- driving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request of a workload, as the generator sends it."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, str] | None = None
    headers: dict[str, str] | None = None


Request = Callable[[int], Call]
"""the workload's request number i"""


@dataclass(frozen=True)
class Workload:
    name: str
    url: str
    requests: list[tuple[str, int, Request]]
    """(kind, weight, request)"""
    token: str | None
    settle: Callable[[], None]
    """wait until what an overloaded step left behind is done"""


@dataclass
class Step:
    rate: float
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: int = 0
    example_failure: str = ""
    late_p99: float = 0.0
    """how late the generator sent (p99): when it nears the limit, the generator is the limit"""

    @property
    def all(self) -> list[float]:
        return [t for values in self.latencies.values() for t in values]

    @property
    def p99(self) -> float:
        return rig.percentile(self.all, 0.99) if self.all else float("inf")

    @property
    def passed(self) -> bool:
        return self.failures == 0 and self.p99 < LIMIT_SECONDS


async def drive_step(workload: Workload, rate: float, seconds: float, seed: int) -> Step:
    """Open loop: request i is due at i / rate; its latency runs from then."""
    chooser = random.Random(seed)
    kinds = [kind for kind, _, _ in workload.requests]
    weights = [weight for _, weight, _ in workload.requests]
    by_kind = {kind: request for kind, _, request in workload.requests}
    count = max(1, round(rate * seconds))
    plan = [chooser.choices(kinds, weights)[0] for _ in range(count)]
    step = Step(rate, seconds, {kind: [] for kind in kinds})
    late: list[float] = []
    headers = {"Authorization": f"Bearer {workload.token}"} if workload.token else {}
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    async with aiohttp.ClientSession(
        workload.url, connector=connector, timeout=timeout, headers=headers
    ) as session:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.1

        async def one(index: int) -> None:
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            late.append(loop.time() - due)
            call = by_kind[plan[index]](index)
            try:
                async with session.request(
                    call.method, call.path, json=call.body, params=call.params, headers=call.headers
                ) as answer:
                    text = await answer.text()
                ok, problem = 200 <= answer.status < 300, f"{answer.status} {text[:200]}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                ok, problem = False, f"{type(exc).__name__}: {exc}"
            if ok:
                step.latencies[plan[index]].append(loop.time() - due)
            else:
                step.failures += 1
                step.example_failure = step.example_failure or problem

        await asyncio.gather(*(one(i) for i in range(count)))
    step.late_p99 = rig.percentile(late, 0.99)
    return step


@dataclass
class Ramp:
    workload: str
    steps: list[Step] = field(default_factory=list)
    holds: list[Step] = field(default_factory=list)
    drained: float = 0.0
    """seconds after the last hold until every notification it caused was delivered"""

    @property
    def sustained(self) -> Step | None:
        return next((hold for hold in self.holds if hold.passed), None)


def ramp(workload: Workload, options: Options, label: str) -> Ramp:
    """Rising steps until one fails, then hold the last that passed (or lower) for longer."""
    result, rate, seed = Ramp(workload.name), options.start, 0
    while rate <= options.max_rate:
        seed += 1
        step = asyncio.run(drive_step(workload, rate, options.step, seed))
        result.steps.append(step)
        rig.progress(
            f"  {label} {workload.name}: {rate:.0f}/s p99 {took(step.p99)}, "
            f"{step.failures} failed, sent late p99 {rig.duration(step.late_p99)}"
        )
        if not step.passed:
            break
        rate *= options.growth
    passed = [step.rate for step in result.steps if step.passed]
    rate = passed[-1] if passed else options.start / options.growth
    for _ in range(HOLD_TRIES):
        seed += 1
        workload.settle()  # a failed step leaves requests and messages behind
        hold = asyncio.run(drive_step(workload, rate, options.hold, seed))
        result.holds.append(hold)
        rig.progress(
            f"  {label} {workload.name}: hold {rate:.0f}/s for {options.hold:.0f} s: "
            f"p99 {took(hold.p99)}, {hold.failures} failed"
        )
        if hold.passed:
            break
        rate /= options.growth
    return result


QUIET_SECONDS = 0.1
QUIET_TIMEOUT = 300.0


def wait_quiet(url: str) -> None:
    """Wait until `url` answers three times in a row within 100 ms: the server has worked
    off what the last step left queued."""
    deadline, quick = time.monotonic() + QUIET_TIMEOUT, 0
    while quick < 3:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} was still slow {QUIET_TIMEOUT:.0f} s after the step")
        started = time.monotonic()
        try:
            httpx.get(url, timeout=QUIET_TIMEOUT).raise_for_status()
            quick = quick + 1 if time.monotonic() - started < QUIET_SECONDS else 0
        except httpx.HTTPError:
            quick = 0
        time.sleep(0.2)


def service_workloads(service: Service, database_url: str) -> tuple[Workload, Workload]:
    places, known = service.places, service.incidents
    reader = {"Authorization": f"Bearer {service.reader}"}

    def report(index: int) -> Call:
        place, _lat, _lon = places[index % len(places)]
        return Call("POST", "/api/v1/incidents", body=report_body(index, place))

    def read(index: int) -> Call:
        incident = known[(index * 7919) % len(known)]
        return Call("GET", f"/api/v1/incidents/{incident}", headers=reader)

    def newest(index: int) -> Call:
        return Call("GET", "/api/v1/incidents", params={"limit": "50"}, headers=reader)

    def map_query(index: int) -> Call:
        _place, lat, lon = places[index % len(places)]
        half = MAP_BOX_DEGREES
        since = (datetime.now(UTC) - timedelta(days=MAP_DAYS)).isoformat()
        bbox = f"{lon - half},{lat - half},{lon + half},{lat + half}"
        params = {"bbox": bbox, "since": since, "limit": "500"}
        return Call("GET", "/api/v1/incidents", params=params, headers=reader)

    def settle() -> None:
        wait_quiet(f"{service.url}/login")
        wait_delivered(database_url)

    chosen = {"report": report, "read": read, "list": newest, "map": map_query}
    mix: list[tuple[str, int, Request]] = [(k, w, chosen[k]) for k, w in MIX]
    return (
        Workload("mix", service.url, mix, service.writer, settle),
        Workload("reports", service.url, [("report", 1, report)], service.writer, settle),
    )


def bare_workload(url: str) -> Workload:
    def store(index: int) -> Call:
        return Call("POST", "/bare", body=report_body(index))

    return Workload(
        "bare insert", url, [("bare insert", 1, store)], None, lambda: wait_quiet(f"{url}/docs")
    )


# --- a database ---------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    layout: str
    ramps: list[Ramp]


def bench_database(
    database: str, database_url: str, workdir: Path, options: Options, postgres: bool
) -> Result:
    workdir.mkdir(parents=True)
    rig.progress(f"{database}: starting the service")
    with running_service(workdir, database_url, postgres, options.seed) as service:
        ramps = []
        for workload in service_workloads(service, database_url):
            ramps.append(ramp(workload, options, database))
            ramps[-1].drained = wait_delivered(database_url)  # the next starts with it empty
            rig.progress(f"  {database}: messages delivered {ramps[-1].drained:.0f} s later")
        layout = service.layout
    with bare_service(database_url, 2 if postgres else 1, workdir) as url:
        ramps.append(ramp(bare_workload(url), options, database))
    return Result(database, layout, ramps)


# --- the report ---------------------------------------------------------------------------------


def took(seconds: float) -> str:
    return "none answered" if math.isinf(seconds) else rig.duration(seconds)


def rate(step: Step | None) -> str:
    return f"{step.rate:.0f}/s" if step else "none"


def quantiles(values: list[float]) -> str:
    if not values:
        return "–"
    return (
        f"{rig.duration(statistics.median(values))} / {rig.duration(rig.percentile(values, 0.99))}"
    )


def failing(ramp_: Ramp) -> str:
    """Why the ramp stopped rising."""
    last = ramp_.steps[-1]
    if last.passed:
        return f"reached --max-rate at {last.rate:.0f}/s"
    why = (
        f"{last.failures} failed ({last.example_failure[:80]})"
        if last.failures
        else (f"p99 {took(last.p99)}")
    )
    return f"{last.rate:.0f}/s: {why}"


def summary_row(result: Result, ramp_: Ramp) -> list[str]:
    held, last = ramp_.sustained, ramp_.steps[-1]
    late = rig.duration(held.late_p99) if held else "–"
    drained = "–" if ramp_.workload == "bare insert" else f"{ramp_.drained:.0f} s"
    return [
        result.database,
        ramp_.workload,
        f"**{rate(held)}**",
        quantiles(held.all) if held else "–",
        failing(ramp_),
        f"{late} / {rig.duration(last.late_p99)}",
        drained,
    ]


def ratio(result: Result) -> str:
    by_name = {r.workload: r.sustained for r in result.ramps}
    bare, reports = by_name.get("bare insert"), by_name.get("reports")
    if not bare or not reports:
        return f"{result.database}: not measured (a workload sustained no rate)"
    first = {r.workload: r.steps[0] for r in result.ramps}
    bare_p50 = statistics.median(first["bare insert"].all)
    report_p50 = statistics.median(first["reports"].all)
    return (
        f"{result.database}: the bare insert sustained {bare.rate:.0f}/s, reports "
        f"{reports.rate:.0f}/s: **{bare.rate / reports.rate:.1f}x**; at the first step "
        f"({first['reports'].rate:.0f}/s) a report's median was {rig.duration(report_p50)} "
        f"and a bare insert's {rig.duration(bare_p50)} (**{report_p50 / bare_p50:.1f}x**)"
    )


def mix_rows(results: list[Result]) -> list[list[str]]:
    rows = []
    for result in results:
        mix = next(r for r in result.ramps if r.workload == "mix")
        if mix.sustained:
            rows.append(
                [result.database, rate(mix.sustained)]
                + [quantiles(mix.sustained.latencies[kind]) for kind, _ in MIX]
            )
    return rows


def steps_line(result: Result, ramp_: Ramp) -> str:
    shown = ", ".join(
        f"{s.rate:.0f}/s {took(s.p99)}{'' if s.passed else ' ✗'}" for s in ramp_.steps
    )
    held = ", ".join(f"{h.rate:.0f}/s {took(h.p99)}{'' if h.passed else ' ✗'}" for h in ramp_.holds)
    return f"- {result.database}, {ramp_.workload}: {shown}; held {held}"


def render(results: list[Result], options: Options, info: dict[str, Any]) -> str:
    m = rig.machine([])
    postgres = f", PostgreSQL {info['postgres']}" if info.get("postgres") else ""
    layouts = "; ".join(f"{r.database}: {r.layout}" for r in results)
    parts = [
        "## Load (bench/load.py)",
        f"Command: `{options.command}`{' (a `--quick` smoke run)' if options.quick else ''}",
        f"Date: {info['started']:%Y-%m-%d %H:%M} UTC; the run took {info['minutes']:.0f} min. "
        f"Code: {m.code}.",
        f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}, SQLite "
        f"{m.sqlite}{postgres}. Load average before the run: {info['load_before']}; "
        f"{rig.others_line(info['others'], info['minutes'])}. The load generator (asyncio "
        f"and aiohttp, one process) shares the machine's cores with the service.",
        f"Service: {layouts}; {options.seed} reports stored before the run. Steps of "
        f"{options.step:g} s from {options.start:g}/s, x{options.growth:g} each, until p99 "
        f"reached {LIMIT_SECONDS * 1000:.0f} ms or a request failed; then the last passing "
        f"rate held for {options.hold:g} s (one step lower if the hold failed).",
        rig.table(
            [
                "database",
                "workload",
                "sustained rate (p99 < 500 ms)",
                "median / p99 while held",
                "first failing step",
                "generator late, p99 (held / failing step)",
                "outbox empty after the hold",
            ],
            [summary_row(r, ramp_) for r in results for ramp_ in r.ramps],
        ),
        "Mix: " + ", ".join(f"{w} % {k}" for k, w in MIX) + " (see the script's docstring). "
        "Median / p99 by kind while the mix was held:",
        rig.table(["database", "sustained", *[k for k, _ in MIX]], mix_rows(results)),
        "What our guarantees cost a write (validation, authorisation, the record and its "
        "version, the log leaf, the notification outbox rows, all in one transaction), "
        "as the ratio of a bare insert of the same body on the same stack to a report:",
        "\n".join(f"- {ratio(r)}." for r in results),
        "Steps (rate and p99; ✗ failed):",
        "\n".join(steps_line(r, ramp_) for r in results for ramp_ in r.ramps),
        "Latency runs from when a request was due (open loop), so a server or generator that "
        "falls behind is charged for the wait; *generator late* is how late the generator "
        "sent: where it nears 500 ms the generator, not the service, set the limit. Reports "
        "notify three contact points each; *outbox empty after the hold* is how long the "
        "dispatcher took, after the hold ended, to deliver what was still queued (0 s: it "
        "kept up).",
    ]
    return "\n\n".join(parts) + "\n"


# --- main ---------------------------------------------------------------------------------------


def run(options: Options, workdir: Path) -> tuple[list[Result], str | None]:
    results = [
        bench_database(
            "SQLite",
            f"sqlite:///{workdir / 'sqlite' / 'data' / 'ceasefire.db'}",
            workdir / "sqlite",
            options,
            postgres=False,
        )
    ]
    version = None
    if options.postgres:
        with rig.postgres_database(options.postgres) as url:
            version = rig.database_version(url)
            results.append(bench_database("PostgreSQL", url, workdir / "postgres", options, True))
    return results, version


def main(argv: Sequence[str]) -> int:
    options = parse_options(argv)
    started, load_before, clock = datetime.now(UTC), rig.load_average(), time.monotonic()
    with (
        rig.watching_others() as others,
        tempfile.TemporaryDirectory(prefix="ceasefire-load-", dir=options.workdir) as workdir,
    ):
        results, version = run(options, Path(workdir))
    info = {
        "started": started,
        "minutes": (time.monotonic() - clock) / 60,
        "load_before": load_before,
        "others": others.seconds(),
        "postgres": version,
    }
    body = render(results, options, info)
    print(body)
    if options.write:
        rig.write_section(rig.DOCS, body, *rig.markers(SECTION, "bench/load.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
