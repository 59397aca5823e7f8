"""What the people directory says: a person's manager, whether they are still with the company, and who
approves for them while they are away."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.context import Ctx
from core.storage.catalog_models import DirectoryRow
from core.storage.models import PersonRow


def entry(ctx: Ctx, person_id: int) -> DirectoryRow | None:
    return ctx.session.get(DirectoryRow, person_id)


def entry_for_update(ctx: Ctx, person: PersonRow, *, source: str) -> DirectoryRow:
    row = ctx.session.get(DirectoryRow, person.id)
    if row is None:
        row = DirectoryRow(person_id=person.id, source=source, active=True, department="")
        ctx.session.add(row)
    return row


def manager_of(ctx: Ctx, person: PersonRow) -> PersonRow | None:
    row = entry(ctx, person.id)
    return ctx.session.get(PersonRow, row.manager_id) if row and row.manager_id else None


def is_active(ctx: Ctx, person: PersonRow) -> bool:
    """Still with the company: the directory has not said they left."""
    row = entry(ctx, person.id)
    return row is None or row.active


def stand_in(ctx: Ctx, person: PersonRow) -> PersonRow | None:
    """Who approves for `person` now: their delegate while they are away (None when they are here)."""
    row = entry(ctx, person.id)
    if row is None or row.away_until is None or row.away_until <= ctx.now or row.delegate_id is None:
        return None
    return ctx.session.get(PersonRow, row.delegate_id)


def set_away(ctx: Ctx, person: PersonRow, *, until: datetime | None, delegate: PersonRow | None) -> None:
    row = entry_for_update(ctx, person, source="desk")
    row.away_until, row.delegate_id = until, delegate.id if delegate else None


def reports_of(ctx: Ctx, manager: PersonRow) -> list[PersonRow]:
    return list(ctx.session.scalars(select(PersonRow).join(DirectoryRow, DirectoryRow.person_id == PersonRow.id)
                                    .where(DirectoryRow.manager_id == manager.id).order_by(PersonRow.id)))

