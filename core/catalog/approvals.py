"""Approving orders, step by step: the requester's manager (from the people directory), named people, or
any or all of a group. Each approver gets a card directly with the answers and Approve / Reject. Nobody
approves their own order; an approver who is away is stood in for by their delegate; an approver who has
left (or is no longer an agent) is replaced by the fallback. With nobody left to ask, the item's fallback,
then `desk.catalog.fallback_approvers`, then the desk's admins, then its agents are asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.actions import move
from core.cards import Button, Card, Field
from core.catalog import directory, fulfilment
from core.catalog.views import answer_fields
from core.config.catalog import ApprovalStep, CatalogItem
from core.context import Ctx
from core.errors import DeskError
from core.lifecycle import Status
from core.notify import audit, refresh_cards, tell_agents, tell_requester
from core.people import RANK
from core.person_lookup import configured_person
from core.storage.catalog_models import OrderApprovalRow, OrderRow
from core.storage.models import AuditRow, PersonRow, TicketRow
from core.team_reach import direct_to

AWAITING, REJECTED, EXPIRED = "awaiting_approval", "rejected", "expired"
WAITING, APPROVE, REJECT, WITHDRAWN, NOT_NEEDED = "", "approve", "reject", "withdrawn", "not_needed"
ANY_STEP = ApprovalStep(approver="people", people=("-",), rule="any")


@dataclass(frozen=True)
class Asked:
    person: PersonRow
    standing_in_for: PersonRow | None = None

    @property
    def shown(self) -> str:
        name = self.person.display_name
        return f"{name} (for {self.standing_in_for.display_name})" if self.standing_in_for else name


def item_of(ctx: Ctx, order: OrderRow) -> CatalogItem | None:
    return ctx.settings.catalog.item(order.item)


def step_of(ctx: Ctx, order: OrderRow) -> ApprovalStep:
    item = item_of(ctx, order)
    return item.approval[order.step] if item and order.step < len(item.approval) else ANY_STEP


def begin(ctx: Ctx, ticket: TicketRow, order: OrderRow, item: CatalogItem) -> str:
    """Start the chain at its first step; an item without approval goes straight to fulfilment."""
    if not item.approval:
        return _approved(ctx, ticket, order, why="no approval needed")
    return ask_step(ctx, ticket, order, item)


def ask_step(ctx: Ctx, ticket: TicketRow, order: OrderRow, item: CatalogItem) -> str:
    step = item.approval[order.step]
    asked, why = approvers_for(ctx, ticket, item, step, skip=set())
    if not asked:
        if not _told_nobody(ctx, ticket):
            tell_agents(ctx, ticket, f"Nobody can approve {ticket.key} ({step.shown}): name approvers in "
                                     "desk.catalog.fallback_approvers.")
            audit(ctx, ticket, "no_approver", field="approval", new=step.shown)
        return "Nobody can approve it yet; IT has been told."
    for who in asked:
        _ask(ctx, ticket, order, who)
    names = ", ".join(a.shown for a in asked)
    rule = "any one of" if len(asked) > 1 and step.rule == "any" else "all of" if len(asked) > 1 else ""
    counted = f" (step {order.step + 1} of {len(item.approval)})" if len(item.approval) > 1 else ""
    text = f"{ticket.key} awaits approval by {rule} {names}{counted}".replace("  ", " ") + (f": {why}." if why else ".")
    if ticket.state is not Status.ON_HOLD:
        move(ctx, ticket, Status.ON_HOLD)
    ticket.hold_reason = f"awaiting approval by {names}"
    tell_requester(ctx, ticket, text)
    refresh_cards(ctx, ticket)
    return text


def approvers_for(ctx: Ctx, ticket: TicketRow, item: CatalogItem | None, step: ApprovalStep, *,
                  skip: set[int]) -> tuple[list[Asked], str]:
    """Whom a step asks (never the requester, nor anyone in `skip`), each or their delegate, and why the
    fallback is asked when it is."""
    requester = ctx.session.get_one(PersonRow, ticket.requester_id)
    named: list[PersonRow] = []
    why = ""
    if step.approver == "manager":
        manager = directory.manager_of(ctx, requester)
        named = [manager] if manager else []
        why = "" if manager else "you have no manager in the people directory, so the fallback approves"
    elif step.approver == "people":
        named = [p for p in (configured_person(ctx.session, n) for n in step.people) if p is not None]
    else:
        members = ctx.settings.catalog.groups.get(step.group, ())
        named = [p for p in (configured_person(ctx.session, n) for n in members) if p is not None]
    usable = _usable(ctx, named, requester=requester, skip=skip)
    if not usable:
        usable = _fallback(ctx, item, requester=requester, skip=skip)
        if named and not why:
            why = "the approvers named cannot approve it, so the fallback does"
    return [_delegated(ctx, p, requester=requester) for p in usable], why


def _usable(ctx: Ctx, people: list[PersonRow], *, requester: PersonRow, skip: set[int]) -> list[PersonRow]:
    unique = {p.id: p for p in people}.values()
    return [p for p in unique if p.id != requester.id and p.id not in skip and directory.is_active(ctx, p)]


def _fallback(ctx: Ctx, item: CatalogItem | None, *, requester: PersonRow, skip: set[int]) -> list[PersonRow]:
    names = ((item.fallback,) if item and item.fallback else ()) + ctx.settings.catalog.fallback_approvers
    for group in ([configured_person(ctx.session, n) for n in names], _with_role(ctx, "admin"),
                  _with_role(ctx, "agent")):
        usable = _usable(ctx, [p for p in group if p is not None], requester=requester, skip=skip)
        if usable:
            return usable
    return []


def _with_role(ctx: Ctx, role: str) -> list[PersonRow]:
    roles = [name for name, rank in RANK.items() if rank >= RANK[role]]
    return list(ctx.session.scalars(select(PersonRow).where(PersonRow.role.in_(roles)).order_by(PersonRow.id)))


def _delegated(ctx: Ctx, person: PersonRow, *, requester: PersonRow) -> Asked:
    delegate = directory.stand_in(ctx, person)
    if delegate is not None and delegate.id != requester.id and directory.is_active(ctx, delegate):
        return Asked(delegate, standing_in_for=person)
    return Asked(person)


def _ask(ctx: Ctx, ticket: TicketRow, order: OrderRow, who: Asked) -> None:
    row = ctx.session.scalar(select(OrderApprovalRow).where(
        OrderApprovalRow.ticket_id == ticket.id, OrderApprovalRow.step == order.step,
        OrderApprovalRow.person_id == who.person.id))
    if row is None:
        row = OrderApprovalRow(ticket_id=ticket.id, step=order.step, person_id=who.person.id,
                               for_id=who.standing_in_for.id if who.standing_in_for else None, decision=WAITING,
                               reason="", asked_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
    audit(ctx, ticket, "approval_asked", field="approval", new=f"step {order.step + 1}: {who.shown}")
    show_card(ctx, ticket, order, row)


def waiting_rows(ctx: Ctx, ticket_id: int, step: int) -> list[OrderApprovalRow]:
    return list(ctx.session.scalars(select(OrderApprovalRow).where(
        OrderApprovalRow.ticket_id == ticket_id, OrderApprovalRow.step == step,
        OrderApprovalRow.decision == WAITING).order_by(OrderApprovalRow.id)))


def is_waiting_on(ctx: Ctx, ticket: TicketRow, person: PersonRow) -> bool:
    """Whether the order is waiting for this person's decision now (who may approve or reject it)."""
    order = ctx.session.get(OrderRow, ticket.id)
    return order is not None and order.state == AWAITING and any(
        row.person_id == person.id for row in waiting_rows(ctx, ticket.id, order.step))


