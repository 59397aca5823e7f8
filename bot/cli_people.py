"""`spoc people ...`: who is who, with where each role comes from; accounts linked or unlinked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli_common import ConfigOption, LazyConsole, cell, config_or_exit, err
from core.text import for_terminal, json_text

if TYPE_CHECKING:
    from bot.config import SpocConfig
    from core.people_admin import PersonView

people_app = typer.Typer(help="Who is who: people, their chat accounts and where their roles come from.",
                         no_args_is_help=True, rich_markup_mode=None)
out = LazyConsole()
Format = Literal["table", "json"]
SOURCE = "spoc people (command line)"


@people_app.command("list")
def list_command(
    config: ConfigOption = None,
    role: Annotated[str | None, typer.Option(help="Only people with this role: requester, agent or admin.")] = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Everyone with a chat account: role, where it comes from, accounts.

    Example: spoc people list --role agent
    """
    from rich.table import Table

    from core.people_admin import people_views

    if role not in (None, "requester", "agent", "admin"):
        err.print(f"--role: {role!r} is not a role. Roles: requester, agent, admin.", markup=False, highlight=False)
        raise typer.Exit(2)
    settings = config_or_exit(config)
    views = _read(settings, lambda session: people_views(session, role=role or ""))
    if format == "json":
        typer.echo(json_text([v.to_dict() for v in views]))
        return
    table = Table("#", "name", "role", "where the role comes from", "accounts", "e-mail")
    for view in views:
        table.add_row(str(view.id), cell(view.name, limit=60), cell(view.role),
                      cell("\n".join(_explained(settings, view))),
                      cell("\n".join(a.label for a in view.accounts)), cell(view.email))
    out.print(table)
    out.print(f"{len(views)} people", highlight=False)


@people_app.command("show")
def show_command(
    person: Annotated[str, typer.Argument(help="#12 (the number in `spoc people list`), an e-mail, a chat user "
                                               "id or a name.")],
    config: ConfigOption = None,
    format: Annotated[Format, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """One person: accounts, role with each source, and what happened to them.

    Example: spoc people show priya@example.com
    """
    from core.people_admin import find, people_views

    settings = config_or_exit(config)
    [view] = _read(settings, lambda session: people_views(session, person_ids=[find(session, person).id],
                                                           history=True))
    if format == "json":
        typer.echo(json_text(view.to_dict()))
        return
    out.print(cell(f"{view.name} (#{view.id}), {view.role}", style="bold"))
    for line in [f"e-mail: {view.email or '-'}", f"team: {view.team or '-'}", "role comes from:",
                 *(f"  {source}" for source in _explained(settings, view)), "accounts:",
                 *(f"  {a.label}{' (in the agents group or role)' if a.agent else ''}" for a in view.accounts),
                 "history:", *(f"  {line}" for line in view.history or ("nothing yet",))]:
        out.print(cell(line), highlight=False)


@people_app.command("link")
def link_command(
    person: Annotated[str, typer.Argument(help="#12, an e-mail, a chat user id or a name.")],
    account: Annotated[str, typer.Argument(help="PLATFORM:USER_ID, e.g. slack:U0123ABCD (or "
                                                "PLATFORM:WORKSPACE:USER_ID for another organisation's).")],
    config: ConfigOption = None,
) -> None:
    """Make a chat account this person's. An account someone else has makes the two one person (their
    tickets follow); the role is worked out again and the change audited.

    Example: spoc people link priya@example.com discord:112233445566778899
    """
    from core.people_admin import find, link_account

    platform, workspace, user_id = _account(account)
    _write(config_or_exit(config), lambda ctx: link_account(ctx, find(ctx.session, person), platform=platform,
                                                            workspace=workspace, user_id=user_id, source=SOURCE))


@people_app.command("unlink")
def unlink_command(
    account: Annotated[str, typer.Argument(help="PLATFORM:USER_ID, e.g. slack:U0123ABCD.")],
    config: ConfigOption = None,
) -> None:
    """Take a chat account away from its person: it becomes a person of its own (a requester unless its
    platform's agents' group holds it); the tickets stay where they are.

    Example: spoc people unlink discord:112233445566778899
    """
    from core.people_admin import unlink_account

    platform, workspace, user_id = _account(account)
    _write(config_or_exit(config), lambda ctx: unlink_account(ctx, platform=platform, workspace=workspace,
                                                              user_id=user_id, source=SOURCE))


def _account(text: str) -> tuple[str, str, str]:
    parts = [part.strip() for part in text.split(":")]
    if len(parts) == 2 and all(parts):
        return parts[0], "", parts[1]
    if len(parts) == 3 and parts[0] and parts[2]:
        return parts[0], parts[1], parts[2]
    err.print(f"{text!r} is not an account: write PLATFORM:USER_ID, e.g. slack:U0123ABCD.", markup=False,
              highlight=False)
    raise typer.Exit(2)


def _explained(settings: SpocConfig, view: PersonView) -> list[str]:
    """Each source, naming the config key behind a platform's group or role."""
    keys = {"slack": f"slack.agent_usergroup {settings.slack.agent_usergroup or '(none set)'}",
            "discord": f"discord.agent_role {settings.discord.agent_role or '(none set)'}",
            "console": "console.agents"}
    explained = []
    for source in view.sources():
        platform = source.removeprefix("agent: ").split(" ", 1)[0]
        explained.append(f"{source} ({keys[platform]})" if source.startswith("agent: ") and platform in keys
                         else source)
    return explained


def _read(settings: SpocConfig, work):  # type: ignore[no-untyped-def]
    from bot.cli_common import open_database
    from core.errors import DeskError

    db = open_database(settings)
    try:
        with db.deferred_sessions() as session, session.begin():
            return work(session)
    except DeskError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(1) from None
    finally:
        db.dispose()


def _write(settings: SpocConfig, work) -> None:  # type: ignore[no-untyped-def]
    from bot.wiring import desk_for
    from core.errors import DeskError

    desk = desk_for(settings)
    try:
        typer.echo(for_terminal(desk.run_as_system(work)))
    except DeskError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(1) from None
    finally:
        desk.db.dispose()


@people_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A CSV (email, name, manager, department, active) or an .ldif export.")],
    config: ConfigOption = None,
    leavers: Annotated[bool, typer.Option("--leavers", help="Whoever an earlier import listed and this file does "
                                                            "not has left the company.")] = False,
) -> None:
    """Take in the people directory: each person's manager (who approves their catalog orders) and
    department; someone marked inactive has left, and the approvals waiting for them go to the fallback.
    Every problem names its file and line; nothing is imported then (exit code 2).

    Example: spoc people import staff.csv --leavers
    """
    from bot.directory_files import DirectoryFileError, read_directory
    from core.catalog.directory_import import import_entries

    try:
        entries = read_directory(path)
    except DirectoryFileError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    from bot.wiring import desk_for
    from core.errors import DeskError

    desk = desk_for(config_or_exit(config))
    try:
        typer.echo(for_terminal(desk.run_as_system(lambda ctx: import_entries(ctx, entries, leavers=leavers))))
    except DeskError as error:
        err.print(f"{path}:{str(error).removeprefix('line ')}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        desk.db.dispose()
