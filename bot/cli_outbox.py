"""`spoc outbox ...`: see and resend notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli_common import ConfigOption, LazyConsole, cell, config_or_exit, open_database

outbox_app = typer.Typer(rich_markup_mode=None, help="See and resend notifications.", no_args_is_help=True)
out = LazyConsole()


@outbox_app.command("list")
def list_command(
    config: ConfigOption = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only dead-lettered notifications.")] = False,
) -> None:
    """List notifications, newest first.

    Example: spoc outbox list --failed
    """
    from rich.table import Table

    from core import outbox

    db = open_database(config_or_exit(config))
    try:
        rows = db.run(lambda s: [
            (r.id, r.status, r.platform, r.channel or r.user_id, r.ticket_key, r.attempts, r.last_error,
             r.card.get("title") or r.card.get("text", ""))
            for r in outbox.listing(s, failed_only=failed)
        ])
    finally:
        db.dispose()
    table = Table("id", "status", "platform", "to", "ticket", "attempts", "last error", "what")
    for row in rows:
        table.add_row(*(cell(v, limit=60) for v in row))
    out.print(table)


@outbox_app.command("retry")
def retry_command(
    outbox_id: Annotated[int | None, typer.Argument(help="The id of a dead notification.")] = None,
    config: ConfigOption = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Resend every dead notification.")] = False,
) -> None:
    """Send dead notifications again (a running spoc delivers them).

    Example: spoc outbox retry 17   or   spoc outbox retry --all-failed
    """
    if outbox_id is None and not all_failed:
        typer.echo("Name a notification id, or use --all-failed.", err=True)
        raise typer.Exit(2)
    from core import outbox

    db = open_database(config_or_exit(config))
    try:
        count = db.run(lambda s: outbox.retry(s, now=datetime.now(UTC), outbox_id=outbox_id))
    finally:
        db.dispose()
    typer.echo(f"{count} notification(s) queued again.")
    if outbox_id is not None and count == 0:
        raise typer.Exit(1)
