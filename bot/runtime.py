"""One asyncio loop running the adapters (each supervised), the outbox dispatcher, the scheduler and the
process's one HTTP server (health checks, metrics, Slack's HTTP mode).

It runs until SIGTERM or SIGINT (or the console's input ends), then drains: no more events are taken,
the work in hand is finished and the outbox delivers what it can within `run.shutdown_grace_seconds`;
whatever is left waits safely in the database for the next start. An adapter that fails for good ends the
run with AdapterGaveUp (the CLI prints its one line and exits non-zero)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TextIO

from aiohttp import web

from bot.dispatcher import Dispatcher
from bot.health import Health
from bot.http_server import CannotListen, HttpServer
from bot.scheduler import DeskScheduler
from bot.simulated_clock import SimulatedClock
from bot.supervisor import AdapterGaveUp, Backoff, CannotRun, supervise
from bot.web_part import WebPart, web_part_for
from bot.wiring import App
from core.clock import ManualClock
from core.delivery import Messenger
from core.scheduling.jobs import run_all
from core.scheduling.leadership import leadership_for

log = logging.getLogger(__name__)
SLACK_HTTP_PORT = 3000
CLOSE_TIMEOUT_SECONDS = 5.0


class Adapter(Protocol):
    platform: str
    messenger: Messenger

    def routes(self) -> Sequence[web.RouteDef]:
        """What it serves on the process's HTTP server."""
        ...

    def connected(self) -> bool: ...

    async def run(self, stop: asyncio.Event) -> None:
        """Take events until `stop` is set, then stop taking them, finish the work in hand and return; the
        messenger still delivers until `close`. Raises core.connection.ConnectionFailed when it cannot go on."""
        ...

    async def close(self) -> None: ...


def build_adapter(
    app: App, name: str, *, dispatcher: Dispatcher, source: TextIO, output: TextIO,
    extra_commands: dict[str, Callable[[str], Awaitable[str]]] | None = None,
) -> Adapter:
    if name == "console":
        from adapters.console.adapter import ConsoleAdapter

        return ConsoleAdapter(desk=app.desk, settings=app.config.console, output=output, source=source,
                              settle=dispatcher.drain, extra_commands=extra_commands)
    if name == "slack":
        from adapters.slack.app import SlackAdapter

        return SlackAdapter(desk=app.desk, settings=app.config.slack, poke=dispatcher.poke)
    if name == "discord":
        from adapters.discord.app import DiscordAdapter

        return DiscordAdapter(desk=app.desk, settings=app.config.discord, poke=dispatcher.poke)
    if name == "email":
        from adapters.email.app import EmailAdapter

        return EmailAdapter(desk=app.desk, settings=app.config.email, poke=dispatcher.poke)
    raise ValueError(f"the {name} adapter is not available in this build")


def http_server_for(app: App, adapters: Sequence[Adapter], health: Health,
                    web_part: WebPart | None = None) -> HttpServer | None:
    """The one HTTP server: on `http.port`; without it, when an adapter serves routes (Slack's HTTP mode, on
    3000), or on 127.0.0.1:8080 for the web pages alone."""
    routes = [route for adapter in adapters for route in adapter.routes()]
    port = app.config.http.port
    if port is None and not routes and web_part is None:
        return None
    host = app.config.http.host if port is not None or routes else "127.0.0.1"
    server = HttpServer(host=host, port=port if port is not None else app.config.http_port() or SLACK_HTTP_PORT)
    server.add_routes(health.routes())
    server.add_routes(app.metrics.routes())
    server.add_routes(routes)
    if web_part is not None:
        web_part.mount(server.app)
    server.only_for_web = port is None and not routes
    return server


