"""Who may run each verb is declared with it and checked before its handler runs: every verb, run by each
kind of person, is either allowed or refused with its refusal, and a refusal changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from core.desk.permissions import ADMINS, AGENTS, holds
from core.desk.registry import VERBS
from core.service import Desk
from core.settings import Person
from core.storage.models import AuditRow, CommentRow, OutboxRow, PersonRow, TicketRow
from tests.conftest import DANA, KIM, SAM, Chat, person
from tests.integration.itsm_helpers import LEE, itsm_desk

CLEO = person("Cleo")  # a change approver, and no agent
ANYONE = {"away", "changes", "change show", "help", "kb show", "link", "mine", "new", "order", "orders", "services",
          "subscribe", "unsubscribe", "web"}
REQUESTER_OR_AGENT = {"cancel", "close", "comment", "confirm", "kb solved", "kb unhelpful", "reject", "reopen",
                      "show"}
REQUESTER = {"rate"}
APPROVERS = {"change approve", "change reject"}
ORDER_APPROVERS = {"order approve", "order reject"}
ORDER_READERS = {"order show"}
AGENTS_ONLY = {"assign", "category", "check", "licence release", "licences", "tasks",
               "change cancel", "change complete", "change fail", "change new",
               "change start", "change submit", "claim", "deescalate", "escalate", "hold", "kb draft",
               "kb publish", "kb search", "kb send", "kind", "note", "outage declare", "outage resolve",
               "outage update", "priority", "problem cluster", "problem link", "problem new",
               "problem workaround", "queue", "report", "resolve", "resume", "unassign"}
ADMINS_ONLY = {"people"}
WHO = {"Dana": "requester of the ticket", "Kim": "another requester", "Cleo": "change approver",
       "Sam": "agent", "Lee": "admin"}
MAY = {
    "anyone": set(WHO),
    "requester or agent": {"Dana", "Sam", "Lee"},
    "requester": {"Dana"},
    "approvers": {"Cleo"},
    "agents": {"Sam", "Lee"},
    "admins": {"Lee"},
    "order approvers": set(),
    "order readers": {"Dana", "Sam", "Lee"},
}
CHANGE = ("change new --service wifi --start 2026-03-07T22:00 --end 2026-03-07T23:00 --risk low "
          '--plan "swap it" --rollback "swap it back" New access points')


def kind_of(name: str) -> str:
    for kind, names in (("anyone", ANYONE), ("requester or agent", REQUESTER_OR_AGENT),
                        ("requester", REQUESTER), ("approvers", APPROVERS), ("agents", AGENTS_ONLY),
                        ("admins", ADMINS_ONLY), ("order approvers", ORDER_APPROVERS),
                        ("order readers", ORDER_READERS)):
        if name in names:
            return kind
    raise AssertionError(f"/desk {name}: say in this test who may run it")


def test_every_verb_is_classified_once_and_declares_what_this_test_expects() -> None:
    listed = [*ANYONE, *REQUESTER_OR_AGENT, *REQUESTER, *APPROVERS, *AGENTS_ONLY, *ADMINS_ONLY, *ORDER_APPROVERS,
              *ORDER_READERS]
    assert sorted(listed) == sorted(VERBS), "every verb, and only verbs, once"
    words = {"anyone": "anyone", "requester or agent": "requester (own ticket) or agent",
             "requester": "requester (own ticket)", "approvers": "change approvers", "agents": "agents",
             "admins": "admins", "order approvers": "the approvers the order waits for",
             "order readers": "requester (own order), its approvers or agents"}
    for name, found in VERBS.items():
        assert found.allow.words == words[kind_of(name)], name


def counts(desk: Desk) -> tuple[int, ...]:
    def read(session: object) -> tuple[int, ...]:
        return tuple(session.scalar(select(func.count()).select_from(table))  # type: ignore[attr-defined]
                     for table in (TicketRow, AuditRow, CommentRow, OutboxRow))
    return desk.db.run(read)


def key_of(desk: Desk, number: int) -> str:
    return desk.db.run(lambda s: s.get(TicketRow, number).key)


@pytest.fixture
def world(make_desk: Callable[..., Desk], sqlite_url: str) -> tuple[Chat, dict[str, int]]:
    cleo = Person(name="Cleo", email="cleo@example.com", role="requester", ids={"console": "cleo"})
    from tests.integration.itsm_helpers import itsm_settings

    people = (*itsm_settings().people, cleo)
    chat = Chat(itsm_desk(make_desk, sqlite_url, people=people, change_approvers=("Cleo",)))
    chat.say(DANA, "my laptop won't turn on")  # INC-1, reported by Dana
    assert chat.desk_command(SAM, CHANGE).startswith("CHG-2 submitted")  # requested by Sam
    assert chat.desk_command(SAM, 'problem new "Laptops die" INC-1').startswith("PRB-3 opened")
    assert chat.desk_command(SAM, 'outage declare wifi "No Wi-Fi on floor 3"').startswith("OUT-1 declared")
    return chat, {"incident": 1, "change": 2, "problem": 3}


def line_for(example: str, keys: dict[str, str]) -> str:
    line = re.sub(r"\b(?:INC|REQ)-\d+\b", keys["incident"], example)
    line = re.sub(r"\bCHG-\d+\b", keys["change"], line)
    line = re.sub(r"\bPRB-\d+\b", keys["problem"], line)
    return re.sub(r"\bOUT-\d+\b", "OUT-1", line)


def refusal(kind: str, name: str, *, incident: str, change: str) -> str:
    return {
        "agents": f"Only IT agents can use `/desk {name}`. `/desk help` shows what you can do.",
        "requester or agent": f"{incident} is not your ticket; you can `/desk {name}` only your own.",
        "requester": f"Only the person who reported {incident} can rate it.",
        "approvers": f"Only the change approvers (Cleo) can approve or reject {change}.",
        "admins": f"Only desk admins can use `/desk {name}`. `/desk help` shows what you can do.",
        "order approvers": f"{incident} is not waiting for your approval (it waits for: no one: it is not "
                           "awaiting approval).",
        "order readers": f"{incident} is not your order; you can see only your own (or one waiting for your "
                         "approval).",
    }[kind]


def test_each_verb_run_by_each_role_is_allowed_or_refused_with_its_refusal_changing_nothing(
    world: tuple[Chat, dict[str, int]],
) -> None:
    chat, numbers = world
    authors = {"Dana": DANA, "Kim": KIM, "Cleo": CLEO, "Sam": SAM, "Lee": LEE}
    refused = allowed = 0
    for name in sorted(VERBS):
        kind = kind_of(name)
        for who, author in authors.items():
            keys = {k: key_of(chat.desk, n) for k, n in numbers.items()}
            line = line_for(VERBS[name].examples[0], keys)
            texts = {refusal(k, name, incident=keys["incident"], change=keys["change"])
                     for k in MAY if k != "anyone"}
            before = counts(chat.desk)
            answer = chat.desk_command(author, line)
            if who in MAY[kind]:
                assert answer not in texts, f"{WHO[who]} was refused /desk {line}: {answer}"
                allowed += 1
            else:
                expected = refusal(kind, name, incident=keys["incident"], change=keys["change"])
                assert answer == expected, f"{WHO[who]} ran /desk {line}"
                assert counts(chat.desk) == before, f"refusing /desk {line} changed something"
                refused += 1
    assert refused > 100 and allowed > 80


def test_an_admin_only_verb_admits_admins_and_refuses_agents(world: tuple[Chat, dict[str, int]]) -> None:
    chat, _numbers = world
    people = chat.desk.db.run(lambda s: {p.display_name: p for p in s.scalars(select(PersonRow))})

    class Someone:  # the one thing the check reads of a unit of work: who is acting
        def __init__(self, me: PersonRow) -> None:
            self.me = me

        def person(self) -> PersonRow:
            return self.me

    assert holds(Someone(people["Lee"]), ADMINS, ticket=None)  # type: ignore[arg-type]
    assert not holds(Someone(people["Sam"]), ADMINS, ticket=None)  # type: ignore[arg-type]
    assert holds(Someone(people["Lee"]), AGENTS, ticket=None)  # type: ignore[arg-type]
    assert ADMINS.refusal.format(verb="purge", key="", approvers="") == \
        "Only desk admins can use `/desk purge`. `/desk help` shows what you can do."
