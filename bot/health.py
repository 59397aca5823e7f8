"""GET /healthz and GET /readyz on the process's HTTP server, for systemd, Docker and Kubernetes.

/healthz: the process is alive (its event loop answers). /readyz: 200 when the database answers and every
chat connection is up, else 503; either way the body says what was found, with the outbox's dead letters
and the age of its oldest pending notification. A stopping process is not ready."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy import text

from core.clock import Clock
from core.outbox import backlog
from core.storage.database import Database

DATABASE_TIMEOUT_SECONDS = 3.0


class Connected(Protocol):
    platform: str

    def connected(self) -> bool: ...


class Health:
    def __init__(self, *, db: Database, adapters: Sequence[Connected], clock: Clock,
                 timeout: float = DATABASE_TIMEOUT_SECONDS) -> None:
        self.db = db
        self.adapters = adapters
        self.clock = clock
        self.timeout = timeout
        self.draining = False

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/healthz", self.alive), web.get("/readyz", self.ready)]

    async def alive(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def ready(self, _request: web.Request) -> web.Response:
        database, outbox = await self._database()
        adapters = {adapter.platform: "connected" if adapter.connected() else "not connected"
                    for adapter in self.adapters}
        ready = not self.draining and database.get("status") == "reachable" and \
            all(state == "connected" for state in adapters.values())
        status = "ready" if ready else "stopping" if self.draining else "not ready"
        body = {"status": status, "database": database, "adapters": adapters, "outbox": outbox}
        return web.json_response(body, status=200 if ready else 503)

    async def _database(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        # A thread that waits on an unreachable server is left behind after the timeout; the answer is not.
        try:
            found = await asyncio.wait_for(asyncio.to_thread(self._read), self.timeout)
        except TimeoutError:
            return {"status": "unreachable", "error": f"no answer within {self.timeout:.0f} s"}, None
        except Exception as error:
            reason = " ".join(str(getattr(error, "orig", error)).split())[:300]
            return {"status": "unreachable", "error": reason}, None
        return {"status": "reachable"}, asdict(found)

    def _read(self) -> Any:
        with self.db.deferred_sessions() as session, session.begin():
            session.execute(text("SELECT 1"))
            return backlog(session, now=self.clock.now())
