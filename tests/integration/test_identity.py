"""Impostors: people are who the platform says they are (account ids, vouched e-mail), never who their
display name says; a role is taken away when its source takes it away. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core.messages import Author
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.itsm_models import ChangeRow
from core.storage.models import IdentityRow, PersonAuditRow, PersonRow
from tests.conftest import DEFAULT_PEOPLE, Chat, person
from tests.integration.helpers import outbox, outbox_texts, tickets

LEE = person("Lee")  # an admin in DEFAULT_PEOPLE, bound by the console id "lee"
SAM = person("Sam")  # an agent, bound by the console id "sam"
PRIYA = Person(name="Priya", email="priya@example.com", role="admin", ids={"console": "priya"})


def people(desk: Desk) -> list[dict[str, Any]]:
    def load(session):  # type: ignore[no-untyped-def]
        return [{"name": p.display_name, "role": p.role, "email": p.email, "config": p.config_name,
                 "accounts": sorted((i.platform, i.workspace, i.user_id) for i in p.identities)}
                for p in session.scalars(select(PersonRow).order_by(PersonRow.id))]

    return desk.db.run(load)


def role_of(desk: Desk, *, platform: str, user_id: str, workspace: str = "") -> str:
    return desk.db.run(lambda s: s.scalar(
        select(PersonRow.role).join(IdentityRow).where(IdentityRow.platform == platform,
                                                       IdentityRow.workspace == workspace,
                                                       IdentityRow.user_id == user_id)))


def role_audit(desk: Desk) -> list[tuple[str, str, str, str]]:
    return desk.db.run(lambda s: [(p.display_name, a.old, a.new, a.source) for a, p in s.execute(
        select(PersonAuditRow, PersonRow).join(PersonRow, PersonRow.id == PersonAuditRow.person_id)
        .where(PersonAuditRow.action == "role").order_by(PersonAuditRow.id))])


def test_a_display_name_equal_to_an_admins_gives_none_of_her_role(chat: Chat) -> None:
    mallory = Author(platform="console", user_id="mallory", display_name="Lee")
    chat.say(mallory, "my printer is jammed")
    assert role_of(chat.desk, platform="console", user_id="mallory") == "requester"
    assert chat.desk_command(mallory, "claim INC-1").startswith("Only IT agents can use `/desk claim`")
    assert chat.desk_command(mallory, "queue").startswith("Only IT agents")
    # Typed by an agent, the name means the agent called Lee, never the requester who chose that name.
    assert chat.desk_command(SAM, "assign INC-1 Lee") == "INC-1 assigned to Lee."
    assert tickets(chat.desk)[0]["assignee"] == "Lee"
    assert role_of(chat.desk, platform="console", user_id="lee") == "admin"


def test_a_name_taken_before_the_config_names_its_owner_binds_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    first = make_desk(database_url)
    mallory = Author(platform="console", user_id="mallory", display_name="Priya")
    Chat(first).say(mallory, "please reset my password")
    desk = make_desk(database_url, settings=DeskSettings(people=(*DEFAULT_PEOPLE, PRIYA)))
    assert role_of(desk, platform="console", user_id="mallory") == "requester"
    assert role_of(desk, platform="console", user_id="priya") == "admin"
    impostor = next(p for p in people(desk) if ("console", "", "mallory") in p["accounts"])
    assert impostor["config"] == "" and impostor["email"] is None


def test_the_same_email_from_two_workspaces_joins_only_the_account_the_platform_vouches_for(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    priya_by_email = Person(name="Priya", email="priya@example.com", role="admin")
    desk = make_desk(database_url, settings=DeskSettings(people=(*DEFAULT_PEOPLE, priya_by_email)))
    chat = Chat(desk)
    outsider = Author(platform="console", user_id="U1", display_name="Priya", email="priya@example.com",
                      workspace="T-OTHER")
    chat.say(outsider, "grant me the finance share")
    assert role_of(desk, platform="console", user_id="U1", workspace="T-OTHER") == "requester"
    member = Author(platform="console", user_id="U1", display_name="priya.k", email="Priya@Example.com")
    chat.say(member, "my vpn keeps dropping")
    assert role_of(desk, platform="console", user_id="U1") == "admin"
    [bound] = [p for p in people(desk) if p["config"] == "Priya"]
    assert bound["accounts"] == [("console", "", "U1")]


def test_an_account_that_leaves_the_agents_group_is_demoted_at_its_next_event_and_audited(chat: Chat) -> None:
    kim_agent = person("Kim", agent=True)
    chat.say(DANA_AUTHOR, "the projector in room 4 is dead")
    assert chat.desk_command(kim_agent, "claim INC-1") == "You have INC-1."
    kim_removed = person("Kim", agent=False)
    assert chat.desk_command(kim_removed, "queue").startswith("Only IT agents")
    assert role_of(chat.desk, platform="console", user_id="kim") == "requester"
    assert role_audit(chat.desk)[-2:] == [("Kim", "requester", "agent", "console agents' group or role"),
                                          ("Kim", "agent", "requester", "console agents' group or role")]
    told = [t for t in outbox_texts(chat.desk) if "Kim is no longer an agent" in t]
    assert told and "Still assigned to them: INC-1" in told[0]


def test_a_platform_that_cannot_be_asked_leaves_the_role_as_it_was(chat: Chat) -> None:
    chat.desk_command(person("Kim", agent=True), "queue")
    unknown = Author(platform="console", user_id="kim", display_name="Kim", roles_known=False)
    assert not chat.desk_command(unknown, "queue").startswith("Only IT agents")
    assert role_of(chat.desk, platform="console", user_id="kim") == "agent"


def test_the_scheduled_sync_demotes_within_one_run_and_promotes_known_accounts(chat: Chat) -> None:
    chat.desk_command(person("Kim", agent=True), "queue")
    chat.say(person("Ola"), "keyboard missing keys")
    assert chat.desk.agent_accounts("console") == ["kim"]
    assert chat.desk.follow_platform_agents("console", {"kim": False, "ola": True, "nobody": True}) == 2
    assert role_of(chat.desk, platform="console", user_id="kim") == "requester"
    assert role_of(chat.desk, platform="console", user_id="ola") == "agent"
    assert ("Kim", "agent", "requester", "console agents' group or role") in role_audit(chat.desk)
    assert chat.desk.follow_platform_agents("console", {"kim": False, "ola": True}) == 0  # nothing twice


def test_a_role_the_config_no_longer_gives_is_taken_away_at_start(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    make_desk(database_url)
    desk = make_desk(database_url, settings=DeskSettings(people=(DEFAULT_PEOPLE[1],)))  # Sam left the config
    assert role_of(desk, platform="console", user_id="sam") == "requester"
    assert ("Sam", "agent", "requester", "config (desk.people): no longer listed") in role_audit(desk)
    assert Chat(desk).desk_command(SAM, "queue").startswith("Only IT agents")


def test_a_config_role_outranks_a_platform_that_says_nothing(chat: Chat) -> None:
    assert not chat.desk_command(person("Sam", agent=False), "queue").startswith("Only IT agents")
    assert role_of(chat.desk, platform="console", user_id="sam") == "agent"


def test_a_demoted_admins_pending_approvals_are_withdrawn(make_desk: Callable[..., Desk], database_url: str) -> None:
    ana = Person(name="Ana", email="ana@example.com", role="admin", ids={"console": "ana"})
    settings = DeskSettings(people=(*DEFAULT_PEOPLE, ana), change_approval="all")
    chat = Chat(make_desk(database_url, settings=settings))
    new = ('change new --service wifi --start 2026-03-07T22:00 --end 2026-03-07T23:00 --risk low '
           '--plan "swap" --rollback "swap back" New access points')
    assert chat.desk_command(SAM, new) == "CHG-1 submitted for approval by all of Lee, Ana."
    assert chat.desk_command(person("Ana"), "change approve CHG-1") == "You approved CHG-1; still waiting for Lee."
    lee_agent = Person(name="Lee", email="lee@example.com", role="agent", ids={"console": "lee"})
    desk = make_desk(database_url, settings=DeskSettings(people=(DEFAULT_PEOPLE[0], lee_agent, ana),
                                                         change_approval="all"))
    assert role_of(desk, platform="console", user_id="lee") == "agent"
    chat = Chat(desk)
    chat.count = 100  # event ids go on from the first desk's
    assert desk.db.run(lambda s: s.get(ChangeRow, 1).state) == "scheduled"
    withdrawn = [t for t in outbox_texts(desk) if "Their pending approvals were withdrawn: CHG-1" in t]
    assert withdrawn
    lee_cards = [r for r in outbox(desk) if r.card_key.startswith("change:1:approval:1:") and r.user_id == "lee"]
    assert lee_cards[-1].card["footer"] == "Withdrawn: Lee is no longer a change approver."
    assert lee_cards[-1].card["buttons"] == []
    # No longer an approver: refused as such (who may run a verb is checked before anything else).
    assert chat.desk_command(LEE, "change approve CHG-1") == \
        "Only the change approvers (Ana) can approve or reject CHG-1."
    assert desk.db.run(lambda s: s.get(ChangeRow, 1).state) == "scheduled"


def test_two_agents_with_one_name_are_asked_apart_in_assign(chat: Chat) -> None:
    other_sam = Author(platform="chat", user_id="U-SAM2", display_name="Sam", is_agent=True)
    chat.desk_command(other_sam, "queue")
    chat.say(DANA_AUTHOR, "monitor flickers")
    answer = chat.desk_command(LEE, "assign INC-1 Sam")
    assert answer.startswith("2 people answer to 'Sam': Sam <sam@example.com>; Sam (chat U-SAM2). Say which one")
    assert tickets(chat.desk)[0]["assignee"] is None
    assert chat.desk_command(LEE, "assign INC-1 sam@example.com") == "INC-1 assigned to Sam."
    assert chat.desk_command(other_sam, "assign INC-1 <@U-SAM2>") == "INC-1 assigned to Sam."
    assert chat.desk_command(LEE, "assign INC-1 nobody-here").startswith("No one is known as 'nobody-here'.")


def test_a_requesters_name_is_never_taken_for_an_agent(chat: Chat) -> None:
    chat.say(Author(platform="console", user_id="mallory", display_name="Helpdesk"), "hi")
    assert chat.desk_command(LEE, "assign INC-1 Helpdesk").startswith("No one is known as 'Helpdesk'.")
    assert chat.desk_command(LEE, "assign INC-1 @mallory") == \
        "Helpdesk is not an agent; tickets can only be assigned to agents."


DANA_AUTHOR = person("Dana")
