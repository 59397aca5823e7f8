"""`spoc catalog`: check and list the service catalog's items."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import ConfigOption, cell, config_or_exit, err

catalog_app = typer.Typer(help="The service catalog (items people order).", no_args_is_help=True)
DirsArgument = Annotated[list[Path] | None, typer.Argument(
    help="Folders of item files to check too (default: those desk.catalog.dirs names).")]


@catalog_app.command("check")
def check(dirs: DirsArgument = None, config: ConfigOption = None) -> None:
    """Validate every catalog item (the starter items, desk.catalog.dirs and the config's) and the people,
    groups and teams they name; each problem is one line, `file:line: what is wrong`. Exit code 2 on any.

    Example: spoc catalog check catalog/
    """
    from bot.catalog_loading import with_catalog

    desk, problems = with_catalog(config_or_exit(config).desk, extra_dirs=tuple(dirs or ()))
    if problems:
        err.print(f"[red]The catalog has {len(problems)} problem(s):[/red]")
        for problem in problems:
            err.print(cell(f"  {problem}"), soft_wrap=True)
        raise typer.Exit(2)
    typer.echo(f"Catalog OK: {len(desk.catalog.items)} items.")


@catalog_app.command("list")
def list_items(config: ConfigOption = None) -> None:
    """The catalog's items: slug, name, category, approval and teams.

    Example: spoc catalog list
    """
    from rich.console import Console
    from rich.table import Table

    from bot.catalog_loading import with_catalog

    desk, _problems = with_catalog(config_or_exit(config).desk)
    table = Table("slug", "name", "category", "approval", "teams")
    for item in desk.catalog.items:
        table.add_row(cell(item.slug), cell(item.name), cell(item.category),
                      cell("; then ".join(s.shown for s in item.approval) or "none"),
                      cell(", ".join(dict.fromkeys(t.team for t in item.tasks))))
    Console().print(table)
