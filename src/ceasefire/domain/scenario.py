"""The scenario pack: a deployment's parties, organisations, places, taxonomy and users as data.

These models describe the files of a pack (see docs/scenario-pack.md). Each
file is validated on its own; `cross_check` then verifies the references
between files. Every problem is a `PackProblem` naming file, key path and
reason, so `ceasefire scenario validate` can print all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ceasefire.domain.authorization import Role
from ceasefire.domain.cases import CaseUpdate, RequestDraft
from ceasefire.domain.desk import NEAREST_POST, DeskPolicy, Priority, assign
from ceasefire.domain.forms import IntakeForm
from ceasefire.domain.groups import WorkingGroup
from ceasefire.domain.incidents import IncidentDraft, Slug, Status
from ceasefire.domain.naming import Audience, Language, Name, render_name
from ceasefire.domain.notifications import Policy
from ceasefire.domain.programmes import AidSettings, Condition, HousingProgramme, Programme
from ceasefire.domain.reports import ELSEWHERE, ReportSettings


class PackModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class MapSettings(PackModel):
    center: tuple[float, float] = Field(description="[lat, lon] of the initial view")
    zoom: int = Field(default=9, ge=1, le=18)
    tile_url: str | None = Field(
        default=None, description="Raster tile URL template; none means the offline base"
    )
    tile_attribution: str = ""


class ScenarioInfo(PackModel):
    id: Slug
    title: dict[Language, str]
    summary: dict[Language, str] = Field(default_factory=dict)
    default_language: Language = "en"
    default_audience: str
    time_zone: str = "UTC"
    map: MapSettings
    sources: list[str] = Field(default_factory=list)


class Party(PackModel):
    id: Slug
    names: list[Name] = Field(min_length=1)


OrganisationKind = Literal[
    "ministry",
    "authority",
    "emergency_service",
    "peacekeeping_mission",
    "monitoring_centre",
    "contingent",
    "international_organisation",
    "ngo",
    "government_programme",
]


class Organisation(PackModel):
    id: Slug
    kind: OrganisationKind
    names: list[Name] = Field(min_length=1)
    party: Slug | None = None
    parent: Slug | None = None
    mission: bool = Field(default=False, description="Part of the mission: reads 'mission' records")
    audience: str = Field(description="The audience its users read as by default")


PlaceKind = Literal[
    "city",
    "town",
    "village",
    "region",
    "post",
    "headquarters",
    "checkpoint",
    "monitoring_centre",
]


class Place(PackModel):
    id: Slug
    kind: PlaceKind
    names: list[Name] = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    coordinates: Literal["geonames", "approximate", "imported"] = Field(
        description="geonames: from a GeoNames extract; approximate: placed by hand; imported: "
        "from a GeoJSON gazetteer, as its maker placed it"
    )
    geonames_name: str | None = None
    operated_by: Slug | None = None
    on_corridor: bool = False
    note: str | None = None


class Category(PackModel):
    """An incident category, mapped to ACLED and PLOVER for export."""

    id: Slug
    names: dict[Language, str]
    acled_event_type: Literal[
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    ]
    acled_sub_event_type: str = Field(min_length=1)
    plover: str = Field(pattern=r"^[A-Z_]+$")
    violation: bool = Field(default=False, description="A ceasefire violation: takes observations")


class Layer(PackModel):
    id: Slug
    file: str = Field(pattern=r"^[A-Za-z0-9_./-]+\.geojson$")
    kind: Literal["line_of_contact", "zone", "area", "road", "hazard"]
    names: dict[Language, str]
    illustrative: bool = Field(description="Not authoritative: flagged on every map")
    provenance: str = Field(min_length=1)
    color: str = Field(default="#c0392b", pattern=r"^#[0-9a-fA-F]{6}$")


class ZoneSetting(PackModel):
    """A band of distance from the line of contact, named for the maps and the filters."""

    id: Slug
    within_metres: float = Field(gt=0, le=200_000)
    names: dict[Language, str]


def _named(english: str) -> dict[Language, str]:
    return {"en": english}


class NoticeSettings(PackModel):
    """How activity notices are assessed."""

    high_within_metres: float = Field(default=500, ge=0, description="Closer to the line: high")
    medium_within_metres: float = Field(default=2000, ge=0, description="Closer: medium")
    counterpart_within_metres: float = Field(
        default=2000, ge=0, description="A side's area this close: its party is told"
    )
    incident_radius_metres: float = Field(default=3000, ge=0, le=50_000)
    incident_days: int = Field(default=14, ge=1, le=365)
    incidents_for_high: int = Field(default=3, ge=1, description="This many nearby: high")


class MovementSettings(PackModel):
    """Movements through the corridor."""

    hold_category: Slug = Field(
        description="The incident category a checkpoint's hold, turning back or dispute becomes"
    )


class GeographySettings(PackModel):
    """How records are placed against the line: its zones, the hazard radius, and how
    activity notices are assessed."""

    zones: list[ZoneSetting] = Field(default_factory=list)
    beyond: dict[Language, str] = Field(
        default_factory=lambda: _named("Beyond the zones"),
        description="The name of everything farther than the widest zone",
    )
    hazard_radius_metres: float = Field(default=1000, ge=0, le=50_000)
    notices: NoticeSettings = Field(default_factory=NoticeSettings)
    movements: MovementSettings | None = None


class DemoUser(PackModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,39}$")
    display_name: str = Field(min_length=1, max_length=120)
    organisation: Slug
    roles: list[Role] = Field(min_length=1)
    language: Language = "en"
    password: str = Field(min_length=8)


class SampleCorroboration(PackModel):
    by: str
    note: str = Field(min_length=1)


class SampleStatus(PackModel):
    status: Status
    reason: str = Field(min_length=1)
    by: str


class SampleIncident(PackModel):
    """A sample record drawn from the scenario's sources, loaded by `ceasefire demo`."""

    reporter: str
    incident: IncidentDraft
    corroborations: list[SampleCorroboration] = Field(default_factory=list)
    status_changes: list[SampleStatus] = Field(default_factory=list)


