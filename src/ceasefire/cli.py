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
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ceasefire.cli_aid import activities_app, households_app, housing_app, programmes_app
from ceasefire.cli_cases import case_app
from ceasefire.cli_groups import group_app
from ceasefire.cli_intake import intake_app
from ceasefire.cli_reports import export_incidents, report_app
from ceasefire.cli_support import (
    AsUser,
    _,
    _add_row,
    _deployment,
    _fail,
    _read_json,
    _run,
    _settings,
    _viewer,
    err,
    out,
)
from ceasefire.config import Settings, SmsGateway
from ceasefire.domain.incidents import IncidentDraft, Status
from ceasefire.domain.records import IncidentQuery
from ceasefire.domain.scenario import PackInvalid
from ceasefire.i18n import distance
from ceasefire.pack import read_pack
from ceasefire.services import accounts, bundles, incidents, log, scenarios
from ceasefire.services.deployment import (
    Deployment,
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
policy_app = typer.Typer(no_args_is_help=True, help="The notification policy: explain, test.")
log_app = typer.Typer(no_args_is_help=True, help="The verifiable log: checkpoints and keys.")
witness_app = typer.Typer(no_args_is_help=True, help="Run a party's witness of the log.")
export_app = typer.Typer(no_args_is_help=True, help="Export what you may see, verifiably.")
place_app = typer.Typer(no_args_is_help=True, help="The gazetteer: find places by any name.")
app.add_typer(log_app, name="log")
app.add_typer(policy_app, name="policy")
app.add_typer(witness_app, name="witness")
app.add_typer(export_app, name="export")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(incident_app, name="incident")
app.add_typer(scenario_app, name="scenario")
app.add_typer(place_app, name="place")
notice_app = typer.Typer(no_args_is_help=True, help="Activity notices near the line.")
post_app = typer.Typer(no_args_is_help=True, help="A peacekeeping post's day.")
app.add_typer(notice_app, name="notice")
app.add_typer(post_app, name="post")
movement_app = typer.Typer(no_args_is_help=True, help="Convoys and passages through the corridor.")
app.add_typer(movement_app, name="movement")
geo_app = typer.Typer(no_args_is_help=True, help="The line of contact and where records stand.")
line_app = typer.Typer(no_args_is_help=True, help="Versions of the line of contact.")
geo_app.add_typer(line_app, name="line")
app.add_typer(geo_app, name="geo")
app.add_typer(case_app, name="case")
app.add_typer(group_app, name="group")
app.add_typer(report_app, name="report")
app.add_typer(intake_app, name="intake")
export_app.command("incidents")(export_incidents)
app.add_typer(households_app, name="households")
app.add_typer(programmes_app, name="programmes")
app.add_typer(housing_app, name="housing")
app.add_typer(activities_app, name="activities")

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


MAX_WEB_PROCESSES = 32


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, max=MAX_WEB_PROCESSES, help="Web processes (more than 1: PostgreSQL)"),
    ] = 1,
    dispatch: Annotated[
        bool,
        typer.Option(
            "--dispatch/--no-dispatch",
            help="Deliver notifications (--no-dispatch when `ceasefire worker` runs instead)",
        ),
    ] = True,
) -> None:
    """Serve the web pages and the API (upgrades the schema first)."""
    settings = _settings()
    dep = _deployment()
    if workers > 1 and dep.db.is_sqlite:
        _fail(_("--workers: several web processes need PostgreSQL (SQLite has one writer)"))
    _serve(settings, dep, host, port, workers, dispatch)


def _serve(
    settings: Settings,
    dep: Deployment,
    host: str | None,
    port: int | None,
    processes: int = 1,
    dispatch: bool = True,
) -> None:
    """The web app (in this process, or in `processes` processes uvicorn starts), the log
    worker in this process, and unless told not to, the notification dispatcher."""
    import threading

    import uvicorn

    from ceasefire.delivery import worker as dispatcher
    from ceasefire.web.app import create_app

    stop = threading.Event()
    workers = [
        threading.Thread(
            target=log.run_worker,
            args=(dep, settings.checkpoint_interval_seconds, stop),
            name="log-worker",
            daemon=True,
        )
    ]
    if dispatch:
        workers.append(
            threading.Thread(
                target=dispatcher.supervise, args=(settings, stop), name="dispatcher", daemon=True
            )
        )
    for worker in workers:
        worker.start()
    settings.session_secret()  # generated here once, before several processes read it
    try:
        uvicorn.run(
            create_app(settings, dep) if processes == 1 else "ceasefire.web.app:from_environment",
            factory=processes > 1,
            workers=processes if processes > 1 else None,
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            proxy_headers=False,
        )
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=dispatcher.STOP_SECONDS + 5)


