"""The Slack adapter: a slack-bolt app in Socket Mode or HTTP mode, and its messenger."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import ClientError, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.checkup import channel_problems
from adapters.slack.errors import TOKEN_REFUSED, error_code, explain
from adapters.slack.listeners import SlackListeners
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.messenger import PLATFORM, SlackMessenger
from adapters.slack.people import SlackDirectory
from adapters.slack.roles import agents_sync_job
from adapters.slack.settings import SlackSettings
from core.service import Desk

log = logging.getLogger(__name__)
WORK_DELAY_SECONDS = 0.1


def web_client(settings: SlackSettings) -> AsyncWebClient:
    return AsyncWebClient(token=settings.bot_token, base_url=settings.api_url)


def build_bolt_app(*, desk: Desk, settings: SlackSettings, client: AsyncWebClient, directory: SlackDirectory,
                   poke: Callable[[], None]) -> AsyncApp:
    app = AsyncApp(signing_secret=settings.signing_secret or "unused-in-socket-mode", client=client,
                   request_verification_enabled=settings.mode == "http")
    SlackListeners(desk=desk, settings=settings, directory=directory, poke=poke).register(app)
    return app


def http_app(bolt: AsyncApp, *, signing_secret: str) -> web.Application:
    """Events, commands and interactivity all arrive at POST /slack/events.

    A correctly signed request is acknowledged at once and handed to bolt in the background: Slack
    retries anything not acknowledged within 3 s, and under a burst bolt's own per-request work would
    otherwise delay the acknowledgements of the requests queued behind it."""
    verifier = SignatureVerifier(signing_secret)
    running: set[asyncio.Task[object]] = set()

    async def dispatch(body: str, query: str, headers: dict[str, str]) -> None:
        await bolt.async_dispatch(AsyncBoltRequest(body=body, query=query, headers=headers))

    def start(body: str, query: str, headers: dict[str, str]) -> None:
        task = asyncio.create_task(dispatch(body, query, headers))
        running.add(task)
        task.add_done_callback(running.discard)

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        headers = dict(request.headers)
        if not verifier.is_valid_request(body, headers):
            return web.Response(status=401, text="invalid request signature")
        if '"url_verification"' in body:
            bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
            return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))
        # The work starts a moment after the answer: a burst of requests is acknowledged first, instead of
        # each acknowledgement waiting behind the work of the requests that came before it.
        asyncio.get_running_loop().call_later(WORK_DELAY_SECONDS, start, body, request.query_string, headers)
        return web.Response(status=200)

    application = web.Application()
    application.router.add_post(EVENTS_PATH, events)
    return application


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, *, desk: Desk, settings: SlackSettings, poke: Callable[[], None]) -> None:
        self.settings = settings
        self.channels = settings.channels() | desk.deps.settings.channels_on(PLATFORM)
        self.client = web_client(settings)
        self.messenger = SlackMessenger(self.client, per_channel_interval=settings.per_channel_interval_seconds)
        directory = SlackDirectory(self.client, agent_usergroup=settings.agent_usergroup)
        self.directory = directory
        self.bolt = build_bolt_app(desk=desk, settings=settings, client=self.client, directory=directory, poke=poke)
        self.jobs = (agents_sync_job(desk=desk, directory=directory),)

    async def run(self, stop: asyncio.Event) -> None:
        await self.check_tokens()
        await self.warn_about_channels()
        try:
            if self.settings.mode == "http":
                await self._serve_http(stop)
            else:
                await self._serve_socket_mode(stop)
        except (SlackApiError, OSError) as error:
            log.error("%s", self.explain_failure(error))
            raise

    async def check_tokens(self) -> None:
        """A refused token stops the adapter at once with one line (slack_sdk would otherwise retry a refused
        Socket Mode connection for ever); an unreachable Slack is left to the connection's own retries."""
        for app_token in (False, True) if self.settings.mode == "socket" else (False,):
            try:
                if app_token:
                    await AsyncWebClient(base_url=self.settings.api_url).apps_connections_open(
                        app_token=self.settings.app_token)
                else:
                    await self.client.auth_test()
            except SlackApiError as error:
                line = explain(error, doing="starting", app_token=app_token)
                if error_code(error) in TOKEN_REFUSED:
                    log.error("%s", line)
                    raise
                log.warning("%s", line)
            except (TimeoutError, ClientError, OSError) as error:
                log.warning("Slack could not be reached at %s (%s); spoc keeps trying", self.settings.api_url, error)
                return

    def explain_failure(self, error: BaseException) -> str:
        """The one line that says why this adapter stopped and what to do."""
        if isinstance(error, SlackApiError):
            return explain(error, doing="running", app_token=False)
        if isinstance(error, OSError) and self.settings.mode == "http":
            return (f"spoc cannot listen on port {self.settings.port} for Slack ({error.strerror or error}): free "
                    "the port or set slack.port.")
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

    async def _serve_http(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(http_app(self.bolt, signing_secret=self.settings.signing_secret))
        await runner.setup()
        site = web.TCPSite(runner, "0.0.0.0", self.settings.port, backlog=1024)
        await site.start()
        log.warning("Slack HTTP mode listening on port %d at %s", self.settings.port, EVENTS_PATH)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    async def _serve_socket_mode(self, stop: asyncio.Event) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(self.bolt, self.settings.app_token)
        await handler.connect_async()
        log.warning("Slack Socket Mode connected")
        try:
            await stop.wait()
        finally:
            await handler.close_async()
