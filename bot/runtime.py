"""One asyncio loop running the adapters, the outbox dispatcher (and, later, the scheduler)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Protocol, TextIO

from bot.dispatcher import Dispatcher
from bot.wiring import App
from core.delivery import Messenger


class Adapter(Protocol):
    platform: str

    async def run(self, stop: asyncio.Event) -> None: ...


def build_adapters(
    app: App, names: tuple[str, ...], *, settle: Callable[[], Awaitable[None]], source: TextIO, output: TextIO,
) -> tuple[list[Adapter], dict[str, Messenger]]:
    adapters: list[Adapter] = []
    messengers: dict[str, Messenger] = {}
    for name in names:
        if name == "console":
            from adapters.console.adapter import ConsoleAdapter, ConsoleMessenger, ConsoleScreen

            screen = ConsoleScreen(output, width=app.config.console.width)
            messengers[name] = ConsoleMessenger(screen)
            adapters.append(ConsoleAdapter(desk=app.desk, settings=app.config.console, screen=screen,
                                           source=source, settle=settle))
        else:
            raise ValueError(f"the {name} adapter is not available in this build")
    return adapters, messengers


async def serve(app: App, names: tuple[str, ...], *, source: TextIO = sys.stdin, output: TextIO = sys.stdout) -> None:
    stop = asyncio.Event()
    holder: list[Dispatcher] = []

    async def settle() -> None:
        await holder[0].drain()

    adapters, messengers = build_adapters(app, names, settle=settle, source=source, output=output)
    dispatcher = Dispatcher(db=app.db, messengers=messengers, clock=app.clock, policy=app.retry_policy(),
                            poll_seconds=app.config.outbox.poll_seconds)
    holder.append(dispatcher)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(adapter.run(stop), name=f"adapter-{adapter.platform}") for adapter in adapters]
    tasks.append(asyncio.create_task(dispatcher.run(stop), name="dispatcher"))
    try:
        await stop.wait()
        await dispatcher.drain(timeout=10)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        app.db.dispose()