DEMO_WITNESSES = (("witness.mod-armenia.demo", 8101), ("witness.mod-azerbaijan.demo", 8102))


@app.command()
def demo(
    serve_it: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards")
    ] = True,
) -> None:
    """Load the reference scenario with its demo accounts and sample incidents, start two
    party witnesses beside the log, and serve it all."""
    settings, dep = _install(None)
    users = scenarios.load_demo_users(dep)
    with Progress(console=out, transient=True) as progress:
        task = progress.add_task(_("Loading sample incidents"), total=len(dep.scenario.incidents))
        loaded = _run(
            lambda: scenarios.load_sample_incidents(
                dep, lambda n: progress.update(task, completed=n)
            )
        )
    requests = _run(lambda: scenarios.load_sample_requests(dep))
    households_loaded = _run(lambda: scenarios.load_sample_aid(dep))
    out.print(
        _("{users} demo accounts created, {incidents} sample incidents loaded.").format(
            users=users, incidents=loaded
        )
        + " "
        + _("{requests} residents' requests on the desk.").format(requests=requests)
        + " "
        + _("{households} displaced households in the registry.").format(
            households=households_loaded
        )
    )
    table = Table(title=_("Demo accounts"))
    for column in (_("Username"), _("Organisation"), _("Roles"), _("Password")):
        table.add_column(column)
    for user in dep.scenario.users:
        _add_row(table, user.username, user.organisation, ", ".join(user.roles), user.password)
    out.print(table)
    witnesses, processes = _demo_witnesses(settings, dep)
    mailbox = _demo_mailbox(settings.data_dir / "demo-mailbox", DEMO_MAILBOX_PORT)
    wiring = {
        contact.id: [
            f"mailto://127.0.0.1:{DEMO_MAILBOX_PORT}?from=desk@ceasefire.invalid"
            f"&to={contact.id}@demo.invalid&mode=insecure"
        ]
        for contact in dep.scenario.policy.contact_points
    }
    # residents: e-mail to their address; SMS and messaging, which need the mission's gateway,
    # land in the same mailbox as mail to the gateway (the text only, never the number)
    mail = f"mailto://127.0.0.1:{DEMO_MAILBOX_PORT}?from=desk@ceasefire.invalid&mode=insecure"
    residents = {"email": f"{mail}&to={{to}}", "sms": f"{mail}&to=sms-gateway@demo.invalid",
                 "telegram": f"{mail}&to=messaging-gateway@demo.invalid"}  # fmt: skip
    # the SMS gateway's webhook, signed with a demo secret (README: texting the demo desk)
    gateway = SmsGateway(style="hmac", secret=DEMO_SMS_SECRET)
    settings = settings.model_copy(
        update={
            "witnesses": witnesses,
            "contact_channels": wiring,
            "resident_channels": residents,
            "sms_gateway": gateway,
        }
    )
    dep = open_deployment(settings, dep.db)
    config = settings.data_dir / "demo.toml"
    config.write_text(
        f'data_dir = "{settings.data_dir}"\n'
        + "".join(f'[[witnesses]]\nvkey = "{w.vkey}"\nurl = "{w.url}"\n' for w in witnesses)
        + "[contact_channels]\n"
        + "".join(f'"{contact}" = ["{urls[0]}"]\n' for contact, urls in wiring.items())
        + "[resident_channels]\n"
        + "".join(f'"{channel}" = "{url}"\n' for channel, url in residents.items())
        + f'[sms_gateway]\nstyle = "hmac"\nsecret = "{DEMO_SMS_SECRET}"\n'
    )
    log.publish_checkpoint(dep)
    for report in log.collect_cosignatures(dep):
        if report.error:
            err.print(f"{report.witness}: {escape(report.error)}", highlight=False)
        else:
            out.print(_("{witness} cosigned.").format(witness=report.witness), highlight=False)
    url = f"http://{settings.host}:{settings.port}"
    out.print(_("Open {url} and sign in with one of the accounts above.").format(url=url))
    out.print(
        _("For other commands on this demo: export CEASEFIRE_CONFIG={file}").format(file=config),
        highlight=False,
        markup=False,
    )
    out.print(
        _("Messages to the parties are delivered to a local mailbox: {folder}").format(
            folder=settings.data_dir / "demo-mailbox"
        ),
        highlight=False,
        markup=False,
    )
    try:
        if serve_it:
            _serve(settings, dep, None, None)
    finally:
        mailbox.stop()
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


