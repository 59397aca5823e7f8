"""Verbs of planned changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.cards import Card, Reply
from core.context import Ctx
from core.desk.grammar import Args
from core.desk.permissions import ANYONE, APPROVERS
from core.desk.registry import verb
from core.errors import UsageError
from core.itsm import approval, changes
from core.itsm.audience import find_service
from core.itsm.change_views import STATE_WORDS, change_card, desk_zone, window_text
from core.storage.itsm_models import ChangeRow
from core.storage.models import TicketRow
from core.tickets import get_ticket

OPTIONS = ("service", "start", "end", "risk", "plan", "rollback")
NEW_USAGE = ("change new --service S --start ISO --end ISO --risk low|medium|high --plan TEXT "
             "--rollback TEXT [--draft] TITLE")


def read_plan(ctx: Ctx, args: Args) -> tuple[dict[str, str], changes.Plan, bool]:
    """The `--name value` options (and `--draft`), then the title: what `change new` and `submit` take."""
    chosen: dict[str, str] = {}
    draft = False
    while (token := args.peek()) is not None and token.startswith("--"):
        args.word()
        name = token[2:].lower()
        if name == "draft":
            draft = True
        elif name in OPTIONS:
            chosen[name] = args.word(token)
        else:
            known = ", ".join("--" + o for o in OPTIONS)
            raise UsageError(f"Unknown option {token}: use {known} or --draft.")
    risk = chosen.get("risk", "").lower()
    if risk and risk not in changes.RISKS:
        raise UsageError(f"--risk is low, medium or high, not {risk!r}.")
    plan = changes.Plan(title=args.rest(), start_at=_instant(ctx, chosen, "start"),
                        end_at=_instant(ctx, chosen, "end"), risk=risk or None,  # type: ignore[arg-type]
                        plan=chosen.get("plan", ""), rollback=chosen.get("rollback", ""))
    return chosen, plan, draft


def _instant(ctx: Ctx, chosen: dict[str, str], name: str) -> datetime | None:
    """An ISO date and time; without an offset it is the desk's local time (its default calendar's zone)."""
    text = chosen.get(name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise UsageError(f"--{name} {text!r} is not a date and time: write it like 2026-03-07T22:00 "
                         "(the desk's time zone) or 2026-03-07T22:00+01:00.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(desk_zone(ctx)))
    return value.astimezone(UTC)


def _change(ctx: Ctx, args: Args) -> tuple[TicketRow, ChangeRow]:
    ticket = get_ticket(ctx.session, args.key(), for_update=True)
    return ticket, changes.get_change(ctx, ticket)


@verb("change new", usage=NEW_USAGE, examples=(
    'change new --service wifi --start 2026-03-07T22:00 --end 2026-03-07T23:00 --risk medium '
    '--plan "upgrade both controllers, one at a time" --rollback "reinstall 8.10 from the backup" '
    'Upgrade the Wi-Fi controllers',))
def change_new(ctx: Ctx, args: Args) -> Reply:
    """Request a planned change (CHG). It goes to the change approvers at once (with --draft it waits for
    `/desk change submit`); once approved, the service's subscribers are told ahead of the window, at its
    start and at its end."""
    chosen, plan, draft = read_plan(ctx, args)
    if "service" not in chosen:
        raise UsageError(f"A change needs --service (`/desk services` lists them): `/desk {NEW_USAGE}`")
    ticket, change = changes.create(ctx, find_service(ctx, chosen["service"]), plan)
    if draft:
        return Reply(f"{ticket.key} saved as a draft for {window_text(ctx, change)}. "
                     f"`/desk change submit {ticket.key}` asks for approval.")
    return Reply(approval.submit(ctx, ticket, change))


@verb("change submit",
      usage="change submit CHG-N [--start ISO] [--end ISO] [--risk R] [--plan T] [--rollback T]",
      examples=("change submit CHG-3", "change submit CHG-3 --start 2026-03-14T22:00 --end 2026-03-14T23:00"))
def change_submit(ctx: Ctx, args: Args) -> Reply:
    """Ask for approval of a draft (or rejected) change, changing any of its details given."""
    ticket, change = _change(ctx, args)
    chosen, plan, _draft = read_plan(ctx, args)
    if "service" in chosen:
        raise UsageError("A change keeps its service; cancel it and request a new one for another service.")
    changes.require_state(ticket, change, changes.DRAFT, verb="be submitted")
    changes.revise(ctx, ticket, change, plan)
    return Reply(approval.submit(ctx, ticket, change))


@verb("change approve", usage="change approve CHG-N", examples=("change approve CHG-3",), allow=APPROVERS)
def change_approve(ctx: Ctx, args: Args) -> Reply:
    """Approve a change (the twin of its "Approve" button)."""
    ticket, change = _change(ctx, args)
    args.done()
    return Reply(approval.approve(ctx, ticket, change))


@verb("change reject", usage="change reject CHG-N REASON",
      examples=("change reject CHG-3 clashes with payroll",), allow=APPROVERS)
def change_reject(ctx: Ctx, args: Args) -> Reply:
    """Reject a change with a reason; it goes back to its requester as a draft."""
    ticket, change = _change(ctx, args)
    return Reply(approval.reject(ctx, ticket, change, args.rest()))


@verb("change start", usage="change start CHG-N", examples=("change start CHG-3",))
def change_start(ctx: Ctx, args: Args) -> Reply:
    """Say an approved change's work has begun."""
    ticket, change = _change(ctx, args)
    return Reply(changes.start(ctx, ticket, change))


