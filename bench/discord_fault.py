"""Fault (d) of bench/faults.py: `spoc run --adapter discord` as a real process against the Discord stand-in,
whose gateway closes the session with op 9 (invalid session) and lets no new connection in for a while, as
after an outage longer than Discord keeps a session. Reports (each from a person of its own) and replies in
the tickets' threads keep arriving in the stand-in's channels all along; what is written while the client has
no session reaches it only through the channels' history after its next READY.

Counted afterwards: tickets and comments against what was written (lost, twice), notifications pending or
dead-lettered, and messages Discord accepted twice (same channel and same content)."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fault_world import Ledger, Spoc, Tally, report_text
from bench.workers import free_port
from tests.standins.discord_payloads import (
    AGENT_ROLE_ID,
    AGENTS_CHANNEL_ID,
    GUILD_ID,
    HELPDESK_CHANNEL_ID,
    FakeUser,
    message_create,
)
from tests.standins.discord_standin import DiscordStandIn

SEND = "POST /channels/{channel_id}/messages"
PRIVATE_THREAD = 12
_people = itertools.count(1)


def discord_config(*, database: str, port: int, api_url: str) -> str:
    return (f'database: {{url: "{database}"}}\nhttp: {{host: 127.0.0.1, port: {port}}}\n'
            "kb: {load_starter: false}\nweb: {enabled: false}\n"
            f"discord:\n  bot_token: ${{DISCORD_BOT_TOKEN}}\n  api_url: {api_url}\n  guilds: [\"{GUILD_ID}\"]\n"
            f"  intake_channels: [\"{HELPDESK_CHANNEL_ID}\"]\n  triage_channel: \"{AGENTS_CHANNEL_ID}\"\n"
            f"  agent_role: \"{AGENT_ROLE_ID}\"\n")


@dataclass
class Writer:
    """People writing in the stand-in's channels: Discord keeps each message (its history can be read) and
    dispatches it on the gateway (lost there while the client has no session)."""

    srv: DiscordStandIn
    written: int = 0

    async def report(self, token: str) -> FakeUser:
        person = FakeUser(id=1_190_000_000_000_000_000 + next(_people), username=f"p{token.replace('-', 'x')}")
        self.srv.world.add_member(GUILD_ID, person)
        await self._say(report_text(token), author=person, channel_id=HELPDESK_CHANNEL_ID)
        return person

    async def reply(self, text: str, *, author: FakeUser, thread_id: int) -> None:
        await self._say(text, author=author, channel_id=thread_id)

    async def _say(self, text: str, *, author: FakeUser, channel_id: int) -> None:
        payload = message_create(content=text, author=author, channel_id=channel_id)
        gateway_only = ("guild_id", "member", "nonce", "channel_type")
        self.srv.world.messages[int(payload["id"])] = {k: v for k, v in payload.items() if k not in gateway_only}
        await self.srv.dispatch("MESSAGE_CREATE", payload)
        self.written += 1

    def thread_of(self, person: FakeUser) -> int | None:
        """The private thread spoc opened for this person's ticket, once it exists."""
        for thread_id, members in self.srv.world.thread_members.items():
            channel = self.srv.world.channels.get(thread_id)
            if channel is not None and channel["type"] == PRIVATE_THREAD and person.id in members:
                return thread_id
        return None


async def write_steadily(writer: Writer, *, seconds: float, rate: float, prefix: str
                         ) -> tuple[list[str], list[str]]:
    """Reports at `rate` a second for `seconds`, every fifth followed by a reply in the thread of an earlier
    report's ticket once that thread exists; (report tokens, comment tokens)."""
    reports: list[str] = []
    comments: list[str] = []
    people: list[tuple[str, FakeUser]] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    for n in itertools.count():
        if loop.time() >= end:
            break
        token = f"{prefix}-{n}"
        people.append((token, await writer.report(token)))
        reports.append(token)
        if n % 5 == 4:
            threaded = [(t, p, thread) for t, p in people if (thread := writer.thread_of(p)) is not None]
            if threaded:
                parent, person, thread_id = random.choice(threaded)
                reply = f"{prefix}-c{n}"
                comments.append(reply)
                await writer.reply(f"[{reply}] still broken ({parent})", author=person, thread_id=thread_id)
        await asyncio.sleep(1 / rate)
    return reports, comments


def posted_twice(srv: DiscordStandIn) -> int:
    """Messages Discord accepted more than once (same channel, same content and embeds)."""
    seen = Counter((c.path, json.dumps([c.json.get("content"), c.json.get("embeds")], sort_keys=True))
                   for c in srv.calls_to(SEND) if 200 <= c.status < 300 and isinstance(c.json, dict))
    return sum(times - 1 for times in seen.values() if times > 1)


async def gateway_session_lost(*, workdir: Path, seconds: float, fault_seconds: float, rate: float,
                               settle_seconds: float) -> tuple[Tally, dict[str, Any]]:
    """Write for `seconds`; `fault_seconds` of them (from the second second on) the client has no session.
    The tally, and what else was seen."""
    started = time.monotonic()
    async with DiscordStandIn() as srv:
        port = free_port()
        database = f"sqlite:///{workdir}/discord.db"
        spoc = Spoc(workdir=workdir, config=discord_config(database=database, port=port, api_url=srv.api_url),
                    adapter="discord", port=port, env={"DISCORD_BOT_TOKEN": srv.token})
        ledger = Ledger(database)
        await spoc.start()
        await srv.wait_for_ready(timeout=60)
        await asyncio.sleep(3)  # discord.py's READY waits for the guilds; the first catch-up marks the channel

        writer = Writer(srv)
        written_without_session = 0

        async def fault() -> None:
            nonlocal written_without_session
            await asyncio.sleep(1)
            await srv.invalidate_session(resumable=False, hold_reconnect=True)
            before = writer.written
            await asyncio.sleep(fault_seconds)
            written_without_session = writer.written - before
            srv.release_reconnect()

        faulting = asyncio.create_task(fault())
        reports, comments = await write_steadily(writer, seconds=max(seconds, fault_seconds + 2), rate=rate,
                                                 prefix="r0")
        await faulting
        recovered = time.monotonic()
        await ledger.wait_settled(set(reports), set(comments), timeout=settle_seconds)
        after = round(time.monotonic() - recovered, 1)
        tally = await asyncio.to_thread(ledger.tally, set(reports), set(comments))
        tally.posted_twice = posted_twice(srv)
        exit_code = await spoc.stop()
        ledger.close()
        seen = {"written_without_session": written_without_session, "identifies": srv.identify_count,
                "resumes": srv.resume_count,
                "history_reads": len(srv.calls_to("GET /channels/{channel_id}/messages")),
                "settled_seconds_after_recovery": after, "exit_code_after_sigterm": exit_code,
                "seconds": round(time.monotonic() - started, 1)}
    return tally, seen
