"""`spoc run` while its PostgreSQL database goes away for a few seconds (a TCP proxy in front of the shared
server is cut; the server itself is never touched): the console holds the line it is on, goes on when the
database answers, and logs one line for the outage, no traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from core.storage.database import Database
from tests.conftest import _postgres_schema_url
from tests.integration.helpers import tickets
from tests.standins.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres
TIMEOUT = 90.0


@pytest.fixture
def postgres_url() -> str:
    gen = _postgres_schema_url()
    url = next(gen)
    yield url  # type: ignore[misc]
    gen.close()


def through(proxy: TcpProxy, url: str) -> str:
    parsed = urlparse(url)
    return url.replace(parsed.netloc, f"{parsed.hostname}:{proxy.port}", 1)


async def read_until(stream: asyncio.StreamReader, marker: bytes, seen: list[bytes]) -> None:
    while not any(marker in line for line in seen):
        line = await asyncio.wait_for(stream.readline(), TIMEOUT)
        assert line, f"the output ended before {marker!r}: {b''.join(seen).decode()}"
        seen.append(line)


async def test_the_console_holds_its_line_through_a_database_outage_and_logs_it_once(
    postgres_url: str, tmp_path: Path,
) -> None:
    parsed = urlparse(postgres_url)
    async with TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 5432) as proxy:
        url = through(proxy, postgres_url)
        env = {k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SLACK_BOT_TOKEN",
                                                                 "DISCORD_BOT_TOKEN")}
        (tmp_path / "spoc.yaml").write_text("kb: {load_starter: false}\n")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--adapter", "console", "--config", str(tmp_path / "spoc.yaml"),
            cwd=tmp_path, env=env | {"SPOC_DATABASE_URL": url}, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert process.stdin and process.stdout and process.stderr
        seen: list[bytes] = []
        process.stdin.write(b"/as ana\nmy laptop won't turn on\n")
        await read_until(process.stdout, b"INC-1 opened", seen)

        await proxy.cut()
        process.stdin.write(b"/as ben\nthe printer on floor 2 is jammed\n/as cy\nvpn drops every hour\n")
        await process.stdin.drain()
        await asyncio.sleep(4)  # the line waits for the database; a unit of work is retried meanwhile
        await proxy.restore()
        await read_until(process.stdout, b"INC-3 opened", seen)
        process.stdin.write(b"/quit\n")
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    assert process.returncode == 0, err.decode()
    db = Database(postgres_url)
    try:
        assert [t["description"] for t in tickets(db_desk(db))] == [
            "my laptop won't turn on", "the printer on floor 2 is jammed", "vpn drops every hour"]
    finally:
        db.dispose()
    log = err.decode()
    outage_lines = [line for line in log.splitlines() if "the database was unreachable from" in line]
    assert len(outage_lines) == 1, log
    assert "Traceback" not in log


class db_desk:  # noqa: N801 - the helpers read a desk's `db` only
    def __init__(self, db: Database) -> None:
        self.db = db
