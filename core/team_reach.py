"""Where a team or a person is reached on the platforms this desk talks to.

Apart from core/teams.py, so that a report, which needs teams, loads none of what delivering a message needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.config.sla import Team
from core.delivery import Destination
from core.people import identity_on
from core.person_lookup import configured_person

if TYPE_CHECKING:
    from core.context import Ctx


def team_channels(ctx: Ctx, team: Team | None) -> list[Destination]:
    """A team's channel on every platform this desk talks to; the triage channel where it has none."""
    triage = {route.platform: route for route in ctx.deps.routes.triage}
    places: list[Destination] = []
    for platform in sorted(ctx.deps.platforms):
        channel = team.channels.get(platform, "") if team else ""
        if channel:
            places.append(Destination(platform, channel))
        elif platform in triage:
            places.append(triage[platform])
    return places


def on_call_mention(ctx: Ctx, team: Team | None, platform: str) -> tuple[str, ...]:
    if team is None or not team.on_call:
        return ()
    person = configured_person(ctx.session, team.on_call)
    user_id = identity_on(ctx.session, person.id, platform) if person else None
    return (user_id,) if user_id else ()


def direct_to(ctx: Ctx, person_id: int, *, prefer: str = "") -> Destination | None:
    """A direct message to a person on one platform of this desk: `prefer` if they are there."""
    for platform in ([prefer] if prefer in ctx.deps.platforms else []) + sorted(ctx.deps.platforms):
        user_id = identity_on(ctx.session, person_id, platform)
        if user_id:
            return Destination(platform, user_id=user_id)
    return None
