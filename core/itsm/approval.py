"""Approving changes: the approvers the config names (`desk.change_approvers`; every admin when it names
none) each get Approve / Reject directly; `desk.change_approval` says whether any one or all must approve."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.cards import Button, Card, Field
from core.context import Ctx
from core.errors import DeskError
from core.itsm.change_views import change_fields, change_service, time_left, window_text
from core.itsm.changes import AWAITING, DRAFT, SCHEDULED, require_state, set_state
from core.notify import audit, tell_requester
from core.person_lookup import configured_person
from core.storage.itsm_models import ChangeApprovalRow, ChangeRow
from core.storage.models import OutboxRow, PersonRow, TicketRow
from core.team_reach import direct_to

APPROVE, REJECT = "approve", "reject"


def approvers(ctx: Ctx) -> list[PersonRow]:
    names = ctx.settings.change_approvers
    if names:
        found = [configured_person(ctx.session, name) for name in names]
        return [p for p in found if p is not None]
    admins = select(PersonRow).where(PersonRow.role == "admin").order_by(PersonRow.id)
    return list(ctx.session.scalars(admins))


def submit(ctx: Ctx, ticket: TicketRow, change: ChangeRow) -> str:
    """Ask for approval (a new round); with nobody to ask, the change is scheduled at once."""
    require_state(ticket, change, DRAFT, verb="be submitted")
    change.round += 1
    set_state(ctx, ticket, change, AWAITING)
    asked = approvers(ctx)
    if not asked:
        _schedule(ctx, ticket, change, why="no approvers are configured")
        return f"{ticket.key} is scheduled (no approvers are configured)."
    unreachable = [p.display_name for p in asked if not _ask(ctx, ticket, change, p)]
    rule = "any one of" if ctx.settings.change_approval == "any" else "all of"
    names = ", ".join(p.display_name for p in asked)
    tell_requester(ctx, ticket, f"{ticket.key} awaits approval by {rule} {names}.")
    late = ""
    if unreachable:
        late = (f" Could not reach {', '.join(unreachable)} directly; they can "
                f"`/desk change approve {ticket.key}`.")
    return f"{ticket.key} submitted for approval by {rule} {names}.{late}"


def approve(ctx: Ctx, ticket: TicketRow, change: ChangeRow) -> str:
    me = _approver(ctx, ticket, change)
    _decide(ctx, ticket, change, me, APPROVE, "")
    everyone = approvers(ctx)
    if ctx.settings.change_approval == "any":
        _schedule(ctx, ticket, change, why=f"approved by {me.display_name}")
        return f"You approved {ticket.key}; it is scheduled for {window_text(ctx, change)}."
    approved = _decided(ctx, change, APPROVE)
    waiting = [p.display_name for p in everyone if p.id not in approved]
    if waiting:
        _show_cards(ctx, ticket, change)
        return f"You approved {ticket.key}; still waiting for {', '.join(waiting)}."
    _schedule(ctx, ticket, change, why="approved by " + ", ".join(p.display_name for p in everyone))
    return f"You approved {ticket.key}; everyone has, so it is scheduled for {window_text(ctx, change)}."


def reject(ctx: Ctx, ticket: TicketRow, change: ChangeRow, reason: str) -> str:
    if not reason.strip():
        raise DeskError(f"Say why, so the requester can fix it: `/desk change reject {ticket.key} REASON`.")
    me = _approver(ctx, ticket, change)
    _decide(ctx, ticket, change, me, REJECT, reason.strip())
    set_state(ctx, ticket, change, DRAFT)
    tell_requester(ctx, ticket, f"{ticket.key} was rejected by {me.display_name}: {reason.strip()}. "
                                f"`/desk change submit {ticket.key}` (with any of --start, --end, --risk, "
                                "--plan, --rollback to change them) asks again.")
    _show_cards(ctx, ticket, change, outcome=f"Rejected by {me.display_name}: {reason.strip()}")
    return f"You rejected {ticket.key}; the requester is told why."


def withdraw_approvals(ctx: Ctx, person: PersonRow) -> list[str]:
    """`person` is no longer a change approver (their role fell): the approval cards still waiting for them
    lose their buttons, and a change that waited on them alone among everyone's approvals is scheduled.
    Returns the keys of the changes concerned."""
    withdrawn: list[str] = []
    for ticket, change in ctx.session.execute(
            select(TicketRow, ChangeRow).join(ChangeRow, ChangeRow.ticket_id == TicketRow.id)
            .where(ChangeRow.state == AWAITING).order_by(TicketRow.id)).all():
        everyone = approvers(ctx)
        decided = _decided(ctx, change, APPROVE) | _decided(ctx, change, REJECT)
        if person.id in {p.id for p in everyone} or person.id in decided or not _was_asked(ctx, change, person):
            continue
        _ask(ctx, ticket, change, person, outcome=f"Withdrawn: {person.display_name} is no longer a change approver.")
        audit(ctx, ticket, "approver_removed", field="approval", old=person.display_name)
        withdrawn.append(ticket.key)
        approved = _decided(ctx, change, APPROVE)
        if ctx.settings.change_approval == "all" and everyone and all(p.id in approved for p in everyone):
            _schedule(ctx, ticket, change, why="approved by " + ", ".join(p.display_name for p in everyone))
    return withdrawn


def _was_asked(ctx: Ctx, change: ChangeRow, person: PersonRow) -> bool:
    prefix = f"change:{change.ticket_id}:approval:{change.round}:{person.id}:"
    return ctx.session.scalar(select(OutboxRow.id).where(OutboxRow.card_key.startswith(prefix, autoescape=True))
                              .limit(1)) is not None


def _approver(ctx: Ctx, ticket: TicketRow, change: ChangeRow) -> PersonRow:
    """The person deciding (the desk lets only the approvers decide), once the change awaits a decision."""
    require_state(ticket, change, AWAITING, verb="be approved or rejected")
    return ctx.person()


def _decide(
    ctx: Ctx, ticket: TicketRow, change: ChangeRow, me: PersonRow, decision: str, reason: str,
) -> None:
    earlier = ctx.session.scalar(select(ChangeApprovalRow).where(
        ChangeApprovalRow.ticket_id == ticket.id, ChangeApprovalRow.round == change.round,
        ChangeApprovalRow.person_id == me.id))
    if earlier is not None:
        raise DeskError(f"You already {earlier.decision}d {ticket.key}.")
    ctx.session.add(ChangeApprovalRow(ticket_id=ticket.id, round=change.round, person_id=me.id,
                                      decision=decision, reason=reason, at=ctx.now))
    ctx.session.flush()
    audit(ctx, ticket, decision, field="approval", new=reason or me.display_name)


def _decided(ctx: Ctx, change: ChangeRow, decision: str) -> set[int]:
    return set(ctx.session.scalars(select(ChangeApprovalRow.person_id).where(
        ChangeApprovalRow.ticket_id == change.ticket_id, ChangeApprovalRow.round == change.round,
        ChangeApprovalRow.decision == decision)))


def _schedule(ctx: Ctx, ticket: TicketRow, change: ChangeRow, *, why: str) -> None:
    set_state(ctx, ticket, change, SCHEDULED)
    service = change_service(ctx, change)
    left = change.start_at - ctx.now
    ahead = [hours for hours in ctx.settings.change_notice_hours if timedelta(hours=hours) < left]
    notices = ([] if len(ahead) == len(ctx.settings.change_notice_hours) or left <= timedelta(0)
               else [f"now ({time_left(left)} ahead)"]) + [f"{hours:g} h before" for hours in ahead]
    before = f"{', '.join(notices)}, " if notices else ""
    tell_requester(ctx, ticket, f"{ticket.key} is scheduled for {window_text(ctx, change)} ({why}). "
                                f"{service.title} subscribers will be told {before}at the start and at the end.")
    _show_cards(ctx, ticket, change, outcome=f"Scheduled ({why}).")


def _ask(ctx: Ctx, ticket: TicketRow, change: ChangeRow, person: PersonRow, *, outcome: str = "") -> bool:
    """The approver's card, directly (where the change was requested, if they are there): posted the first
    time, edited in place after."""
    place = direct_to(ctx, person.id, prefer=ticket.origin_platform)
    if place is None:
        return False
    card_key = f"change:{change.ticket_id}:approval:{change.round}:{person.id}:{place.platform}"
    ctx.outbox.send(place, approval_card(ctx, ticket, change, person, outcome=outcome), ticket_id=ticket.id,
                    ticket_key=ticket.key, card_key=card_key)
    return True


def _show_cards(ctx: Ctx, ticket: TicketRow, change: ChangeRow, *, outcome: str = "") -> None:
    """Each approver's card of this round shows where the approval stands (without buttons once decided)."""
    for person in approvers(ctx):
        _ask(ctx, ticket, change, person, outcome=outcome)


