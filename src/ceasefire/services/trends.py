"""Weekly and monthly trend reports, as one reader may read them: series by category and by
area over the last weeks or months, the hot spots, and a plain-language summary of what
deteriorated, improved or stayed the same, every sentence with its numbers — in the reader's
language and names, with the log checkpoint and the figures' hash like the daily report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ceasefire.domain import authorization as authz
from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.naming import in_language
from ceasefire.domain.records import IncidentQuery
from ceasefire.domain.reports import ELSEWHERE
from ceasefire.i18n import translations
from ceasefire.reports import pdf
from ceasefire.reports.trends import (
    Change,
    Span,
    change_of,
    first_day,
    following,
    stretches,
    trend_figures,
)
from ceasefire.services.deployment import Deployment
from ceasefire.services.reports import EVERY, last_day, seal, state_of_log, zone_of
from ceasefire.store import incidents as incident_store


def parse_first(span: Span, text: str) -> date:
    """A week by any of its days (YYYY-MM-DD), a month as YYYY-MM."""
    try:
        day = date.fromisoformat(text if span is Span.week else f"{text}-01")
    except ValueError:
        shape = "YYYY-MM-DD (any day of the week)" if span is Span.week else "YYYY-MM"
        raise InvalidInput(span.value, f"must be given as {shape}") from None
    if day.year < 1900:
        raise InvalidInput(span.value, "is before 1900")
    return first_day(span, day)


def latest_first(dep: Deployment, span: Span) -> date:
    """The first day of the latest week or month that is over."""
    after = last_day(dep) + timedelta(days=1)
    return first_day(span, first_day(span, after) - timedelta(days=1))


def trend_report(
    dep: Deployment, viewer: Viewer, span: Span, first: date, *, record: bool = True
) -> dict[str, Any]:
    """The trend report of the week or month starting on `first`; one not over yet counts
    the report days so far (`complete` is then false)."""
    first = first_day(span, first)
    latest = last_day(dep)
    if first > latest:
        raise InvalidInput(
            span.value, f"that {span.value} has not begun: the latest day is {latest}"
        )
    settings, zone = dep.scenario.reports, zone_of(dep)
    periods = stretches(span, first, settings, zone)
    since, until = periods[0].start, periods[-1].end
    with dep.db.read() as conn:
        found = incident_store.list_incidents(
            conn, authz.read_scope(viewer), IncidentQuery(since=since, until=until, limit=EVERY)
        )
        log_state = state_of_log(conn)
    figures = trend_figures(
        settings, span, first, [i for i in found if authz.can_read(viewer, i.access)], zone
    )
    report = _present(dep, viewer, figures)
    report["complete"] = following(span, first) - timedelta(days=1) <= latest
    hashed = {
        "kind": report["kind"],
        "first": report["first"],
        "reader": report["reader"],
        "incident_ids": report["incident_ids"],
        "categories": {c["id"]: c["series"] for c in report["categories"]},
        "areas": {a["id"]: a["series"] for a in report["areas"]},
        "hot_spots": [[h["place_id"], h["now"], h["before"]] for h in report["hot_spots"]],
    }
    taken_as = (f"{span.value}ly-report", {span.value: first.isoformat()}) if record else None
    return seal(dep, viewer, report, log_state, hashed, taken_as)


def _present(dep: Deployment, viewer: Any, figures: Any) -> dict[str, Any]:
    scenario, lang = dep.scenario, viewer.language
    _ = translations(lang).gettext
    names = {a.id: in_language(a.names, lang, a.id) for a in scenario.reports.areas}
    names[ELSEWHERE] = _("Elsewhere")

    def line(key: str, name: str, series: list[int]) -> dict[str, Any]:
        now, before = series[-1], series[-2]
        return {
            "id": key,
            "name": name,
            "series": series,
            "now": now,
            "before": before,
            "change": change_of(now, before).value,
        }

    categories = [
        line(c.id, in_language(c.names, lang, c.id), figures.by_category[c.id])
        for c in scenario.categories
        if c.id in figures.by_category
    ]
    categories.sort(key=lambda c: (-c["now"], -c["before"], c["id"]))
    areas = [line(a, names[a], figures.by_area[a]) for a in [*names] if a in figures.by_area]
    total = line("total", _("All incidents"), figures.totals)

    def place_name(place_id: str) -> str:
        place = scenario.place(place_id)
        return scenario.name_of(place.names, viewer.audience, lang) if place else place_id

    hot = [
        {"place_id": p, "place": place_name(p), "now": now, "before": before, "rise": now - before}
        for p, now, before in figures.hot_spots()
    ]
    said = {
        Change.deteriorated: _("%(what)s deteriorated: %(now)s, against %(before)s before."),
        Change.improved: _("%(what)s improved: %(now)s, against %(before)s before."),
        Change.same: _("%(what)s stayed about the same: %(now)s, against %(before)s before."),
    }
    summary = [
        {
            **{k: item[k] for k in ("id", "name", "change", "now", "before")},
            "text": said[Change(item["change"])]
            % {"what": item["name"], "now": item["now"], "before": item["before"]},
        }
        for item in [total, *categories, *areas]
    ]
    periods = figures.periods
    org = scenario.organisation(viewer.organisation_id)
    return {
        "kind": f"{figures.span.value}ly",
        "span": figures.span.value,
        "first": periods[-1].first.isoformat(),
        "period": {"start": periods[-1].start.isoformat(), "end": periods[-1].end.isoformat()},
        "time_zone": scenario.info.time_zone,
        "cutoff": scenario.reports.daily.cutoff,
        "reader": viewer.organisation_id,
        "reader_name": scenario.name_of(org.names, viewer.audience, lang) if org else None,
        "audience": viewer.audience,
        "language": lang,
        "periods": [
            {
                "first": p.first.isoformat(),
                "label": p.first.isoformat() if p.span is Span.week else p.first.isoformat()[:7],
            }
            for p in periods
        ],
        "totals": total,
        "categories": categories,
        "areas": areas,
        "hot_spots": hot,
        "summary": summary,
        "imprecise": figures.imprecise,
        "incident_ids": figures.counted,
    }


def trend_pdf(report: dict[str, Any]) -> bytes:
    """The trend report as PDF, labelled in its language."""
    return pdf.trend_pdf(report, translations(report["language"]).gettext)
