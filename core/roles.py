"""Roles that follow their sources, both ways.

A person's role is the highest of what its sources give: the config (`desk.people`: requester, agent or
admin) and each chat account the platform's agents' group or role holds (agent). When a source takes its
part away, the role falls at once: the change is audited, the approvals still waiting for the person are
withdrawn, and the agents are told which of their tickets are still assigned to them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from core.cards import text_card
from core.context import Ctx
from core.lifecycle import OPEN_STATUSES
from core.people import RANK
from core.reports.rollup import forget as forget_stored_reports
from core.storage.models import AuditRow, CommentRow, IdentityRow, PersonAuditRow, PersonRow, TicketRow
from core.storage.writes import append

CONFIG_SOURCE = "config (desk.people)"


def platform_source(platform: str) -> str:
    return f"{platform} agents' group or role"


def role_from(*, config_role: str, platform_agent: bool) -> str:
    role = config_role or "requester"
    if platform_agent and RANK.get(role, 0) < RANK["agent"]:
        role = "agent"
    return role


def settle_role(ctx: Ctx, person: PersonRow, *, source: str) -> None:
    """Work the person's role out again from its sources, after `source` changed what it gives."""
    platform_agent = ctx.session.scalar(select(IdentityRow.id).where(
        IdentityRow.person_id == person.id, IdentityRow.agent.is_(True)).limit(1)) is not None
    new = role_from(config_role=person.config_role, platform_agent=platform_agent)
    old = person.role
    if new == old:
        return
    person.role = new
    remember(ctx, person, "role", old=old, new=new, source=source)
    if RANK.get(new, 0) < RANK.get(old, 0):
        _after_demotion(ctx, person, old=old, source=source)


def remember(ctx: Ctx, person: PersonRow, action: str, *, old: str = "", new: str = "", source: str = "",
             actor_id: int | None = None) -> None:
    if actor_id is None and ctx.actor is not None:
        actor_id = ctx.actor.id
    append(ctx.session, PersonAuditRow, person_id=person.id, at=ctx.now, actor_id=actor_id, action=action,
           old=old, new=new, source=source)


def _after_demotion(ctx: Ctx, person: PersonRow, *, old: str, source: str) -> None:
    from core.catalog.approvals import replace  # orders build on tickets, which build on people
    from core.itsm.approval import withdraw_approvals  # changes build on tickets, which build on people

    withdrawn = withdraw_approvals(ctx, person) + replace(ctx, person, why=f"no longer {old} ({source})")
    open_keys = [t.key for t in ctx.session.scalars(
        select(TicketRow).where(TicketRow.assignee_id == person.id,
                                TicketRow.status.in_([s.value for s in OPEN_STATUSES])).order_by(TicketRow.id))]
    lines = [f"{person.display_name} is no longer {'an' if old[0] in 'aeiou' else 'a'} {old} "
             f"(now {person.role}; source: {source})."]
    if withdrawn:
        lines.append(f"Their pending approvals were withdrawn: {', '.join(withdrawn)}.")
    if open_keys and person.role == "requester":
        lines.append(f"Still assigned to them: {', '.join(open_keys)}; `/desk assign KEY NAME` moves each one.")
    for route in ctx.deps.routes.triage:
        ctx.outbox.send(route, text_card(" ".join(lines), tone="warning"))


def follow_platform_agents(ctx: Ctx, *, platform: str, verdicts: Mapping[str, bool], workspace: str = "") -> int:
    """What a platform's agents' group or role says now about these accounts (user id -> holds it),
    applied to those the desk knows; accounts it does not know yet are taken when they first write.
    Returns how many roles changed."""
    if not verdicts:
        return 0
    changed = 0
    accounts = ctx.session.scalars(select(IdentityRow).where(
        IdentityRow.platform == platform, IdentityRow.workspace == workspace,
        IdentityRow.user_id.in_(list(verdicts)))).all()
    for account in accounts:
        holds = verdicts[account.user_id]
        if account.agent == holds:
            continue
        account.agent = holds
        ctx.session.flush()
        before = account.person.role
        settle_role(ctx, account.person, source=platform_source(platform))
        changed += account.person.role != before
    return changed


def platform_agent_accounts(ctx: Ctx, platform: str, workspace: str = "") -> list[str]:
    """The user ids on `platform` that its agents' group or role held when last asked."""
    return list(ctx.session.scalars(select(IdentityRow.user_id).where(
        IdentityRow.platform == platform, IdentityRow.workspace == workspace, IdentityRow.agent.is_(True))))


def join_people(ctx: Ctx, *, keep: PersonRow, absorb: PersonRow, source: str) -> None:
    """One human, two person rows (an account on each platform): `absorb`'s chat accounts, tickets,
    comments and audit entries become `keep`'s, and the role is worked out again from all their sources.
    `absorb` is left without accounts."""
    session = ctx.session
    session.execute(update(IdentityRow).where(IdentityRow.person_id == absorb.id).values(person_id=keep.id))
    # The version bump keeps optimistic locking honest for anyone holding one of these tickets.
    for column in (TicketRow.requester_id, TicketRow.assignee_id):
        session.execute(update(TicketRow).where(column == absorb.id)
                        .values({column: keep.id, TicketRow.version: TicketRow.version + 1}))
    session.execute(update(CommentRow).where(CommentRow.author_id == absorb.id).values(author_id=keep.id))
    session.execute(update(AuditRow).where(AuditRow.actor_id == absorb.id).values(actor_id=keep.id))
    forget_stored_reports(session)  # who resolved and who reported changed on days already added up
    session.execute(update(PersonAuditRow).where(PersonAuditRow.person_id == absorb.id).values(person_id=keep.id))
    session.execute(update(PersonAuditRow).where(PersonAuditRow.actor_id == absorb.id).values(actor_id=keep.id))
    if RANK.get(absorb.config_role, 0) > RANK.get(keep.config_role, 0):
        keep.config_role = absorb.config_role
    keep.config_name = keep.config_name or absorb.config_name
    keep.team = keep.team or absorb.team
    absorb.config_name, absorb.config_role, absorb.role = "", "", "requester"
    if not keep.email and absorb.email:
        email, absorb.email = absorb.email, None
        session.flush()  # the e-mail is unique: free it before it moves
        keep.email = email
    session.expire(keep, ["identities"])
    session.flush()
    remember(ctx, keep, "linked", old=absorb.display_name, new=keep.display_name, source=source,
             actor_id=keep.id if ctx.actor is absorb else None)
    settle_role(ctx, keep, source=source)
