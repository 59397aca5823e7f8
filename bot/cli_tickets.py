"""`spoc tickets ...`: look at tickets from the command line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from bot.cli_common import ConfigOption, LazyConsole, cell, config_or_exit, err, open_database
from core.lifecycle import Kind, Status
from core.text import json_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.storage.database import Database
    from core.storage.models import TicketRow
    from core.ticket_files import StoredFile
    from core.tickets import TicketLine, TicketQuery

tickets_app = typer.Typer(rich_markup_mode=None, help="Look at tickets.", no_args_is_help=True)
out = LazyConsole()
DEFAULT_LIMIT = 500
TITLE_LIMIT, NAME_LIMIT = 120, 60  # a list is a summary; `spoc tickets show` has all of it
ListFormat = Literal["table", "json"]


def ticket_json(t: TicketRow | TicketLine) -> dict[str, Any]:
    from core.tickets import TicketLine

    requester, assignee = (t.requester, t.assignee) if isinstance(t, TicketLine) else \
        (t.requester.display_name, t.assignee.display_name if t.assignee else None)
    return {
        "key": t.key, "kind": t.kind, "status": t.status, "priority": t.priority, "title": t.title,
        "category": t.category, "requester": requester, "assignee": assignee,
        "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
    }


@tickets_app.command("list")
def list_command(
    config: ConfigOption = None,
    status: Annotated[Status | None, typer.Option(help="Only tickets in this status.")] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only tickets of this kind.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only tickets assigned to this person (name, e-mail or "
                                                      "chat id); `none` for unassigned ones.")] = None,
    requester: Annotated[str | None, typer.Option(help="Only tickets reported by this person.")] = None,
    since: Annotated[str | None, typer.Option(help="Only tickets reported since: 30d, 12h, 4w, 2026-03-01 or "
                                                   "an ISO time with offset.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many (the newest).")] = DEFAULT_LIMIT,
    all_: Annotated[bool, typer.Option("--all", help="Show every matching ticket (JSON is streamed).")] = False,
    format: Annotated[ListFormat, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List tickets, newest first; the table ends with how many of how many it shows.

    Example: spoc tickets list --status new --assignee none --since 7d --format json --all
    """
    db = open_database(config_or_exit(config))
    try:
        _list(db, which_of=lambda s: _query(s, status=status, kind=kind, assignee=assignee, requester=requester,
                                            since=since), limit=None if all_ else limit, format=format)
    finally:
        db.dispose()


