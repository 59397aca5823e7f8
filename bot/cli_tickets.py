"""`spoc tickets ...`: look at tickets from the command line."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bot.cli_common import ConfigOption, config_or_exit, open_database
from core.errors import UnknownTicket
from core.lifecycle import Status
from core.storage.models import AuditRow, CommentRow, TicketRow
from core.tickets import get_ticket, list_tickets

tickets_app = typer.Typer(help="Look at tickets.", no_args_is_help=True)
out = Console()


def ticket_json(t: TicketRow) -> dict[str, Any]:
    return {
        "key": t.key, "kind": t.kind, "status": t.status, "priority": t.priority, "title": t.title,
        "category": t.category, "requester": t.requester.display_name,
        "assignee": t.assignee.display_name if t.assignee else None,
        "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
    }


@tickets_app.command("list")
def list_command(
    config: ConfigOption = None,
    status: Annotated[Status | None, typer.Option(help="Only tickets in this status.")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List tickets, newest first.

    Example: spoc tickets list --status new --format json
    """
    db = open_database(config_or_exit(config))
    rows = db.run(lambda s: [ticket_json(t) for t in list_tickets(s, status=status)])
    if format == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("key", "status", "priority", "title", "requester", "assignee", "updated")
    for r in rows:
        table.add_row(r["key"], r["status"], r["priority"], r["title"], r["requester"], r["assignee"] or "-",
                      r["updated_at"][:16])
    out.print(table)


@tickets_app.command("show")
def show_command(
    key: Annotated[str, typer.Argument(help="Ticket key, e.g. INC-42.")],
    config: ConfigOption = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Show one ticket with its comments and audit trail.

    Example: spoc tickets show INC-42 --format json
    """
    db = open_database(config_or_exit(config))

    def load(session):  # type: ignore[no-untyped-def]
        ticket = get_ticket(session, key)
        data = ticket_json(ticket) | {"description": ticket.description, "resolution": ticket.resolution}
        data["comments"] = [
            {"at": c.created_at.isoformat(), "author": c.author.display_name if c.author else None,
             "internal": c.internal, "body": c.body}
            for c in session.scalars(
                select(CommentRow).where(CommentRow.ticket_id == ticket.id).order_by(CommentRow.id))
        ]
        data["audit"] = [
            {"at": a.at.isoformat(), "actor": a.actor.display_name if a.actor else None, "action": a.action,
             "field": a.field, "old": a.old, "new": a.new}
            for a in session.scalars(select(AuditRow).where(AuditRow.ticket_id == ticket.id).order_by(AuditRow.id))
        ]
        return data

    try:
        data = db.run(load)
    except UnknownTicket as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    if format == "json":
        typer.echo(json.dumps(data, indent=2))
        return
    out.print(f"[bold]{data['key']}[/bold] {data['title']}", highlight=False)
    for label in ("status", "priority", "kind", "category", "requester", "assignee", "created_at"):
        out.print(f"  {label}: {data[label]}", highlight=False, markup=False)
    out.print(data["description"], markup=False, highlight=False)
    for c in data["comments"]:
        out.print(f"  {c['at'][:16]} {c['author']}{' (internal)' if c['internal'] else ''}: {c['body']}",
                  markup=False, highlight=False)
    for a in data["audit"]:
        out.print(f"  {a['at'][:16]} {a['actor'] or 'spoc'}: {a['action']} {a['field']} {a['old']} -> {a['new']}",
                  markup=False, highlight=False)
