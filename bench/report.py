"""Benchmark of the daily situation report on a busy day: 5,000 incidents in one period.

    .venv/bin/python bench/report.py                  # SQLite, 5,000 incidents
    .venv/bin/python bench/report.py --incidents 1000 --no-write
    .venv/bin/python bench/report.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

A fresh deployment of the reference pack (SQLite under a temporary directory, or a fresh
database on the PostgreSQL server given) gets the incidents through the service a monitor's
report takes (enriched, logged, routed), spread over one period and over the pack's places,
every fifth one restricted to one ministry. Then the report of that day is computed for the
peacekeepers' duty officer (who reads all of them) and for the Azerbaijani liaison officer
(who reads four in five), and rendered as PDF, each `--repeat` times; medians are quoted,
side by side in one run. It replaces its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import notify as rig
from ceasefire.config import Settings
from ceasefire.domain.incidents import IncidentDraft
from ceasefire.pack import read_pack
from ceasefire.services import accounts, incidents, log, reports, scenarios
from ceasefire.services.deployment import Deployment, initialise, open_deployment
from ceasefire.store.accounts import user_by_name
from ceasefire.store.db import Database

SECTION = "report"
LIMIT_SECONDS = 5.0
DAY = date(2021, 4, 23)
PLACES = (
    "taghavard",
    "khramort",
    "sarushen",
    "lachin",
    "mkhitarishen",
    "berdashen",
    "vardadzor",
    "khatsi",
    "stepanakert",
    "shusha",
)
CATEGORIES = ("shelling", "small-arms-fire", "drone-activity", "grenade")


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Daily report benchmark (see the docstring).")
    parser.add_argument("--incidents", type=int, default=5_000, help="in the day (5000)")
    parser.add_argument("--repeat", type=int, default=5, help="reports timed (5)")
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (a database is made)")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        urls = [("SQLite", f"sqlite:///{Path(work) / 'report.db'}")]
        for name, url in urls:
            rows.extend(measure(name, url, Path(work), args))
        if args.postgres:
            with rig.postgres_database(args.postgres) as url:
                rows.extend(measure("PostgreSQL", url, Path(work), args))
    m = rig.machine([])
    worst = max(float(r[3].strip("*").split()[0]) for r in rows)
    with_pdf = max(float(r[3].strip("*").split()[0]) + float(r[4].split()[0]) for r in rows)
    verdict = "holds" if with_pdf < LIMIT_SECONDS else "does not hold"
    body = "\n\n".join(
        [
            "## Daily situation report (bench/report.py)",
            f"Command: `{rig.command_line('bench/report.py', argv, None)}`",
            f"Date: {started:%Y-%m-%d %H:%M} UTC. Code: {m.code}.",
            f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}.",
            f"{args.incidents:,} incidents reported through the service in the period ending "
            f"{DAY} 08:00 (+04:00), over {len(PLACES)} places and {len(CATEGORIES)} categories, "
            "each with one observation; every fifth restricted to the Azerbaijani ministry. "
            f"Each cell is the median of {args.repeat} runs in the same process: the report "
            "(every record of the period read, re-checked, counted and named; the export "
            "recorded in the log) and its PDF (tables, paragraphs, the map).",
            rig.table(
                [
                    "database",
                    "reader",
                    "incidents counted",
                    "report (median)",
                    "PDF (median)",
                    "records per second",
                ],
                rows,
            ),
            f"**The slowest report took {worst:.2f} s, and {with_pdf:.2f} s with its PDF "
            f"(limit {LIMIT_SECONDS:.0f} s for both: {verdict}).**",
        ]
    )
    print(body)
    if not args.no_write:
        rig.write_section(rig.DOCS, body, *rig.markers(SECTION, "bench/report.py"))
    return 0


def measure(name: str, url: str, work: Path, args: argparse.Namespace) -> list[list[str]]:
    settings = Settings(
        data_dir=work / name,
        database_url=url,
        scenario=rig.REFERENCE_PACK,
        secret_key="bench-report",
        future_tolerance_seconds=300,
    )
    db = Database(url)
    initialise(settings, db, read_pack(rig.REFERENCE_PACK))
    dep = open_deployment(settings, db)
    scenarios.load_demo_users(dep)
    fill(dep, args.incidents)
    log.publish_checkpoint(dep)
    cells = []
    for username in ("rpk.duty", "az.liaison"):
        reader = viewer(dep, username)
        report, report_times = timed(partial(reports.daily_report, dep, reader, DAY), args.repeat)
        _pdf, pdf_times = timed(partial(reports.daily_pdf, dep, reader, report), args.repeat)
        counted = len(report["incident_ids"])
        median = statistics.median(report_times)
        rig.progress(f"{name} {username}: {counted} counted, report {median:.2f} s")
        cells.append(
            [
                name,
                username,
                f"{counted:,}",
                f"**{median:.2f} s**",
                f"{statistics.median(pdf_times):.2f} s",
                f"{counted / median:,.0f}",
            ]
        )
    db.dispose()
    return cells


def fill(dep: Deployment, count: int) -> None:
    zone = ZoneInfo("Asia/Baku")
    start = datetime(2021, 4, 22, 8, 0, tzinfo=zone)
    reporter = viewer(dep, "rpk.monitor")
    step = timedelta(days=1) / count
    began = time.perf_counter()
    for n in range(count):
        at = start + step * n
        body: dict[str, Any] = {
            "category": CATEGORIES[n % len(CATEGORIES)],
            "title": f"Bench event {n}",
            "started_at": at.isoformat(),
            "location": {"place_id": PLACES[n % len(PLACES)], "precision": "near_town"},
            "observations": [
                {
                    "platform": "post",
                    "window_start": at.isoformat(),
                    "window_end": at.isoformat(),
                    "sighting": "shot",
                    "count": 1 + n % 7,
                }
            ],
            "classification": "restricted" if n % 5 == 0 else "mission",
            "restricted_to": ["mod-azerbaijan"] if n % 5 == 0 else [],
        }
        incidents.report_incident(
            dep, reporter, IncidentDraft.model_validate(body), now=at + timedelta(hours=1)
        )
        if n % 500 == 499:
            rate = (n + 1) / (time.perf_counter() - began)
            rig.progress(f"{n + 1:,} incidents recorded ({rate:.0f}/s)")


def viewer(dep: Deployment, username: str) -> Any:
    with dep.db.read() as conn:
        user = user_by_name(conn, username)
    assert user is not None, username
    return accounts.viewer_of(user)


def timed(action: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return result, times


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
