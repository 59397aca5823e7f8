"""`spoc tokens ...`: the tokens other systems call the REST API with (stored hashed, shown once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from bot.cli_common import ConfigOption, LazyConsole, cell, config_or_exit, err
from core.text import json_text

if TYPE_CHECKING:
    from bot.config import SpocConfig

tokens_app = typer.Typer(help="Tokens for the REST API (/api/v1): made, listed, revoked.", no_args_is_help=True,
                         rich_markup_mode=None)
out = LazyConsole()


def _work(settings: SpocConfig, work: Any) -> Any:
    from bot.cli_common import open_database
    from core.errors import DeskError

    db = open_database(settings)
    try:
        return db.run(work)
    except DeskError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    finally:
        db.dispose()


@tokens_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="What calls with it, e.g. monitoring or hr-system.")],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help="tickets:read, tickets:write, tickets:manage, "
                                                                   "outages:read, outages:write, catalog:read, "
                                                                   "orders:read or orders:write; repeat.")],
    config: ConfigOption = None,
) -> None:
    """Make a token for another system; it is printed once and only its hash is kept. The token acts as the
    account NAME on platform `api`; tickets:manage and outages:write make it an agent.

    Example: spoc tokens create monitoring --scope outages:write --scope outages:read
    """
    from core.integrations import create_token

    settings = config_or_exit(config)
    token = _work(settings, lambda s: create_token(s, name=name, scopes=scope, now=datetime.now(UTC)))
    err.print(f"Token for {name.strip().lower()} (shown once; send it as `Authorization: Bearer TOKEN`):",
              markup=False, highlight=False)
    typer.echo(token)


@tokens_app.command("list")
def list_command(
    config: ConfigOption = None,
    format: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Every token: its scopes, when it was made and last used, and whether it is revoked.

    Example: spoc tokens list --format json
    """
    from core.integrations import integrations

    found = _work(config_or_exit(config), integrations)
    if format == "json":
        typer.echo(json_text([{"name": i.name, "scopes": sorted(i.scopes), "created_at": i.created_at.isoformat(),
                               "last_used_at": i.last_used_at.isoformat() if i.last_used_at else None,
                               "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None} for i in found]))
        return
    from rich.table import Table

    table = Table("name", "scopes", "created", "last used", "state")
    for i in found:
        table.add_row(cell(i.name), cell(" ".join(sorted(i.scopes))), cell(f"{i.created_at:%Y-%m-%d %H:%M}"),
                      cell(f"{i.last_used_at:%Y-%m-%d %H:%M}" if i.last_used_at else "never"),
                      cell("revoked" if i.revoked_at else "active"))
    out.print(table)


@tokens_app.command("revoke")
def revoke_command(name: Annotated[str, typer.Argument(help="The token's name.")], config: ConfigOption = None) -> None:
    """Revoke a token: calls with it are refused (401) from now on.

    Example: spoc tokens revoke monitoring
    """
    from core.integrations import revoke_token

    _work(config_or_exit(config), lambda s: revoke_token(s, name, now=datetime.now(UTC)))
    typer.echo(f"Revoked {name}.")
