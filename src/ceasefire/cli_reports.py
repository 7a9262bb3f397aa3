"""`ceasefire report daily|weekly|monthly` and `ceasefire export incidents`: the daily situation
report and the weekly and monthly trends as one reader may read them (text, JSON or PDF),
and the incidents a user may read as ACLED-style CSV, GeoJSON or HXL, with progress. The same
services and rights as the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from ceasefire.cli_support import _, _add_row, _deployment, _fail, _run, _viewer, err, out, say
from ceasefire.domain import authorization as authz
from ceasefire.reports.pdf import OBSERVED_LABELS
from ceasefire.reports.trends import Span
from ceasefire.services import exports, reports, trends

report_app = typer.Typer(no_args_is_help=True, help="Situation reports.")


AsReader = Annotated[str | None, typer.Option("--as", help="Read as this user")]
ForDesk = Annotated[str | None, typer.Option("--for", help="Read as this contact point's desk")]
Audience = Annotated[str | None, typer.Option(help="Whose names: an audience id")]
Language = Annotated[str | None, typer.Option(help="en, ru, hy or az")]
Format = Annotated[str, typer.Option("--format", help="text, json or pdf")]
Out = Annotated[Path | None, typer.Option("--out", help="Write here (pdf: required)")]


@report_app.command("daily")
def daily(
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day whose cut-off ends the period (YYYY-MM-DD)"),
    ] = None,
    as_user: AsReader = None,
    for_desk: ForDesk = None,
    audience: Audience = None,
    language: Language = None,
    fmt: Format = "text",
    out_file: Out = None,
) -> None:
    """The daily situation report, counting only what its reader may read (a user with --as, a
    desk with --for; neither: the public)."""
    dep = _deployment()
    reader, public = _reader(dep, as_user, for_desk, audience, language, fmt)
    when = _run(lambda: reports.parse_day(day)) if day else reports.last_day(dep)
    report = _run(
        lambda: reports.daily_report(dep, reader, reports.check_day(dep, when), record=not public)
    )
    _emit(report, fmt, out_file, lambda: reports.daily_pdf(dep, reader, report), _print_report)


@report_app.command("weekly")
def weekly(
    week: Annotated[str | None, typer.Option(help="Any day of the week (YYYY-MM-DD)")] = None,
    as_user: AsReader = None,
    for_desk: ForDesk = None,
    audience: Audience = None,
    language: Language = None,
    fmt: Format = "text",
    out_file: Out = None,
) -> None:
    """The week's trends against the seven weeks before (the latest week that is over by
    default): series by category and area, hot spots, what changed."""
    _trend(Span.week, week, as_user, for_desk, audience, language, fmt, out_file)


@report_app.command("monthly")
def monthly(
    month: Annotated[str | None, typer.Option(help="The month (YYYY-MM)")] = None,
    as_user: AsReader = None,
    for_desk: ForDesk = None,
    audience: Audience = None,
    language: Language = None,
    fmt: Format = "text",
    out_file: Out = None,
) -> None:
    """The month's trends against the five months before (the latest month that is over by
    default)."""
    _trend(Span.month, month, as_user, for_desk, audience, language, fmt, out_file)


def _trend(
    span: Span,
    asked: str | None,
    as_user: str | None,
    for_desk: str | None,
    audience: str | None,
    language: str | None,
    fmt: str,
    out_file: Path | None,
) -> None:
    dep = _deployment()
    reader, public = _reader(dep, as_user, for_desk, audience, language, fmt)
    first = (
        _run(lambda: trends.parse_first(span, asked)) if asked else trends.latest_first(dep, span)
    )
    report = _run(lambda: trends.trend_report(dep, reader, span, first, record=not public))
    _emit(report, fmt, out_file, lambda: trends.trend_pdf(report), _print_trend)


def _reader(
    dep: Any,
    as_user: str | None,
    for_desk: str | None,
    audience: str | None,
    language: str | None,
    fmt: str,
) -> tuple[Any, bool]:
    """Who reads the report (a user, a desk, or the public) in which names and language; and
    whether it is the public (whose reports name nobody, so are not recorded)."""
    if fmt not in ("text", "json", "pdf"):
        _fail("format: one of text, json, pdf")
    if as_user and for_desk:
        _fail("as: give --as or --for, not both")
    if as_user:
        base = _viewer(dep, as_user)
    elif for_desk:
        base = _run(lambda: reports.contact_reader(dep, for_desk))
    else:
        base = authz.PUBLIC
    return _run(lambda: reports.reader_for(dep, base, audience, language)), base is authz.PUBLIC


def _emit(
    report: dict[str, Any],
    fmt: str,
    out_file: Path | None,
    pdf: Callable[[], bytes],
    printer: Callable[[dict[str, Any]], None],
) -> None:
    if fmt == "pdf":
        if out_file is None:
            _fail("out: a PDF needs --out FILE")
        out_file.write_bytes(pdf())
    elif out_file is not None:
        out_file.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    elif fmt == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        printer(report)
    if out_file is not None:
        say(_("Written to {file}.").format(file=out_file))


def _print_trend(report: dict[str, Any]) -> None:
    title = _("Weekly trends") if report["span"] == "week" else _("Monthly trends")
    say(f"{title} · {report['periods'][-1]['label']}")
    for item in report["summary"]:
        say(f"- {item['text']}")
    labels = [p["label"] for p in report["periods"]]
    for heading, rows in (
        (_("Incidents by category"), report["categories"]),
        (_("Incidents by area"), report["areas"]),
    ):
        table = Table(title=heading)
        for column in ("", *labels):
            table.add_column(column)
        for row in rows:
            _add_row(table, row["name"], *(str(n) for n in row["series"]))
        out.print(table)
    for spot in report["hot_spots"]:
        say(_("%(place)s: %(now)s, against %(before)s before (+%(rise)s).") % spot)
    say(_("Figures SHA-256: %(hash)s") % {"hash": report["sha256"]})


def _print_report(r: dict[str, Any]) -> None:
    say(
        f"{_('Daily situation report')} · {r['day']} "
        f"({r['period']['start']} – {r['period']['end']})"
    )
    table = Table(title=_("Incidents by category and area"))
    areas = r["areas"]
    for column in (
        _("Category"),
        *(a["name"] or _("Elsewhere") for a in areas),
        _("Total"),
        _("Day before"),
    ):
        table.add_column(column)
    for c in r["categories"]:
        _add_row(
            table,
            c["name"],
            *(str(c["by_area"][a["id"]]) for a in areas),
            str(c["total"]),
            str(c["previous"]),
        )
    out.print(table)
    if r["observed"]:
        seen = Table(title=_("Ceasefire violations observed"))
        for column in (_("Area"), *(_(label) for label in OBSERVED_LABELS.values())):
            seen.add_column(column)
        for row in r["observed"]:
            _add_row(seen, row["name"] or _("Elsewhere"), *(str(row[k]) for k in OBSERVED_LABELS))
        out.print(seen)
    for item in r["notable"]:
        say(
            f"- {item['started_at'][11:16]} {item['category']} {item['place'] or ''}: "
            f"{item['title']}"
        )
    say(
        _("Opened %(opened)s, closed %(closed)s, overdue at the cut-off %(overdue)s.")
        % r["cases"]["totals"]
    )
    say(_("Figures SHA-256: %(hash)s") % {"hash": r["sha256"]})


def export_incidents(
    as_user: Annotated[str, typer.Option("--as", help="Export as this user (their rights apply)")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write")],
    fmt: Annotated[str, typer.Option("--format", help="acled, geojson or hxl")] = "acled",
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD)")] = None,
    category: Annotated[list[str] | None, typer.Option(help="Only these categories")] = None,
    coarsen: Annotated[int, typer.Option(help="GeoJSON: round points to so many metres")] = 0,
    layers: Annotated[bool, typer.Option(help="GeoJSON: add the map's layers")] = False,
) -> None:
    """Every incident this user may read as ACLED-style CSV, GeoJSON (RFC 7946) or HXL CSV."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    if not 0 <= coarsen <= 100_000:
        _fail("coarsen: must be between 0 and 100000 metres")
    first = _run(lambda: reports.parse_day(since)) if since else None
    last = _run(lambda: reports.parse_day(until)) if until else None
    query = _run(lambda: exports.day_query(dep, first, last, tuple(category or ())))
    _run(lambda: exports.check_format(fmt))
    with (
        Progress(console=err, transient=True) as progress,
        out_file.open("w", encoding="utf-8") as f,
    ):
        task = progress.add_task(_("Exporting records"), total=None)
        chunks = _run(
            lambda: exports.export(
                dep,
                viewer,
                fmt,
                query,
                coarsen_metres=coarsen,
                layers=layers,
                progress=lambda n: progress.update(task, completed=n),
            )
        )
        for chunk in chunks:
            f.write(chunk)
    say(_("Written to {file}.").format(file=out_file))