DEMO_MAILBOX_PORT = 2525
DEMO_SMS_SECRET = "demo-sms-gateway-secret"  # the demo's only: a deployment sets its own


def _demo_mailbox(folder: Path, port: int) -> Any:
    """A local SMTP server that keeps each message the demo sends as a .eml file."""
    from aiosmtpd.controller import Controller

    folder.mkdir(parents=True, exist_ok=True)

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            name = f"{datetime.now():%Y%m%dT%H%M%S%f}-{envelope.rcpt_tos[0]}.eml"
            (folder / name).write_bytes(envelope.content)
            return "250 kept"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def _demo_witnesses(settings: Settings, dep: Deployment) -> tuple[list[Any], list[Any]]:
    """Start the demo's two party witnesses, each its own key, state and process."""
    import subprocess
    import time
    import urllib.request

    from ceasefire.config import WitnessSetting
    from ceasefire.ledger.note import COSIGNATURE_V1, Signer

    configured, processes = [], []
    for name, port in DEMO_WITNESSES:
        folder = settings.data_dir / "witnesses" / name
        key = folder / "witness.key"
        if not key.exists():
            folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(Signer.generate(name, COSIGNATURE_V1).skey + "\n")
        vkey = _witness_vkey(key)
        command = [sys.executable, "-m", "ceasefire.cli", "witness", "run",
                   "--log", f"http://{settings.host}:{settings.port}", "--key", str(key),
                   "--state", str(folder / "state.json"), "--listen", f"127.0.0.1:{port}",
                   "--log-vkey", dep.log.signer.verifier.vkey]  # fmt: skip
        log_file = (folder / "witness.log").open("a")
        processes.append(subprocess.Popen(command, stdout=log_file, stderr=log_file))
        configured.append(WitnessSetting(vkey=vkey, url=f"http://127.0.0.1:{port}"))
    for witness in configured:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(witness.url + "/", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (404 for GET): it is up
            except OSError:
                time.sleep(0.2)
    return configured, processes


def _witness_vkey(key: Path) -> str:
    from ceasefire.ledger.note import parse_skey

    return parse_skey(key.read_text()).verifier.vkey


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


@incident_app.command("report")
def incident_report(
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the incident ('-' for stdin)")],
) -> None:
    """Report an incident from a JSON file in the API's format; prints its id."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, IncidentDraft)
    incident = _run(lambda: incidents.report_incident(dep, viewer, draft))
    print(incident.id)


@place_app.command("search")
def place_search(
    query: Annotated[str, typer.Argument(help="Any name of the place, in any script")],
    as_user: AsUser,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Find places by any of their names (typos allowed), best matches first."""
    from ceasefire.services import places

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    found = _run(lambda: places.search_places(dep, viewer, query, limit))
    if as_json:
        items = [
            {"id": f.place.id, "name": f.name, "matched": f.matched, "score": f.score}
            for f in found
        ]
        print(json.dumps({"items": items}, ensure_ascii=False, indent=1))
        return
    if not found:
        err.print(_("No place has a name like that."))
        raise typer.Exit(1)
    table = Table()
    for column in (_("Place"), _("Matched name"), _("Match"), "id"):
        table.add_column(column)
    for f in found:
        _add_row(table, f.name, f.matched, f"{f.score:.2f}", f.place.id)
    out.print(table)


@place_app.command("import-geonames")
def place_import_geonames(
    main: Annotated[Path, typer.Argument(help="GeoNames main table (AZ.txt, cities1000.txt…)")],
    alternates: Annotated[
        Path | None, typer.Option(help="GeoNames alternate names (alternateNamesV2.txt…)")
    ] = None,
) -> None:
    """Add a GeoNames dump's populated places and regions to the gazetteer (all or nothing)."""
    from ceasefire.services import places

    dep = _deployment()
    for path in (main, alternates):
        if path is not None and not path.is_file():
            _fail(f"{path}: " + _("no such file"))
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Reading places"), total=None)
        done = _run(
            lambda: places.import_geonames(
                dep, main, alternates, lambda n: progress.update(task, completed=n)
            )
        )
    _imported(done)


@place_app.command("import-geojson")
def place_import_geojson(
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection of places")],
) -> None:
    """Add or update places from GeoJSON (as `place export` writes it; all or nothing)."""
    from ceasefire.services import places

    dep = _deployment()
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _fail(f"{file}: {exc}")
    _imported(_run(lambda: places.import_geojson(dep, document)))


def _imported(done: Any) -> None:
    out.print(
        _(
            "{read} places read: {added} added, {updated} updated, {skipped} left to the pack."
        ).format(read=done.read, added=done.added, updated=done.updated, skipped=done.skipped)
    )
    out.print(_("Restart `ceasefire serve` for it to name the new places."))


@place_app.command("export")
def place_export(
    file: Annotated[Path, typer.Argument(help="Where to write the GeoJSON ('-' for stdout)")],
    as_user: AsUser,
) -> None:
    """Write every place of the gazetteer as GeoJSON (RFC 7946), named for the user."""
    from ceasefire.services import places

    dep = _deployment()
    document = json.dumps(places.export_geojson(dep, _viewer(dep, as_user)), ensure_ascii=False)
    if str(file) == "-":
        print(document)
    else:
        file.write_text(document + "\n", encoding="utf-8")


# --- geography -----------------------------------------------------------------------------


@geo_app.command("reenrich")
def geo_reenrich() -> None:
    """Work out again where every record stands (after a new line, or new places)."""
    _replace_all(_deployment())


def _replace_all(dep: Deployment) -> None:
    from ceasefire.services import geography

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Placing records"), total=None)
        done = geography.replace_all(
            dep, lambda n, total: progress.update(task, completed=n, total=total)
        )
    out.print(_("{count} records placed.").format(count=done))


@line_app.command("add")
def geo_line_add(
    file: Annotated[
        Path, typer.Argument(help="GeoJSON: the line's LineStrings, the sides' Polygons")
    ],
    as_user: AsUser,
    provenance: Annotated[str, typer.Option(help="Where this drawing comes from")],
    illustrative: Annotated[
        bool, typer.Option(help="Not authoritative: flagged on every map and page")
    ] = True,
) -> None:
    """Record a new version of the line of contact, then place every record against it."""
    from ceasefire.services import geography

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _fail(f"{file}: {exc}")
    version = _run(
        lambda: geography.record_line(
            dep, viewer, document, provenance=provenance, illustrative=illustrative
        )
    )
    out.print(_("Version {number} of the line recorded.").format(number=version.number))
    _replace_all(dep)


@line_app.command("list")
def geo_line_list() -> None:
    """Every version of the line, with its provenance."""
    from ceasefire.services import geography

    table = Table()
    for column in (_("Version"), _("Recorded"), _("By"), _("Illustrative"), _("Provenance")):
        table.add_column(column)
    for v in geography.line_versions(_deployment()):
        _add_row(
            table,
            str(v.number),
            v.recorded_at.isoformat()[:16] if v.recorded_at else _("scenario pack"),
            v.recorded_by or "",
            _("yes") if v.illustrative else _("no"),
            v.provenance,
        )
    out.print(table)


@line_app.command("show")
def geo_line_show(
    version: Annotated[int | None, typer.Argument(help="Version (default: the current)")] = None,
) -> None:
    """Print a version of the line as GeoJSON."""
    from ceasefire.services import geography

    dep = _deployment()
    versions = geography.line_versions(dep)
    chosen = versions[-1] if version is None else _run(lambda: geography.line_version(dep, version))
    print(json.dumps(chosen.document, ensure_ascii=False))


# --- activity notices ------------------------------------------------------------------------


@notice_app.command("file")
def notice_file(
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the notice ('-' for stdin)")],
) -> None:
    """File a notice of a planned activity (the API's format); prints its risk and id."""
    from ceasefire.domain.notices import NoticeDraft
    from ceasefire.services import notices

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, NoticeDraft)
    notice = _run(lambda: notices.file_notice(dep, viewer, draft))
    shown = notices.present_notice(dep, viewer, notice)
    out.print(shown["display"]["risk"], highlight=False, markup=False)
    for reason in shown["assessment"]["reasons"]:
        out.print(f"- {reason}", highlight=False, markup=False)
    print(notice.id)


