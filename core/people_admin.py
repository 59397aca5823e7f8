"""Who is who, for admins: each person's chat accounts and role, with where each part of the role comes from;
and accounts linked to a person, or unlinked, by hand (`spoc people link|unlink`). Every change is audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import Ctx
from core.errors import DeskError
from core.people import account_of
from core.person_lookup import one_person
from core.roles import CONFIG_SOURCE, join_people, platform_source, remember, settle_role
from core.storage.models import IdentityRow, PersonAuditRow, PersonRow

HISTORY = 20


@dataclass(frozen=True)
class AccountView:
    platform: str
    workspace: str
    user_id: str
    display_name: str
    agent: bool

    @property
    def label(self) -> str:
        return f"{self.platform} {self.user_id}" + (f" (workspace {self.workspace})" if self.workspace else "")


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    email: str | None
    role: str
    team: str
    config_name: str
    config_role: str
    accounts: tuple[AccountView, ...]
    history: tuple[str, ...] = ()

    def sources(self) -> list[str]:
        """Where the role comes from, each source with what it gives."""
        found = [f"{self.config_role}: {CONFIG_SOURCE}, entry {self.config_name!r}"] if self.config_role else []
        found += [f"agent: {platform_source(a.platform)} holds {a.label}" for a in self.accounts if a.agent]
        return found or ["requester: no source gives more"]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["sources"] = self.sources()
        return data


def people_views(session: Session, *, role: str = "", person_ids: list[int] | None = None,
                 history: bool = False) -> list[PersonView]:
    """People with their accounts (those with none left, joined into another, are left out)."""
    query = select(PersonRow).where(PersonRow.identities.any()).order_by(PersonRow.display_name, PersonRow.id)
    if role:
        query = query.where(PersonRow.role == role)
    if person_ids is not None:
        query = query.where(PersonRow.id.in_(person_ids))
    return [_view(session, person, history=history) for person in session.scalars(query)]


def find(session: Session, typed: str, *, platform: str = "") -> PersonRow:
    """A person as an admin names them: `#12` (their number), an @mention or user id, an e-mail or a name."""
    text = typed.strip()
    if text.startswith("#") and text[1:].isdigit():
        person = session.get(PersonRow, int(text[1:]))
        if person is None:
            raise DeskError(f"No person {text}. `spoc people list` shows everyone with their number.")
        return person
    return one_person(session, text, platform=platform, any_name=True, example="#12")


def link_account(ctx: Ctx, person: PersonRow, *, platform: str, user_id: str, workspace: str = "",
                 source: str) -> str:
    """`platform`'s account `user_id` is `person`'s: a new account is added to them; an account of someone
    else makes the two one person (that person's accounts and tickets follow)."""
    account = account_of(ctx.session, platform=platform, workspace=workspace, user_id=user_id)
    label = AccountView(platform, workspace, user_id, "", False).label
    if account is None:
        ctx.session.add(IdentityRow(platform=platform, workspace=workspace, user_id=user_id,
                                    display_name=person.display_name, person_id=person.id))
        ctx.session.flush()
        remember(ctx, person, "account_linked", new=label, source=source)
        return f"{label} is now {person.display_name}'s account."
    if account.person_id == person.id:
        return f"{label} is already {person.display_name}'s account."
    other = account.person
    join_people(ctx, keep=person, absorb=other, source=source)
    return (f"{label} was {other.display_name}'s: {other.display_name} and {person.display_name} are one person "
            f"now, with all their accounts and tickets; role {person.role}.")


def unlink_account(ctx: Ctx, *, platform: str, user_id: str, workspace: str = "", source: str) -> str:
    """The account becomes a person of its own (a requester unless its platform's group holds it); the
    tickets stay with the person it leaves."""
    account = account_of(ctx.session, platform=platform, workspace=workspace, user_id=user_id)
    label = AccountView(platform, workspace, user_id, "", False).label
    if account is None:
        raise DeskError(f"No account {label}. `spoc people show PERSON` lists a person's accounts.")
    person = account.person
    if len(person.identities) == 1:
        raise DeskError(f"{label} is {person.display_name}'s only account: there is nothing to unlink it from.")
    alone = PersonRow(display_name=account.display_name or user_id)
    ctx.session.add(alone)
    ctx.session.flush()
    account.person_id = alone.id
    ctx.session.flush()
    ctx.session.expire(person, ["identities"])
    remember(ctx, person, "account_unlinked", old=label, source=source)
    remember(ctx, alone, "account_unlinked", old=person.display_name, source=source)
    settle_role(ctx, person, source=source)
    settle_role(ctx, alone, source=source)
    return (f"{label} is a person of its own now ({alone.display_name}, {alone.role}); "
            f"{person.display_name} keeps their tickets and is {person.role}.")


def _view(session: Session, person: PersonRow, *, history: bool) -> PersonView:
    accounts = tuple(AccountView(i.platform, i.workspace, i.user_id, i.display_name, i.agent)
                     for i in sorted(person.identities, key=lambda i: (i.platform, i.workspace, i.user_id)))
    lines: tuple[str, ...] = ()
    if history:
        rows = session.scalars(select(PersonAuditRow).where(PersonAuditRow.person_id == person.id)
                               .order_by(PersonAuditRow.id.desc()).limit(HISTORY)).all()
        lines = tuple(_history_line(row) for row in reversed(rows))
    return PersonView(id=person.id, name=person.display_name, email=person.email, role=person.role,
                      team=person.team, config_name=person.config_name, config_role=person.config_role,
                      accounts=accounts, history=lines)


def _history_line(row: PersonAuditRow) -> str:
    when = f"{row.at:%Y-%m-%d %H:%M}"
    what = {"role": f"role {row.old} -> {row.new}", "linked": f"joined with {row.old}",
            "account_linked": f"account {row.new} linked", "account_unlinked": f"unlinked from {row.old}"}
    return f"{when} {what.get(row.action, row.action)} ({row.source})"
