"""`ceasefire intake …`: field intake from a terminal — the forms a user may fill in (and
their XForms), sending an instance file pulled off a phone, writing as a resident would by
SMS, and, for the duty officers, the submissions, their answers, and the record made from a
quarantined one."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Annotated

import typer
from pydantic import RootModel
from rich.table import Table

from ceasefire.cli_support import (
    AsJson,
    AsUser,
    _,
    _add_row,
    _deployment,
    _fail,
    _read_json,
    _run,
    _viewer,
    out,
    say,
)
from ceasefire.services import intake, messaging

intake_app = typer.Typer(no_args_is_help=True, help="Field intake: forms and submissions.")


@intake_app.command("forms")
def forms(as_user: AsUser) -> None:
    """The forms this user may fill in, with their versions, hashes and languages."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    table = Table()
    for column in ("id", _("Creates"), _("Version"), "md5", _("Languages")):
        table.add_column(column)
    for f in intake.forms_for(dep, viewer):
        _add_row(table, f.id, f.creates, f.version, f.md5, ", ".join(f.languages))
    out.print(table)


@intake_app.command("xform")
def xform(form_id: str, as_user: AsUser) -> None:
    """Print a form's XForm, as field apps download it."""
    dep = _deployment()
    print(_run(lambda: intake.form_for(dep, _viewer(dep, as_user), form_id)).xform)


@intake_app.command("submit")
def submit(
    instance: Annotated[Path, typer.Argument(help="An instance XML, as a field app saved it")],
    as_user: AsUser,
    attach: Annotated[list[Path] | None, typer.Option(help="A file the answers name")] = None,
) -> None:
    """Send an instance pulled off a phone (with the files it names), as the phone would."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    try:
        xml = instance.read_bytes()
        files = [
            (p.name, p.read_bytes(), mimetypes.guess_type(p.name)[0] or "application/octet-stream")
            for p in attach or []
        ]
    except OSError as exc:
        _fail(f"file: {exc.strerror}: {exc.filename}")
    received = _run(lambda: intake.receive(dep, viewer, xml, files))
    kept = received.submission
    if received.again:
        say(_("Already received: {id}").format(id=kept.id))
    elif kept.status == "quarantined":
        say(_("Kept in quarantine: {reason}").format(reason=kept.reason))
    else:
        say(f"{kept.record_kind} {kept.record_id}")


@intake_app.command("list")
def submissions(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="received, created or quarantined")] = None,
    as_json: AsJson = False,
) -> None:
    """The latest submissions, what each became, or why it is quarantined."""
    dep = _deployment()
    found = _run(lambda: intake.submissions(dep, _viewer(dep, as_user), status))
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "form": s.form_id,
                        "status": s.status,
                        "record": s.record_id,
                        "reason": s.reason,
                    }
                    for s in found
                ]
            )
        )
        return
    table = Table()
    for column in (
        _("Received"),
        "id",
        _("Form"),
        _("Sent by"),
        _("Status"),
        _("Record or reason"),
    ):
        table.add_column(column)
    for s in found:
        _add_row(
            table,
            f"{s.received_at:%Y-%m-%d %H:%M}",
            s.id,
            s.form_id or "—",
            s.username,
            s.status,
            s.record_id or s.reason or "",
        )
    out.print(table)


@intake_app.command("show")
def show(submission_id: str, as_user: AsUser) -> None:
    """A submission's answers (to correct) and its XML as it came."""
    dep = _deployment()
    found = _run(lambda: intake.submission(dep, _viewer(dep, as_user), submission_id))
    say(f"{found.status}: {found.reason or found.record_id or ''}")
    say(json.dumps(intake.answers(dep, found), ensure_ascii=False, indent=1))
    say(intake.raw(dep, found))


class Answers(RootModel[dict[str, str]]):
    pass


@intake_app.command("record")
def record(
    submission_id: str,
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="The answers as corrected (JSON object); - for stdin")],
) -> None:
    """Create a quarantined submission's record from its answers as corrected."""
    dep = _deployment()
    answers = _read_json(file, Answers).root
    done = _run(lambda: intake.resolve(dep, _viewer(dep, as_user), submission_id, answers))
    say(f"{done.record_kind} {done.record_id}")


@intake_app.command("text")
def text(
    message: Annotated[str, typer.Argument(help="What the resident writes")],
    sender: Annotated[str, typer.Option("--from", help="The resident's number (or chat id)")],
    channel: Annotated[str, typer.Option(help="sms or telegram")] = "sms",
) -> None:
    """Write to the desk as a resident would by SMS or messaging (to try the dialogue): prints
    the desk's answer, which also goes out on the resident's channel."""
    dep = _deployment()
    answered = _run(lambda: messaging.converse(dep, channel, sender, message))
    if answered.reply is None:
        say(_("Filed: the confirmation with the reference goes out on the resident's channel."))
        return
    say(answered.reply)
    error = messaging.send_reply(dep, channel, sender, answered.reply)
    if error:
        say(error)
