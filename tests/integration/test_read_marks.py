"""How far the desk has read each place: moved by the message that is taken, in its unit of work, and only
forward; and the threads worth reading again after a gap."""

from __future__ import annotations

from core.messages import Author, Inbound, ReadMark
from core.service import Desk
from tests.conftest import DANA, SAM, Chat


def message(n: int, text: str, *, place: str = "it-help", author: Author = DANA, thread: str | None = None,
            event_id: str = "") -> Inbound:
    return Inbound(platform="console", event_id=event_id or f"m{n}", channel="it-help", message_id=f"m{n}",
                   author=author, text=text, thread=thread, is_intake=True, mark=ReadMark(place, n))


def test_a_taken_message_moves_its_places_mark_and_an_older_one_never_moves_it_back(desk: Desk) -> None:
    desk.handle_message(message(20, "vpn drops every hour"))
    desk.handle_message(message(30, "printer on floor 3 is jammed"))
    desk.handle_message(message(25, "no sound in teams calls"))  # handled late: another worker was slower
    desk.handle_message(message(31, "laptop will not boot", place="other"))
    assert desk.read_marks("console") == {"it-help": 30, "other": 31}
    assert desk.read_marks("elsewhere") == {}


def test_a_redelivered_or_empty_message_moves_no_mark(desk: Desk) -> None:
    desk.handle_message(message(20, "vpn drops every hour"))
    assert not desk.handle_message(message(40, "vpn drops every hour", event_id="m20"))
    assert not desk.handle_message(message(41, "   "))
    assert desk.read_marks("console") == {"it-help": 20}


def test_a_first_mark_is_set_once_and_a_marked_place_keeps_its_own(desk: Desk) -> None:
    desk.start_reading_at("console", ReadMark("it-help", 100))
    desk.start_reading_at("console", ReadMark("it-help", 5))
    desk.handle_message(message(120, "vpn drops every hour"))
    desk.start_reading_at("console", ReadMark("it-help", 7))
    assert desk.read_marks("console") == {"it-help": 120}


def test_the_threads_of_tickets_not_closed_or_cancelled_are_worth_reading(chat: Chat) -> None:
    first = chat.say(DANA, "vpn drops every hour")
    second = chat.say(DANA, "printer on floor 3 is jammed")
    chat.say(DANA, "laptop will not boot")
    chat.desk_command(SAM, "resolve INC-2 new toner")  # resolved: the requester may still say it is not fixed
    chat.desk_command(SAM, "cancel INC-3 reported twice")
    threads = chat.desk.ticket_threads("console")
    assert [(t.ticket_key, t.channel, t.thread, t.audience) for t in threads] == [
        ("INC-1", "it-help", first, "requester"), ("INC-2", "it-help", second, "requester")]
    assert chat.desk.ticket_threads("elsewhere") == []
