"""The `ceasefire` command: set up, serve, manage accounts and tokens, and work with incidents.

Commands are short: they parse options, call one service, and print. Errors
from the services are printed as `error: FIELD: REASON` with exit status 2;
an invalid scenario pack prints every problem and exits with status 1.
The interface language follows `CEASEFIRE_LANG` (en, ru, hy, az).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ceasefire.config import Settings
from ceasefire.domain.errors import DomainError
from ceasefire.domain.incidents import IncidentDraft, Status
from ceasefire.domain.records import IncidentQuery
from ceasefire.domain.scenario import PackInvalid
from ceasefire.i18n import gettext
from ceasefire.pack import read_pack
from ceasefire.services import accounts, incidents, scenarios
from ceasefire.services.deployment import (
    Deployment,
    NotInitialised,
    initialise,
    open_deployment,
)
from ceasefire.store.db import Database

app = typer.Typer(
    no_args_is_help=True, help="The shared record and coordination desk of a ceasefire."
)
user_app = typer.Typer(no_args_is_help=True, help="Manage user accounts.")
token_app = typer.Typer(no_args_is_help=True, help="Create and revoke API tokens.")
incident_app = typer.Typer(no_args_is_help=True, help="Report, list and show incidents.")
scenario_app = typer.Typer(no_args_is_help=True, help="Check scenario packs.")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(incident_app, name="incident")
app.add_typer(scenario_app, name="scenario")

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


# --- setting up and serving --------------------------------------------------------------


def _install(scenario_path: Path | None) -> tuple[Settings, Deployment]:
    settings = _settings()
    path = scenario_path or settings.scenario
    try:
        scenario = read_pack(path)
    except PackInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        raise typer.Exit(1) from None
    db = Database(settings.resolved_database_url)
    initialise(settings, db, scenario)
    return settings, open_deployment(settings, db)


@app.command()
def init(
    scenario: Annotated[Path | None, typer.Option(help="Scenario pack directory")] = None,
) -> None:
    """Create or upgrade the database and load the scenario pack."""
    settings, dep = _install(scenario)
    out.print(
        _("Database ready at {url}; scenario {id} loaded.").format(
            url=_redacted(settings.resolved_database_url), id=dep.scenario.info.id
        )
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the web pages and the API (upgrades the schema first)."""
    settings = _settings()
    dep = _deployment()
    _serve(settings, dep, host, port)


def _serve(settings: Settings, dep: Deployment, host: str | None, port: int | None) -> None:
    import uvicorn

    from ceasefire.web.app import create_app

    uvicorn.run(
        create_app(settings, dep),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=False,
    )


@app.command()
def demo(
    serve_it: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards")
    ] = True,
) -> None:
    """Load the reference scenario with its demo accounts and sample incidents, then serve it."""
    settings, dep = _install(None)
    users = scenarios.load_demo_users(dep)
    with Progress(console=out, transient=True) as progress:
        task = progress.add_task(_("Loading sample incidents"), total=len(dep.scenario.incidents))
        loaded = _run(
            lambda: scenarios.load_sample_incidents(
                dep, lambda n: progress.update(task, completed=n)
            )
        )
    out.print(
        _("{users} demo accounts created, {incidents} sample incidents loaded.").format(
            users=users, incidents=loaded
        )
    )
    table = Table(title=_("Demo accounts (password: see scenario users.yaml)"))
    for column in (_("Username"), _("Organisation"), _("Roles"), _("Password")):
        table.add_column(column)
    for user in dep.scenario.users:
        _add_row(table, user.username, user.organisation, ", ".join(user.roles), user.password)
    out.print(table)
    url = f"http://{settings.host}:{settings.port}"
    out.print(_("Open {url} and sign in with one of the accounts above.").format(url=url))
    if serve_it:
        _serve(settings, dep, None, None)


def _add_row(table: Table, *cells: str) -> None:
    """A table row of user data, shown as typed (no Rich markup)."""
    table.add_row(*(escape(cell) for cell in cells))


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- users and tokens --------------------------------------------------------------------


@user_app.command("add")
def user_add(
    username: str,
    organisation: Annotated[str, typer.Option("--org", help="Organisation id from the scenario")],
    role: Annotated[list[str], typer.Option("--role", help="Role (repeat for several)")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    language: Annotated[str, typer.Option(help="en, ru, hy or az")] = "en",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password")
    ] = "",
) -> None:
    """Add a user to an organisation with one or more roles."""
    dep = _deployment()
    user = _run(
        lambda: accounts.add_user(
            dep,
            username=username,
            display_name=name or username,
            organisation_id=organisation,
            roles=role,
            password=password,
            language=language,
        )
    )
    out.print(_("User {name} added.").format(name=user.username))


@user_app.command("list")
def user_list() -> None:
    """List users with their organisation and roles."""
    dep = _deployment()
    table = Table()
    for column in (_("Username"), _("Name"), _("Organisation"), _("Roles"), _("Language")):
        table.add_column(column)
    for user in accounts.list_users(dep):
        _add_row(
            table,
            user.username,
            user.display_name,
            user.organisation_id,
            ", ".join(sorted(user.roles)),
            user.language,
        )
    out.print(table)


