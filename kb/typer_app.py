"""`spoc kb ...`: import, export, search and count the knowledge base.

`bot/` mounts this with `app.add_typer(build_kb_app(get_service, out=...), name="kb")`; the callable it
passes builds the service from the config, so this module knows nothing of config files or databases; `out`
is the console to print on (one made on first use, so that `spoc --help` loads no Rich).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from kb.service import KnowledgeService


class Format(StrEnum):
    table = "table"
    json = "json"


def _ops():  # type: ignore[no-untyped-def]
    """The operations, imported when a command runs: the index and numpy are not needed for --help."""
    from kb import cli_ops

    return cli_ops


def build_kb_app(get_service: Callable[[], KnowledgeService], *, out: Console | None = None) -> typer.Typer:
    app = typer.Typer(
        name="kb", help="The knowledge base: articles, search, statistics.", no_args_is_help=True,
        rich_markup_mode=None,
    )
    if out is None:
        from rich.console import Console

        out = Console()

    @app.command("import")
    def import_command(
        folder: Annotated[Path, typer.Argument(help="A folder of Markdown articles (searched recursively).")],
        format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    ) -> None:
        """Import every *.md article of a folder: added, updated, unchanged, or invalid (file:line).

        Example: spoc kb import ./kb-articles
        """
        report = _ops().import_dir(get_service(), folder)
        if format is Format.json:
            typer.echo(json.dumps(_ops().report_dict(report), ensure_ascii=False))
        else:
            for line in _ops().report_lines(report):
                out.print(line, markup=False, highlight=False)
        if report.invalid:
            raise typer.Exit(1)

    @app.command("export")
    def export_command(
        folder: Annotated[Path, typer.Argument(help="Where to write <slug>.md files (created if missing).")],
    ) -> None:
        """Write every article, drafts included, as Markdown with front matter.

        Example: spoc kb export ./kb-backup
        """
        written = _ops().export_dir(get_service(), folder)
        typer.echo(f"{len(written)} article(s) written to {folder}")

    @app.command("search")
    def search_command(
        text: Annotated[
            str | None, typer.Argument(help="The query; leave out to read one per line from stdin.")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50, help="How many results.")] = 5,
        explain: Annotated[
            bool, typer.Option("--explain", help="Show which fields and terms matched.")
        ] = False,
        format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    ) -> None:
        """Search the articles as an agent would: ranked, with a confidence score.

        Example: spoc kb search "vpn keeps dropping" --explain
        Example: cat queries.txt | spoc kb search --format json
        """
        service = get_service()
        if text is None:
            for line in _ops().search_stream(service, sys.stdin, limit=limit, explain=explain):
                typer.echo(line)
            return
        rows = _ops().search(service, text, limit=limit, explain=explain)
        if format is Format.json:
            typer.echo(json.dumps({"query": text, "results": rows}, ensure_ascii=False))
            return
        if not rows:
            typer.echo("No article matches; try other words, or `spoc kb stats` to see what there is.")
            return
        from rich.table import Table

        table = Table("#", "score", "slug", "title", *(["why"] if explain else []))
        for row in rows:
            score = f"{row['score']:.2f}" + ("" if row["suggested"] else " (below threshold)")
            cells = [str(row["rank"]), score, row["slug"], row["title"]]
            if explain:
                cells.append("; ".join(row["why"]))
            table.add_row(*cells)
        out.print(table)

    @app.command("stats")
    def stats_command(
        format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    ) -> None:
        """Articles, views, "this solved it" counts, and the articles never suggested.

        Example: spoc kb stats --format json
        """
        stats = _ops().stats(get_service())
        if format is Format.json:
            typer.echo(json.dumps(stats.as_dict(), ensure_ascii=False))
            return
        out.print(
            f"{stats.articles} articles ({stats.published} published, {stats.drafts} drafts), "
            f"{stats.learned_phrasings} learned phrasings; suggested {stats.suggested} times, "
            f"viewed {stats.views}, solved {stats.solved}, not helpful {stats.not_helpful}",
            markup=False,
            highlight=False,
        )
        from rich.table import Table

        table = Table("slug", "suggested", "viewed", "solved", "not helpful", "published")
        for item in sorted(stats.per_article, key=lambda a: (-a.solved, -a.suggested, a.slug)):
            table.add_row(
                item.slug,
                str(item.suggested),
                str(item.viewed),
                str(item.solved),
                str(item.not_helpful),
                "yes" if item.published else "draft",
            )
        out.print(table)
        if stats.never_suggested:
            out.print("Never suggested: " + ", ".join(stats.never_suggested), markup=False, highlight=False)

    return app
