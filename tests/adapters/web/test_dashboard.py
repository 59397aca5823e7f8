"""The leads' dashboard: the same figures as `spoc report --format json` over the same period, charts, and
only for the people who may run `/desk report`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from bot.cli import app
from core.clock import ManualClock
from tests.adapters.web.conftest import sign_in
from tests.conftest import DANA, KIM, SAM, Chat

PERIOD = {"since": "2026-03-01", "until": "2026-03-02T12:00+00:00"}


@contextlib.contextmanager
def statements_run() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block."""
    reads: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        reads.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield reads
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def busy_morning(chat: Chat, clock: ManualClock) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    chat.say(KIM, "I need access to the finance share")
    chat.desk_command(SAM, "claim INC-1")
    clock.advance(timedelta(minutes=40))
    chat.desk_command(SAM, "resolve INC-1 replaced the cable")
    chat.desk_command(DANA, "confirm INC-1")
    chat.desk_command(DANA, "rate INC-1 5 quick")
    clock.advance(timedelta(hours=4))


async def test_the_dashboard_shows_the_figures_of_spoc_report_for_the_same_period(
        client: TestClient, chat: Chat, clock: ManualClock, database_url: str) -> None:
    busy_morning(chat, clock)
    await sign_in(client, chat, SAM)
    web = await (await client.get("/dashboard.json", params=PERIOD)).json()
    result = CliRunner().invoke(app, ["report", "--since", PERIOD["since"], "--until", PERIOD["until"],
                                      "--format", "json"],
                                env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": ""})
    assert result.exit_code == 0, result.stderr
    cli = json.loads(result.stdout)
    for figures in (web, cli):
        figures.pop("generated_at")
    assert web == cli
    assert web["volume"]["opened"] == 2 and web["volume"]["resolved"] == 1
    page = await (await client.get("/dashboard", params=PERIOD)).text()
    assert '<span class="value">2</span>Opened' in page and '<span class="value">1</span>Resolved' in page
    assert page.count('<img class="chart" src="data:image/png;base64,') == 4


async def test_a_requester_is_not_shown_the_dashboard(client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    assert (await client.get("/dashboard")).status == 403
    assert (await client.get("/dashboard.json")).status == 403


async def test_a_bad_period_or_filter_is_named_and_nothing_is_computed(client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, SAM)
    response = await client.get("/dashboard", params={"since": "last tuesday-ish"})
    assert response.status == 400
    assert "last tuesday-ish" in await response.text()
    team = await client.get("/dashboard.json", params={"team": "nobody"})
    assert team.status == 400 and "No team 'nobody'" in (await team.json())["error"]


async def test_a_period_asked_for_again_is_shown_from_the_kept_figures_without_reading_the_tickets(
        client: TestClient, chat: Chat, clock: ManualClock) -> None:
    busy_morning(chat, clock)
    await sign_in(client, chat, SAM)
    with statements_run() as reads:
        first = await (await client.get("/dashboard", params=PERIOD)).text()
        assert any(" tickets" in statement for statement in reads)
        reads.clear()
        again = await (await client.get("/dashboard", params=PERIOD)).text()
        figures = await (await client.get("/dashboard.json", params=PERIOD)).json()
    assert not [statement for statement in reads if " tickets" in statement], reads
    assert again.split("<h1>")[1] == first.split("<h1>")[1] and figures["volume"]["opened"] == 2
    assert "Figures as of 2026-" in first


async def test_the_last_30_days_are_computed_as_the_server_starts_so_the_first_lead_reads_no_tickets(
        make_client: Callable[..., Any], chat: Chat, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    busy_morning(chat, clock)
    caplog.set_level(logging.INFO, logger="adapters.web.dashboard")
    client: TestClient = await make_client()
    for _ in range(100):
        if "dashboard figures for the last 30d ready" in caplog.text:
            break
        await asyncio.sleep(0.05)
    await sign_in(client, chat, SAM)
    with statements_run() as reads:
        page = await (await client.get("/dashboard")).text()
        figures = await (await client.get("/dashboard.json")).json()
    assert "dashboard figures for the last 30d ready" in caplog.text
    assert not [statement for statement in reads if " tickets" in statement], reads
    assert figures["volume"]["opened"] == 2 and "Figures as of" in page