@notice_app.command("list")
def notice_list(
    as_user: AsUser,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The notices this user may read whose activity is not over, soonest first."""
    from ceasefire.services import notices

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    shown = [notices.present_notice(dep, viewer, n) for n in notices.list_notices(dep, viewer)]
    if as_json:
        print(json.dumps({"items": shown}, ensure_ascii=False, indent=1))
        return
    table = Table()
    for column in (_("When"), _("Activity"), _("Title"), _("Place"), _("Risk"), "id"):
        table.add_column(column)
    for item in shown:
        _add_row(
            table,
            item["notice"]["starts_at"][:16].replace("T", " "),
            item["display"]["activity"],
            item["notice"]["title"],
            item["display"]["place"] or "",
            item["assessment"]["risk"],
            item["id"],
        )
    out.print(table)


@notice_app.command("show")
def notice_show(
    notice_id: str,
    as_user: AsUser,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """One notice: its assessment, and who was told and acknowledged."""
    from ceasefire.services import notices

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    notice = _run(lambda: notices.get_notice(dep, viewer, notice_id))
    shown = notices.present_notice(dep, viewer, notice)
    told = notices.acknowledgements(dep, viewer, notice)
    if as_json:
        shown["acknowledgements"] = [
            {
                "contact": n.contact_id,
                "organisation": n.organisation_id,
                "status": n.status,
                "acknowledged_at": n.acknowledged_at.isoformat() if n.acknowledged_at else None,
            }
            for n in told
        ]
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    out.print(f"[bold]{escape(notice.draft.title)}[/bold]", highlight=False)
    out.print(
        f"{shown['display']['activity']} · {shown['display']['risk']} · {_(shown['status'])}",
        highlight=False,
        markup=False,
    )
    for reason in shown["assessment"]["reasons"]:
        out.print(f"- {reason}", highlight=False, markup=False)
    table = Table(title=_("Who was told"))
    for column in (_("Contact point"), _("Status"), _("Acknowledged")):
        table.add_column(column)
    for n in told:
        when = n.acknowledged_at.isoformat()[:16] if n.acknowledged_at else "—"
        _add_row(table, n.contact_id, _(n.status), when)
    out.print(table)


@notice_app.command("cancel")
def notice_cancel(
    notice_id: str,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why the activity is called off")],
) -> None:
    """Call an activity off; those who were told are told again."""
    from ceasefire.services import notices

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    _run(lambda: notices.cancel_notice(dep, viewer, notice_id, reason=reason))
    out.print(_("Cancelled"))


@post_app.command("day")
def post_day(
    post: Annotated[str, typer.Argument(help="The post's id (rpk-post-23…)")],
    as_user: AsUser,
    day: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Default: today")
    ] = None,
    ics: Annotated[
        Path | None, typer.Option(help="Also write the next 31 days as iCalendar here")
    ] = None,
) -> None:
    """A post's notices for a day (the deployment's local day)."""
    from ceasefire.services import notices

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    first = day.date() if day else notices.today(dep)
    found = _run(lambda: notices.post_day(dep, viewer, post, first))
    table = Table(title=f"{post} · {first.isoformat()} ({dep.scenario.info.time_zone})")
    for column in (_("When"), _("Activity"), _("Title"), _("Who"), _("Risk"), "id"):
        table.add_column(column)
    for notice, windows in found:
        shown = notices.present_notice(dep, viewer, notice)
        _add_row(
            table,
            ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in windows),
            shown["display"]["activity"],
            notice.draft.title,
            str(notice.draft.people),
            notice.risk,
            notice.id,
        )
    out.print(table)
    if ics is not None:
        ics.write_bytes(notices.post_calendar(dep, viewer, post, first))


# --- movements ---------------------------------------------------------------------------------


@movement_app.command("register")
def movement_register(
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the movement ('-' for stdin)")],
) -> None:
    """Register a convoy or a passage (the API's format); prints its id."""
    from ceasefire.domain.movements import MovementDraft
    from ceasefire.services import movements

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, MovementDraft)
    print(_run(lambda: movements.register_movement(dep, viewer, draft)).id)


