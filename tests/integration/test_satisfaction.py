"""How did we do? The survey a closed ticket sends its requester, and their rating."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from core.clock import ManualClock
from core.service import Desk
from core.sla.housekeeping import auto_close
from core.storage.report_models import RatingRow
from tests.conftest import DANA, KIM, SAM, Chat
from tests.fakes import RecordingMessenger
from tests.integration.helpers import outbox
from tests.integration.itsm_helpers import deliver
from tests.integration.sla_helpers import desk_settings


def ratings(desk: Desk) -> list[tuple[int, int, str]]:
    return desk.db.run(lambda s: [(r.ticket_id, r.score, r.comment) for r in s.scalars(select(RatingRow))])


def surveys(desk: Desk) -> list[dict[str, object]]:
    return [r.card for r in outbox(desk) if str(r.card.get("title", "")).startswith("How did we do")]


def closed_ticket(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 new battery")
    chat.desk_command(DANA, "confirm INC-1")


def test_closing_a_ticket_sends_its_requester_a_one_click_survey_in_the_thread(chat: Chat) -> None:
    closed_ticket(chat)
    [card] = surveys(chat.desk)
    commands = [button[1] for button in card["buttons"]]  # type: ignore[union-attr]
    assert commands[:5] == [f"rate INC-1 {n}" for n in range(1, 6)]
    assert card["buttons"][5][3]  # type: ignore[index]  # the last button asks for a comment first
    [row] = [r for r in outbox(chat.desk) if r.card.get("title") == card["title"]]
    assert (row.channel, row.thread) == ("it-help", "m1")


def test_the_requester_rates_once_and_rating_again_replaces_the_answer(chat: Chat) -> None:
    closed_ticket(chat)
    assert chat.desk_command(DANA, "rate INC-1 2 it took all morning") == "Thank you: INC-1 rated 2/5."
    assert ratings(chat.desk) == [(1, 2, "it took all morning")]
    assert chat.desk_command(DANA, "rate INC-1 5").startswith("Thank you: INC-1 rated 5/5 (your earlier")
    assert ratings(chat.desk) == [(1, 5, "")]


def test_a_low_score_is_told_to_the_agents_under_the_triage_card(chat: Chat, clock: ManualClock) -> None:
    closed_ticket(chat)
    deliver(chat.desk, RecordingMessenger(), clock)  # posts the triage card: the agents' thread exists
    chat.desk_command(DANA, "rate INC-1 4")
    chat.desk_command(DANA, "rate INC-1 1 nobody told me anything")
    told = [r.card.get("text") for r in outbox(chat.desk) if r.channel == "it-triage" and r.thread]
    assert "Dana rated INC-1 1/5 (very poor): nobody told me anything" in told
    assert not [t for t in told if "4/5" in str(t)]


def test_only_the_requester_may_rate_and_only_a_closed_ticket(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    assert "once it is closed" in chat.desk_command(DANA, "rate INC-1 4")
    chat.desk_command(SAM, "resolve INC-1 new battery")
    chat.desk_command(DANA, "confirm INC-1")
    assert chat.desk_command(SAM, "rate INC-1 5") == "Only the person who reported INC-1 can rate it."
    assert chat.desk_command(KIM, "rate INC-1 5") == "Only the person who reported INC-1 can rate it."
    assert "must be a number from 1 to 5" in chat.desk_command(DANA, "rate INC-1 9")
    assert "Give a score from 1 to 5" in chat.desk_command(DANA, "rate INC-1")
    assert ratings(chat.desk) == []


def test_a_cancelled_ticket_sends_no_survey(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(DANA, "cancel INC-1 it works again")
    assert surveys(chat.desk) == []


def test_an_automatic_close_sends_the_survey_too(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings(auto_close_business_days=1))
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 new battery")
    clock.advance(timedelta(days=1))
    auto_close(desk)
    assert len(surveys(desk)) == 1
    assert chat.desk_command(DANA, "rate INC-1 4") == "Thank you: INC-1 rated 4/5."
