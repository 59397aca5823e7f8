"""The Slack adapter: a slack-bolt app in Socket Mode or HTTP mode, and its messenger."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import ClientError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.checkup import channel_problems
from adapters.slack.errors import TOKEN_REFUSED, error_code, explain
from adapters.slack.http_edge import MAX_REQUEST_BYTES, checked_body, refuse
from adapters.slack.identity import BotIdentity
from adapters.slack.kept import KeptRequests, kept_headers, request_key
from adapters.slack.listeners import SlackListeners
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.messenger import PLATFORM, SlackMessenger
from adapters.slack.people import SlackDirectory
from adapters.slack.roles import agents_sync_job
from adapters.slack.settings import SlackSettings
from core.connection import ConnectionFailed
from core.pending import Request
from core.service import Desk

log = logging.getLogger(__name__)
SOCKET_CHECK_SECONDS = 1.0


def web_client(settings: SlackSettings) -> AsyncWebClient:
    return AsyncWebClient(token=settings.bot_token, base_url=settings.api_url)


class _GivenClientNotice(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN from the environment even when it is given a client and an `authorize`,
    then warns that the token will be unused: noise in every start's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


def bolt_app(*, settings: SlackSettings, client: AsyncWebClient, listeners: SlackListeners,
             identity: BotIdentity) -> AsyncApp:
    """In HTTP mode the edge has verified each request's signature before it was kept (a kept request may be
    worked on after the 5 minutes bolt would allow), and bolt runs the listener before it answers: the answer
    tells whether the work is done. Socket Mode acknowledges each envelope before the work."""
    bolt_log = logging.getLogger(f"{__name__}.bolt")
    if not any(isinstance(f, _GivenClientNotice) for f in bolt_log.filters):
        bolt_log.addFilter(_GivenClientNotice())
    app = AsyncApp(signing_secret=settings.signing_secret or "unused", client=client,
                   authorize=identity.authorize(), request_verification_enabled=False,
                   process_before_response=settings.mode == "http", logger=bolt_log)
    listeners.register(app)
    return app


def events_route(bolt: AsyncApp, *, signing_secret: str, kept: KeptRequests,
                 max_bytes: int = MAX_REQUEST_BYTES) -> web.RouteDef:
    """Events, commands and interactivity all arrive at POST /slack/events.

    A correctly signed request is committed to the database, then acknowledged: Slack sends a request until
    it is acknowledged and never after, so nothing acknowledged may live only in memory. When the database
    cannot take it in time Slack gets 503 and sends it again. The work is done from the database."""
    verifier = SignatureVerifier(signing_secret)

    async def events(request: web.Request) -> web.Response:
        body = await checked_body(request, max_bytes=max_bytes)  # a malformed request is refused with 4xx
        if isinstance(body, web.Response):
            return body
        headers = dict(request.headers)
        if not verifier.is_valid_request(body, headers):
            return refuse(request, 401, "the signature does not match (or is over 5 minutes old)")
        if '"url_verification"' in body:
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
            return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        if not await kept.keep(Request(key=request_key(body), body=body, headers=kept_headers(headers))):
            return web.Response(status=503, text="spoc cannot store this request now; send it again\n")
        return web.Response(status=200)

    return web.post(EVENTS_PATH, events)


async def work_on_kept(bolt: AsyncApp, request: Request) -> bool:
    """Run a kept request through bolt; True when it is done (bolt answered below 500)."""
    response = await bolt.async_dispatch(AsyncBoltRequest(body=request.body, query="", headers=request.headers))
    return response.status < 500


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, *, desk: Desk, settings: SlackSettings, poke: Callable[[], None]) -> None:
        self.settings = settings
        self.channels = settings.channels() | desk.deps.settings.channels_on(PLATFORM)
        self.client = web_client(settings)
        self.messenger = SlackMessenger(self.client, per_channel_interval=settings.per_channel_interval_seconds)
        directory = SlackDirectory(self.client, agent_usergroup=settings.agent_usergroup)
        self.listeners = SlackListeners(desk=desk, settings=settings, directory=directory, poke=poke)
        self.identity = BotIdentity(self.client)
        self.bolt = bolt_app(settings=settings, client=self.client, listeners=self.listeners, identity=self.identity)
        self.kept = KeptRequests(pending=desk.pending, platform=PLATFORM,
                                 work=lambda request: work_on_kept(self.bolt, request))
        self.directory = directory
        self.jobs = (agents_sync_job(desk=desk, directory=directory),)
        self._socket: Any = None
        self._running = False
        self._connected = False

    def routes(self) -> list[web.RouteDef]:
        """What this adapter serves on the process's HTTP server: Slack's HTTP mode, else nothing."""
        if self.settings.mode != "http":
            return []
        return [events_route(self.bolt, signing_secret=self.settings.signing_secret, kept=self.kept,
                             max_bytes=self.settings.max_request_bytes)]

    def connected(self) -> bool:
        return self._running if self.settings.mode == "http" else self._connected

    async def run(self, stop: asyncio.Event) -> None:
        """Take events until `stop`, then finish the work in hand. In HTTP mode the events arrive through
        the process's HTTP server (see `routes`); in Socket Mode through a websocket this opens."""
        await self.check_tokens()
        await self.warn_about_channels()
        self._running = True
        try:
            if self.settings.mode == "http":
                await self.kept.run(stop)
            else:
                await self._serve_socket_mode(stop)
            await self._settle()
        except SlackApiError as error:
            raise ConnectionFailed(self.explain_failure(error),
                                   permanent=error_code(error) in TOKEN_REFUSED) from None
        finally:
            self._running = False

    async def check_tokens(self) -> None:
        """A refused token stops the adapter at once with one line (slack_sdk would otherwise retry a refused
        Socket Mode connection for ever); an unreachable Slack is left to the connection's own retries."""
        for app_token in (False, True) if self.settings.mode == "socket" else (False,):
            try:
                if app_token:
                    await AsyncWebClient(base_url=self.settings.api_url).apps_connections_open(
                        app_token=self.settings.app_token)
                else:
                    self.identity.learn(await self.client.auth_test())
            except SlackApiError as error:
                line = explain(error, doing="starting", app_token=app_token)
                if error_code(error) in TOKEN_REFUSED:
                    raise ConnectionFailed(line, permanent=True) from None
                log.warning("%s", line)
            except (TimeoutError, ClientError, OSError) as error:
                log.warning("Slack could not be reached at %s (%s); spoc keeps trying", self.settings.api_url, error)
                return

    def explain_failure(self, error: BaseException) -> str:
        """The one line that says why this adapter stopped and what to do."""
        if isinstance(error, SlackApiError):
            return explain(error, doing="running", app_token=False)
        return f"The Slack adapter stopped: {type(error).__name__}: {error}."

    async def warn_about_channels(self) -> None:
        """Say at start which configured channel spoc cannot post in, rather than dead-letter there later."""
        try:
            problems = await channel_problems(self.client, self.channels)
        except (TimeoutError, ClientError, OSError) as error:
            log.warning("could not check the configured Slack channels: %s", error)
            return
        for problem in problems:
            log.warning("%s", problem)

    async def close(self) -> None:
        self.kept.close()
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    async def _settle(self) -> None:
        """Wait for the events already taken; they are committed before the process goes."""
        while self.listeners.in_hand:
            await asyncio.sleep(0.05)

    async def _serve_socket_mode(self, stop: asyncio.Event) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(self.bolt, self.settings.app_token)
        self._socket = handler
        try:
            await connect_socket(handler, client=self.client, app_token=self.settings.app_token)
        except BaseException:
            await self.close()
            raise
        self._connected = True
        log.info("Slack Socket Mode connected")
        lost_since: float | None = None
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), SOCKET_CHECK_SECONDS)
            self._connected = await handler.client.is_connected()
            if self._connected:
                lost_since = None
                continue
            lost_since = lost_since or loop.time()
            if loop.time() - lost_since > self.settings.reconnect_budget_seconds:
                await self.close()
                raise ConnectionFailed(f"the Slack Socket Mode connection stayed lost for more than "
                                       f"{self.settings.reconnect_budget_seconds:.0f} s", permanent=True)
        # No more events: the socket closes now; answers still go out through the Web API client.
        await self.close()
        self._connected = False


async def connect_socket(handler: Any, *, client: AsyncWebClient, app_token: str) -> None:
    """Open the socket, telling a refused token (no retry helps) from an unreachable Slack (retried)."""
    try:
        opened = await client.apps_connections_open(app_token=app_token)
        handler.client.wss_uri = str(opened["url"])
    except SlackApiError as error:
        if error_code(error) in TOKEN_REFUSED:
            raise ConnectionFailed(explain(error, doing="connecting", app_token=True), permanent=True) from None
        raise ConnectionFailed(f"Slack did not open a Socket Mode connection: {error_code(error)}") from None
    except (TimeoutError, ClientError, OSError) as error:
        raise ConnectionFailed(f"cannot reach Slack: {type(error).__name__}: {error}") from None
    await handler.connect_async()