def waiting_names(ctx: Ctx, ticket: TicketRow) -> str:
    order = ctx.session.get(OrderRow, ticket.id)
    if order is None or order.state != AWAITING:
        return ""
    return ", ".join(ctx.session.get_one(PersonRow, r.person_id).display_name
                     for r in waiting_rows(ctx, ticket.id, order.step))


def approve(ctx: Ctx, ticket: TicketRow, order: OrderRow) -> str:
    row = _my_row(ctx, ticket, order)
    _decide(ctx, ticket, order, row, APPROVE, "")
    step = step_of(ctx, order)
    waiting = waiting_rows(ctx, ticket.id, order.step)
    if step.rule == "all" and waiting:
        names = ", ".join(ctx.session.get_one(PersonRow, r.person_id).display_name for r in waiting)
        tell_requester(ctx, ticket, f"{ctx.person().display_name} approved {ticket.key}; still waiting for {names}.")
        return f"You approved {ticket.key}; still waiting for {names}."
    _close_step(ctx, ticket, order)
    item = item_of(ctx, order)
    if item is not None and order.step + 1 < len(item.approval):
        order.step += 1
        tell_requester(ctx, ticket, f"{ctx.person().display_name} approved {ticket.key}.")
        ask_step(ctx, ticket, order, item)
        return f"You approved {ticket.key}; it goes on to the next approval."
    _approved(ctx, ticket, order, why=f"approved by {ctx.person().display_name}")
    return f"You approved {ticket.key}."


