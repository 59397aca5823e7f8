"""Licence seats: an approved order of a licensed item takes one; with none left it waits for one (or, when
the item says `when_full: refuse`, is refused before anything is opened). A seat is given back by
`/desk licence release`, and the longest-waiting order takes it."""

from __future__ import annotations

from sqlalchemy import func, select

from core.config.catalog import CatalogItem, Licence
from core.context import Ctx
from core.errors import DeskError
from core.storage.catalog_models import OrderRow, SeatRow

WAITING_FOR_SEAT = "waiting_for_seat"


def licence_named(ctx: Ctx, name: str) -> Licence | None:
    return next((i.licence for i in ctx.settings.catalog.items if i.licence and i.licence.name == name), None)


def used(ctx: Ctx, licence: str) -> int:
    return int(ctx.session.scalar(select(func.count()).select_from(SeatRow).where(
        SeatRow.licence == licence, SeatRow.released_at.is_(None))) or 0)


def free(ctx: Ctx, licence: Licence) -> int:
    return max(0, licence.seats - used(ctx, licence.name))


def refuse_when_full(ctx: Ctx, item: CatalogItem) -> None:
    licence = item.licence
    if licence is not None and licence.when_full == "refuse" and free(ctx, licence) == 0:
        raise DeskError(f"No {licence.name} seat is free (all {licence.seats} are taken), so {item.name} cannot be "
                        "ordered now; nothing was ordered. IT can free a seat with `/desk licence release`.")


def take(ctx: Ctx, *, licence: Licence, ticket_id: int, person_id: int) -> bool:
    """A seat for the order, if one is free. The licence's seats are counted under a lock on its rows."""
    ctx.session.scalars(select(SeatRow.id).where(SeatRow.licence == licence.name, SeatRow.released_at.is_(None))
                        .with_for_update()).all()
    if free(ctx, licence) == 0:
        return False
    ctx.session.add(SeatRow(licence=licence.name, ticket_id=ticket_id, person_id=person_id, taken_at=ctx.now))
    ctx.session.flush()
    return True


def release(ctx: Ctx, *, licence: str, person_id: int) -> SeatRow | None:
    seat = ctx.session.scalar(select(SeatRow).where(SeatRow.licence == licence, SeatRow.person_id == person_id,
                                                    SeatRow.released_at.is_(None)).order_by(SeatRow.id)
                              .with_for_update())
    if seat is not None:
        seat.released_at = ctx.now
        ctx.session.flush()
    return seat


def next_waiting(ctx: Ctx, licence: str) -> OrderRow | None:
    items = [i.slug for i in ctx.settings.catalog.items if i.licence and i.licence.name == licence]
    return ctx.session.scalar(select(OrderRow).where(OrderRow.state == WAITING_FOR_SEAT, OrderRow.item.in_(items))
                              .order_by(OrderRow.created_at, OrderRow.ticket_id).limit(1).with_for_update())
