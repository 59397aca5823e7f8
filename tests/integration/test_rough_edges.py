"""Answers that used to cut silently, guess wrong or point at a refused next step."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from core.cards import Reply
from core.knowledge import Suggestion
from core.messages import CommandRequest
from core.reports.period import ReportFilter, parse_period
from core.reports.report import build_report
from core.service import Desk
from core.settings import DeskSettings
from core.storage.models import TicketRow
from tests.conftest import DANA, DEFAULT_PEOPLE, KIM, SAM, Chat, person
from tests.fakes import FakeKnowledgeBase
from tests.integration.sla_helpers import audit_actions, desk_settings, report_p1, sent, ticket

LEE = person("Lee")


def command(chat: Chat, who, text: str) -> Reply:  # type: ignore[no-untyped-def]
    chat.count += 1
    return chat.desk.handle_command(CommandRequest(platform=who.platform, event_id=f"c{chat.count}", author=who,
                                                   text=text, channel="it-help"))


@pytest.fixture
def chat(make_desk: Callable[..., Desk], database_url: str) -> Chat:
    # No duplicate detection: the tests below report many alike problems on purpose.
    return Chat(make_desk(database_url, settings=DeskSettings(people=DEFAULT_PEOPLE, duplicate_window_minutes=0)))


def assignee(desk: Desk, number: int = 1) -> str:
    return desk.db.run(lambda s: s.get(TicketRow, number).assignee.display_name)


def test_the_queue_pages_by_25_with_the_count_and_a_next_page_button_and_its_twin(chat: Chat) -> None:
    for n in range(30):
        chat.say(DANA if n % 2 else KIM, f"printer number {n} is jammed")
    first = command(chat, SAM, "queue").card
    assert first is not None and first.title == "Unclaimed queue (1-25 of 30)"
    assert len(first.text.splitlines()) == 25
    assert first.footer == "5 more: `/desk queue 2`"
    assert [(b.label, b.command) for b in first.buttons] == [("Next 5", "queue 2")]
    second = command(chat, SAM, first.buttons[0].command).card
    assert second is not None and second.title == "Unclaimed queue (26-30 of 30)"
    assert len(second.text.splitlines()) == 5 and second.buttons == () and second.footer == ""
    shown = {line.split()[0] for line in first.text.splitlines() + second.text.splitlines()}
    assert len(shown) == 30  # every ticket once across the pages
    assert command(chat, SAM, "queue 3").card.text == "Nothing on page 3: the list is shorter. Page 1 is the first."
    assert command(chat, SAM, "queue next").text == "A page is a number from 1, not 'next'. Usage: `/desk queue [PAGE]`"


def test_mine_pages_too_and_says_how_many_there_are(chat: Chat) -> None:
    for n in range(27):
        chat.say(DANA, f"my monitor number {n} flickers")
    mine = command(chat, DANA, "mine").card
    assert mine is not None and mine.title == "Your open tickets (1-25 of 27)"
    assert mine.footer == "2 more: `/desk mine 2`" and mine.buttons[0].command == "mine 2"
    assert command(chat, DANA, "mine 2").card.title == "Your open tickets (26-27 of 27)"
    chat.say(KIM, "my keyboard is sticky")
    assert command(chat, KIM, "mine").card.title == "Your open tickets (1)"


def test_a_misspelt_team_is_refused_with_the_closest_name_and_changes_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    assert chat.desk_command(SAM, "escalate INC-1 netwrok the switch is dead") == (
        "No team 'netwrok'. Did you mean network? `/desk escalate INC-1 network the switch is dead`. Teams: "
        "service-desk (tier 1), network (tier 2), workplace (tier 2), infrastructure (tier 3).")
    assert chat.desk_command(SAM, "escalate INC-1 infra needs a vendor").startswith(
        "No team 'infra'. Did you mean infrastructure? `/desk escalate INC-1 infrastructure needs a vendor`.")
    assert (ticket(chat.desk).team, ticket(chat.desk).tier) == ("service-desk", 1)
    assert not sent(chat.desk, title_starts="Escalated to")
    assert chat.desk_command(SAM, "escalate INC-1 the switch is dead") == "INC-1 escalated to Network (tier 2)."


def test_the_agent_who_resolves_an_unclaimed_ticket_becomes_its_assignee_on_the_audit_trail(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    assert chat.desk_command(SAM, "resolve INC-1 drained the battery") == \
        "INC-1 resolved; the requester is asked to confirm."
    assert assignee(chat.desk) == "Sam"
    assert audit_actions(chat.desk)[-2:] == [("assign", "", "Sam"), ("status", "new", "resolved")]
    [card] = [r for r in sent(chat.desk, title_starts="INC-1 ·")][-1:]
    assert ["Assignee", "Sam"] in card.card["fields"]
    shown = chat.desk_command(SAM, "show INC-1")
    assert "Sam: assign: assignee - -> Sam" in shown and "Sam: status new -> resolved" in shown
    assert "status status" not in shown


def test_resolving_a_claimed_ticket_keeps_its_assignee(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "assign INC-1 lee")
    chat.desk_command(SAM, "resolve INC-1 fixed")
    assert assignee(chat.desk) == "Lee"


def test_refusals_point_only_at_steps_the_person_may_take(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 fixed")
    chat.desk_command(DANA, "confirm INC-1")
    assert chat.desk_command(LEE, "claim INC-1") == \
        "INC-1 is closed, which is final; `/desk new TEXT` opens a new ticket."
    chat.say(DANA, "my mouse is broken")
    assert chat.desk_command(DANA, "close INC-2") == \
        "INC-2 is new; it cannot become closed. Allowed next: cancelled (cancel)."
    assert chat.desk_command(SAM, "close INC-2") == (
        "INC-2 is new; it cannot become closed. Allowed next: in progress (claim/resume/reopen), resolved "
        "(resolve), cancelled (cancel).")
    chat.desk_command(DANA, "cancel INC-2")
    assert chat.desk_command(DANA, "reopen INC-2") == \
        "INC-2 is cancelled; it cannot become new. Allowed next: none: it is final."
    assert chat.desk_command(DANA, "clame INC-2") == \
        "Unknown command 'clame'. Did you mean `/desk close`? `/desk help` lists them all."  # not claim: agents'

    assert chat.desk_command(SAM, "clame INC-2") == \
        "Unknown command 'clame'. Did you mean `/desk claim`? `/desk help` lists them all."
    assert chat.desk_command(DANA, "kb show no-such-article") == \
        "No article 'no-such-article'. `/desk new TEXT` asks IT."
    assert chat.desk_command(SAM, "kb show no-such-article") == \
        "No article 'no-such-article'. `/desk kb search TEXT` finds one."


def test_help_lines_end_at_a_sentence_end(chat: Chat) -> None:
    listing = command(chat, SAM, "help").card
    assert listing is not None
    lines = listing.text.splitlines()
    assert "/desk change new --service S --start ISO --end ISO --risk low|medium|high --plan TEXT --rollback TEXT " \
           "[--draft] TITLE: Request a planned change (CHG)." in lines
    assert all(line.endswith((".", "?", ")")) for line in lines), [line for line in lines if line[-1] not in ".?)"]


class ScoredKnowledge(FakeKnowledgeBase):
    def search(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        return [Suggestion(slug="vpn-keeps-dropping", title="VPN keeps dropping", score=0.42),
                Suggestion(slug="printer-add", title="Add a printer", score=0.0)]


@pytest.fixture
def knowledge() -> FakeKnowledgeBase:
    return ScoredKnowledge()


def test_kb_search_leaves_out_articles_that_do_not_match_at_all(chat: Chat) -> None:
    found = command(chat, SAM, "kb search vpn").card
    assert found is not None and found.text == "vpn-keeps-dropping (0.42): VPN keeps dropping"


async def test_a_console_line_starting_with_a_hash_is_a_message_not_dropped(chat: Chat) -> None:
    from adapters.console.adapter import ConsoleAdapter
    from adapters.console.settings import ConsoleSettings

    async def settle() -> None:
        return None

    screen = io.StringIO()
    console = ConsoleAdapter(desk=chat.desk, settings=ConsoleSettings(), output=screen, source=io.StringIO(),
                             settle=settle)
    assert await console.handle_line("#3 printer on the second floor is jammed")
    assert chat.desk.db.run(lambda s: s.get(TicketRow, 1).title) == "#3 printer on the second floor is jammed"


def test_an_empty_backlog_chart_counts_from_0_to_1_in_whole_tickets(chat: Chat) -> None:
    from core.reports.charts import backlog_figure, charts_available

    if not charts_available():
        pytest.skip("needs matplotlib")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with chat.desk.db.deferred_sessions() as session:
        report = build_report(session, chat.desk.deps.settings, period=parse_period("7d", None, now=now),
                              filters=ReportFilter(), now=now)
    axes = backlog_figure(report).axes[0]
    assert axes.get_ylim() == (0.0, 1.0)
    assert all(tick == int(tick) for tick in axes.get_yticks())
