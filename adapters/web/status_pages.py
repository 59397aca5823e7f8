"""The status page: public and read-only when `web.public_status` is on, else for signed-in people. It
asks every second with htmx (every 30 s without JavaScript) whether anything changed, and has Atom and RSS
feeds.

The page's changing part carries a version (a hash of what it shows): an ask with the version on screen is
answered 204 (htmx then changes nothing, and screen readers hear nothing new), any other with the new part.
However many people watch, a process reads the database for it once at a time: asks that come while a read
is under way share it."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from aiohttp import web
from markupsafe import Markup

from adapters.web.app import WebApp
from adapters.web.status_reads import feed_entries, read_status

REFRESH_SECONDS = 1


class StatusPages:
    def __init__(self, app: WebApp) -> None:
        self.app = app
        self._reading: asyncio.Future[Any] | None = None

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/status", self.page), web.get("/status/live", self.live),
                web.get("/status/feed.atom", self.atom), web.get("/status/feed.rss", self.rss)]

    def _allowed(self, request: web.Request) -> bool:
        return self.app.settings.public_status or self.app.session(request).signed_in

    async def _status(self) -> Any:
        if self._reading is None or self._reading.done():
            now = self.app.clock.now()
            services = self.app.desk.deps.settings.services
            self._reading = asyncio.ensure_future(self.app.read(lambda s: read_status(s, services, now=now)))
        # Shielded: one asker going away does not cancel the read the others wait for.
        return await asyncio.shield(self._reading)

    async def _live(self) -> tuple[Markup, str]:
        """The changing part of the page, and its version."""
        shown = self.app.fragment("status_live.html", board=await self._status())
        return Markup(shown), hashlib.sha256(shown.encode()).hexdigest()[:16]  # noqa: S704 - autoescaped

    async def page(self, request: web.Request) -> web.StreamResponse:
        if not self._allowed(request):
            return self.app.render(request, "sign_in.html", status=401, providers=self.app.providers())
        live, version = await self._live()
        return self.app.render(request, "status.html", live=live, version=version, refresh=REFRESH_SECONDS)

    async def live(self, request: web.Request) -> web.StreamResponse:
        """The changing part of the page alone, for htmx to swap in; 204 when the asker shows it already."""
        if not self._allowed(request):
            raise web.HTTPUnauthorized()
        live, version = await self._live()
        headers = {**self.app.headers, "Cache-Control": "no-store"}
        if request.query.get("v") == version:
            return web.Response(status=204, headers=headers)
        body = self.app.fragment("status_region.html", live=live, version=version)
        return web.Response(text=body, content_type="text/html", headers=headers)

    async def _feed(self, request: web.Request, template: str, media_type: str) -> web.StreamResponse:
        if not self._allowed(request):
            raise web.HTTPUnauthorized()
        now = self.app.clock.now()
        services = self.app.desk.deps.settings.services
        entries = await self.app.read(lambda s: feed_entries(s, services, now=now))
        updated = entries[0][1].at if entries else now
        body = self.app.fragment(template, entries=entries, updated=updated, base=self.app.base_url)
        return web.Response(text=body, content_type=media_type, charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=30"})

    async def atom(self, request: web.Request) -> web.StreamResponse:
        return await self._feed(request, "feed.atom.xml", "application/atom+xml")

    async def rss(self, request: web.Request) -> web.StreamResponse:
        return await self._feed(request, "feed.rss.xml", "application/rss+xml")
