"""A people directory export taken in: people by e-mail, their managers and departments, and who has left
(their waiting approvals go to the fallback)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.catalog.approvals import replace
from core.catalog.directory import entry_for_update
from core.context import Ctx
from core.errors import DeskError
from core.storage.catalog_models import DirectoryRow
from core.storage.models import PersonRow


@dataclass(frozen=True)
class Entry:
    """One person of a directory export; `line` is where the file says it."""

    email: str
    name: str
    manager: str = ""
    department: str = ""
    active: bool = True
    line: int = 0


def import_entries(ctx: Ctx, entries: list[Entry], *, leavers: bool) -> str:
    """Take a directory export: people by e-mail (created when new), their managers and departments. A
    person marked inactive (or, with `leavers`, one imported before who is no longer listed) has left: the
    approvals still waiting for them go to the fallback."""
    by_email = {e.email: e for e in entries}
    unknown = [e for e in entries if e.manager and e.manager not in by_email and _person(ctx, e.manager) is None]
    if unknown:
        first = unknown[0]
        raise DeskError(f"line {first.line}: manager {first.manager} is neither in the file nor known to the "
                        "desk; nothing was imported.")
    people = {e.email: _person(ctx, e.email) or _new_person(ctx, e) for e in entries}
    left: list[PersonRow] = []
    for entry in entries:
        person = people[entry.email]
        row = entry_for_update(ctx, person, source="import")
        manager = people.get(entry.manager) or (_person(ctx, entry.manager) if entry.manager else None)
        row.manager_id = manager.id if manager else None
        row.department, row.source = entry.department, "import"
        if row.active and not entry.active:
            left.append(person)
        row.active = entry.active
    if leavers:
        listed = [p.id for p in people.values()]
        for row in ctx.session.scalars(select(DirectoryRow).where(
                DirectoryRow.source == "import", DirectoryRow.active.is_(True),
                DirectoryRow.person_id.not_in(listed or [-1]))).all():
            row.active = False
            left.append(ctx.session.get_one(PersonRow, row.person_id))
    moved = [key for person in left for key in replace(ctx, person, why="left the company")]
    also = f" Approvals moved to the fallback: {', '.join(moved)}." if moved else ""
    return f"{len(entries)} people imported; {len(left)} marked as left.{also}"


def _person(ctx: Ctx, email: str) -> PersonRow | None:
    return ctx.session.scalar(select(PersonRow).where(PersonRow.email == email.lower()))


def _new_person(ctx: Ctx, entry: Entry) -> PersonRow:
    person = PersonRow(display_name=entry.name, email=entry.email)
    ctx.session.add(person)
    ctx.session.flush()
    return person