async def serve(app: App, names: tuple[str, ...], *, source: TextIO = sys.stdin, output: TextIO = sys.stdout,
                stop: asyncio.Event | None = None, started: Callable[[HttpServer | None], None] | None = None,
                ) -> None:
    stop = stop or asyncio.Event()
    run = app.config.run
    dispatcher = Dispatcher(db=app.db, messengers={}, clock=app.clock, policy=app.retry_policy(),
                            poll_seconds=app.config.outbox.poll_seconds, observer=app.metrics)
    scheduler, extra = await _start_clock(app, dispatcher, output)
    if scheduler is not None:
        app.metrics.follow_leadership(lambda: scheduler.leading)
    adapters = [build_adapter(app, name, dispatcher=dispatcher, source=source, output=output,
                              extra_commands=extra) for name in names]
    dispatcher.messengers.update({adapter.platform: adapter.messenger for adapter in adapters})
    if scheduler is not None:  # an adapter's own jobs: keeping its agents' roles in step with the platform
        scheduler.register([job for adapter in adapters for job in getattr(adapter, "jobs", ())])
    health = Health(db=app.db, adapters=adapters, clock=app.clock)
    web_part = web_part_for(app, dispatcher)
    if scheduler is not None and web_part is not None:
        scheduler.register(web_part.jobs)
    server = http_server_for(app, adapters, health, web_part)
    _stop_on_signals(stop)
    backoff = Backoff(attempts=run.reconnect_attempts)
    supervised: list[asyncio.Task[None]] = []
    delivering: asyncio.Task[None] | None = None
    failure: AdapterGaveUp | None = None
    try:
        if server is not None:
            try:
                await server.start()
            except CannotListen as error:
                if not server.only_for_web or not names:
                    raise CannotRun(str(error)) from None
                # The pages' demo port is a convenience: a desk whose port is taken runs without them.
                log.warning("%s; running without the web pages", error)
                server = None
        if started is not None:
            started(server)
        supervised = [asyncio.create_task(supervise(adapter, stop, backoff=backoff), name=f"adapter-{adapter.platform}")
                      for adapter in adapters]
        delivering = asyncio.create_task(dispatcher.run(stop), name="dispatcher")
        if supervised:
            failure = await _until_stopped(stop, supervised)
        else:  # `spoc web`: no chat, only the server, until told to stop
            await stop.wait()
    finally:
        health.draining = True
        stop.set()
        await _drain(supervised, dispatcher, scheduler, grace=run.shutdown_grace_seconds)
        app.db.stop_waiting()  # work still waiting out a database outage gives up: it was not committed
        for task in [*supervised, *([delivering] if delivering else [])]:
            task.cancel()
        await asyncio.gather(*supervised, *([delivering] if delivering else []), return_exceptions=True)
        for adapter in adapters:
            await _close(adapter)
        if server is not None:
            await server.stop()
        app.db.dispose()
    if failure is not None:
        raise failure


async def _start_clock(app: App, dispatcher: Dispatcher, output: TextIO
                       ) -> tuple[DeskScheduler | None, dict[str, Callable[[str], Awaitable[str]]]]:
    if isinstance(app.clock, ManualClock):
        # Simulated time moves only with /clock, which runs the jobs itself; no scheduler on real time.
        simulated = SimulatedClock(desk=app.desk, clock=app.clock)
        output.write(f"Simulated clock: {simulated.shown()}. /clock +30m (or +2h, +1d) moves it.\n")
        await asyncio.to_thread(run_all, app.desk)
        return None, {"/clock": simulated.command}
    scheduler = DeskScheduler(runner=app.desk, leadership=leadership_for(app.db.url), on_work=dispatcher.poke)
    await scheduler.start()
    return scheduler, {}


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)


async def _until_stopped(stop: asyncio.Event, supervised: list[asyncio.Task[None]]) -> AdapterGaveUp | None:
    """Wait for `stop`, or for every adapter to end; the first adapter that gave up ends the wait too."""
    running = set(supervised)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while running and not stop.is_set():
            done, running = await asyncio.wait(running | {stopped}, return_when=asyncio.FIRST_COMPLETED)
            running.discard(stopped)
            for task in done - {stopped}:
                error = None if task.cancelled() else task.exception()
                if isinstance(error, AdapterGaveUp):
                    return error
                if error is not None:
                    raise error
        return None
    finally:
        stopped.cancel()


async def _drain(supervised: list[asyncio.Task[None]], dispatcher: Dispatcher, scheduler: DeskScheduler | None, *,
                 grace: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    if scheduler is not None:
        await scheduler.stop()
    if supervised:
        # Each adapter stops taking events and finishes the ones in hand.
        await asyncio.wait(supervised, timeout=max(0.0, deadline - loop.time()))
    # Deliver what is quick to deliver; anything else waits safely in the outbox for the next start.
    with contextlib.suppress(Exception):
        await dispatcher.drain(timeout=max(0.0, deadline - loop.time()))


async def _close(adapter: Adapter) -> None:
    try:
        await asyncio.wait_for(adapter.close(), CLOSE_TIMEOUT_SECONDS)
    except Exception:
        log.warning("closing the %s connection failed", adapter.platform, exc_info=True)
