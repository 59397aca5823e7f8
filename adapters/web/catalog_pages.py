"""The service catalog on the web: the items the signed-in person may order (searched as `/desk order WORD`
searches), and an item's form as a plain HTML form. Its answers are checked field by field (each problem
shown beside its field, nothing placed), then the order is placed by `/desk order ITEM` as the person: the
same approvals, fulfilment tasks, notifications and audit as an order made in chat."""

from __future__ import annotations

import asyncio
import re
import secrets

from aiohttp import web

from adapters.web.app import TONES, WebApp
from core.catalog.search import search
from core.config.catalog import CatalogItem

MAX_QUERY = 200
MAX_ANSWER = 10_000
PLACED = re.compile(r"^([A-Z]+-\d+) ordered")


class CatalogPages:
    def __init__(self, app: WebApp) -> None:
        self.app = app

    def routes(self) -> list[web.RouteDef]:
        signed_in = self.app.signed_in
        return [web.get("/catalog", signed_in(self.listing)),
                web.get("/catalog/{slug}", signed_in(self.item_page)),
                web.post("/catalog/{slug}", signed_in(self.order))]

    async def _visible(self, request: web.Request) -> list[CatalogItem]:
        who = await self.app.viewer(request)
        return self.app.desk.deps.settings.catalog.visible_to(agent=who.agent)

    async def listing(self, request: web.Request) -> web.StreamResponse:
        visible = await self._visible(request)
        query = " ".join(request.query.get("q", "").split())[:MAX_QUERY]
        shown = [i for i in search(self.app.desk.deps.settings.catalog, query, limit=len(visible)) if i in visible] \
            if query else visible
        categories = sorted({i.category for i in shown})
        return self.app.render(request, "catalog.html", query=query, items=shown, categories=categories)

    async def _item(self, request: web.Request) -> CatalogItem | web.Response:
        slug = request.match_info["slug"]
        found = next((i for i in await self._visible(request) if i.slug == slug), None)
        if found is None:
            return self.app.refuse(request, 404, "No such item to order",
                                   "It is not in the catalog, or it is not yours to order. The catalog lists "
                                   "what you can order.")
        return found

    async def item_page(self, request: web.Request) -> web.StreamResponse:
        item = await self._item(request)
        if isinstance(item, web.Response):
            return item
        return self._form(request, item, values={}, problems={})

    def _form(self, request: web.Request, item: CatalogItem, *, values: dict[str, str], problems: dict[str, str],
              refusal: str = "", status: int = 200) -> web.Response:
        return self.app.render(request, "catalog_item.html", status=status, item=item, values=values,
                               problems=problems, refusal=refusal, nonce=secrets.token_urlsafe(18),
                               today=self.app.clock.now().date().isoformat())

    async def order(self, request: web.Request) -> web.StreamResponse:
        fields = await self.app.form(request)
        if isinstance(fields, web.Response):
            return fields
        item = await self._item(request)
        if isinstance(item, web.Response):
            return item
        values = {f.name: fields.get(f.name, "").strip() for f in item.fields}
        problems = {name: f"That answer is {len(text):,} characters; the most is {MAX_ANSWER:,}."
                    for name, text in values.items() if len(text) > MAX_ANSWER}
        if not problems:
            given = {name: text for name, text in values.items() if text}
            problems = await asyncio.to_thread(self.app.desk.order_problems, item, given,
                                               platform=self.app.session(request).platform)
        if problems:
            return self._form(request, item, values=values, problems=problems, status=400)
        answers: dict[str, object] = {"item": item.slug, **{k: v for k, v in values.items() if v}}
        reply = await self.app.command(request, verb="order", answers=answers, nonce=fields.get("nonce", ""))
        if reply.outcome == "refused":
            return self._form(request, item, values=values, problems={}, refusal=reply.text, status=422)
        placed = PLACED.match(reply.text)
        where = f"/tickets/{placed.group(1)}" if placed else "/tickets"
        return self.app.redirect(request, where, flash=reply.text or "Ordered.", tone=TONES[reply.outcome])
