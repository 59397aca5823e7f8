"""One asyncio loop running the adapters, the outbox dispatcher and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Protocol, TextIO

from bot.dispatcher import Dispatcher
from bot.scheduler import DeskScheduler
from bot.simulated_clock import SimulatedClock
from bot.wiring import App
from core.clock import ManualClock
from core.delivery import Messenger
from core.scheduling.jobs import run_all
from core.scheduling.leadership import leadership_for


class Adapter(Protocol):
    platform: str
    messenger: Messenger

    async def run(self, stop: asyncio.Event) -> None: ...


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
    raise ValueError(f"the {name} adapter is not available in this build")


async def serve(app: App, names: tuple[str, ...], *, source: TextIO = sys.stdin, output: TextIO = sys.stdout,
                stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    dispatcher = Dispatcher(db=app.db, messengers={}, clock=app.clock, policy=app.retry_policy(),
                            poll_seconds=app.config.outbox.poll_seconds)
    scheduler: DeskScheduler | None = None
    extra: dict[str, Callable[[str], Awaitable[str]]] = {}
    if isinstance(app.clock, ManualClock):
        # Simulated time moves only with /clock, which runs the jobs itself; no scheduler on real time.
        simulated = SimulatedClock(desk=app.desk, clock=app.clock)
        extra["/clock"] = simulated.command
        output.write(f"Simulated clock: {simulated.shown()}. /clock +30m (or +2h, +1d) moves it.\n")
        await asyncio.to_thread(run_all, app.desk)
    else:
        scheduler = DeskScheduler(runner=app.desk, leadership=leadership_for(app.db.url),
                                  on_work=dispatcher.poke)
        await scheduler.start()
    adapters = [build_adapter(app, name, dispatcher=dispatcher, source=source, output=output,
                              extra_commands=extra) for name in names]
    dispatcher.messengers.update({adapter.platform: adapter.messenger for adapter in adapters})
    if scheduler is not None:  # an adapter's own jobs: keeping its agents' roles in step with the platform
        scheduler.register([job for adapter in adapters for job in getattr(adapter, "jobs", ())])
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(adapter.run(stop), name=f"adapter-{adapter.platform}") for adapter in adapters]
    tasks.append(asyncio.create_task(dispatcher.run(stop), name="dispatcher"))
    try:
        await stop.wait()
        # Deliver what is quick to deliver; anything else waits safely in the outbox for the next start.
        await dispatcher.drain(timeout=5)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        app.db.dispose()
