"""`spoc run` as its operators see it: GET /metrics on the process's HTTP server moves with the events it
handles, and `log_format: json` writes one JSON object a line naming the event and ticket in hand."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

TIMEOUT = 60.0
CONFIG = """\
database: {{url: "sqlite:///{tmp}/spoc.db"}}
kb: {{load_starter: false}}
http: {{host: 127.0.0.1, port: 0}}
log_level: DEBUG
log_format: json
"""


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL", "SLACK_BOT_TOKEN",
                                                             "DISCORD_BOT_TOKEN")}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def read_lines(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode())


async def until(found: list[str], wanted: str) -> str:
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while not any(wanted in line for line in found):
        assert asyncio.get_running_loop().time() < deadline, f"never saw {wanted!r} in {found[-20:]}"
        await asyncio.sleep(0.05)
    return next(line for line in found if wanted in line)


async def delivered_after(http: aiohttp.ClientSession, url: str, before: dict[Any, float]
                          ) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The metrics once the notifications of the ticket are delivered (the dispatcher may finish them after
    the console has shown its next answer)."""
    key = ("spoc_outbox_delivery_seconds_count", (("platform", "console"),))
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        async with http.get(url) as response:
            found = samples(await response.text())
        if found.get(key, 0.0) - before.get(key, 0.0) >= 2 or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_metrics_move_with_the_events_a_running_desk_handles_and_logs_are_json(tmp_path: Path) -> None:
    config = tmp_path / "spoc.yaml"
    config.write_text(CONFIG.format(tmp=tmp_path))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--adapter", "console", "--config", str(config), cwd=tmp_path,
        env=environment(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    out: list[str] = []
    err: list[str] = []
    readers = [asyncio.create_task(read_lines(process.stdout, out)),
               asyncio.create_task(read_lines(process.stderr, err))]
    try:
        listening = json.loads(await until(err, "listening on"))["message"]
        port = int(listening.split()[2].rpartition(":")[2])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain; version=")
                before = samples(await response.text())
            process.stdin.write(b"my laptop won't turn on\n/desk frobnicate\n")
            await process.stdin.drain()
            await until(out, "Unknown command")
            after = await delivered_after(http, f"http://127.0.0.1:{port}/metrics", before)
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.gather(*readers)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("spoc_events_total", platform="console", kind="message", outcome="done") == 1
    assert moved("spoc_events_total", platform="console", kind="command", outcome="refused") == 1
    assert moved("spoc_tickets_opened_total", kind="incident") == 1
    assert moved("spoc_unit_of_work_seconds_count", work="message") == 1
    assert moved("spoc_outbox_delivery_seconds_count", platform="console") >= 2
    assert after[("spoc_scheduler_leader", ())] == 1
    assert after[("spoc_database_reachable", ())] == 1
    assert ("spoc_outbox_pending", ()) in after and after[("spoc_outbox_dead", ())] == 0

    logged: list[dict[str, Any]] = [json.loads(line) for line in err]  # every line is one JSON object
    handled = [line for line in logged if line["logger"] == "core.telemetry"]
    message, command = handled
    assert message["message"].startswith("message from console: done in ") and message["ticket"] == "INC-1"
    assert command["message"].startswith("command from console: refused in ") and command["ticket"] is None
    assert message["event_id"] and command["event_id"] and message["event_id"] != command["event_id"]
    assert all(line["event_id"] is None for line in logged if line not in handled)


def test_config_check_refuses_an_unknown_log_format_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "spoc.yaml").write_text("log_format: xml\n")
    checked = subprocess.run([sys.executable, "-m", "bot", "config", "check", "--config", str(tmp_path / "spoc.yaml")],
                             capture_output=True, text=True, cwd=tmp_path, env=environment(), timeout=120)
    assert checked.returncode == 2
    assert "log_format: Input should be 'text' or 'json' (got 'xml')" in checked.stderr
