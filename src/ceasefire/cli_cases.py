"""`ceasefire case …`: the civilian desk from a terminal — take a request for a resident, see
the queue and a case, act on it (take, triage, update, merge, hand over, link), escalate what
is overdue, and read the dashboard. The same services and rights as the API and pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
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
    _settings,
    _viewer,
    out,
    say,
)
from ceasefire.domain.cases import CaseStatus, CaseUpdate, HandOver, Link, RequestDraft
from ceasefire.domain.desk import Priority
from ceasefire.services import cases

case_app = typer.Typer(no_args_is_help=True, help="The civilian desk: residents' requests.")
CaseId = Annotated[str, typer.Argument(help="The case's id")]


@case_app.command("take-request")
def take_request(
    as_user: AsUser,
    file: Annotated[Path, typer.Option(help="JSON file with the request ('-' for stdin)")],
) -> None:
    """Take a resident's request (the API's format); prints the reference and the secret to
    give the resident, then the case's id."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, RequestDraft)
    filed = _run(lambda: cases.file_request(dep, draft, viewer=viewer))
    say(_("Reference") + f": {filed.case.reference}")
    say(_("Secret") + f": {filed.secret}")
    print(filed.case.id)


@case_app.command("list")
def case_list(
    as_user: AsUser,
    post: Annotated[str | None, typer.Option(help="Only this post's cases")] = None,
    as_json: AsJson = False,
) -> None:
    """The open cases, most urgent first, then the soonest due."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    items = _run(lambda: cases.queue(dep, viewer, post))
    if as_json:
        print(json.dumps({"items": items}, ensure_ascii=False, indent=1))
        return
    table = Table()
    for column in (_("Reference"), _("Priority"), _("About"), _("Where"), _("Status"),
                   _("Answer by"), "id"):  # fmt: skip
        table.add_column(column)
    for c in items:
        due = c["first_response_due"][:16].replace("T", " ")
        coded = [_(c[key]) for key in ("priority", "status")]
        _add_row(table, c["reference"], coded[0], c["category_name"], c["place"] or "",
                 coded[1], due, c["id"])  # fmt: skip
    out.print(table)


@case_app.command("show")
def case_show(case_id: CaseId, as_user: AsUser, as_json: AsJson = False) -> None:
    """One case and its timeline (with who asks, for the desk)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    view = _run(lambda: cases.case_view(dep, viewer, case_id))
    if as_json:
        print(json.dumps(view, ensure_ascii=False, indent=1))
        return
    coded = [_(view[key]) for key in ("priority", "status")]
    say(f"{view['reference']} · {view['category_name']} · {coded[0]} · {coded[1]}")
    say(_("Where") + f": {view['place'] or '—'} · {view['zone_name'] or ''}")
    if "requester" in view:
        say(_("Who asks") + f": {view['requester']['name']} · {view['description']}")
    table = Table(title=_("Timeline"))
    for column in (_("When"), _("Who"), _("What"), _("Status")):
        table.add_column(column)
    for t in view["timeline"]:
        coded = [_(t[key]) for key in ("action", "status")]
        _add_row(table, t["at"][:16].replace("T", " "), t["actor"] or "", *coded)
    out.print(table)


@case_app.command("take")
def take(case_id: CaseId, as_user: AsUser) -> None:
    """Take the case on: you own it, it is in progress, the resident is told."""
    dep = _deployment()
    item = _run(lambda: cases.take(dep, _viewer(dep, as_user), case_id))
    say(_(item.status.value))


@case_app.command("triage")
def triage(
    case_id: CaseId,
    as_user: AsUser,
    priority: Annotated[Priority, typer.Option(help="urgent, high, normal or low")],
) -> None:
    """Set the case's priority; its response times follow."""
    dep = _deployment()
    item = _run(lambda: cases.triage(dep, _viewer(dep, as_user), case_id, priority))
    say(_("Answer by") + f": {item.first_response_due:%Y-%m-%d %H:%M} UTC")


