"""`ceasefire households|programmes|housing|activities`: the humanitarian registry, the
programmes' monthly entitlements (with a progress bar), handovers and their reconciliation,
housing moves and who does what where — the same services and rights as the API."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError
from rich.progress import Progress
from rich.table import Table

from ceasefire.cli_support import (
    AsJson,
    AsUser,
    _,
    _add_row,
    _deployment,
    _fail,
    _print_errors,
    _read_json,
    _run,
    _viewer,
    err,
    out,
    say,
)
from ceasefire.domain.assistance import (
    Assessment,
    ClaimDraft,
    Decision,
    Delivery,
    NeedsAssessmentDraft,
    Stage,
    StageMove,
)
from ceasefire.domain.households import HouseholdDraft, Member
from ceasefire.services import (
    activities,
    aid_figures,
    duplicates,
    households,
    housing,
    programmes,
)

households_app = typer.Typer(no_args_is_help=True, help="The registry of displaced households.")
programmes_app = typer.Typer(no_args_is_help=True, help="Assistance programmes: run, hand over.")
housing_app = typer.Typer(no_args_is_help=True, help="Housing programmes' pipelines.")
activities_app = typer.Typer(no_args_is_help=True, help="Who does what where (3W), as HXL.")
MaybeAs = Annotated[str | None, typer.Option("--as", help="Act as this user (their rights)")]


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1, default=str))


# --- households ---------------------------------------------------------------------------


@households_app.command("register")
def register(file: Path, as_user: AsUser) -> None:
    """Register one household from a JSON file ('-': standard input)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    draft = _read_json(file, HouseholdDraft)
    done = _run(lambda: households.register_household(dep, draft, viewer=viewer))
    say(
        _("Registered household {reference} ({id}).").format(
            reference=done.household.reference, id=done.household.id
        )
    )
    if done.proposals:
        say(_("{n} possible duplicates to review.").format(n=done.proposals))


@households_app.command("import")
def import_(file: Path, as_user: MaybeAs = None) -> None:
    """Register every household of a JSON list (a registry kept elsewhere until now), all or
    none, with progress; without --as, for the registry keeper."""
    dep = _deployment()
    viewer = _viewer(dep, as_user) if as_user else None
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        drafts = TypeAdapter(list[HouseholdDraft]).validate_json(text)
    except OSError as exc:
        _fail(f"file: {exc.strerror}")
    except ValidationError as exc:
        _print_errors(exc)
        raise typer.Exit(2) from None
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Registering households"), total=len(drafts))
        ids = _run(
            lambda: households.import_households(
                dep, viewer, drafts, progress=lambda n, total: progress.update(task, completed=n)
            )
        )
    say(_("Registered {n} households.").format(n=len(ids)))