def approval_card(
    ctx: Ctx, ticket: TicketRow, change: ChangeRow, person: PersonRow, *, outcome: str = "",
) -> Card:
    decisions = ctx.session.execute(
        select(PersonRow.display_name, ChangeApprovalRow.decision).join(
            PersonRow, PersonRow.id == ChangeApprovalRow.person_id).where(
            ChangeApprovalRow.ticket_id == ticket.id, ChangeApprovalRow.round == change.round)
        .order_by(ChangeApprovalRow.id)).all()
    fields = change_fields(ctx, ticket, change)
    if decisions:
        fields += (Field("Decisions", ", ".join(f"{name}: {decision}d" for name, decision in decisions)),)
    mine = person.id in _decided(ctx, change, APPROVE) | _decided(ctx, change, REJECT)
    buttons = () if outcome or mine or change.state != AWAITING else (
        Button("Approve", f"change approve {ticket.key}", "primary"),
        Button("Reject", f"change reject {ticket.key}", "danger", prompt="Why reject it?"),
    )
    rule = "any one approver" if ctx.settings.change_approval == "any" else "every approver"
    return Card(title=f"Approve {ticket.key}? {ticket.title}", fields=fields, buttons=buttons,
                footer=outcome or f"Needs {rule}.", tone="warning", more_command=f"/desk show {ticket.key}")