@movement_app.command("checkpoint")
def movement_checkpoint(
    movement_id: str,
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the report ('-' for stdin)")],
) -> None:
    """Record what happened at a checkpoint; a hold prints the incident it became."""
    from ceasefire.domain.movements import CheckpointReport
    from ceasefire.services import movements

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    report = _read_json(file, CheckpointReport)
    movement, incident_id = _run(
        lambda: movements.record_checkpoint(dep, viewer, movement_id, report)
    )
    out.print(_(movement.status.value), highlight=False, markup=False)
    if incident_id:
        out.print(_("Incident recorded: {id}").format(id=incident_id), highlight=False)


@movement_app.command("list")
def movement_list(as_user: AsUser) -> None:
    """The latest movements this user may read."""
    from ceasefire.services import movements

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    table = Table()
    for column in (_("Planned"), _("Kind"), _("Title"), _("From"), _("To"), _("Status"), "id"):
        table.add_column(column)
    for movement in movements.list_movements(dep, viewer):
        shown = movements.present_movement(dep, viewer, movement)
        _add_row(
            table,
            shown["display"]["planned"],
            shown["display"]["kind"],
            movement.draft.title,
            shown["display"]["from"] or "",
            shown["display"]["to"] or "",
            shown["display"]["status"],
            movement.id,
        )
    out.print(table)