def reject(ctx: Ctx, ticket: TicketRow, order: OrderRow, reason: str) -> str:
    if not reason.strip():
        raise DeskError(f"Say why, so the requester knows: `/desk order reject {ticket.key} REASON`.")
    row = _my_row(ctx, ticket, order)
    _decide(ctx, ticket, order, row, REJECT, reason.strip())
    _close_step(ctx, ticket, order)
    order.state, order.decided_at = REJECTED, ctx.now
    _end(ctx, ticket, f"Rejected by {ctx.person().display_name}: {reason.strip()}")
    tell_requester(ctx, ticket, f"{ticket.key} was rejected by {ctx.person().display_name}: {reason.strip()}")
    return f"You rejected {ticket.key}; the requester is told why."


def expire(ctx: Ctx, ticket: TicketRow, order: OrderRow) -> None:
    """Nobody decided in time: the order ends, and everyone still asked sees it on their card."""
    for row in waiting_rows(ctx, ticket.id, order.step):
        row.decision, row.decided_at = EXPIRED, ctx.now
        show_card(ctx, ticket, order, row)
    audit(ctx, ticket, "approval_expired", field="approval", new=f"step {order.step + 1}")
    order.state, order.decided_at = EXPIRED, ctx.now
    hours = ctx.settings.catalog.expire_after_hours
    _end(ctx, ticket, f"Expired: no decision within {hours:g} hours")
    tell_requester(ctx, ticket, f"{ticket.key} expired: nobody decided within {hours:g} hours. "
                                f"`/desk order {order.item}` orders it again.")


def replace(ctx: Ctx, person: PersonRow, *, why: str) -> list[str]:
    """`person` can no longer approve (they left, or are no longer an agent): each decision still waiting for
    them is withdrawn and the step's fallback asked instead. Returns the keys of the orders concerned."""
    keys: list[str] = []
    rows = ctx.session.scalars(select(OrderApprovalRow).where(
        OrderApprovalRow.person_id == person.id, OrderApprovalRow.decision == WAITING)
        .order_by(OrderApprovalRow.id)).all()
    for row in rows:
        order = ctx.session.get(OrderRow, row.ticket_id, with_for_update=True)
        ticket = ctx.session.get(TicketRow, row.ticket_id)
        if order is None or ticket is None or order.state != AWAITING or order.step != row.step:
            continue
        row.decision, row.decided_at, row.reason = WITHDRAWN, ctx.now, why
        show_card(ctx, ticket, order, row)
        audit(ctx, ticket, "approver_replaced", field="approval", old=person.display_name, new=why)
        asked_before = set(ctx.session.scalars(select(OrderApprovalRow.person_id).where(
            OrderApprovalRow.ticket_id == ticket.id, OrderApprovalRow.step == order.step)))
        others = waiting_rows(ctx, ticket.id, order.step)
        if not others:
            replacements = _fallback(ctx, item_of(ctx, order), requester=ctx.session.get_one(
                PersonRow, ticket.requester_id), skip=asked_before)
            for replacement in replacements:
                _ask(ctx, ticket, order, _delegated(ctx, replacement, requester=ctx.session.get_one(
                    PersonRow, ticket.requester_id)))
            names = ", ".join(p.display_name for p in replacements) or "nobody yet (IT has been told)"
            if not replacements:
                tell_agents(ctx, ticket, f"Nobody is left to approve {ticket.key}.")
            tell_requester(ctx, ticket, f"{person.display_name} can no longer approve {ticket.key} ({why}); "
                                        f"now asked: {names}.")
        keys.append(ticket.key)
    return keys