@verb("change complete", usage="change complete CHG-N [NOTE]",
      examples=("change complete CHG-3 all APs on 8.11",))
def change_complete(ctx: Ctx, args: Args) -> Reply:
    """Say a change is done as planned."""
    ticket, change = _change(ctx, args)
    return Reply(changes.complete(ctx, ticket, change, args.rest()))


@verb("change fail", usage="change fail CHG-N REASON",
      examples=("change fail CHG-3 controller 2 would not boot",))
def change_fail(ctx: Ctx, args: Args) -> Reply:
    """Say a change did not succeed (and was rolled back)."""
    ticket, change = _change(ctx, args)
    return Reply(changes.fail(ctx, ticket, change, args.rest()))


@verb("change cancel", usage="change cancel CHG-N [REASON]",
      examples=("change cancel CHG-3 vendor postponed",))
def change_cancel(ctx: Ctx, args: Args) -> Reply:
    """Call off a change that has not started; anyone already told it was coming is told it is not."""
    ticket, change = _change(ctx, args)
    return Reply(changes.cancel(ctx, ticket, change, args.rest()))


@verb("changes", usage="changes", examples=("changes",), allow=ANYONE)
def changes_(ctx: Ctx, args: Args) -> Reply:
    """Planned changes that are not finished, the soonest first."""
    unfinished = (changes.DRAFT, changes.AWAITING, changes.SCHEDULED, changes.IN_PROGRESS)
    rows = ctx.session.scalars(select(ChangeRow).where(ChangeRow.state.in_(unfinished))
                               .order_by(ChangeRow.start_at).limit(25)).all()
    if not rows:
        return Reply(card=Card(title="Planned changes", text="No change is planned."))
    lines = []
    for change in rows:
        ticket = ctx.session.get(TicketRow, change.ticket_id)
        if ticket is not None:
            lines.append(f"{ticket.key} {change.service}: {ticket.title}, {window_text(ctx, change)} "
                         f"({STATE_WORDS[change.state]})")
    return Reply(card=Card(title="Planned changes", text="\n".join(lines),
                           footer="`/desk change show CHG-N` shows one with its plan."))


@verb("change show", usage="change show CHG-N", examples=("change show CHG-3",), allow=ANYONE)
def change_show(ctx: Ctx, args: Args) -> Reply:
    """A change with its window, risk, plan, rollback and state."""
    ticket, change = _change(ctx, args)
    return Reply(card=change_card(ctx, ticket, change))