@movement_app.command("show")
def movement_show(
    movement_id: str,
    as_user: AsUser,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """One movement with its timeline of checkpoints."""
    from ceasefire.services import movements

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    movement = _run(lambda: movements.get_movement(dep, viewer, movement_id))
    shown = movements.present_movement(dep, viewer, movement)
    shown["timeline"] = movements.present_timeline(
        dep, viewer, movements.timeline(dep, viewer, movement_id)
    )
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    out.print(f"[bold]{escape(movement.draft.title)}[/bold]", highlight=False)
    display = shown["display"]
    out.print(
        f"{display['kind']} · {display['from']} → {display['to']} · {display['status']}",
        highlight=False,
        markup=False,
    )
    table = Table(title=_("Timeline"))
    for column in (_("When"), _("Place"), _("Outcome"), _("Findings"), _("Incident")):
        table.add_column(column)
    for item in shown["timeline"]:
        found = item.get("report") or {}
        _add_row(
            table,
            item["local"],
            found.get("place") or "",
            found.get("outcome_label") or _(str(item.get("change"))),
            found.get("findings") or "",
            item["incident_id"] or "",
        )
    out.print(table)


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
    zone: Annotated[list[str] | None, typer.Option(help="Zone id (repeatable)")] = None,
    side: Annotated[list[str] | None, typer.Option(help="Party whose side (repeatable)")] = None,
    within_line: Annotated[
        float | None, typer.Option(help="At most this many metres from the line")
    ] = None,
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
        zones=tuple(zone or ()),
        sides=tuple(side or ()),
        within_line_metres=within_line,
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


def _standing_line(standing: dict[str, Any]) -> str:
    """Where a record stands, in one line."""
    parts = []
    if standing["line_metres"] is not None:
        parts.append(
            _("{distance} from the line").format(distance=_metres(standing["line_metres"]))
        )
    if standing["side"]:
        parts.append(_("side: {party}").format(party=standing["side"]["name"]))
    if standing["zone"]:
        parts.append(standing["zone"]["name"])
    for key, label in (("settlement", _("nearest settlement")), ("post", _("nearest post"))):
        if standing[key]:
            place = standing[key]
            parts.append(f"{label}: {place['name']} ({_metres(place['metres'])})")
    if standing["hazards"]:
        names = ", ".join(h["name"] for h in standing["hazards"])
        parts.append(_("hazard areas nearby: {names}").format(names=names))
    return " · ".join(parts)


def _metres(value: float) -> str:
    return distance(os.environ.get("CEASEFIRE_LANG", "en"), value)


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
    if shown["geography"]:
        out.print(_standing_line(shown["geography"]), highlight=False, markup=False)
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


# --- backup and restore ------------------------------------------------------------------


@app.command("backup")
def backup_command(
    target: Annotated[Path, typer.Argument(help="The backup file to write (.tar.gz)")],
    include_keys: Annotated[
        bool,
        typer.Option(
            "--include-keys",
            help="Also copy the private keys: the log's signing key and the desk's sealing keys",
        ),
    ] = False,
) -> None:
    """Write a consistent snapshot: every table, the attachments, the log state."""
    from ceasefire.services import backups

    settings = _settings()
    dep = _deployment()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Backing up"), total=None)
        summary = backups.backup(
            dep, settings, target, include_keys, lambda t: progress.update(task, description=t)
        )
    print(
        _("{rows} rows, {files} attachments, log at {size}, written to {file}.").format(
            rows=sum(summary.rows.values()),
            files=summary.attachments,
            size=summary.checkpoint_size or 0,
            file=summary.path,
        )
    )
    if not include_keys:
        print(_("The log key is not in the backup: keep a copy of it separately."))


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="A backup from `ceasefire backup`")],
) -> None:
    """Restore a backup into the configured, empty database and data directory."""
    from ceasefire.services import backups

    settings = _settings()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Restoring"), total=None)
        manifest = _run(
            lambda: backups.restore(
                source,
                settings,
                lambda table, n: progress.update(task, description=table, completed=n),
            )
        )
    print(
        _("Restored {rows} rows of {scenario}; the log reproduces checkpoint {size}.").format(
            rows=sum(manifest["rows"].values()),
            scenario=manifest["scenario"],
            size=(manifest["checkpoint"] or {}).get("size", 0),
        )
    )


