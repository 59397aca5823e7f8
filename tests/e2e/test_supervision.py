"""`spoc run` as systemd, Docker or Kubernetes see it: a chat connection that fails for good ends the process
with a non-zero exit and one line; a passing failure is retried; /healthz and /readyz tell the truth; SIGTERM
finishes the work in hand and exits 0."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import parse_config
from bot.http_server import HttpServer
from bot.runtime import serve
from bot.wiring import build_app
from tests.adapters.discord.conftest import require_discord_data, runtime_config
from tests.integration.helpers import tickets
from tests.standins.discord_standin import DiscordStandIn
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import event_body, message_event
from tests.waiting import eventually

TIMEOUT = 60.0


def discord_config(srv: DiscordStandIn, tmp_path: Path, extra: str = "") -> str:
    return runtime_config(srv, f"sqlite:///{tmp_path}/spoc.db", extra)


def slack_socket_config(slack: SlackApiStandIn, tmp_path: Path, extra: str = "") -> str:
    return f"""
database: {{url: "sqlite:///{tmp_path}/spoc.db"}}
run: {{adapters: [slack]}}
kb: {{load_starter: false}}
slack:
  bot_token: ${{SLACK_BOT_TOKEN}}
  app_token: ${{SLACK_APP_TOKEN}}
  api_url: {slack.url}
  intake_channels: [CHELP]
  triage_channel: CTRIAGE
{extra}"""


async def spoc_run(config: str, tmp_path: Path, env: dict[str, str], *, stdin: bytes | None = None
                   ) -> tuple[int, str]:
    path = tmp_path / "spoc.yaml"
    # The web pages' demo port (127.0.0.1:8080) may be taken on a shared machine; its warning is not the line
    # these tests read.
    path.write_text(config + "\nweb: {enabled: false}\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(path), cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")} | env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(process.communicate(stdin), TIMEOUT)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_refused_discord_token_ends_spoc_run_with_exit_1_and_one_line(tmp_path: Path) -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        code, err = await spoc_run(discord_config(srv, tmp_path), tmp_path, {"DISCORD_BOT_TOKEN": "MTE.not-the.token"})
    assert code == 1
    assert err.strip().splitlines() == [err.strip().splitlines()[-1]]
    assert err.startswith("spoc stopped: the discord connection failed: ") and "token" in err


async def test_a_missing_message_content_intent_ends_spoc_run_with_exit_1_and_one_line(tmp_path: Path) -> None:
    require_discord_data()
    async with DiscordStandIn(allowed_intents=0) as srv:
        code, err = await spoc_run(discord_config(srv, tmp_path), tmp_path, {"DISCORD_BOT_TOKEN": srv.token})
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "MESSAGE CONTENT" in err and "4014" in err


async def test_a_refused_slack_app_token_ends_spoc_run_with_exit_1_and_one_line(tmp_path: Path) -> None:
    async with SlackApiStandIn() as slack:
        slack.fail_next("apps.connections.open", error="invalid_auth", times=20)
        code, err = await spoc_run(slack_socket_config(slack, tmp_path), tmp_path,
                                   {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-revoked"})
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "Slack refused the app-level token (invalid_auth)" in err


async def test_slack_unreachable_for_a_while_is_retried_then_events_flow(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    async with SlackApiStandIn() as slack:
        # Each start asks apps.connections.open twice (the token check, then the socket): two failed starts.
        slack.fail_next("apps.connections.open", status=503, error="service_unavailable", times=4)
        config = parse_config(slack_socket_config(slack, tmp_path),
                              environ={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"})
        app = build_app(config)
        stop = asyncio.Event()
        with caplog.at_level(logging.WARNING, logger="bot.supervisor"):
            running = asyncio.create_task(serve(app, ("slack",), stop=stop, output=io.StringIO()))
            try:
                await slack.wait_for_socket(timeout=TIMEOUT)
                payload = json.loads(event_body(message_event(channel="CHELP", user="UDANA", text="vpn is down")))
                await slack.wait_for_socket_ack(await slack.socket_send("events_api", payload))
                await eventually(lambda: tickets(app.desk), what="a ticket")
            finally:
                stop.set()
                await asyncio.wait_for(running, TIMEOUT)
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.supervisor"]
    assert len(retries) == 2 and all("the slack connection failed" in line for line in retries)
    slack.assert_calls_match_spec()


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


async def test_healthz_and_readyz_follow_the_discord_connection(tmp_path: Path) -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        config = parse_config(discord_config(srv, tmp_path, "http: {host: 127.0.0.1, port: 0}"),
                              environ={"DISCORD_BOT_TOKEN": srv.token})
        app = build_app(config)
        stop = asyncio.Event()
        servers: list[HttpServer | None] = []
        running = asyncio.create_task(serve(app, ("discord",), stop=stop, output=io.StringIO(),
                                            started=servers.append))
        try:
            await srv.wait_for_ready(TIMEOUT)
            [server] = servers
            assert server is not None
            base = f"http://127.0.0.1:{server.port}"
            assert await get(f"{base}/healthz") == (200, {"status": "alive"})
            await eventually(lambda: app.desk.db is not None and srv.gateway.connected, what="connected")
            status, ready = await _ready(base, want=200)
            assert ready == {"status": "ready", "database": {"status": "reachable"},
                             "adapters": {"discord": "connected"},
                             "outbox": {"pending": 0, "dead": 0, "oldest_pending_seconds": None}}
            await srv.disconnect_client(4000, hold_reconnect=True)
            status, ready = await _ready(base, want=503)
            assert ready["adapters"] == {"discord": "not connected"} and ready["status"] == "not ready"
            srv.release_reconnect()
            await _ready(base, want=200)
        finally:
            stop.set()
            await asyncio.wait_for(running, TIMEOUT)


async def _ready(base: str, *, want: int) -> tuple[int, dict[str, Any]]:
    found: list[tuple[int, dict[str, Any]]] = []

    async def check() -> bool:
        found.append(await get(f"{base}/readyz"))
        return found[-1][0] == want

    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"/readyz never answered {want}: {found[-1]}"
        await asyncio.sleep(0.1)
    return found[-1]


async def test_sigterm_finishes_the_work_in_hand_delivers_and_exits_0(tmp_path: Path) -> None:
    config = tmp_path / "spoc.yaml"
    config.write_text(f'database: {{url: "sqlite:///{tmp_path}/spoc.db"}}\nkb: {{load_starter: false}}\n'
                      "http: {host: 127.0.0.1, port: 0}\nlog_level: INFO\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--adapter", "console", "--config", str(config), cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(b"my laptop won't turn on\n")
    await process.stdin.drain()
    seen = b""
    while b"INC-1 opened" not in seen:
        seen += await asyncio.wait_for(process.stdout.readline(), TIMEOUT)
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 0, err.decode()
    assert b"INC-1" in seen + out
    listed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "outbox", "list", "--config", str(config), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")})
    shown, _ = await asyncio.wait_for(listed.communicate(), TIMEOUT)
    assert b"pending" not in shown and b"sent" in shown


async def test_a_taken_http_port_ends_spoc_run_with_exit_1_and_one_line(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        code, err = await spoc_run(f'database: {{url: "sqlite:///{tmp_path}/spoc.db"}}\nkb: {{load_starter: false}}\n'
                                   f"run: {{adapters: [console]}}\nhttp: {{host: 127.0.0.1, port: {port}}}\n",
                                   tmp_path, {}, stdin=b"")
    finally:
        taken.close()
    assert code == 1
    assert err.strip().splitlines() == [f"spoc stopped: cannot listen on 127.0.0.1:{port} (Address already in use): "
                                        "free the port or set http.port"]
