"""A local stand-in for Discord (REST API v10 and gateway) that the real discord.py client can use.

    async with DiscordStandIn() as discord_srv:
        with configure_discord_py(discord_srv.api_url, gateway_url=discord_srv.gateway_url):
            client = discord.Client(intents=..., guild_ready_timeout=0.1)
            await client.login(discord_srv.token)
            task = asyncio.create_task(client.connect())
            ...
            await client.close()
        discord_srv.assert_calls_match_spec()

Everything listens on 127.0.0.1 on a free port. REST lives under ``/api/v10``; the gateway is a
websocket at ``/ws``, and READY names ``/ws-resume`` as ``resume_gateway_url`` so a test can tell a
resume from a fresh connection.

What discord.py 2.7 needs from a stand-in, learnt the hard way:
- ``Content-Type`` must be exactly ``application/json`` or every body is read as a string.
- A 429 is only retried when the response carries ``Via``; otherwise it is raised as a Cloudflare ban.
- ``on_ready`` comes ``guild_ready_timeout`` (default 2 s) after the last GUILD_CREATE, and again after
  every fresh IDENTIFY; every IDENTIFY but the first is preceded by a 5 s ``before_identify_hook`` sleep.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import yarl
from aiohttp import web

from .discord_api import DiscordRestApi
from .discord_api_interactions import InteractionCallback
from .discord_gateway import DiscordGateway, GatewayConnection
from .discord_http import RestCall
from .discord_spec import DiscordSpec, discord_spec_path
from .discord_world import DiscordWorld

with warnings.catch_warnings():
    # discord.py 2.7 imports audioop, deprecated on 3.11-3.12; the project runs with -W error.
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import discord.gateway
    import discord.http

DEFAULT_TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.stand-in.bot-token"

__all__ = [
    "DiscordStandIn",
    "DiscordPyOverride",
    "configure_discord_py",
    "discord_spec_path",
    "GatewayConnection",
    "InteractionCallback",
    "RestCall",
]


class DiscordPyOverride:
    """The process-global discord.py settings that ``configure_discord_py`` replaced, ready to put back.

    Use it as a context manager or call ``restore()``; overrides nest (each restores what it saw)."""

    def __init__(self, api_url: str, gateway_url: str) -> None:
        self._previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = api_url.rstrip("/")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        self._restored = False

    def restore(self) -> None:
        if not self._restored:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._previous
            self._restored = True

    def __enter__(self) -> DiscordPyOverride:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.restore()


def configure_discord_py(api_url: str, *, gateway_url: str | None = None) -> DiscordPyOverride:
    """Point discord.py 2.7 at a stand-in. PROCESS-GLOBAL: it rewrites two class attributes that
    every client in the process shares, so restore it (``with``/``.restore()``) before the test ends
    and never run two stand-ins' clients at once.

    - ``discord.http.Route.BASE``: the REST base URL (``.../api/v10``) for every request, interaction
      callbacks and interaction webhooks included (they share ``Route``).
    - ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``: where ``Client.connect()`` opens the
      websocket. A plain ``Client`` never calls ``GET /gateway``; it uses this attribute (and falls
      back to it after an invalid session). Only ``AutoShardedClient`` asks ``GET /gateway/bot``.

    ``gateway_url`` defaults to this stand-in's layout: ``ws://<host>/ws`` next to ``/api/v10``.
    """
    if gateway_url is None:
        url = yarl.URL(api_url)
        gateway_url = str(url.with_scheme("wss" if url.scheme == "https" else "ws").with_path("/ws"))
    return DiscordPyOverride(api_url, gateway_url)


class DiscordStandIn:
    def __init__(
        self,
        *,
        world: DiscordWorld | None = None,
        token: str = DEFAULT_TOKEN,
        allowed_intents: int | None = None,
    ) -> None:
        """``allowed_intents``: the privileged intents enabled in the (pretend) developer portal;
        None allows all. Requesting another one closes the gateway with 4014, as Discord does."""
        self.world = world or DiscordWorld.default()
        self.token = token
        self._allowed_intents = allowed_intents
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._rest: DiscordRestApi | None = None
        self._gateway: DiscordGateway | None = None

    async def __aenter__(self) -> DiscordStandIn:
        app = web.Application()
        app.router.add_route("GET", "/ws", self._on_websocket)
        app.router.add_route("GET", "/ws-resume", self._on_websocket)
        app.router.add_route("*", "/{tail:.*}", self._on_rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._gateway = DiscordGateway(
            world=self.world,
            token=self.token,
            resume_gateway_url=self.resume_gateway_url,
            allowed_intents=self._allowed_intents,
        )
        self._rest = DiscordRestApi(
            world=self.world, token=self.token, emit=self._gateway.emit, gateway_url=self.gateway_url
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._gateway is not None:
            await self._gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _on_websocket(self, request: web.Request) -> web.StreamResponse:
        return await self.gateway.handle(request)

    async def _on_rest(self, request: web.Request) -> web.StreamResponse:
        return await self.rest.handle(request)

    # -- wiring ------------------------------------------------------------------------------------

    @property
    def rest(self) -> DiscordRestApi:
        if self._rest is None:
            raise RuntimeError("DiscordStandIn is not running; use 'async with DiscordStandIn()'")
        return self._rest

    @property
    def gateway(self) -> DiscordGateway:
        if self._gateway is None:
            raise RuntimeError("DiscordStandIn is not running; use 'async with DiscordStandIn()'")
        return self._gateway

    @property
    def api_url(self) -> str:
        """What discord.http.Route.BASE should be."""
        return f"http://127.0.0.1:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/ws"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/ws-resume"

    # -- REST --------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[RestCall]:
        return self.rest.calls

    def calls_to(self, route: str) -> list[RestCall]:
        """Calls to ``"POST /channels/{channel_id}/messages"`` (method + template) or to a template."""
        return [c for c in self.calls if route in (c.route, c.template)]

    def fail_next(
        self,
        route: str,
        *,
        status: int = 429,
        retry_after: float = 0.5,
        times: int = 1,
        global_: bool = False,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Make the next ``times`` matching calls fail.

        ``route`` is ``"POST /channels/{channel_id}/messages"``, a template without method, or a concrete
        ``"POST /channels/123/messages"``. 429 comes with Discord's body (``retry_after``, ``global``) and
        headers (Retry-After, X-RateLimit-*, X-RateLimit-Scope, Via); other statuses get Discord's error
        JSON (403 -> 50001 Missing Access, 404 -> 10003 Unknown Channel, unless ``code`` says otherwise).
        discord.py retries 429 (sleeping ``retry_after``) and 500/502/504 (sleeping 1 s, 3 s, ...)."""
        self.rest.fail_next(
            route,
            status=status,
            retry_after=retry_after,
            times=times,
            global_=global_,
            code=code,
            message=message,
        )

    @property
    def interaction_callbacks(self) -> list[InteractionCallback]:
        return self.rest.interactions.callbacks

    def messages_in(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.world.messages.values() if m["channel_id"] == str(channel_id)]

    def spec_violations(self, spec_path: Path | None = None) -> list[str]:
        """Every recorded call checked against Discord's OpenAPI spec; empty when all conform."""
        spec = DiscordSpec.load(spec_path or discord_spec_path())
        problems: list[str] = []
        for call in self.calls:
            problems += spec.check(method=call.method, path=call.path, query=call.query, body=call.json)
        return problems

    def assert_calls_match_spec(self, spec_path: Path | None = None) -> None:
        problems = self.spec_violations(spec_path)
        assert not problems, "REST calls that break Discord's OpenAPI spec:\n" + "\n".join(problems)

    # -- gateway -----------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> int | None:
        return await self.gateway.dispatch(event, data)

    async def send_interaction(self, data: dict[str, Any]) -> int | None:
        """Dispatch INTERACTION_CREATE and accept its callback. The payload's ``channel`` is replaced by
        the stand-in's own copy of that channel when it knows it."""
        channel = self.world.channels.get(int(data.get("channel_id", 0)))
        if channel is not None and "guild_id" in data:
            permissions = data.get("channel", {}).get("permissions", "0")
            data = data | {"channel": channel | {"permissions": permissions}}
        self.rest.interactions.register(data)
        return await self.gateway.dispatch("INTERACTION_CREATE", data)

    async def disconnect_client(self, code: int = 4000, *, hold_reconnect: bool = False) -> None:
        await self.gateway.disconnect_client(code, hold_reconnect=hold_reconnect)

    def release_reconnect(self) -> None:
        self.gateway.release_reconnect()

    async def request_reconnect(self, *, hold_reconnect: bool = False) -> None:
        await self.gateway.request_reconnect(hold_reconnect=hold_reconnect)

    async def invalidate_session(self, *, resumable: bool = False, hold_reconnect: bool = False) -> None:
        await self.gateway.invalidate_session(resumable=resumable, hold_reconnect=hold_reconnect)

    async def wait_for_ready(self, timeout: float = 5.0) -> None:
        await self.gateway.wait_for_ready(timeout)

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def connections(self) -> list[GatewayConnection]:
        return self.gateway.connections

    @property
    def replayed_seqs(self) -> list[int]:
        return self.gateway.replayed_seqs

    async def wait_until(
        self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = ""
    ) -> None:
        """Poll ``predicate`` until true; fail the test with ``what`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
            await asyncio.sleep(0.01)