@token_app.command("create")
def token_create(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for")] = "cli",
) -> None:
    """Print a new API token for USERNAME (shown once; store it safely)."""
    dep = _deployment()
    token = _run(lambda: accounts.create_token(dep, username, label))
    print(token)


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str | None, typer.Argument(help="The token to revoke")] = None,
    user: Annotated[str | None, typer.Option(help="Revoke all tokens of this user")] = None,
) -> None:
    """Revoke one token, or every token of a user."""
    if (token is None) == (user is None):
        _fail(_("give a token or --user, not both"))
    dep = _deployment()
    if token is not None:
        count = _run(lambda: accounts.revoke_token(dep, token))
    else:
        count = _run(lambda: accounts.revoke_user_tokens(dep, user or ""))
    out.print(_("{count} token(s) revoked.").format(count=count))
    if count == 0 and token is not None:
        raise typer.Exit(2)


# --- incidents ---------------------------------------------------------------------------


def _viewer(dep: Deployment, username: str) -> Any:
    from ceasefire.store import accounts as account_store

    with dep.db.read() as conn:
        user = account_store.user_by_name(conn, username)
    if user is None:
        _fail(f"as: no user {username!r}")
    return accounts.viewer_of(user)


AsUser = Annotated[str, typer.Option("--as", help="Act as this user (their rights apply)")]


@incident_app.command("report")
def incident_report(
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the incident ('-' for stdin)")],
) -> None:
    """Report an incident from a JSON file in the API's format; prints its id."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        draft = IncidentDraft.model_validate_json(text)
    except OSError as exc:
        _fail(f"file: {exc.strerror}")
    except ValidationError as exc:
        for e in exc.errors():
            err.print(
                f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}",
                highlight=False,
                markup=False,
            )
        raise typer.Exit(2) from None
    incident = _run(lambda: incidents.report_incident(dep, viewer, draft))
    print(incident.id)


@incident_app.command("list")
def incident_list(
    as_user: AsUser,
    category: Annotated[list[str] | None, typer.Option(help="Category id (repeatable)")] = None,
    status: Annotated[list[Status] | None, typer.Option(help="Status (repeatable)")] = None,
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="From this day (UTC)")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Before this day (UTC)")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Place id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=incidents.MAX_PAGE)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List the incidents this user may see, newest first."""
    from datetime import UTC

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    query = IncidentQuery(
        since=since.replace(tzinfo=UTC) if since else None,
        until=until.replace(tzinfo=UTC) if until else None,
        categories=tuple(category or ()),
        statuses=tuple(status or ()),
        place_id=place,
        limit=limit,
    )
    page = _run(lambda: incidents.list_incidents(dep, viewer, query))
    shown = [incidents.present_incident(dep, viewer, i) for i in page.items]
    if as_json:
        print(
            json.dumps(
                {"items": shown, "next_cursor": page.next_cursor}, ensure_ascii=False, indent=1
            )
        )
        return
    table = Table()
    for column in (_("When"), _("Category"), _("Title"), _("Place"), _("Status"), "id"):
        table.add_column(column)
    for item in shown:
        _add_row(
            table,
            item["record"]["started_at"][:16].replace("T", " "),
            item["display"]["category"],
            item["record"]["title"],
            item["display"]["place"] or "",
            _(item["status"]),
            item["id"],
        )
    out.print(table)


@incident_app.command("show")
def incident_show(
    incident_id: str,
    as_user: AsUser,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show one incident with its history."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    incident = _run(lambda: incidents.get_incident(dep, viewer, incident_id))
    found = incidents.incident_corroborations(dep, viewer, incident_id)
    shown = incidents.present_incident(dep, viewer, incident, found)
    history = incidents.incident_history(dep, viewer, incident_id)
    if as_json:
        shown["history"] = [
            {
                "version": v.version,
                "at": v.at.isoformat(),
                "change": v.change,
                "status": v.status.value,
                "reason": v.reason,
            }
            for v in history
        ]
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    record = shown["record"]
    out.print(f"[bold]{escape(record['title'])}[/bold]", highlight=False)
    out.print(
        f"{shown['display']['category']} · {_(shown['status'])} · {record['classification']}",
        highlight=False,
    )
    where = f"{shown['display']['place'] or ''} ({shown['lat']:.4f}, {shown['lon']:.4f})"
    out.print(f"{record['started_at']} · {where}", highlight=False, markup=False)
    for lang, text in record.get("narrative", {}).items():
        out.print(f"[{lang}] {text}", highlight=False, markup=False)
    table = Table(title=_("History"))
    for column in (
        _("Version"),
        _("When"),
        _("Organisation"),
        _("Change"),
        _("Status"),
        _("Reason"),
    ):
        table.add_column(column)
    for v in history:
        _add_row(
            table,
            str(v.version),
            v.at.strftime("%Y-%m-%d %H:%M"),
            v.author_org,
            _(v.change),
            _(v.status.value),
            v.reason or "",
        )
    out.print(table)


# --- scenario packs ----------------------------------------------------------------------


@scenario_app.command("validate")
def scenario_validate(path: Path) -> None:
    """Check a scenario pack and print every problem (file, key, reason)."""
    try:
        scenario = read_pack(path)
    except PackInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        err.print(_("{count} problem(s) found.").format(count=len(exc.problems)))
        raise typer.Exit(1) from None
    out.print(
        _(
            "{id}: valid ({places} places, {orgs} organisations, "
            "{categories} categories, {incidents} sample incidents)."
        ).format(
            id=scenario.info.id,
            places=len(scenario.places),
            orgs=len(scenario.organisations),
            categories=len(scenario.categories),
            incidents=len(scenario.incidents),
        )
    )


def main() -> None:
    app()
