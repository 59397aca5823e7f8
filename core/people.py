"""Who is who: chat identities resolved to people, with roles from the config and the platform."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from core.messages import Author
from core.settings import DeskSettings
from core.storage.models import AuditRow, CommentRow, IdentityRow, PersonRow, TicketRow
from core.storage.writes import append, store_now

RANK = {"requester": 0, "agent": 1, "admin": 2}
# Built once: every message and command starts by looking up its author.
PERSON_WITH_ACCOUNT = (
    select(PersonRow).join(IdentityRow, IdentityRow.person_id == PersonRow.id)
    .where(IdentityRow.platform == bindparam("platform"), IdentityRow.user_id == bindparam("user_id"))
)
# Built once: every notification to a requester who is not the one acting asks it.
USER_ID_ON = select(IdentityRow.user_id).where(IdentityRow.person_id == bindparam("person"),
                                               IdentityRow.platform == bindparam("platform"))


def is_agent(person: PersonRow) -> bool:
    return RANK.get(person.role, 0) >= RANK["agent"]


def sync_people(session: Session, settings: DeskSettings) -> None:
    """Make the people named in the config exist with their roles and chat identities."""
    for configured in settings.people:
        person = None
        if configured.email:
            person = session.scalar(select(PersonRow).where(PersonRow.email == configured.email.lower()))
        if person is None:
            person = session.scalar(
                select(PersonRow).where(func.lower(PersonRow.display_name) == configured.name.lower())
            )
        if person is None:
            person = PersonRow(display_name=configured.name, email=configured.email.lower() or None)
            session.add(person)
        person.role, person.team = configured.role, configured.team
        session.flush()
        for platform, user_id in configured.ids.items():
            _attach(session, person, platform=platform, user_id=user_id, display_name=configured.name)


def _attach(session: Session, person: PersonRow, *, platform: str, user_id: str, display_name: str) -> None:
    identity = session.scalar(
        select(IdentityRow).where(IdentityRow.platform == platform, IdentityRow.user_id == user_id)
    )
    if identity is None:
        session.add(IdentityRow(platform=platform, user_id=user_id, display_name=display_name,
                                person_id=person.id))
    elif identity.person_id != person.id:
        identity.person_id = person.id


def resolve(session: Session, author: Author) -> PersonRow:
    """The person behind a chat author, created on first sight. A platform's agent hint raises the role."""
    person = session.scalar(PERSON_WITH_ACCOUNT, {"platform": author.platform, "user_id": author.user_id})
    if person is None:
        if author.email:
            person = session.scalar(select(PersonRow).where(PersonRow.email == author.email.lower()))
        if person is None:
            person = store_now(session, PersonRow(display_name=author.display_name or author.user_id,
                                                  email=author.email.lower() if author.email else None))
        append(session, IdentityRow, platform=author.platform, user_id=author.user_id,
               display_name=author.display_name or author.user_id, person_id=person.id)
    if author.is_agent and not is_agent(person):
        person.role = "agent"
    return person


def find_person(session: Session, text: str) -> PersonRow | None:
    """A person by name, e-mail or chat user id, as an agent would type it (`sam`, `<@U123>`, `@sam`)."""
    needle = text.strip().strip("<>").lstrip("@").lower()
    if not needle:
        return None
    person = session.scalar(
        select(PersonRow).where(
            (func.lower(PersonRow.display_name) == needle) | (PersonRow.email == needle)
        )
    )
    if person is not None:
        return person
    identity = session.scalar(select(IdentityRow).where(func.lower(IdentityRow.user_id) == needle))
    return identity.person if identity else None


def identity_on(session: Session, person_id: int, platform: str) -> str | None:
    return session.scalar(USER_ID_ON, {"person": person_id, "platform": platform})


def join_people(session: Session, *, keep: PersonRow, absorb: PersonRow) -> None:
    """One human, two person rows (an account on each platform): `absorb`'s chat accounts, tickets,
    comments and audit entries become `keep`'s. The higher role wins; `absorb` is left without accounts."""
    for identity in session.scalars(select(IdentityRow).where(IdentityRow.person_id == absorb.id)).all():
        identity.person_id = keep.id
    # The version bump keeps optimistic locking honest for anyone holding one of these tickets.
    for column in (TicketRow.requester_id, TicketRow.assignee_id):
        session.execute(update(TicketRow).where(column == absorb.id)
                        .values({column: keep.id, TicketRow.version: TicketRow.version + 1}))
    session.execute(update(CommentRow).where(CommentRow.author_id == absorb.id).values(author_id=keep.id))
    session.execute(update(AuditRow).where(AuditRow.actor_id == absorb.id).values(actor_id=keep.id))
    if RANK.get(absorb.role, 0) > RANK.get(keep.role, 0):
        keep.role = absorb.role
    keep.team = keep.team or absorb.team
    if not keep.email and absorb.email:
        email, absorb.email = absorb.email, None
        session.flush()  # the e-mail is unique: free it before it moves
        keep.email = email
    session.flush()
