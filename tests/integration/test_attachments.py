"""Files that notifications carry (a report's chart, an export) travel as data: their bytes are stored once
by digest with the notifications, and whichever process delivers reads them from the database."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from adapters.console.adapter import ConsoleMessenger, ConsoleScreen
from bot.dispatcher import Dispatcher
from core.attachments import forget_old
from core.cards import Attachment, Card
from core.clock import ManualClock
from core.delivery import Delivery, Destination, File
from core.outbox import RetryPolicy
from core.service import Desk
from core.storage.models import BlobRow
from tests.fakes import RecordingMessenger

CHART = b"\x89PNG\r\n\x1a\n" + b"pixels" * 40
HERE = Destination("console", "it-leads")


def send(desk: Desk, data: bytes = CHART, *, name: str = "tickets-per-day.png", media_type: str = "image/png",
         times: int = 1) -> None:
    def work(ctx):  # type: ignore[no-untyped-def]
        for _ in range(times):
            chart = ctx.outbox.attach(name=name, media_type=media_type, data=data)
            ctx.outbox.send(HERE, Card(title="Tickets per day", attachments=(chart,)))

    desk.run_as_system(work)


def blobs(desk: Desk) -> int:
    return desk.db.run(lambda s: s.scalar(select(func.count()).select_from(BlobRow)))


def deliver(desk: Desk, clock: ManualClock) -> RecordingMessenger:
    messenger = RecordingMessenger()
    dispatcher = Dispatcher(db=desk.db, messengers={"console": messenger}, clock=clock,
                            policy=RetryPolicy(max_attempts=3))
    asyncio.run(dispatcher.drain(timeout=10))
    return messenger


def test_another_process_delivers_a_chart_with_its_bytes_from_the_database(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    send(make_desk(database_url))
    elsewhere = make_desk(database_url)  # a second desk on the same database: another worker, another host
    [delivery] = deliver(elsewhere, clock).delivered
    [attachment] = delivery.card.attachments
    assert (attachment.name, attachment.media_type, len(attachment.digest)) == ("tickets-per-day.png",
                                                                               "image/png", 64)
    assert delivery.image is not None and delivery.image.data == CHART
    assert [(f.name, f.data) for f in delivery.files] == [("tickets-per-day.png", CHART)]


def test_the_same_bytes_are_stored_once_however_many_cards_carry_them(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    desk = make_desk(database_url)
    send(desk, times=3)
    send(desk)
    send(desk, b"key,status\nINC-1,resolved\n", name="tickets.csv", media_type="text/csv")
    assert blobs(desk) == 2


def test_files_are_forgotten_a_week_after_they_were_last_stored_unless_still_waiting(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url)
    send(desk)
    deliver(desk, clock)
    send(desk, b"still waiting", name="waiting.png")
    clock.advance(timedelta(days=6))
    assert desk.run_as_system(forget_old) == 0
    clock.advance(timedelta(days=2))
    assert desk.run_as_system(forget_old) == 1  # the delivered chart; the waiting one stays
    assert blobs(desk) == 1
    [delivery] = deliver(desk, clock).delivered
    assert [f.data for f in delivery.files] == [b"still waiting"]


def test_a_file_stored_again_counts_from_then(make_desk: Callable[..., Desk], database_url: str,
                                                clock: ManualClock) -> None:
    desk = make_desk(database_url)
    send(desk)
    deliver(desk, clock)
    clock.advance(timedelta(days=6))
    send(desk)  # the same chart again
    deliver(desk, clock)
    clock.advance(timedelta(days=2))
    assert desk.run_as_system(forget_old) == 0
    assert blobs(desk) == 1


def test_the_console_saves_a_file_it_shows_and_says_where(tmp_path: Path) -> None:
    screen = ConsoleScreen(io.StringIO(), width=100, run=1)
    card = Card(title="Tickets per day",
                attachments=(Attachment(name="tickets-per-day.png", media_type="image/png", digest="d" * 64),))
    asyncio.run(ConsoleMessenger(screen, files_dir=tmp_path / "charts").deliver(Delivery(
        outbox_id=1, destination=HERE, card=card, files=(File("tickets-per-day.png", "image/png", CHART),))))
    [saved] = (tmp_path / "charts").glob("*-tickets-per-day.png")
    assert saved.read_bytes() == CHART
    assert f"│ (chart: {saved})" in screen.output.getvalue()  # type: ignore[attr-defined]
