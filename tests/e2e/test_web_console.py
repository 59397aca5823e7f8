"""Journey through `spoc run --adapter console` with its web pages: a person reports in the console, asks
for a sign-in link with `/desk web`, sees the ticket on the page, replies there, and the reply shows in the
agents' thread in chat; an outage declared in chat is on the status page at once."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

import aiohttp

TIMEOUT = 60.0
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Console:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen = ""

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode())
        await self.process.stdin.drain()

    async def until(self, pattern: str) -> re.Match[str]:
        assert self.process.stdout is not None

        async def read() -> re.Match[str]:
            while True:
                found = re.search(pattern, self.seen)
                if found:
                    return found
                chunk = await self.process.stdout.read(4096)  # type: ignore[union-attr]
                if not chunk:
                    raise AssertionError(f"the console ended before {pattern!r}:\n{self.seen}")
                self.seen += chunk.decode()

        return await asyncio.wait_for(read(), TIMEOUT)


async def test_a_console_report_is_seen_and_answered_on_the_web_and_the_reply_reaches_chat(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "spoc.yaml"
    config.write_text(f"""
database: {{url: "sqlite:///{tmp_path}/spoc.db"}}
kb: {{load_starter: false}}
http: {{host: 127.0.0.1, port: {port}}}
web: {{public_status: true}}
desk:
  services:
    - {{name: email, display: E-mail}}
""")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), "--adapter", "console", cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    console = Console(process)
    try:
        await console.type("/as dana")
        await console.type("my laptop screen flickers all day")
        await console.until(r"INC-1")
        await console.type("/desk web")
        link = (await console.until(rf"(http://127\.0\.0\.1:{port}/signin/\S+)")).group(1)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            page = await (await browser.get(link)).text()
            signed = await browser.post(link, data={"csrf": CSRF.search(page).group(1)})  # type: ignore[union-attr]
            mine = await signed.text()
            assert "INC-1" in mine and "my laptop screen flickers all day" in mine
            ticket = await (await browser.get(f"http://127.0.0.1:{port}/tickets/INC-1")).text()
            await browser.post(f"http://127.0.0.1:{port}/tickets/INC-1", data={
                "csrf": CSRF.search(ticket).group(1), "verb": "comment",  # type: ignore[union-attr]
                "text": "It also flickers on the docking station"})
            await console.until(r"Dana wrote: It also flickers on the docking station")

            await console.type("/as lee")
            await console.type('/desk outage declare email "Outlook cannot connect"')
            await console.until(r"OUT-1 declared")
            async with aiohttp.ClientSession() as anyone:  # the public status page, signed out
                status = await (await anyone.get(f"http://127.0.0.1:{port}/status/live")).text()
            assert "Outlook cannot connect" in status
        await console.type("/quit")
        assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_spoc_run_feeds_webhooks_signed_and_spoc_web_serves_the_pages_alone(tmp_path: Path) -> None:
    from aiohttp import web as aioweb
    from aiohttp.test_utils import TestServer

    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: aioweb.Request) -> aioweb.Response:
        received.append((dict(request.headers), await request.read()))
        return aioweb.Response(status=204)

    receiver = aioweb.Application()
    receiver.add_routes([aioweb.post("/hook", hook)])
    async with TestServer(receiver) as server:
        port = free_port()
        config = tmp_path / "spoc.yaml"
        config.write_text(f"""
database: {{url: "sqlite:///{tmp_path}/spoc.db"}}
kb: {{load_starter: false}}
http: {{host: 127.0.0.1, port: {port}}}
web:
  public_status: true
  webhooks:
    - name: ops
      url: {server.make_url("/hook")}
      secret: ${{HOOK_SECRET}}
      events: ["outage.*"]
""")
        env = {k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")}
        log = tmp_path / "spoc.log"  # a file, not a pipe: a pipe nobody reads would stop spoc once it is full
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config), "--adapter", "console", cwd=tmp_path,
                env=env | {"HOOK_SECRET": "s3cret"}, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=stderr)
        console = Console(process)
        try:
            await console.type("/as lee")
            await console.type('/desk outage declare email "Outlook cannot connect"')
            await console.until(r"OUT-1 declared")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 20
            while not received and loop.time() < deadline:
                await asyncio.sleep(0.2)
            await console.type("/quit")
            assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert received, f"no webhook arrived within 20 s; spoc's log:\n{log.read_text(errors='replace')[-3000:]}"
    headers, body = received[0]
    assert headers["X-Spoc-Event"] == "outage.declared" and b"Outlook cannot connect" in body
    assert headers["X-Spoc-Signature"].startswith("sha256=")

    alone = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "web", "--config", str(config), cwd=tmp_path, env=env | {"HOOK_SECRET": "x"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with aiohttp.ClientSession() as anyone:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + TIMEOUT
            while True:
                try:
                    async with anyone.get(f"http://127.0.0.1:{port}/status/live") as answer:
                        status = await answer.text()
                        break
                except aiohttp.ClientConnectionError:
                    assert loop.time() < deadline, "spoc web did not answer"
                    await asyncio.sleep(0.3)
            async with anyone.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
        assert "Outlook cannot connect" in status
    finally:
        alone.terminate()
        assert await asyncio.wait_for(alone.wait(), TIMEOUT) == 0
