"""`spoc run --adapter discord` as the runtime builds it: config, wiring, adapter and dispatcher together."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from bot.config import parse_config
from bot.runtime import serve
from bot.wiring import build_app
from tests.adapters.discord.conftest import TIMEOUT, eventually, require_discord_data, runtime_config
from tests.integration.helpers import tickets
from tests.standins.discord_payloads import (
    AGENTS_CHANNEL_ID,
    GUILD_ID,
    message_create,
)
from tests.standins.discord_standin import DiscordStandIn


async def test_spoc_runs_the_discord_adapter_from_its_config(tmp_path: Path) -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        config = parse_config(runtime_config(srv, f"sqlite:///{tmp_path}/spoc.db"),
                              environ={"DISCORD_BOT_TOKEN": srv.token})
        app = build_app(config)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(app, ("discord",), stop=stop, output=io.StringIO()))
        try:
            await srv.wait_for_ready(TIMEOUT)
            await eventually(lambda: srv.world.guild_commands.get(GUILD_ID), what="/desk synced")
            await srv.dispatch("MESSAGE_CREATE", message_create(content="the scanner on floor 2 is jammed"))
            await eventually(lambda: tickets(app.desk), what="a ticket")
            await eventually(lambda: srv.messages_in(AGENTS_CHANNEL_ID), what="the triage card")
        finally:
            stop.set()
            await asyncio.wait_for(running, TIMEOUT + 15)
        assert srv.messages_in(AGENTS_CHANNEL_ID)[0]["embeds"][0]["title"].startswith("INC-1 \u00b7 the scanner")
        srv.assert_calls_match_spec()
