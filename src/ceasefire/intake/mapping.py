"""A submitted instance's answers mapped onto the record its form creates: an incident, a
resident's request, an activity notice, or a remote needs assessment. Field names are the
record's; XForm values are converted (dateTime, geopoint `lat lon alt acc`, geoshape `…;…`,
yes/no); a place typed by any name is found in the gazetteer by the caller's `place`
function. Anything that does not fit raises InvalidInput naming the form's field, so the
submission can be quarantined with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from ceasefire.domain.assistance import Evidence, NeedsAssessmentDraft
from ceasefire.domain.cases import RequestDraft
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.incidents import Attachment, IncidentDraft
from ceasefire.domain.notices import NoticeDraft

Draft = TypeVar("Draft", IncidentDraft, RequestDraft, NoticeDraft, NeedsAssessmentDraft)
FindPlace = Callable[[str], str | None]
"""A typed place name → the gazetteer id it names without doubt, or None"""


def incident(
    values: dict[str, str], files: dict[str, Attachment], place: FindPlace, language: str
) -> IncidentDraft:
    """An observation form's answers as the incident it reports (its narrative in the
    language of the monitor who sent it)."""
    started = _moment(values, "started_at")
    location: dict[str, Any] = {"precision": values.get("precision") or "near_town"}
    if values.get("location"):
        lat, lon = _point(values["location"], "location")
        location["point"] = {"lat": lat, "lon": lon}
    if values.get("place"):
        location["place_id"] = _place(values["place"], place)
    observation = {
        "platform": values.get("platform"),
        "window_start": started,
        "window_end": started,
        "sighting": values.get("sighting"),
        "count": values.get("count"),
        "weapon": values.get("weapon") or "undetermined",
    }
    if values.get("explosion"):
        observation["explosion"] = values["explosion"]
    body: dict[str, Any] = {
        "category": values.get("category"),
        "title": values.get("title"),
        "started_at": started,
        "location": location,
        "observations": [observation] if values.get("sighting") else [],
        "classification": values.get("classification") or "mission",
        "attachments": [files[name].model_dump() for name in _named_files(values, files)],
    }
    if values.get("narrative"):
        body["narrative"] = {language: values["narrative"]}
    return _validated(IncidentDraft, body)


def request(values: dict[str, str], place: FindPlace) -> RequestDraft:
    """A desk operator's request form as the resident's request."""
    typed = values.get("place", "")
    found = place(typed) if typed else None
    requester: dict[str, Any] = {
        "name": values.get("name"),
        "language": values.get("language") or "hy",
    }
    if values.get("phone"):
        requester["phone"] = values["phone"]
        requester["channel"] = "sms"
    body = {
        "category": values.get("category"),
        "description": values.get("description"),
        "place_id": found,
        "place_text": "" if found else typed,
        "urgent": _yes(values.get("urgent", "no"), "urgent"),
        "affected": values.get("affected") or 1,
        "requester": requester,
    }
    return _validated(RequestDraft, body)


def notice(values: dict[str, str], place: FindPlace) -> NoticeDraft:
    """An activity notice form as the notice it files."""
    if values.get("plot"):
        ring = [_point(p, "plot") for p in values["plot"].split(";") if p.strip()]
        area: dict[str, Any] = {
            "type": "Polygon",
            "coordinates": [[[lon, lat] for lat, lon in ring]],
        }
    elif values.get("point"):
        lat, lon = _point(values["point"], "point")
        area = {"type": "Point", "coordinates": [lon, lat]}
    else:
        raise InvalidInput("plot", "draw the plot, or give one point")
    body = {
        "activity": values.get("activity"),
        "title": values.get("title"),
        "description": values.get("description", ""),
        "people": values.get("people"),
        "unarmed": _yes(values.get("unarmed", ""), "unarmed"),
        "vehicles": values.get("vehicles") or 0,
        "area": area,
        "place_id": _place(values["place"], place) if values.get("place") else None,
        "starts_at": _moment(values, "starts_at"),
        "ends_at": _moment(values, "ends_at"),
    }
    return _validated(NoticeDraft, body)


def assessment(
    values: dict[str, str], files: dict[str, Evidence], place: FindPlace
) -> NeedsAssessmentDraft:
    """A remote needs assessment form (by an agency's local partner) as the assessment, its
    photos and video kept by hash."""
    body = {
        "organisation": values.get("organisation"),
        "place_id": _place(values["place"], place) if values.get("place") else None,
        "on": values.get("on"),
        "sectors": values.get("sectors", "").split(),
        "people_in_need": values.get("people") or None,
        "households_in_need": values.get("households") or None,
        "summary": values.get("summary"),
        "files": [files[name].model_dump() for name in _named_files(values, files)],
    }
    return _validated(NeedsAssessmentDraft, body)


def _validated(model: type[Draft], body: dict[str, Any]) -> Draft:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "form"
        raise InvalidInput(where, first["msg"]) from None


def _moment(values: dict[str, str], name: str) -> datetime:
    text = values.get(name, "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, f"is not a date and time: {text[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidInput(name, "has no time zone offset")
    return moment


def _point(text: str, name: str) -> tuple[float, float]:
    """An XForm geopoint, `lat lon [altitude [accuracy]]`."""
    parts = text.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise InvalidInput(name, f"is not a position: {text[:40]!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(name, "is out of range")
    return lat, lon


def _place(typed: str, place: FindPlace) -> str:
    found = place(typed)
    if found is None:
        raise InvalidInput("place", f"no place is named {typed[:80]!r} without doubt")
    return found


def _yes(text: str, name: str) -> bool:
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    raise InvalidInput(name, "answer yes or no")


def _named_files(values: dict[str, str], files: dict[str, Any]) -> list[str]:
    """The attached files the answers name (a photo field holds its file's name)."""
    named = [v for v in values.values() if v in files]
    media = ("photo", "image", "video")
    missing = [v for k, v in values.items() if k in media and v and v not in files]
    if missing:
        raise InvalidInput("photo", f"the file {missing[0][:80]!r} did not arrive with the form")
    return list(dict.fromkeys(named))
