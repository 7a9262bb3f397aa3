"""Benchmark of a month's entitlements over a registry of 50,000 displaced households.

    .venv/bin/python bench/programmes.py
    .venv/bin/python bench/programmes.py --households 5000 --no-write
    .venv/bin/python bench/programmes.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

A fresh deployment of the reference pack (SQLite under a temporary directory, and a fresh
database on the PostgreSQL server given) imports the generated registry of tests/registry.py
(as `ceasefire households import` does: every household sealed, journalled and logged), then
runs the pack's five programmes: May 2021 first, by the command itself (`ceasefire
programmes run --period 2021-05` in its own process; one-time subsidies included), then, in
this process, May again (everything computed, nothing new to owe) and June, July and August
(monthly and weekly benefits). It replaces its own section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import notify as rig

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.registry import generate

from ceasefire.config import Settings
from ceasefire.pack import read_pack
from ceasefire.services import households, programmes
from ceasefire.services.deployment import initialise, open_deployment
from ceasefire.store.db import Database

SECTION = "programmes"
LIMIT_SECONDS = 30.0
REGISTERED = datetime(2021, 4, 30, 12, 0, tzinfo=UTC)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Entitlements benchmark (see the docstring).")
    parser.add_argument("--households", type=int, default=50_000, help="in the registry (50000)")
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (a database is made)")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    drafts = generate(args.households)
    people = sum(len(d.members) for d in drafts)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        rows.append(measure("SQLite", f"sqlite:///{Path(work) / 'aid.db'}", Path(work), drafts))
        if args.postgres:
            with rig.postgres_database(args.postgres) as url:
                rows.append(measure("PostgreSQL", url, Path(work), drafts))
    m = rig.machine([])
    worst = max(float(r[3].strip("*").split()[0]) for r in rows)
    verdict = "holds" if worst < LIMIT_SECONDS else "does not hold"
    ratio = ""
    if len(rows) == 2:
        first = [float(r[3].strip("*").split()[0]) for r in rows]
        ratio = f" PostgreSQL/SQLite, first run of a month: {first[1] / first[0]:.2f}x."
    body = "\n\n".join(
        [
            "## A month's entitlements (bench/programmes.py)",
            f"Command: `{rig.command_line('bench/programmes.py', argv, None)}`",
            f"Date: {started:%Y-%m-%d %H:%M} UTC. Code: {m.code}.",
            f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}.",
            f"{args.households:,} generated households ({people:,} people) imported as "
            "`ceasefire households import` does (sealed, journalled, logged); then the reference "
            "pack's five programmes run as `ceasefire programmes run --period` runs them: every "
            "active household read, its members' sealed sex and birth date opened, every rule "
            "applied, the new entitlements written and the run logged. *May, first* is the "
            "command itself, `ceasefire programmes run --period 2021-05` in its own process "
            "(start-up and reading the pack included), owing the one-time subsidies too (cut "
            "where a budget runs out); the others run in the benchmark's process: *May, again* "
            "computes "
            "everything and owes nothing new (median of 3); *June–August* are first runs of "
            f"monthly and weekly benefits (median of 3).{ratio}",
            rig.table(
                [
                    "database",
                    "import",
                    "entitlements in May",
                    "May, first",
                    "May, again (median)",
                    "June–August (median)",
                ],
                rows,
            ),
            f"**The slowest first run of a month took {worst:.1f} s "
            f"(limit {LIMIT_SECONDS:.0f} s: {verdict}).**",
        ]
    )
    print(body)
    if not args.no_write:
        rig.write_section(rig.DOCS, body, *rig.markers(SECTION, "bench/programmes.py"))
    return 0


def measure(name: str, url: str, work: Path, drafts: list[Any]) -> list[str]:
    settings = Settings(
        data_dir=work / name,
        database_url=url,
        scenario=rig.REFERENCE_PACK,
        secret_key="bench-programmes",
        future_tolerance_seconds=300,
    )
    db = Database(url)
    initialise(settings, db, read_pack(rig.REFERENCE_PACK))
    dep = open_deployment(settings, db)
    began = time.perf_counter()
    households.import_households(dep, None, drafts, now=REGISTERED)
    imported = time.perf_counter() - began
    rig.progress(f"{name}: imported in {imported:.1f} s")
    first, summary = _timed(lambda: _command(settings, "2021-05"))
    owed = sum(t["new"] for t in summary["programmes"])
    rig.progress(f"{name}: May, first run {first:.1f} s, {owed:,} entitlements")
    again = [_timed(lambda: programmes.run_programmes(dep, "2021-05"))[0] for _ in range(3)]
    later = [
        _timed(lambda m=m: programmes.run_programmes(dep, m))[0]
        for m in ("2021-06", "2021-07", "2021-08")
    ]
    rig.progress(
        f"{name}: again {statistics.median(again):.1f} s, later {statistics.median(later):.1f} s"
    )
    db.dispose()
    return [
        name,
        f"{imported:.1f} s",
        f"{owed:,}",
        f"**{first:.1f} s**",
        f"{statistics.median(again):.1f} s",
        f"{statistics.median(later):.1f} s",
    ]


def _command(settings: Settings, period: str) -> Any:
    """`ceasefire programmes run --period` in its own process, as an operator runs it."""
    env = {
        **os.environ,
        "CEASEFIRE_DATA_DIR": str(settings.data_dir),
        "CEASEFIRE_DATABASE_URL": settings.resolved_database_url,
        "CEASEFIRE_SCENARIO": str(settings.scenario),
        "CEASEFIRE_SECRET_KEY": "bench-programmes",
        "CEASEFIRE_CONFIG": str(settings.data_dir / "absent.toml"),
    }
    command = [
        str(Path(sys.executable).with_name("ceasefire")),
        "programmes",
        "run",
        "--period",
        period,
        "--json",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _timed(action: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
