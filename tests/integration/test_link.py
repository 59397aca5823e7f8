"""`/desk link`: one person behind accounts on two platforms, joined with a one-time code."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.clock import ManualClock
from core.messages import Author
from core.service import Desk
from core.storage.models import IdentityRow, LinkCodeRow
from tests.conftest import Chat, person
from tests.integration.helpers import tickets

KIM_HERE = person("Kim")
KIM_THERE = Author(platform="other", user_id="U-KIM", display_name="Kim K.")
MALLORY_THERE = Author(platform="other", user_id="U-MAL", display_name="Mallory")


def code_from(answer: str) -> str:
    found = re.search(r"`/desk link ([A-Z0-9]{4}-[A-Z0-9]{4})`", answer)
    assert found is not None, answer
    return found.group(1)


def people_of(desk: Desk) -> dict[tuple[str, str], int]:
    return desk.db.run(lambda s: {(i.platform, i.user_id): i.person_id
                                  for i in s.scalars(select(IdentityRow))})


def test_a_code_from_one_platform_joins_the_account_on_the_other_and_tickets_follow(chat: Chat) -> None:
    chat.say(KIM_THERE, "my headset crackles in every call")
    code = code_from(chat.desk_command(KIM_HERE, "link"))
    answer = chat.desk_command(KIM_THERE, f"link {code.lower().replace('-', '')}")
    assert answer.startswith("Linked: your console and other accounts are one person now, Kim.")
    ids = people_of(chat.desk)
    assert ids[("console", "kim")] == ids[("other", "U-KIM")]
    assert "INC-1" in chat.desk_command(KIM_HERE, "mine")
    assert chat.desk_command(KIM_HERE, "show INC-1").startswith("INC-1")


def test_a_code_works_once(chat: Chat) -> None:
    code = code_from(chat.desk_command(KIM_HERE, "link"))
    chat.desk_command(KIM_THERE, f"link {code}")
    assert chat.desk_command(MALLORY_THERE, f"link {code}").startswith("That code is unknown or has expired.")
    ids = people_of(chat.desk)
    assert ids.get(("other", "U-MAL")) != ids[("console", "kim")]


def test_a_code_expires_after_ten_minutes(chat: Chat, clock: ManualClock) -> None:
    code = code_from(chat.desk_command(KIM_HERE, "link"))
    clock.advance(timedelta(minutes=11))
    assert chat.desk_command(KIM_THERE, f"link {code}").startswith("That code is unknown or has expired.")


def test_a_code_is_used_on_the_other_platform_only_and_a_new_code_replaces_the_old(chat: Chat) -> None:
    first = code_from(chat.desk_command(KIM_HERE, "link"))
    same_platform = chat.desk_command(person("Sam"), f"link {first}")
    assert same_platform.startswith("Type this code as yourself on your other")
    second = code_from(chat.desk_command(KIM_HERE, "link"))
    assert chat.desk_command(KIM_THERE, f"link {first}").startswith("That code is unknown")
    assert chat.desk_command(KIM_THERE, f"link {second}").startswith("Linked:")
    assert chat.desk.db.run(lambda s: s.scalars(select(LinkCodeRow)).all()) == []


def test_only_a_hash_of_the_code_is_stored(chat: Chat) -> None:
    code = code_from(chat.desk_command(KIM_HERE, "link"))
    stored = chat.desk.db.run(lambda s: [r.code_hash for r in s.scalars(select(LinkCodeRow))])
    assert len(stored) == 1 and code.replace("-", "") not in stored[0] and len(stored[0]) == 64


def test_an_account_already_linked_elsewhere_is_refused_and_nothing_changes(chat: Chat) -> None:
    chat.desk_command(KIM_THERE, f"link {code_from(chat.desk_command(KIM_HERE, 'link'))}")
    code = code_from(chat.desk_command(person("Dana"), "link"))
    before = people_of(chat.desk)
    answer = chat.desk_command(KIM_THERE, f"link {code}")
    assert answer == "This account is already linked to another console account."
    assert people_of(chat.desk) == before


def test_an_agent_linking_keeps_the_agent_role_on_both_platforms(chat: Chat) -> None:
    sam_there = Author(platform="other", user_id="U-SAM", display_name="Sam")
    code = code_from(chat.desk_command(sam_there, "link"))
    chat.desk_command(person("Sam"), f"link {code}")  # Sam is an agent by the config
    chat.say(KIM_HERE, "the printer is jammed")
    assert chat.desk_command(sam_there, "claim INC-1") == "You have INC-1."
    assert tickets(chat.desk)[0]["assignee"] == "Sam"
