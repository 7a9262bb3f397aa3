"""Benchmark of enrichment: the nearest settlement, the nearest post and the distance to the
line of contact, in metres, for many records at once.

    .venv/bin/python bench/geo.py                 # 100,000 records
    .venv/bin/python bench/geo.py --records 10000 --no-write

Records are points scattered over the reference pack's area. The vectorised path
(`Geography.enrich`: one projection of every point, STR-tree nearest queries, Shapely's
array functions, PROJ's geodesic distances over arrays) enriches all of them, `--repeat`
times; the plain per-record loop (`Geography.enrich_one`: one Shapely geometry at a time,
every place tried) enriches a sample of them, in the same run, and its time per record is
compared with the vectorised path's. Both give the same answers (tests/test_geography.py).
It replaces its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import notify as rig
from ceasefire.domain.geography import Geography, line_of_contact
from ceasefire.pack import read_pack

SECTION = "geo"
LIMIT_SECONDS = 10.0
AREA = ((39.3, 40.4), (46.2, 47.3))
"""(lat range, lon range) the records are scattered over"""


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Enrichment benchmark (see the docstring).")
    parser.add_argument("--records", type=int, default=100_000, help="records (100000)")
    parser.add_argument("--loop-sample", type=int, default=2_000, help="for the plain loop")
    parser.add_argument("--repeat", type=int, default=5, help="vectorised runs (5)")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    if not 1 <= args.records <= 10_000_000 or not 1 <= args.loop_sample <= args.records:
        parser.error("--records must be in [1, 10000000], --loop-sample in [1, --records]")
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat must be in [1, 100]")
    started = datetime.now(UTC)
    scenario = read_pack(rig.REFERENCE_PACK)
    lat, lon = scenario.info.map.center
    built = time.perf_counter()
    geography = Geography((lat, lon), scenario.places, line_of_contact(scenario))
    build_seconds = time.perf_counter() - built
    chooser = random.Random(5)
    lats = [chooser.uniform(*AREA[0]) for _ in range(args.records)]
    lons = [chooser.uniform(*AREA[1]) for _ in range(args.records)]

    runs = []
    for attempt in range(args.repeat):
        clock = time.perf_counter()
        geography.enrich(lats, lons)
        runs.append(time.perf_counter() - clock)
        rig.progress(f"vectorised run {attempt + 1}: {runs[-1]:.2f} s")
    per_record = []
    for lat_i, lon_i in zip(lats[: args.loop_sample], lons[: args.loop_sample], strict=True):
        clock = time.perf_counter()
        geography.enrich_one(lat_i, lon_i)
        per_record.append(time.perf_counter() - clock)
    rig.progress(f"plain loop: {statistics.median(per_record) * 1e6:.0f} µs a record")

    vectorised = statistics.median(runs)
    loop_total = sum(per_record) / len(per_record) * args.records
    m = rig.machine([])
    verdict = "holds" if vectorised < LIMIT_SECONDS else "does not hold"
    body = "\n\n".join(
        [
            "## Enrichment (bench/geo.py)",
            f"Command: `{rig.command_line('bench/geo.py', argv, None)}`",
            f"Date: {started:%Y-%m-%d %H:%M} UTC. Code: {m.code}.",
            f"Machine: {m.cpu}, {m.cores} cores, {m.ram} RAM; Python {m.python}.",
            f"Layers: the reference pack's {len(geography.settlements)} settlements, "
            f"{len(geography.posts)} posts and its (illustrative) line of contact; the index "
            f"took {build_seconds * 1000:.0f} ms to build. Records: {args.records:,} points "
            f"scattered over {AREA[0][0]}–{AREA[0][1]}° N, {AREA[1][0]}–{AREA[1][1]}° E.",
            rig.table(
                ["path", "records", "time (median)", "per record", "records per second"],
                [
                    [
                        f"vectorised, median of {args.repeat}",
                        f"{args.records:,}",
                        f"**{vectorised:.2f} s**",
                        f"{vectorised / args.records * 1e6:.1f} µs",
                        f"{args.records / vectorised:,.0f}",
                    ],
                    [
                        f"plain loop, {args.loop_sample:,} of them",
                        f"{args.loop_sample:,}",
                        f"{sum(per_record):.2f} s ({loop_total:.0f} s for all, at that rate)",
                        f"{statistics.median(per_record) * 1e6:.0f} µs (median)",
                        f"{len(per_record) / sum(per_record):,.0f}",
                    ],
                ],
            ),
            f"**The vectorised path enriched {args.records:,} records in {vectorised:.2f} s "
            f"(limit {LIMIT_SECONDS:.0f} s: {verdict}), "
            f"{loop_total / vectorised:.0f}x faster than the plain loop** (limit: 20x). "
            f"Vectorised runs: {', '.join(f'{r:.2f} s' for r in runs)}.",
        ]
    )  # fmt: skip
    print(body)
    if not args.no_write:
        rig.write_section(rig.DOCS, body, *rig.markers(SECTION, "bench/geo.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
