"""Benchmark of enrichment: the nearest settlement, the nearest post, the distance to the
line of contact and its side, the zone and the hazard areas nearby, for many records at once;
and, where PostGIS is at hand, the same distances from `ST_Distance` on geography.

    .venv/bin/python bench/geo.py                 # 100,000 records
    .venv/bin/python bench/geo.py --records 10000 --no-write
    .venv/bin/python bench/geo.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

Records are points scattered over the reference pack's area. The vectorised path
(`Geography.enrich`: one projection of every point, STR-tree nearest queries, Shapely's
array functions, PROJ's geodesic distances over arrays) enriches all of them, `--repeat`
times; the plain per-record loop (`Geography.enrich_one`: one Shapely geometry at a time,
every place tried) enriches a sample of them, in the same run, and its time per record is
compared with the vectorised path's. Both give the same answers (tests/test_geography.py,
tests/test_standing.py). With `--postgres`, a sample of the records goes to PostGIS, which
computes the distance to the line and to every settlement and post (`ST_Distance` on
geography, the nearest kept) in one query, timed, and compared metre by metre.
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

from sqlalchemy import create_engine, text

import notify as rig
from ceasefire.domain.geography import Enrichment, Geography, pack_geography, pack_line
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
    parser.add_argument("--postgres", help="a PostgreSQL URL with PostGIS, to compare with")
    parser.add_argument("--postgis-sample", type=int, default=10_000, help="records (10000)")
    args = parser.parse_args(argv)
    if not 1 <= args.records <= 10_000_000 or not 1 <= args.loop_sample <= args.records:
        parser.error("--records must be in [1, 10000000], --loop-sample in [1, --records]")
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat must be in [1, 100]")
    started = datetime.now(UTC)
    scenario = read_pack(rig.REFERENCE_PACK)
    built = time.perf_counter()
    geography = pack_geography(scenario)
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

    compared = None
    if args.postgres:
        sample = min(args.postgis_sample, args.records)
        compared = against_postgis(
            args.postgres,
            geography,
            pack_line(scenario).lines,
            lats[:sample],
            lons[:sample],
            vectorised_of(runs, args.records),
        )
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
            f"{len(geography.posts)} posts, its (illustrative) line of contact with "
            f"{len(geography.sides)} sides' areas, {len(geography.zones)} zones and "
            f"{len(geography.hazards)} hazard areas ({geography.hazard_radius:.0f} m radius); "
            f"the indexes took {build_seconds * 1000:.0f} ms to build. Each record gets the "
            "nearest settlement and post with geodesic metres, the geodesic metres to the "
            "line, its side, its zone and the hazard areas near it. "
            f"Records: {args.records:,} points "
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
            *([compared] if compared else [
                "PostGIS: not compared in this run (give `--postgres` a database with PostGIS)."
            ]),
        ]
    )  # fmt: skip
    print(body)
    if not args.no_write:
        rig.write_section(rig.DOCS, body, *rig.markers(SECTION, "bench/geo.py"))
    return 0


def vectorised_of(runs: list[float], records: int) -> float:
    """Seconds a record, the vectorised path (median run)."""
    return statistics.median(runs) / records


def against_postgis(
    url: str,
    geography: Geography,
    lines: list[list[tuple[float, float]]],
    lats: list[float],
    lons: list[float],
    ours_per_record: float,
) -> str:
    """Time PostGIS on the same distances for the sample, and compare them with ours."""
    found: Enrichment = geography.enrich(lats, lons)
    line = "MULTILINESTRING(" + ",".join(
        "(" + ",".join(f"{x} {y}" for x, y in part) + ")" for part in lines
    ) + ")"  # fmt: skip
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            conn.execute(text("CREATE TEMP TABLE bench_points (i int, g geography) ON COMMIT DROP"))
            conn.execute(
                text("CREATE TEMP TABLE bench_places (kind text, g geography) ON COMMIT DROP")
            )
            conn.execute(
                text("INSERT INTO bench_points VALUES (:i, ST_MakePoint(:lon, :lat)::geography)"),
                [
                    {"i": i, "lon": x, "lat": y}
                    for i, (y, x) in enumerate(zip(lats, lons, strict=True))
                ],
            )
            conn.execute(
                text("INSERT INTO bench_places VALUES (:k, ST_MakePoint(:lon, :lat)::geography)"),
                [
                    {"k": k, "lon": p.lon, "lat": p.lat}
                    for k, places in (("s", geography.settlements), ("p", geography.posts))
                    for p in places
                ],
            )
            conn.execute(text("ANALYZE bench_points"))
            clock = time.perf_counter()
            rows = conn.execute(
                text(
                    "SELECT p.i, ST_Distance(p.g, ST_GeogFromText(:line)),"
                    " (SELECT min(ST_Distance(p.g, s.g)) FROM bench_places s WHERE s.kind = 's'),"
                    " (SELECT min(ST_Distance(p.g, s.g)) FROM bench_places s WHERE s.kind = 'p')"
                    " FROM bench_points p ORDER BY p.i"
                ),
                {"line": f"SRID=4326;{line}"},
            ).all()
            seconds = time.perf_counter() - clock
    finally:
        engine.dispose()
    gaps = {
        "settlement": [abs(r[2] - found.settlement.metres[r[0]]) for r in rows],
        "post": [abs(r[3] - found.post.metres[r[0]]) for r in rows],
        "line": [abs(r[1] - found.line_metres[r[0]]) for r in rows],
    }
    within = {k: sum(g <= 1.0 for g in v) / len(v) * 100 for k, v in gaps.items()}
    per_record = seconds / len(rows)
    return (
        f"**PostGIS, same run, {len(rows):,} of the records**: one query computing "
        f"`ST_Distance` on geography to the line and to every settlement and post took "
        f"{seconds:.2f} s ({per_record * 1e6:.0f} µs a record, "
        f"{per_record / ours_per_record:.0f}x the vectorised path's time a record). "
        f"Agreement within 1 m: settlements {within['settlement']:.2f} %, posts "
        f"{within['post']:.2f} %, line {within['line']:.2f} % (largest gaps "
        f"{max(gaps['settlement']):.2f} m, {max(gaps['post']):.2f} m, {max(gaps['line']):.2f} m)."
        " Where the line's distances differ, ours are the geodesic ones (they match a "
        "brute-force search of the line densified every 5 m, tests/test_geography.py); "
        "PostGIS finds the nearest point on a sphere and measures to it on the spheroid, so "
        "near a vertex it comes out longer, by more the farther the record."
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
