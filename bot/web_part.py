"""The web adapter's part in a running process: its routes on the one HTTP server (pages, REST API), the
messenger that delivers outgoing webhooks from the outbox, and the job that feeds events to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.dispatcher import Dispatcher
from bot.wiring import App


@dataclass
class WebPart:
    mount: Callable[[web.Application], None]
    jobs: list[Any] = field(default_factory=list)


def web_part_for(app: App, dispatcher: Dispatcher) -> WebPart | None:
    if not app.config.web_enabled():
        return None
    from adapters.web.app import WebApp, mount

    settings = app.config.web
    site = WebApp(desk=app.desk, knowledge=app.knowledge, settings=settings, base_url=app.config.portal_url(),
                  clock=app.clock)
    part = WebPart(mount=lambda server: mount(site, server))
    if settings.webhooks:
        from adapters.web.hooks import PLATFORM, HookMessenger, feed_job

        dispatcher.messengers[PLATFORM] = HookMessenger(settings.webhooks)
        part.jobs.append(feed_job(settings.webhooks, db=app.db, clock=app.clock, poke=dispatcher.poke))
    return part
