"""Which team has a ticket, which team is next in line, and its calendar (where a team is reached:
core/team_reach.py)."""

from __future__ import annotations

from datetime import datetime

from core.business_time.calendar import BusinessCalendar
from core.config.sla import DEFAULT_CALENDAR, Team
from core.settings import DeskSettings
from core.storage.models import TicketRow


def team_named(settings: DeskSettings, name: str) -> Team | None:
    needle = name.strip().lower()
    for team in settings.teams:
        if needle in (team.name, team.title.lower()):
            return team
    return None


def first_line(settings: DeskSettings, category: str = "") -> Team | None:
    return pick_for([t for t in settings.teams if t.tier == 1], category)


def team_of(settings: DeskSettings, ticket: TicketRow) -> Team | None:
    """The ticket's team; a ticket from before teams were configured belongs to the first line."""
    return team_named(settings, ticket.team) if ticket.team else first_line(settings, ticket.category)


def next_in_line(settings: DeskSettings, ticket: TicketRow) -> Team | None:
    """The team one tier up: the lowest tier above the ticket's, preferring a team for its category."""
    above = [t for t in settings.teams if t.tier > ticket.tier]
    if not above:
        return None
    tier = min(t.tier for t in above)
    return pick_for([t for t in above if t.tier == tier], ticket.category)


def pick_for(teams: list[Team], category: str) -> Team | None:
    """The team for `category` among `teams`: one naming it, else one taking any, else the first."""
    for team in teams:
        if category and category in team.categories:
            return team
    for team in teams:
        if not team.categories:
            return team
    return teams[0] if teams else None


def calendar_of(settings: DeskSettings, ticket: TicketRow, *, around: datetime) -> BusinessCalendar:
    team = team_of(settings, ticket)
    name = team.calendar if team else DEFAULT_CALENDAR
    return settings.sla.calendars[name].calendar(around.year)


def default_calendar(settings: DeskSettings, *, around: datetime) -> BusinessCalendar:
    return settings.sla.calendars[DEFAULT_CALENDAR].calendar(around.year)
