"""Nothing lost, nothing twice: the outbox and its dispatcher."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.dispatcher import Dispatcher
from core.clock import ManualClock
from core.delivery import Delivered, Delivery, DeliveryFailed
from core.outbox import LEASE, RetryPolicy, listing, retry
from core.service import Desk
from tests.conftest import DANA, KIM, SAM, Chat
from tests.fakes import DyingMessenger, ProcessDied, RecordingMessenger
from tests.integration.helpers import outbox

POLICY = RetryPolicy(max_attempts=3, base_delay=2.0, max_delay=60.0)


def dispatcher_for(desk: Desk, messenger: RecordingMessenger, clock: ManualClock) -> Dispatcher:
    return Dispatcher(db=desk.db, messengers={"console": messenger}, clock=clock, policy=POLICY)


def deliver(dispatcher: Dispatcher) -> int:
    return asyncio.run(dispatcher.deliver_due())


def statuses(desk: Desk) -> list[str]:
    return [row.status for row in outbox(desk)]


def test_every_notification_is_delivered_once(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger()
    chat.say(DANA, "my laptop won't turn on")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    deliver(dispatcher)
    deliver(dispatcher)
    assert len(messenger.delivered) == 2
    assert set(statuses(chat.desk)) == {"sent"}


def test_a_living_card_is_edited_in_place_after_it_was_posted(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger()
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    chat.say(DANA, "my laptop won't turn on")
    deliver(dispatcher)
    posted = next(d for d in messenger.delivered if d.card.title.startswith("INC-1"))
    chat.desk_command(SAM, "claim INC-1")
    deliver(dispatcher)
    edits = [d for d in messenger.delivered if d.card.title.startswith("INC-1") and d is not posted]
    assert len(edits) == 1
    assert edits[0].replaces_message_id != ""
    assert any(f.value == "Sam is on it" for f in edits[0].card.fields)


def test_undelivered_versions_of_a_card_collapse_into_the_newest(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger()
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "resolve INC-1 fixed")
    deliver(dispatcher_for(chat.desk, messenger, clock))
    cards = [d for d in messenger.delivered if d.card.title.startswith("INC-1 ·")]
    assert len(cards) == 1
    assert any(f.value == "Resolved" for f in cards[0].card.fields)
    assert statuses(chat.desk).count("superseded") == 2


def test_a_failed_delivery_is_retried_with_backoff(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger(failures=[DeliveryFailed("server error 500")])
    chat.say(DANA, "my laptop won't turn on")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    deliver(dispatcher)
    first = outbox(chat.desk)[0]
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "server error 500")
    assert first.next_attempt_at == clock.now() + timedelta(seconds=2)
    clock.advance(timedelta(seconds=2))
    deliver(dispatcher)
    assert set(statuses(chat.desk)) == {"sent"}


def test_retry_after_is_obeyed_and_does_not_count_as_a_failure(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger(failures=[DeliveryFailed("rate limited", retry_after=30)])
    chat.say(DANA, "my laptop won't turn on")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    deliver(dispatcher)
    assert [d.destination.channel for d in messenger.delivered] == ["it-triage"]
    first = outbox(chat.desk)[0]
    assert first.attempts == 0 and first.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    deliver(dispatcher)
    assert len(messenger.delivered) == 1
    clock.advance(timedelta(seconds=1))
    deliver(dispatcher)
    assert [d.destination.channel for d in messenger.delivered] == ["it-triage", "it-help"]


def test_a_later_message_to_a_channel_waits_for_an_earlier_one(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger(failures=[DeliveryFailed("server error 500")])
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "comment INC-1 please hold the power button")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    deliver(dispatcher)
    assert [d.destination.channel for d in messenger.delivered] == ["it-triage"]
    clock.advance(timedelta(seconds=2))
    deliver(dispatcher)
    thread = [d.card.text for d in messenger.delivered if d.destination.channel == "it-help"]
    assert thread[0].startswith("INC-1 opened") and thread[-1].startswith("Sam from IT: please hold")


def test_after_the_last_attempt_it_is_dead_with_its_reason_and_can_be_retried(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger(failures=[DeliveryFailed("channel_not_found", permanent=True)])
    chat.say(DANA, "my laptop won't turn on")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    deliver(dispatcher)
    dead = chat.desk.db.run(lambda s: [(r.status, r.last_error) for r in listing(s, failed_only=True)])
    assert dead == [("dead", "channel_not_found")]
    assert chat.desk.db.run(lambda s: retry(s, now=clock.now())) == 1
    deliver(dispatcher)
    assert "dead" not in statuses(chat.desk)


def test_transient_failures_dead_letter_after_max_attempts(chat: Chat, clock: ManualClock) -> None:
    messenger = RecordingMessenger(failures=[RuntimeError("boom")] * 6)
    chat.say(DANA, "printer broken", channel="it-help")
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    for _ in range(3):
        deliver(dispatcher)
        clock.advance(timedelta(minutes=5))
    assert [(r.status, r.attempts, r.last_error) for r in outbox(chat.desk)] == \
        [("dead", 3, "RuntimeError: boom")] * 2


def test_a_new_dispatcher_delivers_what_a_dead_process_left_behind(chat: Chat, clock: ManualClock) -> None:
    chat.say(DANA, "my laptop won't turn on")
    # The first process leased the messages and died before delivering them.
    crashed = dispatcher_for(chat.desk, RecordingMessenger(), clock)
    leased = crashed._lease(crashed.batch)
    assert leased
    restarted_messenger = RecordingMessenger()
    restarted = dispatcher_for(chat.desk, restarted_messenger, clock)
    assert deliver(restarted) == 0  # still leased by the dead process
    clock.advance(timedelta(seconds=61))
    deliver(restarted)
    assert len(restarted_messenger.delivered) == 2


def test_a_ticket_opened_by_command_gets_its_thread_from_the_first_posted_message(
    chat: Chat, clock: ManualClock
) -> None:
    from tests.integration.helpers import comments

    assert chat.desk_command(DANA, "new my monitor flickers") == "INC-1 opened. You will hear about it in its thread."
    messenger = RecordingMessenger()
    deliver(dispatcher_for(chat.desk, messenger, clock))
    opened = next(d for d in messenger.delivered if d.card.text.startswith("INC-1 opened"))
    assert (opened.destination.channel, opened.destination.thread) == ("it-help", "")
    root = f"msg-{messenger.delivered.index(opened) + 1}"
    chat.say(DANA, "it flickers only on battery", thread=root)
    chat.desk_command(SAM, "comment INC-1 try another cable")
    deliver(dispatcher_for(chat.desk, messenger, clock))
    assert comments(chat.desk, 1)[0] == ("it flickers only on battery", False)
    later = [d for d in messenger.delivered if d.card.text.startswith("Sam from IT: try another cable")]
    assert later[0].destination.thread == root


def test_a_delivery_whose_process_died_during_its_attempt_is_marked_unconfirmed_at_its_next_attempt(
    chat: Chat, clock: ManualClock,
) -> None:
    messenger = RecordingMessenger()
    chat.say(DANA, "my laptop won't turn on")
    dying = Dispatcher(db=chat.desk.db, messengers={"console": DyingMessenger(messenger, after_sending=True)},
                       clock=clock, policy=POLICY)
    with pytest.raises(ProcessDied):
        deliver(dying)
    died_at = clock.now()
    clock.advance(LEASE + timedelta(seconds=1))  # the dead process's lease runs out
    deliver(dispatcher_for(chat.desk, messenger, clock))
    attempts: dict[int, list[object]] = {}
    for delivery in messenger.delivered:
        attempts.setdefault(delivery.outbox_id, []).append(delivery.unconfirmed_since)
    assert attempts and all(seen == [None, died_at] for seen in attempts.values()), attempts
    assert set(statuses(chat.desk)) == {"sent"}


@dataclass
class HeldChannelMessenger(RecordingMessenger):
    """Holds every delivery to `held` until `release` is set, as a platform's pace holds a busy channel."""

    held: str = "it-triage"
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self, delivery: Delivery) -> Delivered:
        if delivery.destination.channel == self.held:
            await self.release.wait()
        return await super().deliver(delivery)


