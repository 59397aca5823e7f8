"""`spoc run` in Slack's HTTP mode killed with SIGKILL right after it acknowledged an event: the next start
works on the event, once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, func, select

from core.storage.boundary_models import PendingEventRow
from core.storage.models import TicketRow
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import event_body, message_event, payloads_available, signed_headers

SECRET = "crash-test-secret"
TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def counts(url: str) -> tuple[int, int]:
    """(tickets, kept requests) in the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.scalar(select(func.count()).select_from(TicketRow)) or 0,
                    conn.scalar(select(func.count()).select_from(PendingEventRow)) or 0)
    finally:
        engine.dispose()


async def start_spoc(tmp_path: Path, slack: SlackApiStandIn, port: int) -> asyncio.subprocess.Process:
    config = tmp_path / "spoc.yaml"
    config.write_text(f'database: {{url: "sqlite:///{tmp_path}/spoc.db"}}\nkb: {{load_starter: false}}\n'
                      f"http: {{host: 127.0.0.1, port: {port}}}\n"
                      "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  signing_secret: ${SLACK_SIGNING_SECRET}\n"
                      "  mode: http\n"
                      f"  api_url: {slack.url}\n  intake_channels: [CHELP]\n  triage_channel: CTRIAGE\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--adapter", "slack", "--config", str(config), cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")}
        | {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            if process.returncode is not None:
                assert process.stderr is not None
                raise AssertionError(f"spoc run ended while starting: {(await process.stderr.read()).decode()}")
            assert asyncio.get_running_loop().time() < deadline, "spoc run never became ready"
            await asyncio.sleep(0.1)


async def test_an_event_acknowledged_just_before_sigkill_becomes_one_ticket_at_the_next_start(tmp_path: Path
                                                                                              ) -> None:
    if not payloads_available():
        pytest.skip("real Slack payload samples not found in ../shared/data/slack/payloads")
    url = f"sqlite:///{tmp_path}/spoc.db"
    port = free_port()
    body = event_body(message_event(channel="CHELP", user="UDANA", text="the wifi on floor 4 keeps dropping"))
    async with SlackApiStandIn() as slack:
        slack.set_user("UDANA", name="dana", email="dana@example.com")
        slack.set_latency(30.0, method="users.info")  # the work cannot finish before the kill
        first = await start_spoc(tmp_path, slack, port)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                 headers=signed_headers(body, secret=SECRET)) as response:
                assert response.status == 200
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert counts(url) == (0, 1)  # acknowledged, kept, not yet a ticket

        slack.set_latency(0.0, method="users.info")
        second = await start_spoc(tmp_path, slack, port)
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while counts(url) != (1, 0):
            assert asyncio.get_running_loop().time() < deadline, f"tickets, kept: {counts(url)}"
            await asyncio.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(second.communicate(), TIMEOUT)
        assert second.returncode == 0, err.decode()
        third = await start_spoc(tmp_path, slack, port)
        await asyncio.sleep(1.0)
        third.send_signal(signal.SIGTERM)
        await asyncio.wait_for(third.communicate(), TIMEOUT)
    assert counts(url) == (1, 0)


async def test_events_acknowledged_before_sigterm_are_all_tickets_once_after_the_next_start(tmp_path: Path
                                                                                           ) -> None:
    if not payloads_available():
        pytest.skip("real Slack payload samples not found in ../shared/data/slack/payloads")
    url = f"sqlite:///{tmp_path}/spoc.db"
    port = free_port()
    bodies = [event_body(message_event(channel="CHELP", user=f"U{n}", text=f"monitor {n} flickers since monday"))
              for n in range(6)]
    async with SlackApiStandIn() as slack:
        slack.set_latency(2.0, method="users.info")  # the work is slow: some is in hand at SIGTERM
        first = await start_spoc(tmp_path, slack, port)
        async with aiohttp.ClientSession() as http:
            for body in bodies:
                async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body,
                                     headers=signed_headers(body, secret=SECRET)) as response:
                    assert response.status == 200
        first.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(first.communicate(), TIMEOUT)
        assert first.returncode == 0, err.decode()
        made, kept = counts(url)
        assert made + kept >= len(bodies) and made < len(bodies)  # what was not worked on is still kept

        slack.set_latency(0.0, method="users.info")
        second = await start_spoc(tmp_path, slack, port)
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while counts(url) != (len(bodies), 0):
            assert asyncio.get_running_loop().time() < deadline, f"tickets, kept: {counts(url)}"
            await asyncio.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), TIMEOUT)
    assert counts(url) == (len(bodies), 0)
