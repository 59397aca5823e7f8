"""A Discord connection that failed for a moment is tried again with a fresh HTTP session."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.app import DiscordAdapter
from core.connection import ConnectionFailed
from core.storage.database import Database
from tests.adapters.discord.conftest import desk_for, discord_settings, require_discord_data
from tests.standins.discord_standin import DiscordStandIn


async def test_the_adapter_connects_on_the_retry_after_discord_answered_503_at_login(sqlite_url: str) -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        db = Database(sqlite_url)
        desk = desk_for(db, platforms=("discord",), triage=())
        adapter = DiscordAdapter(desk=desk, settings=discord_settings(srv), poke=lambda: None,
                                 guild_ready_timeout=0.05)
        srv.fail_next("GET /users/@me", status=503)
        with pytest.raises(ConnectionFailed) as first:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
        assert not first.value.permanent and "503" in first.value.reason

        stop = asyncio.Event()
        second = asyncio.create_task(adapter.run(stop))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not adapter.client.is_ready():
            if second.done():
                second.result()  # raises what the retry met, e.g. a closed HTTP session
            assert loop.time() < deadline, "the retried connection never became ready"
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(second, 10)
        await adapter.close()
        db.dispose()
