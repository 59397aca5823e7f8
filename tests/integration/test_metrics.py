"""The desk's metrics as a running process counts them (bot/metrics.py): events by outcome, units of work,
tickets opened, SLA warnings and breaches, and the outbox read from the database when scraped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.dispatcher import Dispatcher
from bot.metrics import Metrics
from core.clock import ManualClock
from core.context import DeskDeps, Routes
from core.delivery import DeliveryFailed, Destination
from core.knowledge import Suggestion
from core.messages import Inbound
from core.outbox import OLDEST_PENDING, WAITING_BY_STATUS, RetryPolicy
from core.service import Desk
from core.settings import DeskSettings
from core.sla.sweep import sweep_sla
from core.storage.database import Database
from tests.conftest import DANA, DEFAULT_PEOPLE, SAM, Chat
from tests.fakes import FakeKnowledgeBase, RecordingMessenger
from tests.integration.sla_helpers import desk_settings, report_p1
from tests.integration.test_query_plans import _plan


class BrokenKnowledgeBase(FakeKnowledgeBase):
    def suggest(self, text: str, *, limit: int | None = None) -> list[Suggestion]:
        raise RuntimeError("the index is gone")


@pytest.fixture
def metered(database_url: str, clock: ManualClock) -> Iterator[tuple[Desk, Metrics]]:
    desk, metrics = _metered_desk(database_url, clock, DeskSettings(people=DEFAULT_PEOPLE))
    yield desk, metrics
    desk.db.dispose()


def _metered_desk(url: str, clock: ManualClock, settings: DeskSettings,
                  knowledge: FakeKnowledgeBase | None = None) -> tuple[Desk, Metrics]:
    db = Database(url)
    metrics = Metrics(db=db, clock=clock, cache_seconds=0)
    deps = DeskDeps(settings=settings, knowledge=knowledge or FakeKnowledgeBase(),
                    routes=Routes(triage=(Destination("console", "it-triage"),)),
                    platforms=frozenset({"console"}), observer=metrics)
    desk = Desk(db=db, deps=deps, clock=clock)
    desk.setup()
    return desk, metrics


def value(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_events_are_counted_by_platform_kind_and_outcome(metered: tuple[Desk, Metrics]) -> None:
    desk, metrics = metered
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on", event_id="Ev1")
    chat.say(DANA, "my laptop won't turn on", event_id="Ev1")  # the platform delivers it again
    chat.say(DANA, "   ")
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "claim INC-99")
    chat.desk_command(SAM, "frobnicate")

    assert value(metrics, "spoc_events_total", platform="console", kind="message", outcome="done") == 1
    assert value(metrics, "spoc_events_total", platform="console", kind="message", outcome="repeated") == 1
    assert value(metrics, "spoc_events_total", platform="console", kind="message", outcome="empty") == 1
    assert value(metrics, "spoc_events_total", platform="console", kind="command", outcome="done") == 1
    assert value(metrics, "spoc_events_total", platform="console", kind="command", outcome="refused") == 2
    assert value(metrics, "spoc_unit_of_work_seconds_count", work="message") == 3
    assert value(metrics, "spoc_unit_of_work_seconds_count", work="command") == 3
    assert value(metrics, "spoc_work_cpu_seconds_total", work="message") > 0  # opening a ticket costs some CPU
    assert value(metrics, "spoc_tickets_opened_total", kind="incident") == 1
    assert value(metrics, "spoc_ticket_changes_total", action="assign") == 1
    assert metrics.registry.get_sample_value("spoc_tickets_opened_created", {"kind": "incident"}) is None


def test_an_event_that_fails_is_counted_as_failed_and_opens_no_ticket(database_url: str,
                                                                     clock: ManualClock) -> None:
    desk, metrics = _metered_desk(database_url, clock, DeskSettings(people=DEFAULT_PEOPLE),
                                  knowledge=BrokenKnowledgeBase())
    with pytest.raises(RuntimeError):
        desk.handle_message(Inbound(platform="console", event_id="Ev9", channel="it-help", message_id="m1",
                                    author=DANA, text="printer jammed", is_intake=True))
    desk.db.dispose()
    assert value(metrics, "spoc_events_total", platform="console", kind="message", outcome="failed") == 1
    assert value(metrics, "spoc_tickets_opened_total", kind="incident") == 0
    assert value(metrics, "spoc_unit_of_work_seconds_count", work="message") == 1


def test_sla_warnings_and_breaches_are_counted_once_each(database_url: str, clock: ManualClock) -> None:
    desk, metrics = _metered_desk(database_url, clock, desk_settings())
    report_p1(Chat(desk))  # Monday 09:00: first response due 09:15, warned at 09:11:15
    clock.advance(timedelta(minutes=12))
    sweep_sla(desk)
    sweep_sla(desk)
    assert value(metrics, "spoc_sla_warnings_total", clock="first_response") == 1
    assert value(metrics, "spoc_sla_breaches_total", clock="first_response") == 0
    clock.advance(timedelta(minutes=4))
    sweep_sla(desk)
    sweep_sla(desk)
    desk.db.dispose()
    assert value(metrics, "spoc_sla_warnings_total", clock="first_response") == 1
    assert value(metrics, "spoc_sla_breaches_total", clock="first_response") == 1
    assert value(metrics, "spoc_unit_of_work_seconds_count", work="system") > 0


async def test_outbox_gauges_are_read_when_scraped_and_deliveries_are_timed(
    metered: tuple[Desk, Metrics], clock: ManualClock,
) -> None:
    desk, metrics = metered
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    await metrics.outbox.refresh()
    written = value(metrics, "spoc_outbox_pending")
    assert written >= 2 and value(metrics, "spoc_outbox_dead") == 0
    assert value(metrics, "spoc_database_reachable") == 1

    clock.advance(timedelta(seconds=3))
    messenger = RecordingMessenger(failures=[DeliveryFailed("channel_not_found", permanent=True)])
    dispatcher = Dispatcher(db=desk.db, messengers={"console": messenger}, clock=clock,
                            policy=RetryPolicy(max_attempts=3, base_delay=1, max_delay=10), observer=metrics)
    while await dispatcher.deliver_due():
        pass
    await metrics.outbox.refresh()
    assert value(metrics, "spoc_outbox_dead") == 1
    assert value(metrics, "spoc_outbox_pending") == 0
    assert value(metrics, "spoc_outbox_delivery_failures_total", platform="console", status="dead") == 1
    assert value(metrics, "spoc_outbox_delivery_seconds_count", platform="console") == written - 1
    assert value(metrics, "spoc_outbox_delivery_seconds_sum", platform="console") == pytest.approx(3 * (written - 1))


async def test_a_scrape_within_the_cache_time_does_not_read_the_database_again(database_url: str,
                                                                             clock: ManualClock) -> None:
    desk, _ = _metered_desk(database_url, clock, DeskSettings(people=DEFAULT_PEOPLE))
    metrics = Metrics(db=desk.db, clock=clock, cache_seconds=60)
    await metrics.outbox.refresh()
    assert value(metrics, "spoc_outbox_pending") == 0
    Chat(desk).say(DANA, "my laptop won't turn on")
    await metrics.outbox.refresh()
    assert value(metrics, "spoc_outbox_pending") == 0
    metrics.outbox.cache_seconds = 0
    await metrics.outbox.refresh()
    desk.db.dispose()
    assert value(metrics, "spoc_outbox_pending") > 0


async def test_an_unreachable_database_shows_as_not_reachable_without_outbox_gauges(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path}/missing/dir/spoc.db")
    metrics = Metrics(db=db, clock=clock, cache_seconds=0)
    await metrics.outbox.refresh()
    db.dispose()
    assert value(metrics, "spoc_database_reachable") == 0
    assert metrics.registry.get_sample_value("spoc_outbox_pending") is None


def test_the_scheduler_leader_shows_1(database_url: str, clock: ManualClock) -> None:
    db = Database(database_url)
    metrics = Metrics(db=db, clock=clock)
    leading = [False]
    metrics.follow_leadership(lambda: leading[0])
    assert value(metrics, "spoc_scheduler_leader") == 0
    leading[0] = True
    assert value(metrics, "spoc_scheduler_leader") == 1
    db.dispose()


@pytest.mark.parametrize("statement", [WAITING_BY_STATUS, OLDEST_PENDING], ids=["counts", "oldest"])
def test_the_outbox_gauges_read_through_an_index_not_the_sent_notifications(sqlite_url: str, statement) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(sqlite_url, statement, {})
    assert not any(step.startswith("SCAN") for step in plan), plan