@case_app.command("update")
def update(
    case_id: CaseId,
    as_user: AsUser,
    status: Annotated[CaseStatus | None, typer.Option(help="The new status")] = None,
    to_resident: Annotated[str, typer.Option(help="Words sent to the resident")] = "",
    note: Annotated[str, typer.Option(help="A note only the desk reads")] = "",
) -> None:
    """A new status, words to the resident (sent by their channel), a note for the desk."""
    dep = _deployment()
    change = _valid(lambda: CaseUpdate(status=status, to_resident=to_resident, internal_note=note))
    item = _run(lambda: cases.update(dep, _viewer(dep, as_user), case_id, change))
    say(_(item.status.value))


@case_app.command("merge")
def merge(
    case_id: CaseId,
    as_user: AsUser,
    into: Annotated[str, typer.Option(help="The reference of the case it duplicates")],
) -> None:
    """Merge a duplicate into the case it repeats."""
    dep = _deployment()
    item = _run(lambda: cases.merge(dep, _viewer(dep, as_user), case_id, into))
    say(_(item.status.value))


@case_app.command("hand-over")
def hand_over(
    case_id: CaseId,
    as_user: AsUser,
    party: Annotated[str, typer.Option(help="The party's organisation whose action is needed")],
    needs: Annotated[str, typer.Option(help="What is needed of it (no names)")],
    by: Annotated[str | None, typer.Option(help="Needed by (YYYY-MM-DD)")] = None,
) -> None:
    """Hand the case to the working group: the other side must act."""
    dep = _deployment()
    handover = _valid(lambda: HandOver(party=party, needs=needs,
                                       by=date.fromisoformat(by) if by else None))  # fmt: skip
    item = _run(lambda: cases.hand_over(dep, _viewer(dep, as_user), case_id, handover))
    say(_(item.status.value))


@case_app.command("link")
def link(
    case_id: CaseId,
    as_user: AsUser,
    incident: Annotated[str | None, typer.Option(help="An incident's id")] = None,
    notice: Annotated[str | None, typer.Option(help="An activity notice's id")] = None,
) -> None:
    """Link the case to an incident or an activity notice."""
    dep = _deployment()
    if (incident is None) == (notice is None):
        _fail("incident: give --incident or --notice, one of them")
    target = (
        Link(kind="incident", id=incident) if incident else Link(kind="notice", id=notice or "")
    )
    _run(lambda: cases.link(dep, _viewer(dep, as_user), case_id, target))
    say(_("linked"))


@case_app.command("escalate")
def escalate() -> None:
    """Escalate every case past its response time now (the dispatcher does it every round)."""
    dep = _deployment()
    print(cases.escalate_overdue(dep))


@case_app.command("dashboard")
def dashboard(as_user: AsUser, as_json: AsJson = False) -> None:
    """Open cases by category, post and age; response times; what is overdue."""
    dep = _deployment()
    board = _run(lambda: cases.dashboard(dep, _viewer(dep, as_user)))
    if as_json:
        print(json.dumps(board, ensure_ascii=False, indent=1))
        return
    say(f"{board['open']} {_('open')} · {len(board['overdue'])} {_('overdue')}")
    say(f"{_('hours to a first response (median)')}: {board['first_response_hours'] or '—'}")
    say(f"{_('hours to resolution (median)')}: {board['resolution_hours'] or '—'}")
    table = Table(title=_("Posts' workload"))
    for column in (_("Post"), _("open"), _("urgent"), _("overdue")):
        table.add_column(column)
    for post, load in sorted(board["posts"].items()):
        _add_row(table, post, str(load["open"]), str(load["urgent"]), str(load["overdue"]))
    out.print(table)


@case_app.command("rotate-key")
def rotate_key() -> None:
    """Add a new desk key: what is sealed from now on uses it, what was sealed still opens
    with the older ones (kept in the same file). Restart `serve` and workers to use it."""
    from ceasefire.store.sealing import SealingError, add_key

    path = _settings().resolved_desk_key_file
    try:
        key_id = add_key(path)
    except SealingError as exc:
        _fail(f"desk_key_file: {exc}")
    say(_("New desk key {key} added to {file}.").format(key=key_id, file=path))


def _valid(make: Any) -> Any:
    """A model built from options; a bad value fails naming the field, exit 2."""
    try:
        return make()
    except ValidationError as exc:
        first = exc.errors()[0]
        _fail(f"{'.'.join(str(p) for p in first['loc']) or 'options'}: {first['msg']}")
    except ValueError as exc:
        _fail(f"by: {exc}")