def delivering_with_triage_held(chat: Chat, clock: ManualClock) -> tuple[HeldChannelMessenger, asyncio.Task[int]]:
    """A report, and a pass delivering it while the triage channel is held (call inside a running loop)."""
    messenger = HeldChannelMessenger()
    dispatcher = Dispatcher(db=chat.desk.db, messengers={"console": messenger}, clock=clock, policy=POLICY,
                            poll_seconds=0.05)
    chat.say(DANA, "my laptop won't turn on")
    return messenger, asyncio.create_task(dispatcher.deliver_due())


def test_a_channel_held_back_by_its_pace_keeps_no_other_channel_waiting(chat: Chat, clock: ManualClock) -> None:
    async def scenario() -> None:
        messenger, delivering = delivering_with_triage_held(chat, clock)

        async def until_told(key: str) -> None:
            for _ in range(200):  # a bound for a failing run, not a timing check
                if any(text.startswith(f"{key} opened") for text in messenger.texts()):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"{key}'s reporter was not told while the triage channel was held: "
                                 f"{messenger.texts()}")

        await until_told("INC-1")
        # Reported while the first triage card is still held: its reporter is told without waiting for it.
        chat.say(KIM, "the printer on floor 2 is jammed")
        await until_told("INC-2")
        assert [d for d in messenger.delivered if d.destination.channel == "it-triage"] == []
        messenger.release.set()
        await delivering
        triage = [d.card.title for d in messenger.delivered if d.destination.channel == "it-triage"]
        assert [title.split(" ")[0] for title in triage] == ["INC-1", "INC-2"]
        assert set(statuses(chat.desk)) == {"sent"}

    asyncio.run(scenario())


def test_a_pass_stopped_while_a_channel_is_held_stops_its_deliveries_too(chat: Chat, clock: ManualClock) -> None:
    async def scenario() -> None:
        messenger, delivering = delivering_with_triage_held(chat, clock)
        for _ in range(200):  # a bound for a failing run, not a timing check
            if messenger.delivered:
                break
            await asyncio.sleep(0.05)
        delivering.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(delivering, 5)  # a TimeoutError here: the held delivery kept the pass alive
        assert [d.destination.channel for d in messenger.delivered] == ["it-help"]

    asyncio.run(scenario())


def test_a_dispatcher_that_keeps_finding_nothing_leases_less_often_until_poked(chat: Chat, clock: ManualClock
                                                                               ) -> None:
    messenger = RecordingMessenger()
    dispatcher = dispatcher_for(chat.desk, messenger, clock)
    for _ in range(5):
        assert deliver(dispatcher) == 0
    assert dispatcher.interval == dispatcher.poll_seconds * 8  # every worker polls; most polls find nothing
    chat.say(DANA, "my laptop won't turn on")
    dispatcher.poke()  # what a worker does once it has committed work that sends something
    assert dispatcher.interval == dispatcher.poll_seconds
    assert deliver(dispatcher) == 2
    assert dispatcher.interval < dispatcher.poll_seconds * 8
