"""`ceasefire group …`: working groups from a terminal — the groups, scheduling a meeting
(its agenda proposed), a meeting's agenda and minutes, commitments (record, list, mark) and
their reminders, documents (issue, a copy). The same services and rights as the API and
pages."""

from __future__ import annotations

import json
from datetime import datetime
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
from ceasefire.domain.documents import DocumentDraft
from ceasefire.domain.groups import (
    AgendaItem,
    CommitmentChange,
    CommitmentDraft,
    CommitmentStatus,
    MeetingDraft,
    Minutes,
)
from ceasefire.printing import copy_pdf
from ceasefire.services import documents, groups
from ceasefire.services.deployment import utcnow

group_app = typer.Typer(no_args_is_help=True, help="Working groups, meetings, commitments.")
GroupId = Annotated[str, typer.Argument(help="The group's id")]
Number = Annotated[int, typer.Argument(help="The meeting's number")]


@group_app.command("list")
def group_list(as_user: AsUser, as_json: AsJson = False) -> None:
    """The groups you see (a confidential one only if your organisation is a member)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    shown = [groups.present_group(dep, viewer, g) for g in groups.visible_groups(dep, viewer)]
    if as_json:
        print(json.dumps({"items": shown}, ensure_ascii=False, indent=1))
        return
    table = Table()
    for column in ("id", _("Group"), _("Meetings"), _("Open commitments"), _("overdue")):
        table.add_column(column)
    for g in shown:
        _add_row(table, g["id"], g["name"], str(len(g["meetings"])), str(g["open_commitments"]),
                 str(g["overdue_commitments"]))  # fmt: skip
    out.print(table)


@group_app.command("schedule")
def schedule(
    group_id: GroupId,
    as_user: AsUser,
    at: Annotated[str, typer.Option(help="When, with its offset (2021-04-20T10:00+04:00)")],
    place: Annotated[str | None, typer.Option(help="A place id")] = None,
) -> None:
    """Schedule the group's next meeting; prints its number and proposed agenda."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    try:
        draft = MeetingDraft(scheduled_at=datetime.fromisoformat(at), place_id=place)
    except ValueError as exc:
        _fail(f"at: {exc}")
    meeting = _run(lambda: groups.schedule_meeting(dep, viewer, group_id, draft))
    say(_("Meeting") + f" {meeting.number}")
    for n, item in enumerate(meeting.agenda, start=1):
        say(f"{n}. [{_(item['kind'])}] {item['title']}")


@group_app.command("meeting")
def meeting(group_id: GroupId, number: Number, as_user: AsUser, as_json: AsJson = True) -> None:
    """A meeting, as JSON: when, where, the agenda, who came, the minutes."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    group = _run(lambda: groups.get_group(dep, viewer, group_id))
    found = _run(lambda: groups.get_meeting(dep, viewer, group_id, number))
    print(json.dumps(groups.present_meeting(dep, viewer, group, found), ensure_ascii=False,
                     indent=1))  # fmt: skip


@group_app.command("agenda")
def agenda(
    group_id: GroupId,
    number: Number,
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON list of agenda items ('-' for stdin)")],
) -> None:
    """Replace a planned meeting's agenda (the items to keep, in order, and new ones)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    items = _read_json(file, RootModel[list[AgendaItem]]).root
    _run(lambda: groups.set_agenda(dep, viewer, group_id, number, items))
    say(_("Saved."))


@group_app.command("minutes")
def minutes(
    group_id: GroupId,
    number: Number,
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON minutes: attendance, items ('-' for stdin)")],
) -> None:
    """Record who came and each item's positions and decision: the meeting has met."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    recorded = _read_json(file, Minutes)
    _run(lambda: groups.record_minutes(dep, viewer, group_id, number, recorded))
    say(_("met"))


@group_app.command("commit")
def commit(
    group_id: GroupId,
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON commitment ('-' for stdin)")],
) -> None:
    """Record what a member organisation promised the group; prints its id."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, CommitmentDraft)
    print(_run(lambda: groups.add_commitment(dep, viewer, group_id, draft)).id)


@group_app.command("commitments")
def commitments(
    as_user: AsUser,
    group: Annotated[str | None, typer.Option(help="Only this group's")] = None,
    organisation: Annotated[str | None, typer.Option(help="Only this organisation's")] = None,
    status: Annotated[str | None, typer.Option(help="open, done, disputed or overdue")] = None,
    as_json: AsJson = False,
) -> None:
    """The commitments of the groups you see, soonest due first."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    found = _run(lambda: groups.list_commitments(dep, viewer, group, organisation, status))
    if as_json:
        print(json.dumps({"items": found}, ensure_ascii=False, indent=1))
        return
    table = Table()
    for column in (_("Group"), _("Who committed"), _("To what"), _("By when"), _("Status"), "id"):
        table.add_column(column)
    for c in found:
        state = _(c["status"]) + (" · " + _("overdue") if c["overdue"] else "")
        _add_row(table, c["group_id"], c["organisation"], c["text"], c["due"], state, c["id"])
    out.print(table)


@group_app.command("mark")
def mark(
    commitment_id: Annotated[str, typer.Argument(help="The commitment's id")],
    as_user: AsUser,
    status: Annotated[CommitmentStatus, typer.Option(help="done, disputed or open")],
    evidence: Annotated[str, typer.Option(help="What shows it, or why")],
) -> None:
    """Mark a commitment done (with what shows it), disputed (with why), or open again."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    if not evidence.strip():
        _fail("evidence: say what shows it, or why")
    change = CommitmentChange(status=status, evidence=evidence)
    done = _run(lambda: groups.change_commitment(dep, viewer, commitment_id, change))
    say(_(done.status.value))


@group_app.command("issue")
def issue(
    group_id: GroupId,
    as_user: AsUser,
    file: Annotated[
        Path,
        typer.Option(
            help="JSON document: title, text, language, signatories, copies ('-' for stdin)"
        ),
    ],
) -> None:
    """Issue a decision or agreement as mirrored copies; prints its id, then the SHA-256 of
    its substance (the log records it: `export bundle`, then `verify`, prove it)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, DocumentDraft)
    issued = _run(lambda: documents.issue_document(dep, viewer, group_id, draft))
    print(issued.id)
    print(issued.substance_sha256)


@group_app.command("copy")
def copy(
    document_id: Annotated[str, typer.Argument(help="The document's id")],
    as_user: AsUser,
    audience: Annotated[str, typer.Option("--for", help="The audience whose copy")],
    pdf: Annotated[Path | None, typer.Option(help="Write the copy as PDF to this file")] = None,
    as_json: AsJson = False,
) -> None:
    """One audience's copy: its names, its signatory blocks, the shared hash."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    found = _run(lambda: documents.get_document(dep, viewer, document_id))
    shown = _run(lambda: documents.mirrored_copy(dep, found, audience))
    if pdf is not None:
        pdf.write_bytes(copy_pdf(shown))
        say(str(pdf))
        return
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    say(shown["title"])
    say("")
    say(shown["text"])
    say("")
    for block in shown["signatory_blocks"]:
        signed = ", ".join(s["signed_by"] for s in block["signatures"]) or "____________"
        say(f"{block['name']}: {signed}")
    say(f"SHA-256: {shown['substance_sha256']}")


@group_app.command("remind")
def remind() -> None:
    """Remind commitments coming due and escalate the overdue now (the dispatcher does it
    every round); prints how many of each."""
    dep = _deployment()
    reminded, escalated = groups.remind_commitments(dep, utcnow())
    print(reminded, escalated)