@households_app.command("list")
def list_(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="Only households in this status")] = None,
    place: Annotated[str | None, typer.Option(help="Only those living in this place")] = None,
    as_json: AsJson = False,
) -> None:
    """The households your organisation serves, newest first."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    found = _run(lambda: households.households(dep, viewer, status=status, place_id=place))
    if as_json:
        return _print(found)
    table = Table(_("Reference"), _("Head"), _("Size"), _("Status"), _("Lives in"), _("Shelter"))
    for item in found:
        _add_row(
            table,
            item["reference"],
            item["head"],
            str(item["size"]),
            item["status"],
            item["current_place_id"],
            item["shelter"],
        )
    out.print(table)


@households_app.command("show")
def show(household_id: str, as_user: AsUser) -> None:
    """A household as its caseworkers see it (JSON)."""
    dep = _deployment()
    _print(_run(lambda: households.household_view(dep, _viewer(dep, as_user), household_id)))


@households_app.command("verify")
def verify(household_id: str, as_user: AsUser) -> None:
    """Confirm a self-registered household, so that programmes count it."""
    dep = _deployment()
    item = _run(lambda: households.verify_household(dep, _viewer(dep, as_user), household_id))
    say(_("Household {reference} is verified.").format(reference=item.reference))


@households_app.command("add-member")
def add_member(household_id: str, file: Path, as_user: AsUser) -> None:
    """A new member of a household, from a JSON file (given_name, family_name, born, sex…)."""
    dep = _deployment()
    member = _read_json(file, Member)
    done = _run(lambda: households.add_member(dep, _viewer(dep, as_user), household_id, member))
    say(_("The household now has {n} members.").format(n=done.household.size))
    if done.proposals:
        say(_("{n} possible duplicates to review.").format(n=done.proposals))


@households_app.command("member-left")
def member_left(
    household_id: str,
    person_id: str,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why (sealed)")],
) -> None:
    """A member left the household (what was still owed to them is cancelled)."""
    dep = _deployment()
    item = _run(
        lambda: households.member_left(dep, _viewer(dep, as_user), household_id, person_id, reason)
    )
    say(_("The household now has {n} members.").format(n=item.size))


@households_app.command("duplicates")
def find(as_user: MaybeAs = None, as_json: AsJson = False) -> None:
    """Look over the whole registry for people registered twice (without --as), or list the
    proposals you may review (--as)."""
    dep = _deployment()
    if as_user is None:
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(_("Comparing people born the same day"), total=None)
            found = _run(
                lambda: duplicates.find_duplicates(
                    dep, progress=lambda n, total: progress.update(task, completed=n, total=total)
                )
            )
        say(_("{n} new possible duplicates proposed.").format(n=found))
        return
    shown = _run(lambda: duplicates.proposals(dep, _viewer(dep, as_user)))
    if as_json:
        return _print(shown)
    table = Table(_("Proposal"), _("Score"), _("First"), _("Second"), _("Why"))
    for p in shown:
        names = [
            f"{s.get('given_name', '?')} {s.get('family_name', '')} ({s['reference']})"
            for s in (p["a"], p["b"])
        ]
        _add_row(table, p["id"], f"{p['score']:.2f}", *names, ", ".join(p["reasons"]))
    out.print(table)


@households_app.command("merge")
def merge(proposal_id: str, as_user: AsUser) -> None:
    """The two are one person: merge the later record into the earlier."""
    dep = _deployment()
    done = _run(lambda: duplicates.merge_duplicate(dep, _viewer(dep, as_user), proposal_id))
    say(
        _("Merged; {n} entitlements still owed to the duplicate cancelled.").format(
            n=done["cancelled"]
        )
    )


@households_app.command("dismiss")
def dismiss(proposal_id: str, as_user: AsUser) -> None:
    """The two are different people: the pair is not proposed again."""
    dep = _deployment()
    _run(lambda: duplicates.dismiss_duplicate(dep, _viewer(dep, as_user), proposal_id))
    say(_("Dismissed."))


# --- programmes ---------------------------------------------------------------------------


@programmes_app.command("list")
def programmes_list() -> None:
    """The pack's programmes: who runs them, for whom, what, how often."""
    dep = _deployment()
    table = Table(
        _("Programme"), _("Run by"), _("Per"), _("Benefit"), _("How often"), _("Eligible if")
    )
    for p in dep.scenario.aid.programmes:
        benefit = (
            f"{p.money.amount} {p.money.currency}"
            if p.money
            else f"{p.items.quantity} × {p.items.item}"
            if p.items
            else ""
        )
        often = p.frequency.value + (f" ×{p.times}" if p.times > 1 else "")
        _add_row(
            table,
            p.id,
            p.organisation,
            p.per.value,
            benefit,
            often,
            "; ".join(c.describe() for c in p.eligible),
        )
    out.print(table)


@programmes_app.command("run")
def run(
    period: Annotated[str, typer.Option(help="The month to compute, YYYY-MM")],
    as_user: MaybeAs = None,
    programme: Annotated[list[str] | None, typer.Option(help="Only these programmes")] = None,
    as_json: AsJson = False,
) -> None:
    """Compute and record a month's entitlements, with progress; running it again owes nothing
    twice. Without --as: every programme."""
    dep = _deployment()
    viewer = _viewer(dep, as_user) if as_user else None
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(_("Computing entitlements"), total=None)
        summary = _run(
            lambda: programmes.run_programmes(
                dep,
                period,
                viewer=viewer,
                programme_ids=programme,
                progress=lambda n, total: progress.update(task, completed=n, total=total),
            )
        )
    if as_json:
        return _print(summary.__dict__ | {"programmes": [t.__dict__ for t in summary.programmes]})
    table = Table(
        _("Programme"),
        _("Eligible"),
        _("New"),
        _("Owed before"),
        _("Unfunded"),
        _("Amount"),
        _("Items"),
        title=_("{period}: {n} households").format(period=period, n=summary.households),
    )
    for t in summary.programmes:
        _add_row(
            table,
            t.programme_id,
            str(t.eligible),
            str(t.new),
            str(t.already),
            str(t.unfunded),
            f"{t.amount_minor / 100:,.2f}",
            str(t.quantity),
        )
    out.print(table)
    say(f"sha256 {summary.sha256}")


