"""Who is who: chat accounts resolved to people.

A person is bound to an account by what the platform says: (platform, workspace, user id). A display name
decides nothing, since its owner chooses it. An e-mail joins a new account to a person only when the
platform vouches for it (the adapter sets `Author.email` only then) and the account is of the desk's own
workspace. Roles are worked out in core/roles.py.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from core.messages import Author
from core.storage.models import IdentityRow, PersonRow
from core.storage.reads import as_stored
from core.storage.writes import append_unless_taken, store_now, store_unless_taken

RANK = {"requester": 0, "agent": 1, "admin": 2}
ACCOUNT_KEY = ("platform", "workspace", "user_id")
_PEOPLE, _IDENTITIES = PersonRow.__table__, IdentityRow.__table__
# Built once: every message and command starts by looking up its author (as plain columns: loading the
# person as an ORM row costs more than the query).
PERSON_COLUMNS = tuple(column.key for column in _PEOPLE.columns)  # type: ignore[attr-defined]
PERSON_WITH_ACCOUNT = (
    select(*_PEOPLE.columns, _IDENTITIES.c.id, _IDENTITIES.c.agent)  # type: ignore[attr-defined]
    .join(_IDENTITIES, _IDENTITIES.c.person_id == _PEOPLE.c.id)  # type: ignore[attr-defined]
    .where(_IDENTITIES.c.platform == bindparam("platform"), _IDENTITIES.c.workspace == bindparam("workspace"),  # type: ignore[attr-defined]
           _IDENTITIES.c.user_id == bindparam("user_id"))  # type: ignore[attr-defined]
)
# Built once: every notification to a requester who is not the one acting asks it.
USER_ID_ON = (select(IdentityRow.user_id).where(IdentityRow.person_id == bindparam("person"),
                                                IdentityRow.platform == bindparam("platform"))
              .order_by(IdentityRow.workspace).limit(1))


def is_agent(person: PersonRow) -> bool:
    return RANK.get(person.role, 0) >= RANK["agent"]


def resolve(session: Session, author: Author) -> PersonRow:
    return resolve_account(session, author)[0]


def resolve_account(session: Session, author: Author) -> tuple[PersonRow, bool]:
    """The person behind a chat account, created on first sight; and whether what the platform now says
    about the account's agent role differs from what was known (core/roles.py settles the role then)."""
    key = {"platform": author.platform, "workspace": author.workspace, "user_id": author.user_id}
    found = session.connection().execute(PERSON_WITH_ACCOUNT, key).first()
    if found is None:
        person = _first_sight(session, author)
        if person is not None:
            return person, author.roles_known and author.is_agent
        # Another transaction met this account at the same moment and stored it first.
        found = session.connection().execute(PERSON_WITH_ACCOUNT, key).one()
    *columns, identity_id, agent = found
    person = as_stored(session, PersonRow(**dict(zip(PERSON_COLUMNS, columns, strict=True))))
    if author.roles_known and agent != author.is_agent:
        session.execute(update(IdentityRow).where(IdentityRow.id == identity_id).values(agent=author.is_agent))
        return person, True
    return person, False


def _first_sight(session: Session, author: Author) -> PersonRow | None:
    """A new account: joined to the person with its vouched e-mail, else a new person. None when another
    transaction stored the same account first (nothing of this one is left behind then)."""
    name = author.display_name or author.user_id
    email = author.email.strip().lower() if author.email and not author.workspace else None
    person, created = None, None
    if email:
        person = session.scalar(select(PersonRow).where(PersonRow.email == email))
        if person is None:
            created = store_unless_taken(session, PersonRow(display_name=name, email=email), unique=("email",))
            person = created or session.scalar(select(PersonRow).where(PersonRow.email == email))
    if person is None:
        person = created = store_now(session, PersonRow(display_name=name))
    stored = append_unless_taken(session, IdentityRow, unique=ACCOUNT_KEY, platform=author.platform,
                                 workspace=author.workspace, user_id=author.user_id, display_name=name,
                                 person_id=person.id, agent=author.roles_known and author.is_agent)
    if stored:
        return person
    if created is not None:
        session.execute(delete(PersonRow).where(PersonRow.id == created.id))
        session.expunge(created)
    return None


def identity_on(session: Session, person_id: int, platform: str) -> str | None:
    """The person's user id on `platform` (in the desk's own workspace if they have one there)."""
    return session.scalar(USER_ID_ON, {"person": person_id, "platform": platform})


def account_of(session: Session, *, platform: str, workspace: str, user_id: str) -> IdentityRow | None:
    return session.scalar(select(IdentityRow).where(IdentityRow.platform == platform,
                                                    IdentityRow.workspace == workspace,
                                                    IdentityRow.user_id == user_id))
