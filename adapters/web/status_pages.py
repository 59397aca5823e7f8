"""The status page: public and read-only when `web.public_status` is on, else for signed-in people. It
refreshes itself every two seconds with htmx (every 30 s without JavaScript) and has Atom and RSS feeds."""

from __future__ import annotations

import asyncio

from aiohttp import web

from adapters.web.app import WebApp
from adapters.web.status_reads import feed_entries, read_status

REFRESH_SECONDS = 2


class StatusPages:
    def __init__(self, app: WebApp) -> None:
        self.app = app

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/status", self.page), web.get("/status/live", self.live),
                web.get("/status/feed.atom", self.atom), web.get("/status/feed.rss", self.rss)]

    def _allowed(self, request: web.Request) -> bool:
        return self.app.settings.public_status or self.app.session(request).signed_in

    async def _status(self):  # type: ignore[no-untyped-def]
        now = self.app.clock.now()
        services = self.app.desk.deps.settings.services

        def read():  # type: ignore[no-untyped-def]
            with self.app.desk.db.deferred_sessions() as session, session.begin():
                return read_status(session, services, now=now)

        return await asyncio.to_thread(read)

    async def page(self, request: web.Request) -> web.StreamResponse:
        if not self._allowed(request):
            return self.app.render(request, "sign_in.html", status=401, providers=self.app.providers())
        return self.app.render(request, "status.html", board=await self._status(), refresh=REFRESH_SECONDS)

    async def live(self, request: web.Request) -> web.StreamResponse:
        """The changing part of the page alone, for htmx to swap in."""
        if not self._allowed(request):
            raise web.HTTPUnauthorized()
        body = self.app.fragment("status_live.html", board=await self._status())
        return web.Response(text=body, content_type="text/html", headers={**self.app.headers,
                                                                          "Cache-Control": "no-store"})

    async def _feed(self, request: web.Request, template: str, media_type: str) -> web.StreamResponse:
        if not self._allowed(request):
            raise web.HTTPUnauthorized()
        now = self.app.clock.now()
        services = self.app.desk.deps.settings.services

        def read():  # type: ignore[no-untyped-def]
            with self.app.desk.db.deferred_sessions() as session, session.begin():
                return feed_entries(session, services, now=now)

        entries = await asyncio.to_thread(read)
        updated = entries[0][1].at if entries else now
        body = self.app.fragment(template, entries=entries, updated=updated, base=self.app.base_url)
        return web.Response(text=body, content_type=media_type, charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=30"})

    async def atom(self, request: web.Request) -> web.StreamResponse:
        return await self._feed(request, "feed.atom.xml", "application/atom+xml")

    async def rss(self, request: web.Request) -> web.StreamResponse:
        return await self._feed(request, "feed.rss.xml", "application/rss+xml")
