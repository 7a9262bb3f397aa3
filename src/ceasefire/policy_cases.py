"""Tables of example records and the recipients the notification policy must choose for them
(`ceasefire policy test FILE`): a policy author's regression tests, in YAML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ceasefire.domain.authorization import Access
from ceasefire.domain.classification import Classification
from ceasefire.domain.notifications import Decision, Event, severity_of
from ceasefire.domain.scenario import Scenario
from ceasefire.services.notifications import explain_event


class CaseError(ValueError):
    """A case file that cannot be read; the message names file, case and key."""


class CaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    reported_by: str
    change: str = "reported"
    status: str = "reported"
    classification: Classification = Classification.public
    restricted_to: list[str] = Field(default_factory=list)
    place: str | None = None
    at: datetime = datetime.fromisoformat("2021-04-11T12:00:00+04:00")
    killed: int = Field(default=0, ge=0)
    injured: int = Field(default=0, ge=0)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    record: CaseRecord
    expect: list[str]


@dataclass(frozen=True)
class Result:
    name: str
    expected: set[str]
    got: set[str]
    decisions: list[Decision]

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def read_cases(path: Path, scenario: Scenario) -> list[Case]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot be read: {exc}") from None
    raw = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        raise CaseError(f"{path}: cases: must be a list")
    cases = []
    for i, item in enumerate(raw):
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CaseError(f"{path}: cases[{i}].{where}: {first['msg']}") from None
        if scenario.category(case.record.category) is None:
            raise CaseError(f"{path}: cases[{i}].record.category: unknown {case.record.category!r}")
        contacts = {c.id for c in scenario.policy.contact_points}
        for j, contact in enumerate(case.expect):
            if contact not in contacts:
                raise CaseError(f"{path}: cases[{i}].expect[{j}]: unknown contact {contact!r}")
        cases.append(case)
    return cases


def run_cases(scenario: Scenario, cases: list[Case]) -> list[Result]:
    results = []
    for case in cases:
        record = case.record
        category = scenario.category(record.category)
        violation = bool(category and category.violation)
        event = Event(
            kind="incident",
            record_id="example",
            version=1,
            change=record.change,
            status=record.status,
            category=record.category,
            violation=violation,
            severity=severity_of(record.killed, record.injured, violation),
            reporting_organisation=record.reported_by,
            place_id=record.place,
            at=record.at,
        )
        access = Access(
            classification=record.classification,
            owner_org=record.reported_by,
            author_id=-1,
            readers=frozenset(record.restricted_to),
        )
        explanation = explain_event(scenario, event, access)
        results.append(
            Result(case.name, set(case.expect), set(explanation.recipients), explanation.decisions)
        )
    return results
