"""Recurring incidents: when enough similar incidents arrive close together, agents get one "possible
problem" card with a button that opens the problem and links them all."""

from __future__ import annotations

from datetime import timedelta

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.cards import Button, Card
from core.context import Ctx
from core.lifecycle import Kind
from core.storage.itsm_models import OutageTicketRow, ProblemLinkRow, RecurringClusterRow, RecurringMemberRow
from core.storage.models import TicketRow

CANDIDATES = 100


def watch_for_recurrence(ctx: Ctx, ticket: TicketRow) -> RecurringClusterRow | None:
    """Put a new incident in the cluster of its similar recent incidents, making the cluster (and sending
    its card, once) when there are enough of them."""
    rules = ctx.settings.recurring_incidents
    if rules.count < 2 or ticket.kind != Kind.INCIDENT.value:
        return None
    similar = _similar_recent(ctx, ticket)
    if not similar:
        return None
    member = ctx.session.scalar(select(RecurringMemberRow).where(
        RecurringMemberRow.ticket_id.in_([t.id for t in similar])).limit(1))
    if member is not None:
        cluster = ctx.session.get(RecurringClusterRow, member.cluster_id)
        if cluster is None or cluster.problem_id is not None:
            return None
        ctx.session.add(RecurringMemberRow(ticket_id=ticket.id, cluster_id=cluster.id))
        ctx.session.flush()
        show_cluster(ctx, cluster)
        return cluster
    if len(similar) + 1 < rules.count:
        return None
    members = sorted([*similar, ticket], key=lambda t: t.id)
    cluster = RecurringClusterRow(anchor_ticket_id=members[0].id, created_at=ctx.now)
    try:
        # Two reports racing to complete one cluster: the unique anchor lets one of them make it.
        with ctx.session.begin_nested():
            ctx.session.add(cluster)
            ctx.session.flush()
            ctx.session.add_all(RecurringMemberRow(ticket_id=t.id, cluster_id=cluster.id) for t in members)
            ctx.session.flush()
    except IntegrityError:
        return None
    show_cluster(ctx, cluster)
    return cluster


def _similar_recent(ctx: Ctx, ticket: TicketRow) -> list[TicketRow]:
    rules = ctx.settings.recurring_incidents
    recent = ctx.session.scalars(
        select(TicketRow).where(
            TicketRow.kind == Kind.INCIDENT.value, TicketRow.category == ticket.category,
            TicketRow.id != ticket.id, TicketRow.created_at >= ctx.now - timedelta(hours=rules.window_hours),
        ).order_by(TicketRow.id.desc()).limit(CANDIDATES)
    ).all()
    explained = _explained(ctx, [t.id for t in recent])
    left = {t.id: t.title.lower() for t in recent if t.id not in explained}
    # Similar to the new one, or to one that is: a chain of alike reports is one kind of incident.
    found, reached = [ticket.title.lower()], set[int]()
    while found and left:
        words = found.pop()
        close = [i for i, title in left.items() if fuzz.token_set_ratio(words, title) >= rules.similarity]
        for ticket_id in close:
            found.append(left.pop(ticket_id))
        reached.update(close)
    return [t for t in recent if t.id in reached]


def _explained(ctx: Ctx, ids: list[int]) -> set[int]:
    """Incidents that already have a cause: linked to a problem or to an outage."""
    if not ids:
        return set()
    linked = set(ctx.session.scalars(select(ProblemLinkRow.incident_id)
                                     .where(ProblemLinkRow.incident_id.in_(ids))))
    return linked | set(ctx.session.scalars(select(OutageTicketRow.ticket_id)
                                            .where(OutageTicketRow.ticket_id.in_(ids))))


def members_of(ctx: Ctx, cluster: RecurringClusterRow) -> list[TicketRow]:
    ids = ctx.session.scalars(select(RecurringMemberRow.ticket_id)
                              .where(RecurringMemberRow.cluster_id == cluster.id)
                              .order_by(RecurringMemberRow.ticket_id)).all()
    return [t for t in (ctx.session.get(TicketRow, i) for i in ids) if t is not None]


def show_cluster(ctx: Ctx, cluster: RecurringClusterRow) -> None:
    """The cluster's card in each triage channel, edited in place as incidents join or a problem opens."""
    card = cluster_card(ctx, cluster)
    for route in ctx.deps.routes.triage:
        ctx.outbox.send(route, card, card_key=f"recurring:{cluster.id}:{route.platform}:{route.channel}")


def cluster_card(ctx: Ctx, cluster: RecurringClusterRow) -> Card:
    members = members_of(ctx, cluster)
    hours = ctx.settings.recurring_incidents.window_hours
    lines = [f"{t.key} · {t.title} ({t.requester.display_name})" for t in members]
    title = f"Possible problem: {len(members)} similar incidents within {hours:g} h"
    problem = ctx.session.get(TicketRow, cluster.problem_id) if cluster.problem_id else None
    if problem is not None:
        return Card(title=title, text="\n".join(lines), footer=f"{problem.key} is the problem behind them.",
                    tone="info")
    name = (members[0].title if members else "recurring incident").replace('"', "'")
    keys = " ".join(t.key for t in members)
    return Card(title=title, text="\n".join(lines), tone="warning",
                buttons=(Button("Create problem", f'problem new "{name}" {keys}', "primary"),),
                footer="Or link them to a problem that exists: `/desk problem link PRB-N INC-N`.")
