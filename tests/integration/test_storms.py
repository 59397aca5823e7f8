"""Storms: when reports outpace a channel of a paced platform, agents see the new ones on one storm card in
the triage channel, each reporter is acknowledged quietly at once, and the full replies follow as the pace
allows. And the outbox lets a backlogged channel hold up no other place."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dispatcher import Dispatcher
from core.cards import text_card
from core.clock import ManualClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.outbox import PER_PLACE, Outbox, RetryPolicy, claim_due, mark_sent
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from core.storage.models import OutboxRow
from core.storage.storm_models import StormMemberRow
from core.storms import CARD_HOLDS, SHOWN, storm_card
from tests.conftest import DEFAULT_PEOPLE, SAM, Chat, person
from tests.fakes import FakeKnowledgeBase, RecordingMessenger
from tests.integration.helpers import tickets

BACKLOG = 3
PROBLEMS = ("vpn keeps dropping", "printer on floor 3 is jammed", "outlook will not start", "monitor flickers",
            "laptop fan is very loud", "teams has no sound", "cannot open the finance share", "mouse stopped working",
            "keyboard types double letters", "wifi in room 4 is slow", "badge does not open the door",
            "phone will not ring", "webcam is black in calls", "excel crashes on save", "cannot print in colour",
            "scanner sends nothing", "docking station gives no picture", "my account is locked",
            "need a new charger", "jira is very slow")


@pytest.fixture
def stormy(database_url: str, clock: ManualClock) -> Iterator[Desk]:
    """A desk whose console channels are paced, as Slack's and Discord's are."""
    deps = DeskDeps(settings=DeskSettings(people=DEFAULT_PEOPLE, storm_backlog=BACKLOG), knowledge=FakeKnowledgeBase(),
                    routes=Routes(triage=(Destination("console", "it-triage"),)), platforms=frozenset({"console"}),
                    paced=frozenset({"console"}))
    desk = Desk(db=Database(database_url), deps=deps, clock=clock)
    desk.setup()
    yield desk
    desk.db.dispose()


def outbox(desk: Desk) -> list[OutboxRow]:
    return desk.db.run(lambda s: list(s.scalars(select(OutboxRow).order_by(OutboxRow.id))))


def leased_in_triage(desk: Desk, clock: ManualClock) -> list[str]:
    """What a worker leases now for the triage channel, in the order it sends them: their card keys."""
    return desk.db.run(lambda s: [r.card_key for r in claim_due(s, now=clock.now(), platforms=frozenset({"console"}))
                                  if r.channel == "it-triage"])


def storm_cards(desk: Desk) -> list[OutboxRow]:
    return [r for r in outbox(desk) if r.card_key.startswith("storm:")]


def as_it_goes_out(desk: Desk, storm: int = 1) -> dict:  # type: ignore[type-arg]
    """The storm card as a worker draws it when it leases it (a waiting version's own text is not sent)."""
    return desk.db.run(lambda s: storm_card(s, platform="console", channel="it-triage", storm=storm).to_dict())


def burst(chat: Chat, count: int) -> list[str]:
    return [chat.say(person(f"Reporter{n}"), PROBLEMS[n]) for n in range(count)]


def test_reports_outpacing_the_triage_channel_go_on_one_storm_card_listing_their_keys(stormy: Desk) -> None:
    chat = Chat(stormy)
    burst(chat, 8)
    keys = [t["key"] for t in tickets(chat.desk)]
    rows = outbox(chat.desk)
    own = [r.ticket_key for r in rows if r.card_key.startswith("triage:")]
    assert own == keys[:BACKLOG]  # until the channel falls behind, each its own card
    [storm] = [r for r in rows if r.card_key.startswith("storm:")]  # one waiting version for every report on it
    assert storm.card_key == "storm:console:it-triage:1"
    newest = as_it_goes_out(chat.desk)
    assert newest["title"].startswith(f"Storm: {8 - BACKLOG} reports")
    assert [line.split(" ")[0] for line in newest["text"].splitlines()] == keys[BACKLOG:][::-1]  # newest first
    assert "(Reporter7)" in newest["text"] and ["Show the queue", "queue", "default", None] in newest["buttons"]

    claimed = chat.desk_command(SAM, f"claim {keys[-1]}")  # something happens: it gets a card of its own
    assert claimed.startswith(f"{keys[-1]} claimed") or keys[-1] in claimed
    assert [r.ticket_key for r in outbox(chat.desk) if r.card_key.startswith("triage:")][-1] == keys[-1]


def test_a_long_storm_shows_the_newest_with_titles_and_the_earlier_by_key(stormy: Desk) -> None:
    chat = Chat(stormy)
    burst(chat, len(PROBLEMS))
    keys = [t["key"] for t in tickets(chat.desk)][BACKLOG:]
    text = as_it_goes_out(chat.desk)["text"]
    *newest, earlier = text.splitlines()
    assert [line.split(" ")[0] for line in newest] == keys[-SHOWN:][::-1]
    assert earlier == "Earlier: " + ", ".join(keys[:-SHOWN][::-1])


def test_each_reporter_in_a_backlogged_channel_is_acknowledged_quietly_and_still_gets_the_full_reply(
    stormy: Desk,
) -> None:
    chat = Chat(stormy)
    sent = burst(chat, 6)
    rows = outbox(chat.desk)
    quiet = [r for r in rows if r.quiet]
    assert [(r.channel, r.thread, r.user_id) for r in quiet] == \
        [("it-help", sent[n], f"reporter{n}") for n in range(BACKLOG, 6)]
    assert all(r.card["text"].startswith(f"Got it: {r.ticket_key}.") for r in quiet)
    replies = [r for r in rows if not r.quiet and r.channel == "it-help" and " opened: " in r.card["text"]]
    assert [r.thread for r in replies] == sent


def test_after_the_backlog_is_delivered_a_report_gets_its_own_card_and_a_quiet_spell_ends_the_storm(
    stormy: Desk, clock: ManualClock,
) -> None:
    desk = stormy
    chat = Chat(desk)
    burst(chat, 5)
    asyncio.run(Dispatcher(db=desk.db, messengers={"console": RecordingMessenger()}, clock=clock,
                           policy=RetryPolicy()).drain(timeout=10))
    chat.say(person("Late"), "the projector is broken")
    assert outbox(desk)[-1].card_key.startswith("triage:") and not any(r.quiet for r in outbox(desk)[-3:])
    clock.advance(timedelta(minutes=11))
    for n in range(5):  # behind again, after a quiet spell: a new storm, a new card
        chat.say(person(f"Later{n}"), PROBLEMS[10 + n])
    assert {r.card_key for r in outbox(desk) if r.card_key.startswith("storm:")} == \
        {"storm:console:it-triage:1", "storm:console:it-triage:2"}


def test_reports_to_a_platform_without_a_pace_never_storm(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(make_desk(database_url))
    burst(chat, 8)
    rows = outbox(chat.desk)
    assert not any(r.quiet or r.card_key.startswith("storm:") for r in rows)
    assert len([r for r in rows if r.card_key.startswith("triage:")]) == 8


def test_a_backlogged_channel_holds_up_no_other_place_and_a_living_card_goes_out_newest_first(
    database_url: str, clock: ManualClock,
) -> None:
    db = Database(database_url)
    try:
        def write(session):  # type: ignore[no-untyped-def]
            out = Outbox(session, now=clock.now(), platforms=frozenset({"console"}))
            busy = Destination("console", "busy")
            out.send(busy, text_card("card v1"), card_key="living")
            for n in range(20):
                out.send(busy, text_card(f"message {n}"))
            out.send(busy, text_card("card v2"), card_key="living")
            out.send(Destination("console", "busy", "123", user_id="u1"), text_card("got it"), quiet=True)
            out.send(Destination("console", user_id="u2"), text_card("a direct message"))
            out.write()

        db.run(write)
        leased = db.run(lambda s: [(r.channel, r.user_id, r.card["text"], r.quiet)
                                   for r in claim_due(s, now=clock.now(), platforms=frozenset({"console"}))])
        busy = [text for channel, user, text, _q in leased if channel == "busy" and not user]
        assert busy == ["card v2", "message 0", "message 1"][:PER_PLACE]
        assert ("busy", "u1", "got it", True) in leased and ("", "u2", "a direct message", False) in leased
        statuses = db.run(lambda s: [r.status for r in s.scalars(select(OutboxRow).where(OutboxRow.card_key == "living")
                                                                  .order_by(OutboxRow.id))])
        assert statuses == ["pending", "superseded"]
    finally:
        db.dispose()


def test_a_storm_card_goes_out_drawn_afresh_with_reports_its_newest_version_could_not_see(
    stormy: Desk, clock: ManualClock,
) -> None:
    chat = Chat(stormy)
    burst(chat, BACKLOG + 2)
    first = tickets(stormy)[0]

    def send_the_cards_ahead(session):  # type: ignore[no-untyped-def]
        for row in claim_due(session, now=clock.now(), platforms=frozenset({"console"})):
            if row.channel == "it-triage" and not row.card_key.startswith("storm:"):
                mark_sent(session, outbox_id=row.id, message_id=f"m{row.id}", channel=row.channel, now=clock.now())

    stormy.db.run(send_the_cards_ahead)
    clock.advance(timedelta(minutes=2))  # the leases of the rest run out

    def committed_elsewhere(session):  # type: ignore[no-untyped-def]
        # another worker's report, committed after the newest version of the card was written
        session.add(StormMemberRow(ticket_id=int(first["key"].split("-")[1]), platform="console",
                                   channel="it-triage", storm=1, at=clock.now()))

    stormy.db.run(committed_elsewhere)
    leased = stormy.db.run(lambda s: [r.card for r in claim_due(s, now=clock.now(), platforms=frozenset({"console"}))
                                      if r.card_key.startswith("storm:")])
    [card] = leased
    assert card["title"].startswith("Storm: 3 reports") and f"{first['key']} ·" in card["text"]


def test_a_storm_card_goes_out_before_the_ordinary_triage_cards_waiting_in_its_channel(
    stormy: Desk, clock: ManualClock,
) -> None:
    chat = Chat(stormy)
    burst(chat, BACKLOG + 2)
    leased = leased_in_triage(stormy, clock)
    keys = [t["key"] for t in tickets(stormy)]
    assert leased[0] == "storm:console:it-triage:1"
    ordinary = [k.split(":")[1] for k in leased[1:]]
    assert ordinary and ordinary == [k.split("-")[1] for k in keys[:len(ordinary)]]


def test_a_storm_card_waits_for_no_ordinary_message_leased_elsewhere(stormy: Desk, clock: ManualClock) -> None:
    chat = Chat(stormy)
    burst(chat, BACKLOG)
    elsewhere = stormy.db.run(lambda s: [r.id for r in claim_due(s, now=clock.now(), platforms=frozenset({"console"}))
                                         if r.channel == "it-triage"])
    assert len(elsewhere) == PER_PLACE  # another worker is sending the channel's first cards
    for n in range(2):
        chat.say(person(f"Later{n}"), PROBLEMS[10 + n])
    leased = leased_in_triage(stormy, clock)
    assert leased == ["storm:console:it-triage:1"]


def test_every_report_of_a_storm_is_on_its_card_by_key_and_a_full_card_starts_the_next(stormy: Desk) -> None:
    chat = Chat(stormy)
    for n in range(BACKLOG + CARD_HOLDS + 2):
        chat.say(person(f"Reporter{n}"), f"{PROBLEMS[n % len(PROBLEMS)]} ({n})")
    keys = [t["key"] for t in tickets(stormy)][BACKLOG:]
    rows = storm_cards(stormy)
    assert [r.card_key for r in rows] == ["storm:console:it-triage:1", "storm:console:it-triage:2"]
    assert all(r.ahead for r in rows)
    for storm, listed in ((1, keys[:CARD_HOLDS]), (2, keys[CARD_HOLDS:])):
        card = as_it_goes_out(stormy, storm)
        assert card["title"].startswith(f"Storm: {len(listed)} reports")
        shown = re.findall(r"\b(?:INC|REQ)-\d+\b", card["text"])
        assert sorted(shown) == sorted(listed) and "more" not in card["text"]


def test_messages_leased_by_one_worker_hold_back_the_later_ones_of_their_channel_from_another_and_no_other_place(
    database_url: str, clock: ManualClock,
) -> None:
    db = Database(database_url)
    platforms = frozenset({"console"})
    try:
        def write(session):  # type: ignore[no-untyped-def]
            out = Outbox(session, now=clock.now(), platforms=platforms)
            for n in range(2 * PER_PLACE):
                out.send(Destination("console", "busy"), text_card(f"message {n}"))
            out.write()

        def lease(session):  # type: ignore[no-untyped-def]
            return [(r.id, r.channel or r.user_id, r.card["text"]) for r in claim_due(session, now=clock.now(),
                                                                                      platforms=platforms)]

        db.run(write)
        first = db.run(lease)
        assert [text for _id, _place, text in first] == [f"message {n}" for n in range(PER_PLACE)]
        def a_direct_message(session):  # type: ignore[no-untyped-def]
            out = Outbox(session, now=clock.now(), platforms=platforms)
            out.send(Destination("console", user_id="u1"), text_card("a direct message"))
            out.write()

        db.run(a_direct_message)
        assert [(place, text) for _id, place, text in db.run(lease)] == [("u1", "a direct message")]

        def sent(session):  # type: ignore[no-untyped-def]
            for outbox_id, _place, _text in first:
                mark_sent(session, outbox_id=outbox_id, message_id=f"m{outbox_id}", channel="busy", now=clock.now())

        db.run(sent)
        later = [f"message {n}" for n in range(PER_PLACE, 2 * PER_PLACE)]
        assert [text for _id, _place, text in db.run(lease)] == later
    finally:
        db.dispose()


def test_a_report_finds_the_storm_card_waiting_and_writes_no_version_until_a_worker_has_taken_it(
    stormy: Desk, clock: ManualClock,
) -> None:
    chat = Chat(stormy)
    burst(chat, BACKLOG + 3)
    assert len(storm_cards(stormy)) == 1

    def send_the_storm_card(session):  # type: ignore[no-untyped-def]
        leased = [r for r in claim_due(session, now=clock.now(), platforms=frozenset({"console"}))
                  if r.card_key.startswith("storm:")]
        for row in leased:
            mark_sent(session, outbox_id=row.id, message_id="m-storm", channel=row.channel, now=clock.now())
        return len(leased)

    assert stormy.db.run(send_the_storm_card) == 1
    chat.say(person("Late"), "the scanner is offline too")
    late = tickets(stormy)[-1]["key"]
    first, second = storm_cards(stormy)
    assert (first.status, second.status, second.card_key) == ("sent", "pending", first.card_key)
    leased = stormy.db.run(lambda s: [r.card for r in claim_due(s, now=clock.now(), platforms=frozenset({"console"}))
                                      if r.card_key.startswith("storm:")])
    assert len(leased) == 1 and f"{late} ·" in leased[0]["text"] and leased[0]["title"].startswith("Storm: 4 reports")
