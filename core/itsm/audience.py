"""Who hears about a service: its channels on every platform of the desk, and the people subscribed to it."""

from __future__ import annotations

from sqlalchemy import select

from core.cards import Card
from core.config.services import Service, closest_service, service_named
from core.context import Ctx
from core.delivery import Destination
from core.errors import DeskError
from core.people import identity_on
from core.storage.itsm_models import SubscriptionRow
from core.storage.models import PersonRow
from core.storage.writes import append_unless_taken
from core.team_reach import direct_to, team_channels
from core.teams import team_named


def find_service(ctx: Ctx, text: str) -> Service:
    """The service a person named; a one-line refusal that suggests the closest one otherwise."""
    found = service_named(ctx.settings.services, text)
    if found is not None:
        return found
    if not ctx.settings.services:
        raise DeskError("No services are configured (desk.services in the config).")
    guess = closest_service(ctx.settings.services, text)
    hint = f" Did you mean {guess.name}?" if guess else ""
    raise DeskError(f"No service {text.strip()!r}.{hint} `/desk services` lists them.")


def subscribe(ctx: Ctx, service: Service, person: PersonRow, *, platform: str) -> bool:
    """Subscribe `person` (told on `platform`); False when they already were (also when another report of
    theirs subscribed them at the same moment)."""
    return append_unless_taken(ctx.session, SubscriptionRow, unique=("service", "person_id"), service=service.name,
                               person_id=person.id, platform=platform, at=ctx.now)


def unsubscribe(ctx: Ctx, service: Service, person: PersonRow) -> bool:
    row = ctx.session.scalar(select(SubscriptionRow).where(SubscriptionRow.service == service.name,
                                                           SubscriptionRow.person_id == person.id))
    if row is None:
        return False
    ctx.session.delete(row)
    return True


def is_subscribed(ctx: Ctx, service: Service, person: PersonRow) -> bool:
    return ctx.session.scalar(select(SubscriptionRow.id).where(
        SubscriptionRow.service == service.name, SubscriptionRow.person_id == person.id)) is not None


def audience(ctx: Ctx, service: Service, *, with_owner: bool = False) -> list[Destination]:
    """The service's channels on each platform this desk runs, each subscriber directly (on the platform
    they subscribed from, else wherever they can be reached), and with `with_owner` the owning team's
    channels. Each place once."""
    places: list[Destination] = []
    for platform in sorted(ctx.deps.platforms):
        places.extend(Destination(platform, channel) for channel in service.channels.get(platform, ()))
    if with_owner:
        places.extend(team_channels(ctx, team_named(ctx.settings, service.owner) if service.owner else None))
    rows = ctx.session.scalars(select(SubscriptionRow).where(SubscriptionRow.service == service.name)
                               .order_by(SubscriptionRow.id)).all()
    for row in rows:
        running = row.platform in ctx.deps.platforms
        user_id = identity_on(ctx.session, row.person_id, row.platform) if running else None
        place = Destination(row.platform, user_id=user_id) if user_id else direct_to(ctx, row.person_id)
        if place is not None:
            places.append(place)
    return list(dict.fromkeys(places))


def place_key(place: Destination) -> str:
    return f"{place.platform}:{('@' + place.user_id) if place.user_id else place.channel}"


def broadcast(ctx: Ctx, service: Service, card: Card, *, living: str = "", thread_line: Card | None = None,
              with_owner: bool = False) -> int:
    """Send `card` to the service's audience; returns to how many places. With `living` (a key) the card
    is edited in place wherever it was posted before, and `thread_line` is added in the card's thread."""
    places = audience(ctx, service, with_owner=with_owner)
    for place in places:
        card_key = f"{living}:{place_key(place)}" if living else ""
        ctx.outbox.send(place, card, card_key=card_key)
        if thread_line is not None and card_key:
            ctx.outbox.send(place, thread_line, in_thread_of=card_key)
    return len(places)