@programmes_app.command("reconcile")
def reconcile(as_user: AsUser, as_json: AsJson = False) -> None:
    """Entitled against delivered, by programme and month."""
    dep = _deployment()
    lines = _run(lambda: programmes.reconciliation(dep, _viewer(dep, as_user)))
    if as_json:
        return _print(lines)
    table = Table(
        _("Programme"),
        _("Month"),
        _("Entitled"),
        _("Delivered"),
        _("Still owed"),
        _("Entitled amount"),
        _("Delivered amount"),
        _("Paid twice"),
    )
    for x in lines:
        _add_row(
            table,
            x["programme_id"],
            x["period"],
            *(_count(x[f"{which}_count"]) for which in ("entitled", "delivered", "owed")),
            _sum(x, "entitled"),
            _sum(x, "delivered"),
            _count(x["paid_twice_count"]),
        )
    out.print(table)


def _count(count: int | None) -> str:
    return "<" if count is None else f"{count:,}"


def _sum(line: dict[str, Any], which: str) -> str:
    """An amount with its currency, or a number of items ("<" where suppressed)."""
    if line["suppressed"]:
        return "<"
    if line["item"]:
        return f"{line[f'{which}_quantity']:,} × {line['item']}"
    return f"{line[f'{which}_amount']:,.2f} {line['currency']}"


@programmes_app.command("owed")
def owed(
    programme_id: str,
    period: Annotated[str, typer.Option(help="YYYY-MM")],
    as_user: AsUser,
) -> None:
    """What a programme still owes for a month (JSON), to hand over."""
    dep = _deployment()
    _print(_run(lambda: programmes.owed(dep, _viewer(dep, as_user), programme_id, period)))


@programmes_app.command("deliver")
def deliver(file: Path, as_user: AsUser) -> None:
    """Record a handover from a JSON file: {"entitlements": [...], "place_id", "on",
    "reference"}."""
    dep = _deployment()
    delivery = _read_json(file, Delivery)
    done = _run(lambda: programmes.record_delivery(dep, _viewer(dep, as_user), delivery))
    say(_("{n} handovers recorded.").format(n=done["delivered"]))


# --- housing and 3W -----------------------------------------------------------------------


@housing_app.command("move")
def move(
    programme_id: str,
    household_id: str,
    stage: Stage,
    as_user: AsUser,
    note: Annotated[str, typer.Option(help="Why (sealed)")] = "",
) -> None:
    """Enter a household in a housing programme, or move it one stage."""
    dep = _deployment()
    _run(
        lambda: housing.move_stage(
            dep,
            _viewer(dep, as_user),
            programme_id,
            household_id,
            StageMove(stage=stage, note=note),
        )
    )
    say(_("The household is now {stage}.").format(stage=stage.value))


@housing_app.command("candidates")
def housing_candidates(programme_id: str, as_user: AsUser) -> None:
    """Households that meet a housing programme's conditions and are not in it yet."""
    dep = _deployment()
    found = _run(lambda: housing.candidates(dep, _viewer(dep, as_user), programme_id))
    table = Table(_("Household"), _("From"), _("Lives in"), _("Shelter"), _("Size"))
    for c in found:
        _add_row(
            table,
            c["reference"],
            c["origin_place_id"] or "",
            c["current_place_id"],
            c["shelter"],
            str(c["size"]),
        )
    out.print(table)


@housing_app.command("progress")
def progress_(as_user: AsUser, as_json: AsJson = False) -> None:
    """Each housing programme's households by stage against its target."""
    dep = _deployment()
    found = _run(lambda: housing.housing_progress(dep, _viewer(dep, as_user)))
    if as_json:
        return _print(found)
    for p in found:
        say(
            f"{p['programme_id']}: {_('housed')} {p['housed'] if p['housed'] is not None else '<'}"
            f" / {p['target']} ({_('expected by now')}: {p['expected_by_now']})"
        )


