"""Reading a scenario pack from its directory of YAML and GeoJSON files.

`read_pack` parses every file, validates each against its model in
`ceasefire.domain.scenario`, checks the references between files, and raises
`PackInvalid` with every problem found (file, key path, reason) — not just
the first — so an author can fix a pack in one pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ceasefire.domain.desk import DeskPolicy
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.forms import IntakeForm
from ceasefire.domain.geography import read_line
from ceasefire.domain.groups import WorkingGroup
from ceasefire.domain.naming import Audience
from ceasefire.domain.notifications import ContactPoint, Counterparts, Policy, Rule
from ceasefire.domain.programmes import AidSettings
from ceasefire.domain.reports import ReportSettings
from ceasefire.domain.scenario import (
    Category,
    DemoUser,
    GeographySettings,
    Layer,
    Organisation,
    PackInvalid,
    PackProblem,
    Party,
    Place,
    SampleIncident,
    SampleRequest,
    Scenario,
    ScenarioInfo,
    cross_check,
)
from ceasefire.intake.forms import FormError, compile_form

FILES = {
    "info": "scenario.yaml",
    "audiences": "audiences.yaml",
    "organisations": "organisations.yaml",
    "places": "places.yaml",
    "taxonomy": "taxonomy.yaml",
    "layers": "layers.yaml",
    "users": "users.yaml",
    "incidents": "incidents.yaml",
    "notifications": "notifications.yaml",
    "desk": "desk.yaml",
    "requests": "requests.yaml",
    "groups": "groups.yaml",
    "reports": "reports.yaml",
    "forms": "forms.yaml",
    "aid": "aid.yaml",
}

OPTIONAL = frozenset(
    {"users", "incidents", "notifications", "desk", "requests", "groups", "reports", "forms", "aid"}
)


def read_pack(directory: Path | str) -> Scenario:
    """Read and validate the pack in `directory`; raise `PackInvalid` listing every problem."""
    root = Path(directory)
    problems: list[PackProblem] = []
    if not root.is_dir():
        raise PackInvalid([PackProblem(str(root), "", "not a directory")])

    raw: dict[str, Any] = {}
    for section, name in FILES.items():
        path = root / name
        if not path.exists():
            if section in OPTIONAL:
                raw[section] = {}
                continue
            problems.append(PackProblem(name, "", "file is missing"))
            continue
        try:
            raw[section] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(PackProblem(name, "", f"cannot be parsed: {exc}"))

    parsed: dict[str, Any] = {}

    def take(section: str, model: type[BaseModel], key: str | None) -> None:
        if section not in raw:
            return
        document = raw[section]
        data: Any = document if key is None else _section(document, key)
        if data is None:
            if section in OPTIONAL:
                parsed[key or section] = []
                return
            problems.append(PackProblem(FILES[section], key or "", "is missing"))
            return
        if key is None:
            parsed[section] = _validate(model, data, FILES[section], "", problems)
            return
        if not isinstance(data, list):
            problems.append(PackProblem(FILES[section], key, "must be a list"))
            return
        items = [
            _validate(model, item, FILES[section], f"{key}[{i}]", problems)
            for i, item in enumerate(data)
        ]
        parsed[key] = [item for item in items if item is not None]

    take("info", ScenarioInfo, None)
    take("audiences", Audience, "audiences")
    take("organisations", Party, "parties")
    take("organisations", Organisation, "organisations")
    take("places", Place, "places")
    take("taxonomy", Category, "categories")
    take("layers", Layer, "layers")
    take("users", DemoUser, "users")
    take("incidents", SampleIncident, "incidents")
    take("notifications", ContactPoint, "contact_points")
    take("notifications", Rule, "rules")
    take("desk", DeskPolicy, None)
    take("requests", SampleRequest, "requests")
    take("groups", WorkingGroup, "groups")
    take("reports", ReportSettings, None)
    take("forms", IntakeForm, "forms")
    take("aid", AidSettings, None)
    counterparts = _section(raw.get("notifications"), "counterparts") or {}
    counterparts = _validate(
        Counterparts, counterparts, FILES["notifications"], "counterparts", problems
    )
    settings = _section(raw.get("layers"), "geography") or {}
    geography = _validate(GeographySettings, settings, FILES["layers"], "geography", problems)

    geojson: dict[str, dict[str, Any]] = {}
    for layer in parsed.get("layers", []):
        path = root / layer.file
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue  # reported by cross_check
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(PackProblem(layer.file, "", f"is not valid JSON: {exc}"))
            continue
        layer_problems = _geojson_problems(document)
        if layer.kind == "line_of_contact" and not layer_problems:
            try:
                read_line(document, {p.id for p in parsed.get("parties", [])})
            except InvalidInput as exc:
                layer_problems = [(exc.field or "", exc.reason)]
        problems.extend(PackProblem(layer.file, key, reason) for key, reason in layer_problems)
        if not layer_problems:
            geojson[layer.file] = document

    forms = []
    for i, form in enumerate(parsed.get("forms", [])):
        try:
            forms.append(compile_form(form, root))
        except FormError as exc:
            problems.append(PackProblem(FILES["forms"], f"forms[{i}]", str(exc)))

    if problems:
        raise PackInvalid(problems)
    scenario = Scenario(
        info=parsed["info"],
        audiences=parsed["audiences"],
        parties=parsed["parties"],
        organisations=parsed["organisations"],
        places=parsed["places"],
        categories=parsed["categories"],
        layers=parsed["layers"],
        layer_geojson=geojson,
        geography=geography,
        desk=parsed.get("desk") or DeskPolicy(),
        users=parsed.get("users", []),
        incidents=parsed.get("incidents", []),
        requests=parsed.get("requests", []),
        groups=parsed.get("groups", []),
        reports=parsed.get("reports") or ReportSettings(),
        forms=forms,
        aid=parsed.get("aid") or AidSettings(),
        policy=Policy(
            contact_points=parsed.get("contact_points", []),
            rules=parsed.get("rules", []),
            counterparts=counterparts.root if counterparts else {},
        ),
    )
    problems = cross_check(scenario, FILES)
    if problems:
        raise PackInvalid(problems)
    return scenario


def _section(document: Any, key: str) -> Any:
    if not isinstance(document, dict):
        return None
    return document.get(key)


def _validate(
    model: type[BaseModel], data: Any, file: str, prefix: str, problems: list[PackProblem]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            key = f"{prefix}.{path}" if prefix and path else prefix or path
            problems.append(PackProblem(file, key, error["msg"]))
        return None


def _geojson_problems(document: Any) -> list[tuple[str, str]]:
    """Minimal RFC 7946 checks: a FeatureCollection of features with lon/lat in range."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [("type", "must be a GeoJSON FeatureCollection")]
    features = document.get("features")
    if not isinstance(features, list):
        return [("features", "must be a list")]
    found: list[tuple[str, str]] = []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or "coordinates" not in geometry:
            found.append((f"features[{i}].geometry", "missing geometry or coordinates"))
            continue
        for position in _positions(geometry["coordinates"]):
            if len(position) < 2 or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
                found.append((f"features[{i}].geometry", f"position {position} is out of range"))
                break
    return found


def _positions(coordinates: Any) -> list[list[float]]:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    if isinstance(coordinates, list):
        return [p for part in coordinates for p in _positions(part)]
    return [[float("nan")]]