def _my_row(ctx: Ctx, ticket: TicketRow, order: OrderRow) -> OrderApprovalRow:
    if order.state != AWAITING:
        raise DeskError(f"{ticket.key} is {order.state.replace('_', ' ')}; there is nothing to approve.")
    me = ctx.person()
    row = next((r for r in waiting_rows(ctx, ticket.id, order.step) if r.person_id == me.id), None)
    if row is None:  # the desk lets only the people asked decide; this is a decision already taken
        raise DeskError(f"{ticket.key} is not waiting for your decision.")
    return row


def _decide(ctx: Ctx, ticket: TicketRow, order: OrderRow, row: OrderApprovalRow, decision: str, reason: str
            ) -> None:
    if row.person_id == ticket.requester_id:
        raise DeskError("Nobody approves their own request.")
    row.decision, row.reason, row.decided_at = decision, reason, ctx.now
    me = ctx.person().display_name
    stand_in = ""
    if row.for_id:
        stand_in = f" for {ctx.session.get_one(PersonRow, row.for_id).display_name}"
    audit(ctx, ticket, decision, field="approval", new=f"step {order.step + 1}: {me}{stand_in}"
          + (f": {reason}" if reason else ""))
    show_card(ctx, ticket, order, row)


def _close_step(ctx: Ctx, ticket: TicketRow, order: OrderRow) -> None:
    """A decided step: the others asked in it are not needed any more (their cards say so)."""
    for other in waiting_rows(ctx, ticket.id, order.step):
        other.decision, other.decided_at = NOT_NEEDED, ctx.now
        show_card(ctx, ticket, order, other)


def _approved(ctx: Ctx, ticket: TicketRow, order: OrderRow, *, why: str) -> str:
    order.approved_at = order.decided_at = ctx.now
    audit(ctx, ticket, "approved", field="approval", new=why)
    if ticket.state is Status.ON_HOLD:
        move(ctx, ticket, Status.IN_PROGRESS)
    if ticket.first_response_at is None:
        ticket.first_response_at = ctx.now
    return fulfilment.start(ctx, ticket, order, why=why)


def _end(ctx: Ctx, ticket: TicketRow, resolution: str) -> None:
    ticket.resolution = resolution
    if ticket.state.is_open:
        move(ctx, ticket, Status.CANCELLED)
    refresh_cards(ctx, ticket)


def show_card(ctx: Ctx, ticket: TicketRow, order: OrderRow, row: OrderApprovalRow) -> None:
    """The approver's card, directly (where the order was placed, if they are there): posted the first time,
    edited in place after."""
    place = direct_to(ctx, row.person_id, prefer=ticket.origin_platform)
    if place is None:
        return
    ctx.outbox.send(place, approval_card(ctx, ticket, order, row), ticket_id=ticket.id, ticket_key=ticket.key,
                    card_key=f"order:{ticket.id}:approval:{row.step}:{row.person_id}:{place.platform}")


def remind(ctx: Ctx, ticket: TicketRow, order: OrderRow, row: OrderApprovalRow) -> None:
    row.reminded_at = ctx.now
    audit(ctx, ticket, "approval_reminder", field="approval",
          new=ctx.session.get_one(PersonRow, row.person_id).display_name)
    place = direct_to(ctx, row.person_id, prefer=ticket.origin_platform)
    if place is not None:
        ctx.outbox.send(place, Card(title="", tone="warning", text=(
            f"Reminder: {ticket.key} ({order.item_name}) waits for your approval. `/desk order approve "
            f"{ticket.key}` or `/desk order reject {ticket.key} REASON`.")), ticket_id=ticket.id, ticket_key=ticket.key)


