"""Configuration: `ceasefire.toml` in the working directory, overridden by `CEASEFIRE_*` variables.

Every setting has a default that works on one laptop: SQLite under `./var/`,
the reference scenario pack, the offline base map. The signing secret for
session cookies is generated into `var/` on first use unless configured.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_SCENARIO = "scenarios/nagorno-karabakh-2020"


class WitnessSetting(BaseModel):
    """A witness that must cosign every checkpoint: its C2SP vkey and where it listens."""

    model_config = ConfigDict(extra="forbid")

    vkey: str = Field(description="The witness's verifier key (type 0x04)")
    url: str = Field(description="Its submission prefix; the log posts to URL/add-checkpoint")


class SmsGateway(BaseModel):
    style: Literal["twilio", "hmac"]
    secret: str = Field(min_length=16)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CEASEFIRE_", toml_file="ceasefire.toml", extra="forbid"
    )

    data_dir: Path = Field(default=Path("var"), description="Where SQLite, keys and files live")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in data_dir"
    )
    scenario: Path = Field(
        default=Path(DEFAULT_SCENARIO), description="The scenario pack directory"
    )
    secret_key: str = Field(default="", description="Signs session cookies; empty: generated")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    tile_url: str | None = Field(default=None, description="Overrides the pack's map tile URL")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_attachment_bytes: int = Field(default=20_000_000, ge=1024)
    future_tolerance_seconds: int = Field(default=300, ge=0)
    secure_cookies: bool = Field(default=False, description="Set behind HTTPS")
    log_origin: str = Field(
        default="", description="The log's origin line; empty: ceasefire/<scenario id>"
    )
    log_key_file: Path | None = Field(
        default=None, description="The log's signer key; empty: data_dir/keys/log.key"
    )
    desk_key_file: Path | None = Field(
        default=None,
        description="Keys sealing residents' personal data; empty: data_dir/keys/desk.key. "
        "Keep it outside the database and its backups",
    )
    witnesses: list[WitnessSetting] = Field(default_factory=list)
    checkpoint_interval_seconds: float = Field(default=5.0, gt=0)
    public_url: str = Field(default="", description="Base URL in messages; empty: host:port")
    contact_channels: dict[str, list[str]] = Field(
        default_factory=dict, description="Contact point id -> Apprise URLs (secrets live here)"
    )
    resident_channels: dict[str, str] = Field(
        default_factory=dict,
        description="How the desk writes to residents: channel (sms, email, telegram) -> an "
        "Apprise URL with {to} where the address goes, e.g. an SMS gateway's json:// URL",
    )
    sms_gateway: SmsGateway | None = Field(
        default=None,
        description="The SMS gateway whose webhook posts residents' texts to /intake/sms: "
        "how it signs (twilio or hmac) and the shared secret; none: the webhook is off",
    )
    telegram_secret: str = Field(
        default="",
        description="The secret token the Telegram bot's webhook (/intake/telegram) was set "
        "with; empty: the webhook is off",
    )
    dispatch_interval_seconds: float = Field(default=0.25, gt=0)
    daily_reports: bool = Field(
        default=True,
        description="Send each day's situation report after its cut-off to the desks the "
        "notification rules choose (`kinds: [report]`)",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("CEASEFIRE_CONFIG", "ceasefire.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ceasefire.db'}"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def resolved_log_key_file(self) -> Path:
        return self.log_key_file or self.data_dir / "keys" / "log.key"

    @property
    def resolved_desk_key_file(self) -> Path:
        return self.desk_key_file or self.data_dir / "keys" / "desk.key"

    @property
    def future_tolerance(self) -> timedelta:
        return timedelta(seconds=self.future_tolerance_seconds)

    def session_secret(self) -> str:
        """The configured secret, or one generated once and kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "session.secret"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        path.write_text(secret)
        path.chmod(0o600)
        return secret
