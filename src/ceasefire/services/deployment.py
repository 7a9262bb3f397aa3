"""The running deployment: its database, its scenario and its settings, as services need them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ceasefire.config import Settings
from ceasefire.domain.gazetteer import Gazetteer
from ceasefire.domain.geography import Geography
from ceasefire.domain.scenario import Scenario
from ceasefire.ledger.note import (
    COSIGNATURE_V1,
    NoteError,
    Signer,
    Verifier,
    parse_skey,
    parse_vkey,
)
from ceasefire.store import migrate
from ceasefire.store.cases import count_cases
from ceasefire.store.db import Database
from ceasefire.store.deployment import imported_places, load_scenario, save_scenario
from ceasefire.store.files import AttachmentFiles
from ceasefire.store.sealing import Sealer, SealingError, create_key_file


def utcnow() -> datetime:
    return datetime.now(UTC)


class NotInitialised(Exception):
    """The database has no scenario yet: run `ceasefire init`."""


@dataclass(frozen=True)
class WitnessEndpoint:
    key: Verifier
    url: str


@dataclass(frozen=True)
class LogKeys:
    """The log's signer and the witnesses that must cosign its checkpoints."""

    signer: Signer
    witnesses: tuple[WitnessEndpoint, ...]

    @property
    def origin(self) -> str:
        return self.signer.name


@dataclass
class Deployment:
    db: Database
    scenario: Scenario
    files: AttachmentFiles
    future_tolerance: timedelta
    max_attachment_bytes: int
    log: LogKeys
    secret: bytes
    """Signs acknowledgement links (the session secret)."""
    public_url: str
    """Where recipients reach the service (acknowledgement links)."""
    channels: dict[str, list[str]]
    """Contact point id -> Apprise URLs, from configuration, over the pack's own."""
    gazetteer: Gazetteer
    """The places records may name: the pack's and the imported ones (read at start)."""
    resident_channels: dict[str, str] = field(default_factory=dict)
    """Resident channel (sms, email, telegram) -> an Apprise URL with `{to}` for the address"""
    sealer: Sealer | None = None
    """Seals residents' personal data (None only where a test builds a Deployment by hand)."""
    sms_gateway: tuple[str, str] | None = None
    """How the SMS gateway signs its webhook (twilio or hmac), and the shared secret"""
    telegram_secret: str = ""
    """The Telegram bot webhook's secret token ("": the webhook is off)"""
    daily_reports: bool = True
    """Whether the dispatcher sends each day's situation report (the rules say to whom)."""
    geographies: dict[int, tuple[bool, Geography]] = field(default_factory=dict)
    """Version of the line -> whether it is illustrative, and the geography built on it
    (see services.geography)."""


def open_deployment(settings: Settings, db: Database | None = None) -> Deployment:
    """Connect to an initialised deployment (schema up to date, scenario loaded)."""
    db = db or Database(settings.resolved_database_url)
    migrate.upgrade(db)
    with db.read() as conn:
        scenario = load_scenario(conn)
        imported = imported_places(conn)
    if scenario is None:
        raise NotInitialised("no scenario is loaded: run `ceasefire init`")
    return Deployment(
        db=db,
        scenario=scenario,
        files=AttachmentFiles(settings.attachments_dir),
        future_tolerance=settings.future_tolerance,
        max_attachment_bytes=settings.max_attachment_bytes,
        log=_log_keys(settings),
        secret=settings.session_secret().encode(),
        public_url=(settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/"),
        channels={
            contact.id: settings.contact_channels.get(contact.id, contact.channels)
            for contact in scenario.policy.contact_points
        },
        gazetteer=Gazetteer(scenario.places, imported),
        resident_channels=dict(settings.resident_channels),
        sealer=_sealer(settings),
        daily_reports=settings.daily_reports,
        sms_gateway=(settings.sms_gateway.style, settings.sms_gateway.secret)
        if settings.sms_gateway
        else None,
        telegram_secret=settings.telegram_secret,
    )


def sealer_of(dep: Deployment) -> Sealer:
    """What seals residents' personal data (a deployment opened from settings has one)."""
    if dep.sealer is None:
        raise RuntimeError("this deployment has no desk key: run `ceasefire init`")
    return dep.sealer


def initialise(settings: Settings, db: Database, scenario: Scenario) -> None:
    """Bring the schema up to date, load (or reload) the scenario's reference data, and
    create the log's signing key if there is none yet."""
    migrate.upgrade(db)
    with db.begin() as conn:
        save_scenario(conn, scenario, utcnow())
    if not settings.resolved_desk_key_file.exists():
        with db.read() as conn:
            sealed = count_cases(conn)
        if sealed:
            raise NotInitialised(
                f"no desk key at {settings.resolved_desk_key_file}, but {sealed} cases are "
                "sealed with one: put the key file back (a new key would not open them)"
            )
        create_key_file(settings.resolved_desk_key_file)
    path = settings.resolved_log_key_file
    if not path.exists():
        origin = settings.log_origin or f"ceasefire/{scenario.info.id}"
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Signer.generate(origin).skey + "\n")


def _sealer(settings: Settings) -> Sealer:
    try:
        return Sealer.from_file(settings.resolved_desk_key_file)
    except SealingError as exc:
        raise NotInitialised(str(exc)) from None


def _log_keys(settings: Settings) -> LogKeys:
    path = settings.resolved_log_key_file
    try:
        signer = parse_skey(path.read_text())
    except FileNotFoundError:
        raise NotInitialised(f"no log key at {path}: run `ceasefire init`") from None
    except NoteError as exc:
        raise NotInitialised(f"the log key at {path} is unusable: {exc}") from None
    if settings.log_origin and settings.log_origin != signer.name:
        raise NotInitialised(
            f"the log key at {path} is for {signer.name}, not {settings.log_origin}"
        )
    witnesses = []
    for i, witness in enumerate(settings.witnesses):
        try:
            key = parse_vkey(witness.vkey)
        except NoteError as exc:
            raise NotInitialised(f"witnesses[{i}].vkey: {exc}") from None
        if key.kind != COSIGNATURE_V1:
            raise NotInitialised(f"witnesses[{i}].vkey: not a cosignature key (type 0x04)")
        witnesses.append(WitnessEndpoint(key, witness.url.rstrip("/")))
    return LogKeys(signer, tuple(witnesses))