@housing_app.command("claim")
def claim(file: Path, as_user: AsUser) -> None:
    """File a household's claim for lost property from a JSON file (household_id, property,
    claimed, currency, evidence: SHA-256s of files uploaded before)."""
    dep = _deployment()
    draft = _read_json(file, ClaimDraft)
    done = _run(lambda: housing.file_claim(dep, _viewer(dep, as_user), draft))
    say(_("Claim {id} filed.").format(id=done["id"]))


@housing_app.command("claims")
def claims(as_user: AsUser, as_json: AsJson = False) -> None:
    """The claims waiting for the compensation office: to assess, to decide."""
    dep = _deployment()
    found = _run(lambda: housing.claims_queue(dep, _viewer(dep, as_user)))
    if as_json:
        return _print(found)
    table = Table(_("Claim"), _("Household"), _("Status"), _("Claimed"), _("Assessed"))
    for c in found:
        assessed = "" if c["assessed"] is None else f"{c['assessed']:,.2f} {c['currency']}"
        _add_row(
            table,
            c["id"],
            c["reference"],
            c["status"],
            f"{c['claimed']:,.2f} {c['currency']}",
            assessed,
        )
    out.print(table)


@housing_app.command("assess")
def assess_claim(
    claim_id: str,
    as_user: AsUser,
    amount: Annotated[Decimal, typer.Option(help="The property's assessed worth")],
    note: Annotated[str, typer.Option(help="The assessor's note (sealed)")] = "",
) -> None:
    """Assess a filed claim."""
    dep = _deployment()
    _run(
        lambda: housing.assess_claim(
            dep, _viewer(dep, as_user), claim_id, Assessment(assessed=amount, note=note)
        )
    )
    say(_("Assessed."))


@housing_app.command("decide")
def decide_claim(
    claim_id: str,
    as_user: AsUser,
    reason: Annotated[str, typer.Option(help="Why (sealed)")],
    approve: Annotated[bool, typer.Option("--approve/--reject")] = True,
    amount: Annotated[Decimal | None, typer.Option(help="What an approved claim pays")] = None,
) -> None:
    """Approve (with an amount) or reject an assessed claim."""
    dep = _deployment()
    try:
        decision = Decision(approve=approve, amount=amount, reason=reason)
    except ValidationError as exc:
        _print_errors(exc)
        raise typer.Exit(2) from None
    done = _run(lambda: housing.decide_claim(dep, _viewer(dep, as_user), claim_id, decision))
    say(_("The claim is {status}.").format(status=done["status"]))


@activities_app.command("export")
def export_3w(
    as_user: AsUser, out_file: Annotated[Path, typer.Option("--out", help="Where to write")]
) -> None:
    """The 3W table as HXL-tagged CSV."""
    dep = _deployment()
    text = _run(lambda: activities.export_activities(dep, _viewer(dep, as_user)))
    out_file.write_text(text, encoding="utf-8")
    say(_("Written to {file}.").format(file=out_file))


@activities_app.command("import")
def import_3w(file: Path, as_user: AsUser) -> None:
    """Record the activities of an HXL 3W table (all or none)."""
    dep = _deployment()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"file: {exc.strerror}")
    ids = _run(lambda: activities.import_activities(dep, _viewer(dep, as_user), text))
    say(_("{n} activities recorded.").format(n=len(ids)))


@activities_app.command("assess")
def assess(file: Path, as_user: AsUser) -> None:
    """Record a remote needs assessment from a JSON file (files named by their SHA-256)."""
    dep = _deployment()
    draft = _read_json(file, NeedsAssessmentDraft)
    done = _run(lambda: activities.record_assessment(dep, _viewer(dep, as_user), draft))
    say(_("Assessment {id} recorded.").format(id=done["id"]))


@activities_app.command("assessments")
def list_assessments(as_user: AsUser) -> None:
    """Remote needs assessments, newest first (JSON)."""
    dep = _deployment()
    _print(_run(lambda: activities.assessments(dep, _viewer(dep, as_user))))


@activities_app.command("figures")
def figures(
    as_user: AsUser,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write HXL CSV here")] = None,
) -> None:
    """The displaced by origin and current place, small cells suppressed (JSON, or HXL CSV)."""
    dep = _deployment()
    viewer = _viewer(dep, as_user)
    if out_file is None:
        return _print(_run(lambda: aid_figures.dashboard(dep, viewer)))
    out_file.write_text(_run(lambda: aid_figures.export_displaced(dep, viewer)), encoding="utf-8")
    say(_("Written to {file}.").format(file=out_file))
