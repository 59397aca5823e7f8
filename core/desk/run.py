"""Running a typed command: the tickets it names are loaded (locked), who may run it is checked, then its
handler runs."""

from __future__ import annotations

from datetime import datetime

from core.cards import Reply
from core.commands.params import Env
from core.commands.syntax import Command
from core.context import Ctx
from core.desk.permissions import check
from core.desk.registry import Verb
from core.settings import DeskSettings
from core.teams import default_calendar
from core.tickets import get_ticket


def desk_env(settings: DeskSettings, *, now: datetime) -> Env:
    """What reading answers needs: times without an offset are in the desk's default calendar's zone."""
    return Env(settings=settings, zone=default_calendar(settings, around=now).time_zone, now=now)


def run_verb(ctx: Ctx, found: Verb, command: Command) -> Reply:
    declared = {p.name for p in found.params}
    values = {name: value for name, value in command.values.items() if name in declared}
    if found.more is not None:
        values["answers"] = {name: value for name, value in command.values.items() if name not in declared}
    if not found.allow.needs_ticket:
        check(ctx, found.allow, verb=found.name, ticket=None)
    for param in found.tickets:
        key = values.get(param.name)
        values[param.name] = get_ticket(ctx.session, str(key), for_update=True) if key else None
    if found.allow.needs_ticket:
        check(ctx, found.allow, verb=found.name, ticket=values[found.tickets[0].name])  # type: ignore[arg-type]
    return found.handler(ctx, **values)
