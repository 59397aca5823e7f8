"""What the REST API returns, read in one reading transaction: tickets, services and outages as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.config.services import Service
from core.errors import UnknownTicket
from core.lifecycle import Status, format_key
from core.storage.itsm_models import OutageRow, OutageUpdateRow
from core.storage.models import CommentRow, PersonRow, TicketRow
from core.tickets import TicketQuery, get_ticket


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket_list(session: Session, *, status: Status | None, kind: str, limit: int) -> list[dict[str, Any]]:
    """The newest tickets first, read backwards along the key (no count over the whole table)."""
    requester, assignee = aliased(PersonRow), aliased(PersonRow)
    query = TicketQuery(status=status, kind=kind).select().with_only_columns(
        TicketRow.id, TicketRow.kind, TicketRow.status, TicketRow.priority, TicketRow.title, TicketRow.category,
        requester.display_name, assignee.display_name, TicketRow.created_at, TicketRow.updated_at,
    ).join(requester, requester.id == TicketRow.requester_id) \
        .outerjoin(assignee, assignee.id == TicketRow.assignee_id).order_by(TicketRow.id.desc()).limit(limit)
    return [{"key": format_key(kind_, number), "kind": kind_, "status": status_, "priority": priority,
             "title": title, "category": category, "requester": asked_by, "assignee": assigned_to,
             "created_at": _at(created), "updated_at": _at(updated)}
            for number, kind_, status_, priority, title, category, asked_by, assigned_to, created, updated
            in session.execute(query)]


def ticket_json(session: Session, key: str, *, internal: bool) -> dict[str, Any] | None:
    try:
        t = get_ticket(session, key)
    except UnknownTicket:
        return None
    comments = session.scalars(select(CommentRow).where(CommentRow.ticket_id == t.id).order_by(CommentRow.id))
    return {
        "key": t.key, "kind": t.kind, "status": t.status, "priority": t.priority, "impact": t.impact,
        "urgency": t.urgency, "title": t.title, "description": t.description, "category": t.category,
        "service": t.service, "team": t.team, "tier": t.tier, "requester": t.requester.display_name,
        "assignee": t.assignee.display_name if t.assignee else None, "resolution": t.resolution,
        "created_at": _at(t.created_at), "updated_at": _at(t.updated_at), "resolved_at": _at(t.resolved_at),
        "closed_at": _at(t.closed_at),
        "comments": [{"author": c.author.display_name if c.author else "spoc", "body": c.body,
                      "internal": c.internal, "at": _at(c.created_at)}
                     for c in comments if internal or not c.internal],
    }


def outage_json(session: Session, outage: OutageRow) -> dict[str, Any]:
    updates = session.scalars(select(OutageUpdateRow).where(OutageUpdateRow.outage_id == outage.id)
                              .order_by(OutageUpdateRow.id))
    return {"key": outage.key, "service": outage.service, "summary": outage.summary, "impact": outage.impact,
            "status": outage.status, "declared_at": _at(outage.declared_at), "updated_at": _at(outage.updated_at),
            "resolved_at": _at(outage.resolved_at),
            "updates": [{"kind": u.kind, "text": u.text, "at": _at(u.at)} for u in updates]}


def outage_list(session: Session, *, active_only: bool, limit: int) -> list[dict[str, Any]]:
    query = select(OutageRow).order_by(OutageRow.id.desc()).limit(limit)
    if active_only:
        query = query.where(OutageRow.status == "active")
    return [outage_json(session, o) for o in session.scalars(query)]


def outage_by_key(session: Session, key: str) -> dict[str, Any] | None:
    raw = key.strip().upper().removeprefix("OUT-")
    outage = session.get(OutageRow, int(raw)) if raw.isdigit() else None
    return outage_json(session, outage) if outage else None


def service_list(session: Session, services: tuple[Service, ...]) -> list[dict[str, Any]]:
    down = {o.service: o.key for o in session.scalars(select(OutageRow).where(OutageRow.status == "active"))}
    return [{"name": s.name, "title": s.title, "aliases": list(s.aliases),
             "state": "outage" if s.name in down else "operational", "outage": down.get(s.name)}
            for s in services]
