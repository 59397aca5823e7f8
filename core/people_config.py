"""The people the config names (`desk.people`), bound to their chat accounts by ids or e-mail.

Each entry is bound to the person who holds one of its accounts (platform -> user id, in the desk's own
workspace) or its e-mail, never to someone who merely has its name. Accounts the entry names that belong
to different people are joined: the config says they are one human. The entry gives the person its name,
team and role; a person whose entry is gone loses them (audited, see core/roles.py).
"""

from __future__ import annotations

from sqlalchemy import select

from core.catalog import directory
from core.context import Ctx
from core.people import account_of
from core.person_lookup import configured_person
from core.roles import CONFIG_SOURCE, join_people, settle_role
from core.settings import Person
from core.storage.models import IdentityRow, PersonRow


def sync_people(ctx: Ctx) -> None:
    bound: set[int] = set()
    for entry in ctx.settings.people:
        person = _bind(ctx, entry)
        bound.add(person.id)
        person.config_name, person.config_role, person.team = entry.name, entry.role, entry.team
        person.display_name = entry.name
        settle_role(ctx, person, source=CONFIG_SOURCE)
    for entry in ctx.settings.people:
        if entry.manager:
            person, manager = configured_person(ctx.session, entry.name), configured_person(ctx.session, entry.manager)
            if person is not None and manager is not None:
                directory.entry_for_update(ctx, person, source="config").manager_id = manager.id
    gone = select(PersonRow).where(PersonRow.config_name != "", PersonRow.id.not_in(bound or {-1}))
    for person in ctx.session.scalars(gone).all():
        person.config_name, person.config_role, person.team = "", "", ""
        settle_role(ctx, person, source=f"{CONFIG_SOURCE}: no longer listed")


def _bind(ctx: Ctx, entry: Person) -> PersonRow:
    session = ctx.session
    email = entry.email.strip().lower()
    holders: list[PersonRow] = []
    for platform, user_id in entry.ids.items():
        account = account_of(session, platform=platform, workspace="", user_id=user_id)
        if account is not None:
            holders.append(account.person)
    if email:
        owner = session.scalar(select(PersonRow).where(PersonRow.email == email))
        if owner is not None:
            holders.append(owner)
    distinct = list({p.id: p for p in holders}.values())
    if distinct:
        person = next((p for p in distinct if p.config_name == entry.name), distinct[0])
        for other in distinct:
            if other.id != person.id:
                join_people(ctx, keep=person, absorb=other, source=f"{CONFIG_SOURCE}: {entry.name}")
    else:
        person = PersonRow(display_name=entry.name, email=email or None)
        session.add(person)
        session.flush()
    if email and person.email != email:
        person.email = email
        session.flush()
    for platform, user_id in entry.ids.items():
        if account_of(session, platform=platform, workspace="", user_id=user_id) is None:
            session.add(IdentityRow(platform=platform, workspace="", user_id=user_id, display_name=entry.name,
                                    person_id=person.id))
    session.flush()
    return person
