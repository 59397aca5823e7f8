"""Problems: the cause behind recurring incidents (PRB tickets), the incidents they explain, and a workaround
told to everyone affected."""

from __future__ import annotations

from sqlalchemy import select

from core.cards import Card
from core.context import Ctx
from core.due import update_due_dates
from core.errors import DeskError
from core.itsm.recurring import show_cluster
from core.lifecycle import Kind, Status
from core.notify import audit, refresh_cards, tell_agents, tell_requester
from core.priority import priority_for
from core.storage.itsm_models import ProblemLinkRow, RecurringClusterRow, RecurringMemberRow
from core.storage.models import AuditRow, CommentRow, TicketRow


def new_problem(ctx: Ctx, *, title: str, incidents: list[TicketRow]) -> TicketRow:
    """A PRB ticket (same number sequence as every ticket) with `incidents` linked to it."""
    if not title.strip():
        raise DeskError('Name the problem, e.g. `/desk problem new "VPN drops every hour" INC-4 INC-5`.')
    for incident in incidents:
        _check_linkable(ctx, incident, problem=None)
    impact = min((i.impact for i in incidents), default=2)
    urgency = min((i.urgency for i in incidents), default=2)
    first = incidents[0] if incidents else None
    problem = TicketRow(
        kind=Kind.PROBLEM.value, status=Status.NEW.value, title=title.strip()[:300],
        description=title.strip(),
        category=first.category if first else ctx.settings.classification.default_category,
        service=first.service if first else "", impact=impact, urgency=urgency,
        priority=priority_for(impact=impact, urgency=urgency, matrix=ctx.settings.priority_matrix),
        requester_id=ctx.person().id, origin_platform=ctx.platform, origin_channel=ctx.channel,
        origin_message="", created_at=ctx.now, updated_at=ctx.now,
    )
    ctx.session.add(problem)
    ctx.session.flush()
    audit(ctx, problem, "opened", field="status", new=Status.NEW.value)
    update_due_dates(ctx, problem)  # gives it the first line's team; problems run no SLA clocks
    for incident in incidents:
        link(ctx, problem, incident, refresh=False)
    refresh_cards(ctx, problem)
    return problem


def link(ctx: Ctx, problem: TicketRow, incident: TicketRow, *, refresh: bool = True) -> bool:
    """Link `incident` to `problem`; False when it already was. A known workaround reaches its requester."""
    if problem.kind != Kind.PROBLEM.value:
        raise DeskError(f"{problem.key} is not a problem; `/desk problem new TITLE {problem.key}` makes one.")
    if _check_linkable(ctx, incident, problem=problem):
        return False
    ctx.session.add(ProblemLinkRow(incident_id=incident.id, problem_id=problem.id, at=ctx.now))
    ctx.session.flush()
    audit(ctx, incident, "linked_problem", field="problem", new=problem.key)
    audit(ctx, problem, "linked_incident", field="incident", new=incident.key)
    tell_agents(ctx, incident, f"{incident.key} is linked to {problem.key}: {problem.title}")
    _mark_cluster(ctx, incident, problem)
    found = workaround_of(ctx, problem)
    if found and incident.state.is_open:
        _tell_workaround(ctx, problem, incident, found)
    refresh_cards(ctx, incident)
    if refresh:
        refresh_cards(ctx, problem)
    return True


def set_workaround(ctx: Ctx, problem: TicketRow, text: str) -> int:
    """Record a known error's workaround and send it to the requesters of the open linked incidents, each
    in their own thread; returns how many were told."""
    if problem.kind != Kind.PROBLEM.value:
        raise DeskError(f"{problem.key} is not a problem; workarounds belong to PRB tickets.")
    if not text.strip():
        raise DeskError(f"Say what to do meanwhile: `/desk problem workaround {problem.key} use webmail`.")
    audit(ctx, problem, "workaround", field="workaround", old=workaround_of(ctx, problem), new=text.strip())
    ctx.session.add(CommentRow(ticket_id=problem.id, author_id=ctx.person().id,
                               body=f"Workaround: {text.strip()}", platform=ctx.platform, created_at=ctx.now))
    problem.updated_at = ctx.now
    told = 0
    for incident in linked_incidents(ctx, problem):
        if incident.state.is_open:
            _tell_workaround(ctx, problem, incident, text.strip())
            told += 1
    refresh_cards(ctx, problem)
    return told


def linked_incidents(ctx: Ctx, problem: TicketRow) -> list[TicketRow]:
    ids = ctx.session.scalars(select(ProblemLinkRow.incident_id)
                              .where(ProblemLinkRow.problem_id == problem.id)
                              .order_by(ProblemLinkRow.incident_id)).all()
    return [t for t in (ctx.session.get(TicketRow, i) for i in ids) if t is not None]


def workaround_of(ctx: Ctx, problem: TicketRow) -> str:
    return ctx.session.scalar(select(AuditRow.new).where(AuditRow.ticket_id == problem.id,
                                                         AuditRow.action == "workaround")
                              .order_by(AuditRow.id.desc()).limit(1)) or ""


def _check_linkable(ctx: Ctx, incident: TicketRow, *, problem: TicketRow | None) -> bool:
    """Refuse what cannot be linked; True when it is linked to `problem` already."""
    if incident.kind != Kind.INCIDENT.value:
        raise DeskError(f"{incident.key} is a {incident.kind}; only incidents are linked to problems.")
    current = ctx.session.get(ProblemLinkRow, incident.id)
    if current is None:
        return False
    if problem is not None and current.problem_id == problem.id:
        return True
    other = ctx.session.get(TicketRow, current.problem_id)
    raise DeskError(f"{incident.key} is already linked to {other.key if other else 'another problem'}.")


def _tell_workaround(ctx: Ctx, problem: TicketRow, incident: TicketRow, text: str) -> None:
    ctx.session.add(CommentRow(ticket_id=incident.id, author_id=ctx.actor.id if ctx.actor else None,
                               body=f"Workaround ({problem.key}): {text}", platform=ctx.platform,
                               created_at=ctx.now))
    tell_requester(ctx, incident, Card(
        title=f"A workaround for {incident.key}",
        text=f"IT knows the cause ({problem.key}: {problem.title}). Until it is fixed: {text}",
    ))


def _mark_cluster(ctx: Ctx, incident: TicketRow, problem: TicketRow) -> None:
    """A "possible problem" card whose incidents now have a problem says so, without its button."""
    member = ctx.session.get(RecurringMemberRow, incident.id)
    if member is None:
        return
    cluster = ctx.session.get(RecurringClusterRow, member.cluster_id)
    if cluster is not None and cluster.problem_id is None:
        cluster.problem_id = problem.id
        ctx.session.flush()
        show_cluster(ctx, cluster.id, problem_id=problem.id)
