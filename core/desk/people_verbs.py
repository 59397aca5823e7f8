"""`/desk people`: who is who, for admins."""

from __future__ import annotations

from core.cards import Card, Field, Reply
from core.commands.params import Text
from core.context import Ctx
from core.desk.permissions import ADMINS
from core.desk.registry import verb
from core.people_admin import PersonView, find, people_views

LISTED = 40


@verb("people", Text(name="person", required=False, many_lines=False), allow=ADMINS, reads_only=True,
      examples=("people", "people @sam", "people priya@example.com"))
def people(ctx: Ctx, *, person: str) -> Reply:
    """Who is who (admins): the agents and admins, each role with where it comes from (the config, or a
    chat platform's agents' group or role); or one person's accounts, role sources and history."""
    if person:
        found = find(ctx.session, person, platform=ctx.platform)
        [view] = people_views(ctx.session, person_ids=[found.id], history=True)
        return Reply(card=person_card(view))
    staff = [v for v in people_views(ctx.session) if v.role != "requester"]
    lines = [f"{v.name} ({v.role}): {'; '.join(v.sources())}" for v in staff[:LISTED]]
    if len(staff) > LISTED:
        lines.append(f"... and {len(staff) - LISTED} more: `spoc people list` shows everyone.")
    return Reply(card=Card(title=f"{len(staff)} agents and admins", text="\n".join(lines) or "None yet.",
                           footer="`/desk people NAME` shows one person's accounts and history."))


def person_card(view: PersonView) -> Card:
    fields = [Field("Role", view.role), Field("Where it comes from", "\n".join(view.sources())),
              Field("Accounts", "\n".join(a.label + (" (agents' group)" if a.agent else "") for a in view.accounts)
                    or "none")]
    if view.email:
        fields.append(Field("E-mail", view.email))
    if view.team:
        fields.append(Field("Team", view.team))
    if view.history:
        fields.append(Field("History", "\n".join(view.history[-8:])))
    return Card(title=f"{view.name} (#{view.id})", fields=tuple(fields))