def approval_card(ctx: Ctx, ticket: TicketRow, order: OrderRow, row: OrderApprovalRow) -> Card:
    requester = ctx.session.get_one(PersonRow, ticket.requester_id)
    fields = (Field("Requested by", requester.display_name), *answer_fields(item_of(ctx, order), order.answers))
    if row.for_id:
        fields += (Field("On behalf of", ctx.session.get_one(PersonRow, row.for_id).display_name),)
    decided = decisions(ctx, ticket)
    if decided:
        fields += (Field("Decisions", "; ".join(decided)),)
    open_ = row.decision == WAITING and order.state == AWAITING
    buttons = (Button("Approve", f"order approve {ticket.key}", "primary"),
               Button("Reject", f"order reject {ticket.key}", "danger", prompt="Why reject it?")) if open_ else ()
    footer = {APPROVE: "You approved it.", REJECT: f"You rejected it: {row.reason}",
              WITHDRAWN: f"Withdrawn: {row.reason}", NOT_NEEDED: "Decided by another approver; nothing to do.",
              EXPIRED: "Expired: nobody decided in time."}.get(
        row.decision, f"Step {row.step + 1}: {step_of(ctx, order).shown}.")
    return Card(title=f"Approve {ticket.key}? {order.item_name}", fields=fields, buttons=buttons, footer=footer,
                tone="warning" if open_ else "info", more_command=f"/desk order show {ticket.key}")


def decisions(ctx: Ctx, ticket: TicketRow) -> list[str]:
    rows = ctx.session.execute(select(PersonRow.display_name, OrderApprovalRow.decision, OrderApprovalRow.step)
                               .join(PersonRow, PersonRow.id == OrderApprovalRow.person_id)
                               .where(OrderApprovalRow.ticket_id == ticket.id,
                                      OrderApprovalRow.decision.in_((APPROVE, REJECT)))
                               .order_by(OrderApprovalRow.id)).all()
    return [f"{name}: {decision}d (step {step + 1})" for name, decision, step in rows]



def set_away(ctx: Ctx, *, until: datetime | None, delegate: PersonRow | None) -> str:
    """The person acting is away until `until` (None: back); their delegate decides meanwhile, also on the
    orders already waiting for them."""
    me = ctx.person()
    if until is None:
        directory.set_away(ctx, me, until=None, delegate=None)
        return "Welcome back: orders are sent to you again."
    if delegate is None:
        raise DeskError("Name who approves for you meanwhile: `/desk away until 2026-12-24 --delegate @lee`.")
    if delegate.id == me.id:
        raise DeskError("Your delegate is someone else: name a colleague with --delegate.")
    directory.set_away(ctx, me, until=until, delegate=delegate)
    handed = []
    for row in ctx.session.scalars(select(OrderApprovalRow).where(
            OrderApprovalRow.person_id == me.id, OrderApprovalRow.decision == WAITING)).all():
        order = ctx.session.get(OrderRow, row.ticket_id, with_for_update=True)
        ticket = ctx.session.get(TicketRow, row.ticket_id)
        if order is None or ticket is None or order.state != AWAITING or row.step != order.step \
                or delegate.id == ticket.requester_id:
            continue
        _ask(ctx, ticket, order, Asked(delegate, standing_in_for=me))
        handed.append(ticket.key)
    also = f" They are asked now about {', '.join(handed)}." if handed else ""
    return f"Away until {until.isoformat(timespec='minutes')}: {delegate.display_name} approves orders for you.{also}"


def withdraw_all(ctx: Ctx, ticket: TicketRow, order: OrderRow, *, why: str) -> None:
    for row in waiting_rows(ctx, ticket.id, order.step):
        row.decision, row.decided_at, row.reason = WITHDRAWN, ctx.now, why
        show_card(ctx, ticket, order, row)


def _told_nobody(ctx: Ctx, ticket: TicketRow) -> bool:
    return ctx.session.scalar(select(AuditRow.id).where(AuditRow.ticket_id == ticket.id,
                                                        AuditRow.action == "no_approver").limit(1)) is not None
