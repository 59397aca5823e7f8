"""A person from what someone typed (`/desk assign INC-42 ...`, `--agent ...`) or from a name in the config.

What was typed may be a platform mention or user id, an e-mail, or a name. A name is looked for only among
agents (a requester chooses their own display name, so it may be anyone's), and when two agents share it
the answer asks which one. A name in the config (approvers, on-call) means the person that desk.people entry
is bound to, by its ids or e-mail.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import DeskError
from core.settings import EMAIL
from core.storage.models import IdentityRow, PersonRow

# A mention as chat platforms write one: <@ID>, <@ID|name>, <@!ID>
MENTION = re.compile(r"<@!?([A-Za-z0-9._-]+)(?:\|[^>]*)?>")
AGENT_ROLES = ("agent", "admin")


class UnknownPerson(DeskError):
    pass


class AmbiguousPerson(DeskError):
    pass


def people_matching(session: Session, typed: str, *, platform: str = "", any_name: bool = False
                    ) -> list[PersonRow]:
    """Everyone `typed` may mean. `platform`: where it was typed, for bare user ids (any, when empty).
    `any_name`: a name may be anyone's, not only an agent's (to find a requester's tickets, say)."""
    text = typed.strip()
    mention = MENTION.fullmatch(text)
    if mention:
        return _by_account(session, mention.group(1), platform)
    if EMAIL.fullmatch(text):
        return list(session.scalars(select(PersonRow).where(PersonRow.email == text.lower())))
    needle = text.removeprefix("@").strip()
    if not needle:
        return []
    lowered = needle.lower()
    by_name = (func.lower(PersonRow.display_name) == lowered) | (func.lower(PersonRow.config_name) == lowered)
    if not any_name:
        by_name = by_name & PersonRow.role.in_(AGENT_ROLES)
    named = list(session.scalars(select(PersonRow).where(by_name).order_by(PersonRow.id)))
    return named or _by_account(session, needle, platform)


def one_person(session: Session, typed: str, *, platform: str = "", example: str = "", any_name: bool = False
               ) -> PersonRow:
    """The one person `typed` means; otherwise a refusal that says how to name them exactly."""
    found = people_matching(session, typed, platform=platform, any_name=any_name)
    how = f", e.g. `{example}`" if example else ""
    if not found:
        whose = "a name" if any_name else "the name of an agent"
        raise UnknownPerson(f"No one is known as {typed.strip()!r}. Use an @mention, an e-mail or {whose}{how}.")
    if len(found) > 1:
        who = "; ".join(describe(session, p) for p in found[:5])
        raise AmbiguousPerson(f"{len(found)} people answer to {typed.strip()!r}: {who}. Say which one with an "
                              f"@mention or e-mail{how}.")
    return found[0]


def describe(session: Session, person: PersonRow) -> str:
    """A person told apart from namesakes: their name and e-mail, or their accounts."""
    if person.email:
        return f"{person.display_name} <{person.email}>"
    accounts = session.execute(select(IdentityRow.platform, IdentityRow.user_id)
                               .where(IdentityRow.person_id == person.id).order_by(IdentityRow.id)).all()
    shown = ", ".join(f"{platform} {user_id}" for platform, user_id in accounts)
    return f"{person.display_name} ({shown or 'no chat account'})"


def configured_person(session: Session, name: str) -> PersonRow | None:
    """The person the desk.people entry called `name` is bound to (None before it has been bound)."""
    return session.scalar(select(PersonRow).where(func.lower(PersonRow.config_name) == name.strip().lower()))


def _by_account(session: Session, user_id: str, platform: str) -> list[PersonRow]:
    query = (select(PersonRow).join(IdentityRow, IdentityRow.person_id == PersonRow.id)
             .where(IdentityRow.user_id == user_id).distinct().order_by(PersonRow.id))
    if platform:
        query = query.where(IdentityRow.platform == platform)
    return list(session.scalars(query))
