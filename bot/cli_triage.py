"""`spoc triage ...`: what the triage model learned, in and out of the database."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_common import ConfigOption, config_or_exit, err, open_database
from core.text import for_terminal, json_text

if TYPE_CHECKING:
    from core.settings import DeskSettings
    from core.triage.store import Example, Labels

triage_app = typer.Typer(help="The triage model: what it learned from agents, export, import, reset.",
                         no_args_is_help=True, rich_markup_mode=None)


class Format(StrEnum):
    table = "table"
    json = "json"


@triage_app.command("stats")
def stats_command(
    config: ConfigOption = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """What the model learned: corrections, confirmed tickets, imported examples, and its telling words.

    Example: spoc triage stats --format json
    """
    from core.triage import Triage, statistics

    settings = config_or_exit(config)
    db = open_database(settings)
    triage = Triage(settings.desk.classification)

    def read(session):  # type: ignore[no-untyped-def]
        return statistics(session), triage.telling_words(session)

    try:
        stats, words = db.run(read)
    finally:
        db.dispose()
    shown = {
        "examples": stats.examples, "corrected": stats.corrected, "confirmed": stats.confirmed,
        "imported": stats.imported, "corrected_fields": stats.corrected_fields, "by_kind": stats.by_kind,
        "by_category": stats.by_category,
        "last_learned": stats.last_learned.isoformat() if stats.last_learned else None, "telling_words": words,
    }
    if format is Format.json:
        typer.echo(json_text(shown, indent=None))
        return
    if not stats.examples:
        typer.echo("Nothing learned yet: the model decides from its built-in examples. It learns from every "
                   "correction of a ticket's kind, category or priority, and every ticket an agent closes.")
    else:
        typer.echo(f"Learned from {stats.corrected} corrected tickets, {stats.confirmed} confirmed by closing and "
                   f"{stats.imported} imported examples (last {stats.last_learned:%Y-%m-%d %H:%M} UTC).")
        typer.echo("Corrected: " + _counts(stats.corrected_fields))
        typer.echo("By kind: " + _counts(stats.by_kind))
        typer.echo("By category: " + _counts(stats.by_category))
    for label, telling in words.items():
        typer.echo(f"Words that say {label}: " + (", ".join(f"'{for_terminal(w)}'" for w in telling) or "(none yet)"))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{for_terminal(name, limit=40)} {count}" for name, count in counts.items()) or "none"


@triage_app.command("export")
def export_command(
    path: Annotated[Path | None, typer.Argument(help="File to write (JSON Lines); leave out for stdout.")] = None,
    config: ConfigOption = None,
) -> None:
    """Write every learned example as JSON Lines (text, kind, category, impact, urgency, corrected, source).

    Example: spoc triage export triage-backup.jsonl
    """
    from core.triage import export_examples

    db = open_database(config_or_exit(config))
    try:
        examples = db.run(export_examples)
    finally:
        db.dispose()
    lines = [json_text(_as_dict(e), indent=None) for e in examples]
    if path is None:
        for line in lines:
            typer.echo(line)
        return
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    typer.echo(f"{len(lines)} example(s) written to {path}")


def _as_dict(example: Example) -> dict[str, Any]:
    return {"text": example.text, "kind": example.labels.kind, "category": example.labels.category,
            "impact": example.labels.impact, "urgency": example.labels.urgency, "corrected": example.corrected,
            "source": example.source, "created_at": example.created_at.isoformat()}


@triage_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="JSON Lines (as `spoc triage export` writes) or CSV.")],
    config: ConfigOption = None,
) -> None:
    """Teach the model examples from a file: JSON Lines with text and kind (category, impact, urgency
    optional), or a CSV with `text` or `title` and `body`, and `kind` or `ticket_type` (0 incident,
    1 request). Bad lines are named and skipped; the others are imported. Exit code 1 if any was bad.

    Example: spoc triage import old-tickets.csv
    """
    from core.triage import import_examples

    settings = config_or_exit(config)
    try:
        items, problems = read_examples(path, settings.desk)
    except OSError as error:
        err.print(f"Cannot read {path}: {error.strerror}", markup=False)
        raise typer.Exit(2) from None
    db = open_database(settings)
    try:
        added = db.run(lambda session: import_examples(session, items))
    finally:
        db.dispose()
    typer.echo(f"{added} example(s) imported from {path}; the model uses them within seconds.")
    for problem in problems[:20]:
        err.print(f"  {for_terminal(problem)}", markup=False, highlight=False)
    if len(problems) > 20:
        err.print(f"  ... and {len(problems) - 20} more", markup=False)
    if problems:
        err.print(f"{len(problems)} line(s) skipped.", markup=False)
        raise typer.Exit(1)


def read_examples(path: Path, desk: DeskSettings) -> tuple[list[tuple[str, Labels]], list[str]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            csv.field_size_limit(sys.maxsize)
            rows = [(number, dict(row)) for number, row in enumerate(csv.DictReader(handle), start=2)]
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    found = json.loads(line)
                except json.JSONDecodeError as error:
                    problems.append(f"{path}:{number}: not JSON ({error.msg})")
                    continue
                if not isinstance(found, dict):
                    problems.append(f"{path}:{number}: not an object with text and kind")
                    continue
                rows.append((number, found))
    items = []
    for number, row in rows:
        try:
            items.append(_example(row, desk))
        except ValueError as error:
            problems.append(f"{path}:{number}: {error}")
    return items, problems


def _example(row: dict[str, Any], desk: DeskSettings) -> tuple[str, Labels]:
    from core.lifecycle import Kind
    from core.triage.store import Labels

    text = str(row.get("text") or "\n".join(str(row.get(k) or "") for k in ("title", "body"))).strip()
    if not text:
        raise ValueError("no text (a `text` field, or `title` and `body`)")
    kind = str(row.get("kind") or {"0": "incident", "1": "request"}.get(str(row.get("ticket_type", "")).strip(), ""))
    if kind not in (Kind.INCIDENT.value, Kind.REQUEST.value):
        raise ValueError("kind is incident or request (or ticket_type 0 or 1)")
    impact, urgency = desk.classification.default_levels.get(Kind(kind), (3, 3))
    levels = []
    for name, default in (("impact", impact), ("urgency", urgency)):
        value = str(row.get(name, "")).strip()
        levels.append(int(value) if value in ("1", "2", "3") else default)
    category = str(row.get("category") or desk.classification.default_category).strip().lower()
    return text, Labels(kind=kind, category=category, impact=levels[0], urgency=levels[1])


@triage_app.command("reset")
def reset_command(
    config: ConfigOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget everything learned: every process goes back to the built-in examples within seconds.
    Export first if you may want it back.

    Example: spoc triage export backup.jsonl && spoc triage reset --yes
    """
    from core.triage.exchange import forget

    settings = config_or_exit(config)
    if not yes and not typer.confirm("Forget every learned example?", default=False):
        typer.echo("Nothing changed.")
        raise typer.Exit(1)
    db = open_database(settings)
    try:
        gone = db.run(forget)
    finally:
        db.dispose()
    typer.echo(f"{gone} learned example(s) forgotten; the model starts again from its built-in examples.")