# --- notifications ---------------------------------------------------------------------


@app.command()
def worker() -> None:
    """Deliver notifications and escalate unanswered ones (beside or instead of `serve`'s)."""
    import logging
    import threading

    from ceasefire.delivery import worker as dispatcher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _settings()
    dep = _deployment()
    stop = threading.Event()
    try:
        dispatcher.run(dep, settings.dispatch_interval_seconds, stop)
    except KeyboardInterrupt:
        stop.set()


@policy_app.command("explain")
def policy_explain(
    incident_id: Annotated[str, typer.Argument(help="The record's id")],
    as_user: AsUser,
) -> None:
    """Which rules fired for each version of a record, which did not, and why."""
    from ceasefire.services import notifications

    dep = _deployment()
    viewer = _viewer(dep, as_user)
    explanations = _run(lambda: notifications.explain_incident(dep, viewer, incident_id))
    for explanation in explanations:
        event = explanation.event
        print(
            f"version {event.version} ({event.change}, {event.status}; {event.category}, "
            f"severity {event.severity}, reported by {event.reporting_organisation})"
        )
        for decision in explanation.decisions:
            mark = "FIRED  " if decision.fired else "skipped"
            print(f"  {mark} {decision.rule}: {decision.reason}")
        for contact, rules in sorted(explanation.recipients.items()):
            print(f"  -> {contact} (by {', '.join(rules)})")
        for contact, why in sorted(explanation.withheld.items()):
            print(f"  x  {contact} not told: {why}")


@policy_app.command("test")
def policy_test(
    cases: Annotated[Path, typer.Argument(help="YAML table of example records and recipients")],
    scenario: Annotated[Path | None, typer.Option(help="Scenario pack (default: configured)")] = (
        None
    ),
) -> None:
    """Run example records through the pack's policy; compare with the expected recipients."""
    from ceasefire.policy_cases import CaseError, read_cases, run_cases

    try:
        pack = read_pack(scenario or _settings().scenario)
        table = read_cases(cases, pack)
    except PackInvalid as exc:
        for problem in exc.problems:
            err.print(str(problem), highlight=False, markup=False)
        raise typer.Exit(1) from None
    except CaseError as exc:
        _fail(str(exc))
    failures = 0
    for result in run_cases(pack, table):
        if result.ok:
            print(f"PASS {result.name}")
        else:
            failures += 1
            print(f"FAIL {result.name}: expected {sorted(result.expected)}, "
                  f"got {sorted(result.got)}")  # fmt: skip
            for decision in result.decisions:
                print(f"       {'fired' if decision.fired else 'skipped'} {decision.rule}: "
                      f"{decision.reason}")  # fmt: skip
    print(f"{len(table) - failures} passed, {failures} failed")
    if failures:
        raise typer.Exit(1)


# --- the verifiable log ------------------------------------------------------------------


@log_app.command("checkpoint")
def log_checkpoint() -> None:
    """Publish a checkpoint now (if leaves were added) and ask the witnesses to cosign it."""
    dep = _deployment()
    size = log.publish_checkpoint(dep)
    out.print(
        _("Checkpoint {size} signed.").format(size=size)
        if size is not None
        else _("No new leaves since the last checkpoint.")
    )
    for report in log.collect_cosignatures(dep):
        if report.error:
            err.print(f"{report.witness}: {escape(report.error)}", highlight=False)
        else:
            out.print(_("{witness} cosigned.").format(witness=report.witness), highlight=False)
    state = log.checkpoint_state(dep)
    if state is not None:
        print(state.note, end="")


@log_app.command("keys")
def log_keys() -> None:
    """Print the log's and the witnesses' verifier keys: the trust file for `verify`."""
    keys = log.verifier_keys(_deployment())
    print(f"# log {keys['origin']}")
    print(keys["log"])
    for witness in keys["witnesses"]:
        print(witness["vkey"])


@witness_app.command("keygen")
def witness_keygen(
    name: Annotated[str, typer.Argument(help="The witness's name, e.g. witness.mod.am")],
    key: Annotated[Path, typer.Option(help="Where to write the private key (0600)")],
) -> None:
    """Create a witness key; prints its verifier key for the log operator's configuration."""
    from ceasefire.ledger.note import COSIGNATURE_V1, NoteError, Signer

    if key.exists():
        _fail(f"key: {key} exists; not overwriting a key")
    try:
        signer = Signer.generate(name, COSIGNATURE_V1)
    except NoteError as exc:
        _fail(f"name: {exc}")
    key.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(signer.skey + "\n")
    print(signer.verifier.vkey)


