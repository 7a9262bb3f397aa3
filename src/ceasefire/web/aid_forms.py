"""What the humanitarian-assistance pages share: a form's fields as text and its first
problem, the reader (the viewer in the language they read), counts and money as the figures
show them, and names in the reader's language (programmes, the pack's towns and villages).

The dashboard and who does what where (`aid_pages`), the registry (`household_pages`) and the
programmes and claims (`programme_pages`) all read their forms and show their figures this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.geography import SETTLEMENTS
from ceasefire.services.deployment import Deployment
from ceasefire.web.pages import _with_language, language


def _reader(request: Request, viewer: Viewer) -> Viewer:
    return _with_language(viewer, language(request, viewer))


def _form_values(form: FormData) -> dict[str, Any]:
    """A form's fields as text (files left out), the vulnerabilities as a list."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["vulnerabilities"] = [str(v) for v in form.getlist("vulnerabilities")][:10]
    values["entitlement_ids"] = [str(v) for v in form.getlist("entitlement")]
    return values


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _first(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _count(count: int | None, minimum: int) -> str:
    """A suppressed count as the figures show it: "<5"."""
    return f"<{minimum}" if count is None else str(count)


def _money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    shown = f"{amount:,.2f}".replace(",", "\u202f").removesuffix(".00")
    return f"{shown} {currency}" if currency else shown


def _named(names: Mapping[Any, str], lang: str) -> str:
    return names.get(lang) or names.get("en") or next(iter(names.values()), "")


def _programme_name(dep: Deployment, programme_id: str, lang: str) -> str:
    programme = dep.scenario.aid.programme(programme_id)
    return _named(programme.names, lang) if programme else programme_id


def _settlements(dep: Deployment, audience: str, lang: str) -> list[tuple[str, str]]:
    """The pack's towns and villages, (id, name), by name: what the place pickers offer."""
    found = [
        (p.id, dep.scenario.name_of(p.names, audience, lang))
        for p in dep.scenario.places
        if p.kind in SETTLEMENTS
    ]
    return sorted(found, key=lambda s: s[1])


def _housing_names(dep: Deployment, programme_id: str) -> Mapping[Any, str]:
    programme = dep.scenario.aid.housing_programme(programme_id)
    return programme.names if programme else {"en": programme_id}