class SampleCaseUpdate(PackModel):
    """What the desk did with a sample request, some hours after it came."""

    by: str
    hours_later: float = Field(ge=0, le=24 * 365)
    take: bool = Field(default=False, description="The desk member takes it on first")
    update: CaseUpdate | None = None


class SampleRequest(PackModel):
    """A resident's request drawn from the scenario's sources (the people are made up), filed
    by `ceasefire demo` so many hours before it runs."""

    taken_by: str | None = Field(default=None, description="A desk user; none: the public form")
    hours_ago: float = Field(ge=0, le=24 * 365)
    request: RequestDraft
    then: list[SampleCaseUpdate] = Field(default_factory=list)


class Scenario(PackModel):
    """A whole validated pack."""

    info: ScenarioInfo
    audiences: list[Audience]
    parties: list[Party]
    organisations: list[Organisation]
    places: list[Place]
    categories: list[Category]
    layers: list[Layer]
    layer_geojson: dict[str, dict[str, Any]]
    geography: GeographySettings = Field(default_factory=GeographySettings)
    users: list[DemoUser]
    incidents: list[SampleIncident]
    requests: list[SampleRequest] = Field(default_factory=list)
    groups: list[WorkingGroup] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    desk: DeskPolicy = Field(default_factory=DeskPolicy)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    forms: list[IntakeForm] = Field(default_factory=list)
    aid: AidSettings = Field(default_factory=AidSettings)

    def audience(self, audience_id: str) -> Audience:
        for audience in self.audiences:
            if audience.id == audience_id:
                return audience
        return self.audience(self.info.default_audience)

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def place(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def form(self, form_id: str) -> IntakeForm | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def mission_organisations(self) -> frozenset[str]:
        return frozenset(o.id for o in self.organisations if o.mission)

    def name_of(self, names: list[Name], audience_id: str, lang: str) -> str:
        return render_name(names, self.audience(audience_id), lang)


@dataclass(frozen=True)
class PackProblem:
    """One problem in a pack: which file, which key, what is wrong."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.reason}" if self.key else f"{self.file}: {self.reason}"
        )


class PackInvalid(Exception):
    """A pack with one or more problems."""

    def __init__(self, problems: list[PackProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def cross_check(scenario: Scenario, files: dict[str, str]) -> list[PackProblem]:
    """Check references between the pack's files; `files` maps a section to its file name."""
    problems: list[PackProblem] = []

    def problem(section: str, key: str, reason: str) -> None:
        problems.append(PackProblem(files[section], key, reason))

    def duplicates(section: str, ids: list[str], prefix: str) -> None:
        seen: set[str] = set()
        for i, value in enumerate(ids):
            if value in seen:
                problem(section, f"{prefix}[{i}].id", f"duplicate id {value!r}")
            seen.add(value)

    audience_ids = {a.id for a in scenario.audiences}
    party_ids = {p.id for p in scenario.parties}
    org_ids = {o.id for o in scenario.organisations}
    place_ids = {p.id for p in scenario.places}
    category_ids = {c.id for c in scenario.categories}
    usernames = {u.username for u in scenario.users}

    duplicates("audiences", [a.id for a in scenario.audiences], "audiences")
    duplicates("organisations", [p.id for p in scenario.parties], "parties")
    duplicates("organisations", [o.id for o in scenario.organisations], "organisations")
    duplicates("places", [p.id for p in scenario.places], "places")
    duplicates("taxonomy", [c.id for c in scenario.categories], "categories")
    duplicates("layers", [x.id for x in scenario.layers], "layers")
    duplicates("layers", [z.id for z in scenario.geography.zones], "geography.zones")
    movements = scenario.geography.movements
    if movements is not None and movements.hold_category not in category_ids:
        problem(
            "layers",
            "geography.movements.hold_category",
            f"unknown category {movements.hold_category!r}",
        )
    for i, zone in enumerate(scenario.geography.zones):
        if zone.id == "beyond":
            problem("layers", f"geography.zones[{i}].id", "'beyond' names what lies past the zones")

    if scenario.info.default_audience not in audience_ids:
        problem("info", "default_audience", f"unknown audience {scenario.info.default_audience!r}")
    for i, org in enumerate(scenario.organisations):
        key = f"organisations[{i}]"
        if org.party is not None and org.party not in party_ids:
            problem("organisations", f"{key}.party", f"unknown party {org.party!r}")
        if org.parent is not None and org.parent not in org_ids:
            problem("organisations", f"{key}.parent", f"unknown organisation {org.parent!r}")
        if org.audience not in audience_ids:
            problem("organisations", f"{key}.audience", f"unknown audience {org.audience!r}")
    for i, place in enumerate(scenario.places):
        if place.operated_by is not None and place.operated_by not in org_ids:
            problem(
                "places", f"places[{i}].operated_by", f"unknown organisation {place.operated_by!r}"
            )
    for i, layer in enumerate(scenario.layers):
        if layer.file not in scenario.layer_geojson:
            problem("layers", f"layers[{i}].file", f"no such GeoJSON file {layer.file!r}")
    for i, user in enumerate(scenario.users):
        if user.organisation not in org_ids:
            problem(
                "users", f"users[{i}].organisation", f"unknown organisation {user.organisation!r}"
            )
    duplicates("users", [u.username for u in scenario.users], "users")

    for i, sample in enumerate(scenario.incidents):
        key = f"incidents[{i}]"
        draft = sample.incident
        if sample.reporter not in usernames:
            problem("incidents", f"{key}.reporter", f"unknown user {sample.reporter!r}")
        for where, reason in draft_reference_problems(draft, category_ids, place_ids, org_ids):
            problem("incidents", f"{key}.incident.{where}", reason)
        for j, corroboration in enumerate(sample.corroborations):
            if corroboration.by not in usernames:
                problem(
                    "incidents",
                    f"{key}.corroborations[{j}].by",
                    f"unknown user {corroboration.by!r}",
                )
        for j, change in enumerate(sample.status_changes):
            if change.by not in usernames:
                problem("incidents", f"{key}.status_changes[{j}].by", f"unknown user {change.by!r}")
    categories = {c.id for c in scenario.desk.categories}
    for i, request in enumerate(scenario.requests):
        key = f"requests[{i}]"
        users = [("taken_by", request.taken_by)]
        users += [(f"then[{j}].by", step.by) for j, step in enumerate(request.then)]
        for where, name in users:
            if name is not None and name not in usernames:
                problem("requests", f"{key}.{where}", f"unknown user {name!r}")
        asked = request.request
        if asked.category not in categories:
            problem("requests", f"{key}.request.category", f"unknown category {asked.category!r}")
        if asked.place_id is not None and asked.place_id not in place_ids:
            problem("requests", f"{key}.request.place_id", f"unknown place {asked.place_id!r}")
    problems.extend(
        PackProblem(files["groups"], key, reason)
        for key, reason in group_problems(scenario, category_ids, org_ids)
    )
    problems.extend(
        PackProblem(files["reports"], key, reason)
        for key, reason in report_problems(scenario, category_ids)
    )
    problems.extend(
        PackProblem(files["notifications"], key, reason)
        for key, reason in policy_problems(scenario, category_ids, place_ids, org_ids)
    )
    problems.extend(
        PackProblem(files["desk"], key, reason) for key, reason in desk_problems(scenario)
    )
    for i, form in enumerate(scenario.forms):
        for j, named in enumerate(form.organisations):
            if named not in org_ids:
                problem(
                    "forms", f"forms[{i}].organisations[{j}]", f"unknown organisation {named!r}"
                )
    problems.extend(
        PackProblem(files["aid"], key, reason)
        for key, reason in aid_problems(scenario.aid, org_ids, place_ids, usernames)
    )
    return problems


def report_problems(scenario: Scenario, category_ids: Set[str]) -> list[tuple[str, str]]:
    """(key, reason) for every post and category `reports.yaml` names that the pack does not
    know, every duplicate area and every post in two areas."""
    found: list[tuple[str, str]] = []
    posts = {p.id for p in scenario.places if p.kind == "post"}
    settings = scenario.reports
    for j, category in enumerate(settings.daily.notable.categories):
        if category not in category_ids:
            found.append((f"daily.notable.categories[{j}]", f"unknown category {category!r}"))
    areas: set[str] = set()
    placed: set[str] = set()
    for i, area in enumerate(settings.areas):
        if area.id in areas or area.id == ELSEWHERE:
            found.append((f"areas[{i}].id", f"duplicate or reserved id {area.id!r}"))
        areas.add(area.id)
        for j, post in enumerate(area.posts):
            if post not in posts:
                found.append((f"areas[{i}].posts[{j}]", f"unknown post {post!r}"))
            elif post in placed:
                found.append((f"areas[{i}].posts[{j}]", f"post {post!r} is in another area"))
            placed.add(post)
    return found


def group_problems(
    scenario: Scenario, category_ids: Set[str], org_ids: Set[str]
) -> list[tuple[str, str]]:
    """(key, reason) for every organisation, category, zone and contact point a working group
    names that the pack does not know, and every duplicate group id."""
    found: list[tuple[str, str]] = []
    zones = {z.id for z in scenario.geography.zones} | {"beyond"}
    desk = {c.id for c in scenario.desk.categories}
    contacts = {c.id for c in scenario.policy.contact_points}
    seen: set[str] = set()
    for i, group in enumerate(scenario.groups):
        key = f"groups[{i}]"
        if group.id in seen:
            found.append((f"{key}.id", f"duplicate id {group.id!r}"))
        seen.add(group.id)
        checks = [
            ("members", group.members, org_ids, "organisation"),
            ("chairs", group.chairs, org_ids, "organisation"),
            (
                "agenda.incident_categories",
                group.agenda.incident_categories,
                category_ids,
                "category",
            ),
            ("agenda.zones", group.agenda.zones, zones, "zone"),
            ("agenda.handovers", group.agenda.handovers, desk, "desk category"),
            ("agenda.open_cases", group.agenda.open_cases, desk, "desk category"),
            ("escalate_to", group.escalate_to, contacts, "contact point"),
        ]
        for name, values, known, what in checks:
            for j, value in enumerate(values):
                if value not in known:
                    found.append((f"{key}.{name}[{j}]", f"unknown {what} {value!r}"))
    return found


def desk_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """(key, reason) for every reference in the desk's policy the pack does not know, and
    every category and zone that no mandate rule assigns."""
    desk = scenario.desk
    found: list[tuple[str, str]] = []
    categories = [c.id for c in desk.categories]
    zones = [z.id for z in scenario.geography.zones] + ["beyond"]
    contacts = {c.id for c in scenario.policy.contact_points}
    for i, category in enumerate(categories):
        if category in categories[:i]:
            found.append((f"categories[{i}].id", f"duplicate id {category!r}"))
    for i, rule in enumerate(desk.mandate):
        key = f"mandate[{i}]"
        for j, category in enumerate(rule.categories):
            if category not in categories:
                found.append((f"{key}.categories[{j}]", f"unknown category {category!r}"))
        for j, zone in enumerate(rule.zones):
            if zone not in zones:
                found.append((f"{key}.zones[{j}]", f"unknown zone {zone!r}: one of {zones}"))
        if rule.acts != NEAREST_POST and rule.acts not in contacts:
            found.append((f"{key}.acts", f"unknown contact point {rule.acts!r} (or nearest_post)"))
        for j, contact in enumerate(rule.inform):
            if contact not in contacts:
                found.append((f"{key}.inform[{j}]", f"unknown contact point {contact!r}"))
    for j, contact in enumerate(desk.escalate_to):
        if contact not in contacts:
            found.append((f"escalate_to[{j}]", f"unknown contact point {contact!r}"))
    if desk.categories:
        for priority in Priority:
            if priority not in desk.response_times:
                found.append(("response_times", f"no response times for {priority.value}"))
        places: list[str | None] = [*zones, None]
        for category in categories:
            for place in places:
                if assign(desk, category, place) is None:
                    where = f"zone {place}" if place else "no zone"
                    found.append(("mandate", f"no rule assigns {category!r} in {where}"))
                    break
    return found


def policy_problems(
    scenario: Scenario, category_ids: set[str], place_ids: set[str], org_ids: set[str]
) -> list[tuple[str, str]]:
    """(key, reason) for every reference in the notification policy the pack does not know."""
    policy = scenario.policy
    found: list[tuple[str, str]] = []
    contacts = [c.id for c in policy.contact_points]
    seen: set[str] = set()
    for i, contact in enumerate(policy.contact_points):
        key = f"contact_points[{i}]"
        if contact.id in seen:
            found.append((f"{key}.id", f"duplicate id {contact.id!r}"))
        seen.add(contact.id)
        if contact.organisation not in org_ids:
            found.append((f"{key}.organisation", f"unknown organisation {contact.organisation!r}"))
        if contact.escalates_to is not None and contact.escalates_to not in contacts:
            found.append((f"{key}.escalates_to", f"unknown contact point {contact.escalates_to!r}"))
        for j, post in enumerate(contact.posts):
            post_place = scenario.place(post)
            if post_place is None or post_place.kind != "post":
                found.append((f"{key}.posts[{j}]", f"unknown post {post!r}"))
        if contact.audience is not None and contact.audience not in {
            a.id for a in scenario.audiences
        }:
            found.append((f"{key}.audience", f"unknown audience {contact.audience!r}"))
    parties = {p.id for p in scenario.parties}
    for party, desks in policy.counterparts.items():
        if party not in parties:
            found.append((f"counterparts.{party}", f"unknown party {party!r}"))
        for j, desk in enumerate(desks):
            if desk not in contacts:
                found.append((f"counterparts.{party}[{j}]", f"unknown contact point {desk!r}"))
    statuses = {s.value for s in Status}
    rule_ids: set[str] = set()
    for i, rule in enumerate(policy.rules):
        key = f"rules[{i}]"
        if rule.id in rule_ids:
            found.append((f"{key}.id", f"duplicate id {rule.id!r}"))
        rule_ids.add(rule.id)
        references = [
            ("notify", rule.notify, set(contacts), "contact point"),
            ("notify_organisations", rule.notify_organisations, org_ids, "organisation"),
            ("match.categories", rule.match.categories, category_ids, "category"),
            ("match.places", rule.match.places, place_ids, "place"),
            (
                "match.reporting_organisations",
                rule.match.reporting_organisations,
                org_ids,
                "organisation",
            ),
            ("match.statuses", rule.match.statuses, statuses, "status"),
        ]
        for where, values, known, what in references:
            for j, value in enumerate(values):
                if value not in known:
                    found.append(
                        (f"{key}.{where}[{j}]", f"unknown {what} {value!r} (rule {rule.id})")
                    )
    return found


def draft_reference_problems(
    draft: IncidentDraft,
    category_ids: Set[str],
    place_ids: Set[str],
    org_ids: Set[str],
) -> list[tuple[str, str]]:
    """(field, reason) for every reference in a draft that the deployment does not know."""
    found: list[tuple[str, str]] = []
    if draft.category not in category_ids:
        found.append(("category", f"unknown category {draft.category!r}"))
    if draft.location.place_id is not None and draft.location.place_id not in place_ids:
        found.append(("location.place_id", f"unknown place {draft.location.place_id!r}"))
    for i, actor in enumerate(draft.actors):
        if actor.organisation_id is not None and actor.organisation_id not in org_ids:
            found.append(
                (f"actors.{i}.organisation_id", f"unknown organisation {actor.organisation_id!r}")
            )
    for i, source in enumerate(draft.sources):
        if source.organisation_id is not None and source.organisation_id not in org_ids:
            found.append(
                (f"sources.{i}.organisation_id", f"unknown organisation {source.organisation_id!r}")
            )
    for i, org in enumerate(draft.restricted_to):
        if org not in org_ids:
            found.append((f"restricted_to.{i}", f"unknown organisation {org!r}"))
    return found


def aid_problems(
    aid: AidSettings, org_ids: Set[str], place_ids: Set[str], usernames: Set[str]
) -> list[tuple[str, str]]:
    """(key, reason) for every organisation, place and sector `aid.yaml` names that the pack
    does not know, and every duplicate programme or sector id."""
    found: list[tuple[str, str]] = []
    for i, org in enumerate(aid.organisations):
        if org not in org_ids:
            found.append((f"organisations[{i}]", f"unknown organisation {org!r}"))
    named = {
        "registry.self_registration": aid.registry.self_registration,
        "compensation": aid.compensation,
    }
    for key, named_org in named.items():
        if named_org is not None and named_org not in aid.organisations:
            found.append((key, f"{named_org!r} is not among the aid organisations"))
    pairs: list[tuple[str, Sequence[Programme | HousingProgramme]]] = [
        ("programmes", aid.programmes),
        ("housing", aid.housing),
    ]
    for section, items in pairs:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                found.append((f"{section}[{i}].id", f"duplicate id {item.id!r}"))
            seen.add(item.id)
            if item.organisation not in aid.organisations:
                reason = f"{item.organisation!r} is not among the aid organisations"
                found.append((f"{section}[{i}].organisation", reason))
            for j, condition in enumerate(item.eligible):
                for place in _places_named(condition):
                    if place not in place_ids:
                        found.append((f"{section}[{i}].eligible[{j}]", f"unknown place {place!r}"))
    samples = aid.samples
    named_users = [(f"samples.households[{i}].by", h.by) for i, h in enumerate(samples.households)]
    named_users += [(f"samples.activities[{i}].by", a.by) for i, a in enumerate(samples.activities)]
    named_users += [(f"samples.grants[{i}].by", g.by) for i, g in enumerate(samples.grants)]
    named_users += [(f"samples.handovers[{i}].by", h.by) for i, h in enumerate(samples.handovers)]
    for key, username in named_users:
        if username is not None and username not in usernames:
            found.append((key, f"unknown user {username!r}"))
    seen = set()
    for i, sector in enumerate(aid.sectors):
        if sector.id in seen:
            found.append((f"sectors[{i}].id", f"duplicate id {sector.id!r}"))
        seen.add(sector.id)
    return found


def _places_named(condition: Condition) -> list[str]:
    if condition.any is not None:
        return [p for c in condition.any for p in _places_named(c)]
    if condition.field in ("origin_place", "current_place"):
        return list(condition.in_ or [])
    return []
