"""Situation reports as PDF. The daily one: its figures, paragraphs and lists, and a map of the
period drawn as vectors from the deployment's own layers (nothing is fetched: no tiles), with
the log checkpoint and the figures' hash at the foot of every page; the weekly and monthly
trends: the summary, a chart of the totals, the series, the hot spots.

`_` is the reader's gettext: labels come in the report's language; names are already the
reader's in the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fpdf import FPDF

from ceasefire.i18n import N_
from ceasefire.printing import add_fonts
from ceasefire.reports.daily import OBSERVED

Gettext = Callable[[str], str]
VIOLATION = (230, 126, 34)
OTHER = (142, 68, 173)


class _Report(FPDF):
    def __init__(self, foot: str) -> None:
        super().__init__(format="A4")
        self.foot = foot
        add_fonts(self)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 6.5)
        self.multi_cell(0, 3, f"{self.foot} · {self.page_no()}/{{nb}}", align="C")


def report_pdf(report: dict[str, Any], layers: list[dict[str, Any]], _: Gettext) -> bytes:
    """The PDF of a report (as `services.reports.daily_report` gives it); `layers` are the map's
    features (as `services.geography.map_layers` gives them)."""
    log = report["log"]
    checkpoint = log["checkpoint"]
    foot = _("Figures SHA-256: %(hash)s") % {"hash": report["sha256"]}
    if checkpoint:
        foot += " · " + _("log checkpoint %(size)s, root %(root)s") % {
            "size": checkpoint["size"],
            "root": checkpoint["root_hash"],
        }
    pdf = _Report(foot)
    pdf.set_title(_("Daily situation report") + " " + report["day"])
    pdf.set_lang(report["language"])
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, report, _)
    _categories(pdf, report, _)
    _observed(pdf, report, _)
    _map(pdf, report, layers, _)
    _notable(pdf, report, _)
    _lists(pdf, report, _)
    _log(pdf, report, _)
    return bytes(pdf.output())


def _title(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(
        0, 8, _("Daily situation report") + " · " + report["day"], new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9)
    _whose(pdf, report, _)
    totals = report["totals"]
    _line(
        pdf,
        _("%(n)s incidents (%(v)s ceasefire violations); %(p)s the day before.")
        % {"n": totals["incidents"], "v": totals["violations"], "p": totals["previous"]},
    )
    if report["imprecise"]:
        _line(
            pdf,
            _("%(n)s more incidents are dated only to the week or month and are not counted here.")
            % {"n": report["imprecise"]},
        )


def _whose(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    """When the report runs from and to, and whose reading rights it counts with."""
    period = report["period"]
    _line(
        pdf,
        _("From %(start)s to %(end)s (%(zone)s; the day ends at %(cutoff)s)")
        % {
            "start": period["start"][:16].replace("T", " "),
            "end": period["end"][:16].replace("T", " "),
            "zone": report["time_zone"],
            "cutoff": report["cutoff"],
        },
    )
    _line(
        pdf,
        _("As read by %(reader)s: only what it may read is counted.")
        % {"reader": report["reader_name"] or _("the public")},
    )


def _table(pdf: FPDF, header: list[str], rows: list[list[Any]], first: float) -> None:
    pdf.set_font("DejaVu", "", 7.5)
    rest = (pdf.epw - first) / max(1, len(header) - 1)
    widths = [first] + [rest] * (len(header) - 1)
    with pdf.table(
        col_widths=widths,
        text_align=["LEFT"] + ["RIGHT"] * (len(header) - 1),
        line_height=4.2,
        first_row_as_headings=True,
    ) as table:
        for cells in [header, *rows]:
            line = table.row()
            for cell in cells:
                line.cell(str(cell))
    pdf.set_font("DejaVu", "", 9)


def _area_name(area: dict[str, Any], _: Gettext) -> str:
    return area["name"] or _("Elsewhere")


def _categories(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    _title(pdf, _("Incidents by category and area"))
    if not report["categories"]:
        _line(pdf, _("No incidents in this period or the one before."))
        return
    areas = report["areas"]
    header = [
        _("Category"),
        *(_area_name(a, _) for a in areas),
        _("Total"),
        _("Day before"),
        _("Change"),
    ]
    rows = [
        [
            c["name"],
            *(c["by_area"][a["id"]] for a in areas),
            c["total"],
            c["previous"],
            f"{c['change']:+d}",
        ]
        for c in report["categories"]
    ]
    _table(pdf, header, rows, 55)


OBSERVED_LABELS = {
    "explosion_impact": N_("Explosions (impact)"),
    "explosion_airburst": N_("Explosions (airburst)"),
    "explosion_undetermined": N_("Explosions (undetermined)"),
    "projectile_in_flight": N_("Projectiles in flight"),
    "muzzle_flash": N_("Muzzle flashes"),
    "flare": N_("Flares"),
    "burst": N_("Bursts"),
    "shot": N_("Shots"),
}


def _observed(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    _title(pdf, _("Ceasefire violations observed"))
    if not report["observed"]:
        _line(pdf, _("No observations recorded."))
        return
    header = [_("Area"), *(_(OBSERVED_LABELS[k]) for k in OBSERVED)]
    rows = [
        [row["name"] or _("Elsewhere"), *(row[k] for k in OBSERVED)] for row in report["observed"]
    ]
    _table(pdf, header, rows, 40)


def _notable(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    _title(pdf, _("Notable incidents"))
    if not report["notable"]:
        _line(pdf, _("None."))
    for item in report["notable"]:
        where = f" — {item['place']}" if item["place"] else ""
        pdf.set_font("DejaVu", "B", 9)
        _line(pdf, f"{item['started_at'][11:16]} · {item['category']}{where}")
        pdf.set_font("DejaVu", "", 9)
        _line(pdf, " ".join(p for p in (item["title"] + ".", item["narrative"]) if p))
        pdf.ln(1)


def _lists(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    _title(pdf, _("Activity notices and escorts"))
    for notice in report["notices"]:
        escort = " · " + _("escort suggested") if notice["escort"] else ""
        _line(
            pdf,
            f"{notice['starts_at'][:16].replace('T', ' ')} · {notice['title']}"
            f" ({notice['place'] or ''}, {notice['people']}){escort}",
        )
    for movement in report["movements"]:
        _line(
            pdf,
            f"{movement['planned_at'][:16].replace('T', ' ')} · {movement['title']} "
            f"({movement['from']} → {movement['to']}) · {_(movement['status'])}",
        )
    if not report["notices"] and not report["movements"]:
        _line(pdf, _("None."))
    _title(pdf, _("Civilian cases"))
    totals = report["cases"]["totals"]
    _line(
        pdf, _("Opened %(opened)s, closed %(closed)s, overdue at the cut-off %(overdue)s.") % totals
    )
    _title(pdf, _("Commitments due"))
    for item in report["commitments"]:
        late = " · " + _("overdue") if item["overdue"] else ""
        _line(pdf, f"{item['due']} · {item['organisation']}: {item['text']}{late}")
    if not report["commitments"]:
        _line(pdf, _("None."))


def _log(pdf: FPDF, report: dict[str, Any], _: Gettext) -> None:
    _title(pdf, _("Check these figures"))
    checkpoint = report["log"]["checkpoint"]
    pdf.set_font("DejaVu", "", 7.5)
    if checkpoint:
        _line(
            pdf,
            _("Computed when the log held %(size)s entries. Latest signed checkpoint:")
            % {"size": report["log"]["size"]},
        )
        _line(pdf, checkpoint["note"].strip())
    ids = ", ".join(report["incident_ids"]) or "—"
    _line(pdf, _("Incidents counted: %(ids)s") % {"ids": ids})
    _line(pdf, _("Figures SHA-256: %(hash)s") % {"hash": report["sha256"]})


def _map(pdf: FPDF, report: dict[str, Any], layers: list[dict[str, Any]], _: Gettext) -> None:
    """The period's incidents on the deployment's layers, projected equirectangularly."""
    _title(pdf, _("Map of the period"))
    shapes = [
        f
        for f in layers
        if f["properties"].get("kind") in ("area", "line_of_contact", "road", "hazard")
    ]
    points = [(p["lon"], p["lat"]) for p in report["points"]]
    every = points + [pos for f in shapes for pos in _positions(f["geometry"]["coordinates"])]
    if not every:
        _line(pdf, _("Nothing to draw."))
        return
    lons, lats = [p[0] for p in every], [p[1] for p in every]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    width, height = pdf.epw, 110.0
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    left, top = pdf.l_margin, pdf.get_y()
    scale = min(width / max((east - west) * squeeze, 1e-6), height / max(north - south, 1e-6))

    def at(lon: float, lat: float) -> tuple[float, float]:
        return left + (lon - west) * squeeze * scale, top + (north - lat) * scale

    pdf.set_draw_color(120, 120, 120)
    pdf.rect(left, top, width, height)
    for feature in shapes:
        _shape(pdf, feature, at)
    for point in report["points"]:
        x, y = at(point["lon"], point["lat"])
        pdf.set_fill_color(*(VIOLATION if point["violation"] else OTHER))
        pdf.set_draw_color(30, 30, 30)
        pdf.circle(x, y, 1.6, style="FD")
    pdf.set_xy(left, top + height + 1)
    pdf.set_font("DejaVu", "", 7)
    _line(
        pdf,
        _(
            "Orange: ceasefire violations; purple: other incidents. The line and the areas "
            "are illustrative, not authoritative."
        ),
    )
    pdf.set_font("DejaVu", "", 9)


def _shape(
    pdf: FPDF, feature: dict[str, Any], at: Callable[[float, float], tuple[float, float]]
) -> None:
    geometry = feature["geometry"]
    colour = feature["properties"].get("color") or "#7f8c8d"
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    pdf.set_draw_color(*rgb)
    pdf.set_line_width(0.6 if feature["properties"].get("kind") == "line_of_contact" else 0.3)
    kind = geometry["type"]
    lines: list[list[list[float]]] = []
    if kind == "LineString":
        lines = [geometry["coordinates"]]
    elif kind in ("MultiLineString", "Polygon"):
        lines = geometry["coordinates"]
    elif kind == "MultiPolygon":
        lines = [ring for polygon in geometry["coordinates"] for ring in polygon]
    for line in lines:
        pdf.polyline([at(p[0], p[1]) for p in line])
    pdf.set_line_width(0.2)


def _positions(coordinates: Any) -> list[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        return [(coordinates[0], coordinates[1])]
    return [p for part in coordinates for p in _positions(part)]


def trend_pdf(report: dict[str, Any], _: Gettext) -> bytes:
    """The PDF of a weekly or monthly trend report (as `services.trends.trend_report` gives
    it): the summary, a chart of the totals, the series by category and by area, the hot
    spots, and what to check them against."""
    title = _("Weekly trends") if report["span"] == "week" else _("Monthly trends")
    pdf = _Report(_("Figures SHA-256: %(hash)s") % {"hash": report["sha256"]})
    pdf.set_title(f"{title} {report['first']}")
    pdf.set_lang(report["language"])
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(
        0, 8, f"{title} · {report['periods'][-1]['label']}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9)
    _whose(pdf, report, _)
    if not report["complete"]:
        _line(pdf, _("Not over yet: the days so far are counted."))
    _title(pdf, _("What changed"))
    for item in report["summary"]:
        _line(pdf, "• " + item["text"])
    _title(pdf, _("All incidents"))
    _bars(pdf, [p["label"] for p in report["periods"]], report["totals"]["series"])
    labels = [p["label"][5:] if report["span"] == "week" else p["label"] for p in report["periods"]]
    for heading, rows in (
        (_("Incidents by category"), report["categories"]),
        (_("Incidents by area"), report["areas"]),
    ):
        _title(pdf, heading)
        if rows:
            _table(pdf, ["", *labels], [[r["name"], *r["series"]] for r in rows], 50)
        else:
            _line(pdf, _("None."))
    _title(pdf, _("Hot spots"))
    for spot in report["hot_spots"]:
        _line(pdf, _("%(place)s: %(now)s, against %(before)s before (+%(rise)s).") % spot)
    if not report["hot_spots"]:
        _line(pdf, _("None."))
    _log(pdf, report, _)
    return bytes(pdf.output())


def _bars(pdf: FPDF, labels: list[str], series: list[int]) -> None:
    """A bar chart of one series, the last bar (the report's own period) darker."""
    height, gap = 30.0, 2.0
    width = (pdf.epw - gap * len(series)) / max(1, len(series))
    top = max(series) or 1
    left, bottom = pdf.l_margin, pdf.get_y() + height
    pdf.set_font("DejaVu", "", 7)
    for i, (label, count) in enumerate(zip(labels, series, strict=True)):
        x = left + i * (width + gap)
        tall = height * count / top
        pdf.set_fill_color(*(VIOLATION if i == len(series) - 1 else (189, 195, 199)))
        if tall:
            pdf.rect(x, bottom - tall, width, tall, style="F")
        pdf.set_xy(x, bottom - tall - 4)
        pdf.cell(width, 4, str(count), align="C")
        pdf.set_xy(x, bottom + 0.5)
        pdf.cell(width, 4, label, align="C")
    pdf.set_xy(left, bottom + 6)
    pdf.set_font("DejaVu", "", 9)
