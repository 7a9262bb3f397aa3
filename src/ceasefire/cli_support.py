"""What every `ceasefire` command shares: its consoles, its language, the deployment it
opens, and one way to fail (`error: FIELD: REASON`, exit status 2)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ceasefire.config import Settings
from ceasefire.domain.errors import DomainError
from ceasefire.i18n import gettext
from ceasefire.services import accounts
from ceasefire.services.deployment import Deployment, NotInitialised, open_deployment

out = Console()
err = Console(stderr=True)


def _(message: str) -> str:
    return gettext(os.environ.get("CEASEFIRE_LANG", "en"), message)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"configuration: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _deployment() -> Deployment:
    try:
        return open_deployment(_settings())
    except NotInitialised:
        _fail(_("no scenario is loaded: run `ceasefire init` first"))


def _run(action: Any) -> Any:
    try:
        return action()
    except DomainError as exc:
        return _fail(
            exc.message
            if exc.field is None or exc.message.startswith(exc.field)
            else f"{exc.field}: {exc.message}"
        )


def _add_row(table: Table, *cells: str) -> None:
    """A table row of user data, shown as typed (no Rich markup)."""
    table.add_row(*(escape(cell) for cell in cells))


def _viewer(dep: Deployment, username: str) -> Any:
    from ceasefire.store import accounts as account_store

    with dep.db.read() as conn:
        user = account_store.user_by_name(conn, username)
    if user is None:
        _fail(f"as: no user {username!r}")
    return accounts.viewer_of(user)


AsUser = Annotated[str, typer.Option("--as", help="Act as this user (their rights apply)")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON")]


def say(text: str) -> None:
    """Print user data as it is (no Rich markup or highlighting)."""
    out.print(text, highlight=False, markup=False)


def _print_errors(exc: ValidationError) -> None:
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "file"
        err.print(f"{where}: {e['msg']}", highlight=False, markup=False)


def _read_json(file: Path, model: Any) -> Any:
    """A file ('-': stdin) validated against a model; problems printed by field, exit 2."""
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        return model.model_validate_json(text)
    except OSError as exc:
        _fail(f"file: {exc.strerror}")
    except ValidationError as exc:
        _print_errors(exc)
        raise typer.Exit(2) from None
