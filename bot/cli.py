"""The `spoc` command line."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli_catalog import catalog_app
from bot.cli_common import ConfigOption, LazyConsole, config_or_exit, err, exit_with_problems
from bot.cli_outbox import outbox_app
from bot.cli_people import people_app
from bot.cli_report import report_command
from bot.cli_slack import slack_app
from bot.cli_tickets import tickets_app
from bot.cli_tokens import tokens_app
from bot.cli_triage import triage_app
from kb.typer_app import build_kb_app

if TYPE_CHECKING:
    from core.clock import ManualClock
    from core.settings import DeskSettings

app = typer.Typer(rich_markup_mode=None, help="spoc: the IT service desk that lives in chat.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(rich_markup_mode=None, help="The database.", no_args_is_help=True)
config_app = typer.Typer(rich_markup_mode=None, help="The config file.", no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")
app.add_typer(outbox_app, name="outbox")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(slack_app, name="slack")
app.add_typer(triage_app, name="triage")
app.add_typer(people_app, name="people")
app.add_typer(catalog_app, name="catalog")
app.add_typer(tokens_app, name="tokens")


@app.callback()
def root(config: ConfigOption = None) -> None:
    """spoc: the IT service desk that lives in chat. `spoc COMMAND --help` explains each command."""
    if config is not None:
        # `spoc --config X COMMAND` is `SPOC_CONFIG=X spoc COMMAND`, for every command below it.
        os.environ["SPOC_CONFIG"] = str(config)


def _knowledge_service():  # type: ignore[no-untyped-def]
    from bot.wiring import knowledge_for

    return knowledge_for(config_or_exit(None))


app.add_typer(build_kb_app(_knowledge_service, out=LazyConsole()), name="kb")
app.command("report")(report_command)


@app.command()
def run(
    config: ConfigOption = None,
    adapter: Annotated[list[str] | None, typer.Option("--adapter", "-a",
                       help="console, slack, discord or email; repeat for several (default: from the config).")] = None,
    simulated_clock: Annotated[bool, typer.Option(
        "--simulated-clock",
        help="Console only: time stands still until `/clock +2h` moves it (a demo of SLAs).",
    )] = False,
    clock_start: Annotated[str | None, typer.Option(
        "--clock-start", help="With --simulated-clock: the start, e.g. 2026-03-06T16:30+01:00 "
                              "(default: now, or the desk's next opening).",
    )] = None,
) -> None:
    """Run the desk: the chat adapters, the notification dispatcher and the scheduled jobs.

    Example: spoc run --adapter console --simulated-clock
    """
    import asyncio

    from bot.runtime import serve
    from bot.supervisor import CannotRun
    from bot.wiring import build_app

    settings = config_or_exit(config)
    names = tuple(adapter or settings.adapters())
    clock = _simulated_clock(settings.desk, names, clock_start) if simulated_clock or clock_start else None
    problems = settings.run_problems(names)
    if problems:
        exit_with_problems(problems, doing=f" for `spoc run` with {', '.join(names)}")
    settings = settings.with_adapters(names)
    try:
        asyncio.run(serve(build_app(settings, clock=clock), names))
    except CannotRun as failure:
        # systemd, Docker and Kubernetes see the failure and restart or alert; the reason is one line.
        err.print(f"spoc stopped: {failure}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command("web")
def web_command(config: ConfigOption = None) -> None:
    """Serve the desk's web pages, status page and REST API alone, without chat (`spoc run` serves them too
    with the console adapter, or with any when web.enabled is true). What people do there is told in chat by
    the running desk.

    Example: spoc web --config spoc.yaml
    """
    import asyncio

    from bot.runtime import serve
    from bot.supervisor import CannotRun
    from bot.wiring import build_app

    settings = config_or_exit(config)
    settings = settings.model_copy(update={"web": settings.web.model_copy(update={"enabled": True})})
    typer.echo(f"Web pages at {settings.portal_url()} (Ctrl-C stops).")
    try:
        asyncio.run(serve(build_app(settings), ()))
    except CannotRun as failure:
        err.print(f"spoc stopped: {failure}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _simulated_clock(desk: DeskSettings, names: tuple[str, ...], start: str | None) -> ManualClock:
    from bot.simulated_clock import simulated_start
    from core.clock import ManualClock

    if "console" not in names:
        typer.echo("--simulated-clock needs the console adapter (its /clock command moves the time).",
                   err=True)
        raise typer.Exit(2)
    if start is None:
        return ManualClock(simulated_start(desk, datetime.now(UTC)))
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        typer.echo(f"--clock-start {start!r}: give a date and time with its offset, "
                   "e.g. 2026-03-06T16:30+01:00.", err=True)
        raise typer.Exit(2)
    return ManualClock(at.astimezone(UTC))


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create or migrate the database schema to the newest version.

    Example: SPOC_DATABASE_URL=postgresql://localhost/spoc spoc db upgrade
    """
    from bot.database_faults import migrate_or_fault
    from core.storage.database import shown_url

    settings = config_or_exit(config)
    migrate_or_fault(settings.database.url)
    typer.echo(f"Database at {shown_url(settings.database.url)} is up to date.")


@config_app.command("check")
def config_check(
    config: ConfigOption = None,
    adapter: Annotated[list[str] | None, typer.Option(
        "--adapter", "-a", help="Check for these adapters (default: those `spoc run` would start).")] = None,
) -> None:
    """Validate the config and everything `spoc run` needs for each adapter; every problem is named with its
    key. Exit code 2 when anything is missing. `spoc doctor` then checks the installation live.

    Example: spoc config check --config spoc.yaml --adapter slack
    """
    from core.storage.database import shown_url

    settings = config_or_exit(config)
    names = tuple(adapter or settings.adapters())
    problems = settings.run_problems(names)
    if problems:
        exit_with_problems(problems, doing=f" for {', '.join(names)}")
    typer.echo(f"Config OK. Adapters: {', '.join(names)}. Database: {shown_url(settings.database.url)}.")


@app.command()
def doctor(
    config: ConfigOption = None,
    format: Annotated[Literal["table", "json"], typer.Option("--format", help="table or json (for monitoring)")
                      ] = "table",
) -> None:
    """Check the whole installation live, a line per check with its fix: the config, the database (reachable
    and migrated), the knowledge base, dead letters in the outbox, the clock and time zones, and for each chat
    platform its tokens, scopes or intents, servers, and spoc's membership and permissions in every configured
    channel. Exit code 0 only when every check passes.

    Example: spoc doctor --config spoc.yaml --format json
    """
    from bot.doctor import diagnose

    checks = diagnose(config_or_exit(config))
    failures = [c for c in checks if not c.ok]
    if format == "json":
        typer.echo(json.dumps({"ok": not failures, "checks": [c.to_dict() for c in checks]}, indent=2))
    else:
        for check in checks:
            typer.echo(check.line())
        typer.echo(f"{len(failures)} of {len(checks)} checks failed." if failures else
                   f"All {len(checks)} checks passed.")
    if failures:
        raise typer.Exit(1)


def main() -> None:
    from bot.faults import DatabaseFault

    try:
        app()
    except DatabaseFault as fault:
        err.print(str(fault), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
