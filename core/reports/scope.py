"""Turning what a person typed (a team, an agent's name, a kind...) into a `ReportFilter`, or a one-line
refusal that says what would work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.errors import DeskError
from core.lifecycle import Kind
from core.person_lookup import UnknownPerson, one_person
from core.reports.period import ReportFilter
from core.settings import DeskSettings
from core.teams import team_named

FILTER_NAMES = ("team", "agent", "kind", "category", "service", "platform")


class FilterError(ValueError):
    """A filter that names nothing known."""


@dataclass(frozen=True)
class Scope:
    filters: ReportFilter
    words: str  # the filters as a person reads them


def read_filters(session: Session, settings: DeskSettings, chosen: dict[str, str | None], *,
                 typed_on: str = "") -> Scope:
    """`chosen`: filter name -> what was typed (None or "" for not given); `typed_on`: the chat platform it
    was typed on, for user ids (any, from the command line)."""
    given = {name: (chosen.get(name) or "").strip() for name in FILTER_NAMES}
    team = ""
    if given["team"]:
        found = team_named(settings, given["team"])
        if found is None:
            names = ", ".join(t.name for t in settings.teams)
            raise FilterError(f"No team {given['team']!r}. Teams: {names}.")
        team = found.name
    agent_id, agent_name = None, ""
    if given["agent"]:
        try:
            person = one_person(session, given["agent"], platform=typed_on)
        except UnknownPerson:
            raise FilterError(f"No one called {given['agent']!r}: use an agent's name or e-mail.") from None
        except DeskError as error:
            raise FilterError(str(error)) from None
        agent_id, agent_name = person.id, person.display_name
    kind = given["kind"].lower()
    if kind and kind not in {k.value for k in Kind}:
        raise FilterError(f"No kind {kind!r}. Kinds: {', '.join(k.value for k in Kind)}.")
    # Categories, services and platforms are taken as typed: old tickets may carry ones no longer configured.
    filters = ReportFilter(team=team, agent_id=agent_id, kind=kind, category=given["category"].lower(),
                           service=given["service"].lower(), platform=given["platform"].lower())
    return Scope(filters=filters, words=filters.describe(agent_name=agent_name))