@witness_app.command("run")
def witness_run(
    log_url: Annotated[str, typer.Option("--log", help="The log's base URL")],
    key: Annotated[Path, typer.Option(help="This witness's private key file")],
    state: Annotated[Path, typer.Option(help="Where this witness keeps what it cosigned")],
    listen: Annotated[str, typer.Option(help="HOST:PORT to answer add-checkpoint on")] = (
        "127.0.0.1:8101"
    ),
    log_vkey: Annotated[
        str | None, typer.Option(help="The log's verifier key; default: fetched once and pinned")
    ] = None,
) -> None:
    """Cosign the log's checkpoints that extend what this witness cosigned before."""
    import logging

    from ceasefire.ledger.note import COSIGNATURE_V1, NoteError, parse_skey, parse_vkey
    from ceasefire.ledger.witness import Witness, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        signer = parse_skey(key.read_text())
    except (OSError, NoteError) as exc:
        _fail(f"key: {exc}")
    if signer.kind != COSIGNATURE_V1:
        _fail("key: not a witness key (make one with `ceasefire witness keygen`)")
    pinned = state.with_name(state.name + ".log-vkey")
    try:
        vkey = log_vkey or (pinned.read_text().strip() if pinned.exists() else _fetch_vkey(log_url))
        log_key = parse_vkey(vkey)
    except (OSError, ValueError, NoteError) as exc:
        _fail(f"log-vkey: {exc}")
    if not pinned.exists():
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_text(log_key.vkey + "\n")
    host, _sep, port = listen.rpartition(":")
    if not port.isdigit():
        _fail("listen: give HOST:PORT")
    server = serve(Witness(signer, log_key, state), host or "127.0.0.1", int(port))
    err.print(
        f"witness {signer.name} for {log_key.name} on http://{listen}/add-checkpoint",
        highlight=False,
        markup=False,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _fetch_vkey(log_url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{log_url.rstrip('/')}/api/v1/log/keys", timeout=10) as answer:
        return str(json.loads(answer.read())["log"])


@export_app.command("bundle")
def export_bundle(
    as_user: AsUser,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the bundle (JSON)")],
) -> None:
    """Write what this user may see, with leaves, salts, proofs and the settled checkpoint."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Exporting records"), total=None)
        bundle = _run(
            lambda: bundles.export_bundle(dep, viewer, lambda n: progress.update(task, completed=n))
        )
    out_file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    out.print(
        _("{records} record versions, {leaves} leaves, written to {file}.").format(
            records=len(bundle["records"]), leaves=len(bundle["leaves"]), file=out_file
        ),
        highlight=False,
        markup=False,
    )


@app.command()
def verify(
    bundle_file: Annotated[Path, typer.Argument(help="A bundle from `ceasefire export bundle`")],
    trust: Annotated[Path, typer.Option(help="The trusted keys, one vkey a line")],
) -> None:
    """Check a bundle offline against public keys; name every record that fails and why."""
    from ceasefire.ledger.bundle import read_trust, verify_bundle

    try:
        keys = read_trust(trust.read_text(encoding="utf-8"))
        bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    if not isinstance(bundle, dict):
        _fail("bundle: not a JSON object")
    verdict = verify_bundle(bundle, keys)
    for problem in verdict.problems:
        print(f"FAIL {problem}", file=sys.stderr)
    summary = _(
        "{verified} of {records} record versions verified against checkpoint {size}, "
        "cosigned by {witnesses}; {withheld} entries not disclosed to the exporter."
    ).format(
        verified=verdict.verified,
        records=verdict.records,
        size=verdict.size,
        witnesses=", ".join(verdict.cosigned_by) or "-",
        withheld=verdict.withheld,
    )
    print(summary)
    if not verdict.ok:
        raise typer.Exit(1)


@app.command()
def audit() -> None:
    """Recompute every leaf from the records and every checkpoint from the leaves."""
    dep = _deployment()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Auditing the log"), total=None)
        report = log.audit(
            dep, lambda done, total: progress.update(task, completed=done, total=total)
        )
    for problem in report.problems:
        print(f"FAIL {problem}", file=sys.stderr)
    out.print(
        _(
            "{records} records, {leaves} leaves, {checkpoints} checkpoints audited; "
            "{problems} problem(s)."
        ).format(
            records=report.records,
            leaves=report.leaves,
            checkpoints=report.checkpoints,
            problems=len(report.problems),
        )
    )
    if report.problems:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
