"""The one HTTP server of a spoc process. Health checks, metrics, Slack's HTTP mode (and what comes later:
the web app) each add their routes to it before it starts; nothing else in the process listens."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from aiohttp import web

log = logging.getLogger(__name__)


class CannotListen(OSError):
    """The port is taken or not ours to use; the message says which and what to do."""


class HttpServer:
    def __init__(self, *, host: str, port: int) -> None:
        self.host = host
        self.requested_port = port
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        # Listening only for the web pages on their demo port (nothing else asked for a server).
        self.only_for_web = False

    def add_routes(self, routes: Iterable[web.RouteDef]) -> None:
        self.app.add_routes(list(routes))

    @property
    def port(self) -> int:
        """The port it listens on (the one the system chose when asked for port 0)."""
        if self._port is None:
            raise RuntimeError("the HTTP server is not listening")
        return self._port

    @property
    def paths(self) -> list[str]:
        return sorted({resource.canonical for resource in self.app.router.resources()})

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        # A deep backlog: a burst of chat events must queue, not be refused.
        site = web.TCPSite(runner, self.host, self.requested_port, backlog=1024)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            why = os.strerror(error.errno) if error.errno else str(error)
            raise CannotListen(f"cannot listen on {self.host}:{self.requested_port} ({why}): free the port or set "
                               "http.port") from None
        self._runner = runner
        self._port = runner.addresses[0][1]
        log.info("listening on %s:%d (%s)", self.host, self._port, ", ".join(self.paths))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