def _list(db: Database, *, which_of: Callable[[Session], TicketQuery], limit: int | None, format: ListFormat
          ) -> None:
    """One query in a reading transaction (no write lock): the tickets, their people and the total."""
    from rich.table import Table

    from core.tickets import ticket_lines

    with db.deferred_sessions() as session, session.begin():
        try:
            which = which_of(session)
        except ValueError as error:
            err.print(str(error), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        lines = ticket_lines(session, which, limit=limit)
        if format == "json":
            total = _stream_json(lines)
            if limit is not None and total > limit:
                err.print(f"showing {limit:,} of {total:,} tickets; --all for every one", highlight=False)
            return
        rows = list(lines)
    table = Table("key", "status", "priority", "title", "requester", "assignee", "updated")
    for line in rows:
        table.add_row(cell(line.key), cell(line.status), cell(line.priority), cell(line.title, limit=TITLE_LIMIT),
                      cell(line.requester, limit=NAME_LIMIT), cell(line.assignee, limit=NAME_LIMIT),
                      cell(line.updated_at.isoformat()[:16]))
    out.print(table)
    out.print(_showing(len(rows), rows[0].total if rows else 0), highlight=False)


def _showing(shown: int, total: int) -> str:
    if shown < total:
        return f"showing {shown:,} of {total:,} tickets; --limit N or --all for more"
    return f"{total:,} ticket{'s' * (total != 1)}"


def _query(session: Session, *, status: Status | None, kind: Kind | None, assignee: str | None,
           requester: str | None, since: str | None) -> TicketQuery:
    """The filters as a query; a ValueError names the one that cannot be read."""
    from core.reports.period import PeriodError, parse_instant
    from core.tickets import TicketQuery

    unassigned = assignee is not None and assignee.strip().lower() in ("none", "nobody", "-")
    since_at = None
    if since:
        try:
            since_at = parse_instant(since, now=datetime.now(UTC))
        except PeriodError as error:
            raise ValueError(f"--since: {error}") from None
    return TicketQuery(status=status, kind=kind.value if kind else "", unassigned=unassigned, since=since_at,
                       assignee_id=None if unassigned or assignee is None else _person_id(session, assignee,
                                                                                           "--assignee"),
                       requester_id=None if requester is None else _person_id(session, requester, "--requester"))


def _person_id(session: Session, text: str, option: str) -> int:
    from core.errors import DeskError
    from core.person_lookup import one_person

    try:
        return one_person(session, text, any_name=option == "--requester").id
    except DeskError as error:
        raise ValueError(f"{option}: {error}") from None


def _stream_json(lines: Iterable[TicketLine]) -> int:
    """A JSON array written a ticket at a time, so that `--all` on a large desk needs little memory;
    returns how many tickets the filters match in all."""
    write = sys.stdout.write
    total = 0
    write("[")
    for line in lines:
        write(("\n  " if not total else ",\n  ") + json_text(ticket_json(line), indent=None))
        total = line.total
    write("\n]\n" if total else "]\n")
    sys.stdout.flush()
    return total


@tickets_app.command("show")
def show_command(
    key: Annotated[str, typer.Argument(help="Ticket key, e.g. INC-42.")],
    config: ConfigOption = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Show one ticket with its comments and audit trail.

    Example: spoc tickets show INC-42 --format json
    """
    from rich.text import Text
    from sqlalchemy import select

    from core.errors import UnknownTicket
    from core.storage.models import AuditRow, CommentRow
    from core.tickets import get_ticket
    from core.views import audit_line

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
    finally:
        db.dispose()
    if format == "json":
        typer.echo(json_text(data))
        return
    out.print(Text.assemble(cell(data["key"], style="bold"), " ", cell(data["title"])), highlight=False)
    for label in ("status", "priority", "kind", "category", "requester", "assignee", "created_at"):
        out.print(cell(f"  {label}: {data[label]}"), highlight=False)
    out.print(cell(data["description"]), highlight=False)
    for c in data["comments"]:
        out.print(cell(f"  {c['at'][:16]} {c['author']}{' (internal)' if c['internal'] else ''}: {c['body']}"),
                  highlight=False)
    for a in data["audit"]:
        line = audit_line(action=a["action"], field=a["field"], old=a["old"], new=a["new"])
        out.print(cell(f"  {a['at'][:16]} {a['actor'] or 'spoc'}: {line}"), highlight=False)


@tickets_app.command("attachments")
def attachments_command(
    key: Annotated[str, typer.Argument(help="Ticket key, e.g. INC-42.")],
    save: Annotated[Path | None, typer.Option("--save", help="Save the files into this folder.")] = None,
    config: ConfigOption = None,
) -> None:
    """List the files kept with a ticket (attachments, and originals of shortened messages); --save writes them.

    Example: spoc tickets attachments INC-42 --save ./INC-42
    """
    from core.errors import UnknownTicket
    from core.ticket_files import readable_size

    db = open_database(config_or_exit(config))
    try:
        files, contents = db.run(lambda session: _files_of(session, key, with_bytes=save is not None))
    except UnknownTicket as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if not files:
        typer.echo(f"{key.upper()} has no attachments.")
        return
    if save is not None:
        try:
            save.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            typer.echo(f"Cannot write to {save}: {error.strerror}.", err=True)
            raise typer.Exit(1) from None
    for stored in files:
        line = f"#{stored.id} {safe_filename(stored.filename)} {stored.media_type} {readable_size(stored.size)}" \
               + (" (the original message)" if stored.original else "")
        if save is not None:
            target = _free_path(save, f"{stored.id}-{safe_filename(stored.filename)}")
            target.write_bytes(contents[stored.id])
            line += f" -> {target}"
        out.print(cell(line), highlight=False)


def _files_of(session: Session, key: str, *, with_bytes: bool) -> tuple[list[StoredFile], dict[int, bytes]]:
    from core.ticket_files import file_bytes, files_of
    from core.tickets import get_ticket

    ticket = get_ticket(session, key)
    files = files_of(session, ticket.id)
    contents: dict[int, bytes] = {}
    if with_bytes:
        for stored in files:
            found = file_bytes(session, ticket_id=ticket.id, file_id=stored.id)
            if found is not None:
                contents[stored.id] = found[1]
    return files, contents


def safe_filename(name: str) -> str:
    """A sender chose the name: no folders, no control characters, no hidden or empty name."""
    cleaned = "".join(c for c in name.replace("/", "_").replace("\\", "_") if c.isprintable()).strip(" .")
    return cleaned[:200] or "attachment"


def _free_path(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix, n = target.stem, target.suffix, 1
    while target.exists():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target
