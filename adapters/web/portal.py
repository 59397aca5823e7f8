"""Signing in and out, and the people's own pages: their tickets, and a ticket with its comments, where
they reply, confirm a fix or say it is not fixed. Every change goes through the desk's commands, as the
chat account the visitor signed in as: the same permissions, the same notifications, the same audit."""

from __future__ import annotations

import asyncio
import re
import secrets

from aiohttp import web

from adapters.web.app import TONES, WebApp
from adapters.web.reads import ticket_page, tickets_of
from core.catalog.reading import order_views
from core.sign_in import redeem_sign_in
from core.storage.models import IdentityRow

# What a ticket page's forms may ask, and the name of the text each verb takes (if any).
ACTIONS: dict[str, str] = {"comment": "comment", "confirm": "", "reject": "reason", "reopen": "reason",
                           "cancel": "reason", "close": "", "claim": "", "resolve": "resolution", "note": "note"}
KEY = re.compile(r"[A-Z]{2,6}-\d{1,12}")
MAX_TEXT = 10_000


class Portal:
    def __init__(self, app: WebApp) -> None:
        self.app = app

    def routes(self) -> list[web.RouteDef]:
        from adapters.web.oauth import ProviderSignIn

        signed_in = self.app.signed_in
        return [*ProviderSignIn(self.app, sign_in=self.sign_in).routes(),
            web.get("/", self.home),
            web.get("/signin", self.sign_in_page),
            web.get("/signin/{code}", self.confirm_link),
            web.post("/signin/{code}", self.use_link),
            web.post("/signout", self.sign_out),
            web.get("/tickets", signed_in(self.my_tickets)),
            web.get("/tickets/{key}", signed_in(self.ticket)),
            web.post("/tickets/{key}", signed_in(self.act)),
        ]

    async def home(self, request: web.Request) -> web.StreamResponse:
        if self.app.session(request).signed_in:
            return self.app.redirect(request, "/tickets")
        return self.app.render(request, "sign_in.html", providers=self.app.providers())

    async def sign_in_page(self, request: web.Request) -> web.StreamResponse:
        return self.app.render(request, "sign_in.html", providers=self.app.providers())

    async def confirm_link(self, request: web.Request) -> web.StreamResponse:
        # Opening the link only shows a button: a link preview fetched by a chat platform uses nothing up.
        return self.app.render(request, "confirm_link.html", code=request.match_info["code"])

    async def use_link(self, request: web.Request) -> web.StreamResponse:
        fields = await self.app.form(request)
        if isinstance(fields, web.Response):
            return fields
        now = self.app.clock.now()
        code = request.match_info["code"]
        account = await asyncio.to_thread(self.app.desk.db.run, lambda s: redeem_sign_in(s, code, now=now))
        if account is None:
            return self.app.refuse(request, 410, "This link cannot be used",
                                   "It was used already, or it expired. Type `/desk web` in chat for a new one.")
        name = await asyncio.to_thread(self._name_of, account.platform, account.workspace, account.user_id)
        return self.sign_in(request, platform=account.platform, workspace=account.workspace,
                            user_id=account.user_id, name=name)

    def sign_in(self, request: web.Request, *, platform: str, workspace: str, user_id: str,
                name: str) -> web.Response:
        session = self.app.session(request).signed_in_as(platform=platform, workspace=workspace, user_id=user_id,
                                                         name=name, hours=self.app.settings.session_hours)
        self.app.remember(request, session)
        return self.app.redirect(request, "/tickets", flash=f"Signed in as {name}.", session=session)

    def _name_of(self, platform: str, workspace: str, user_id: str) -> str:
        from sqlalchemy import select

        with self.app.desk.db.deferred_sessions() as session:
            found = session.scalar(select(IdentityRow.display_name).where(
                IdentityRow.platform == platform, IdentityRow.workspace == workspace, IdentityRow.user_id == user_id))
        return found or user_id

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        fields = await self.app.form(request)
        if isinstance(fields, web.Response):
            return fields
        from adapters.web.sessions import Session

        session = Session(csrf=secrets.token_urlsafe(24))
        self.app.remember(request, session)
        return self.app.redirect(request, "/signin", flash="Signed out.", session=session)

    async def my_tickets(self, request: web.Request) -> web.StreamResponse:
        who = await self.app.viewer(request)
        page = _page_number(request.query.get("page"))
        reported, total = await self.app.read(lambda s: tickets_of(s, who, page=page))
        catalog = self.app.desk.deps.settings.catalog
        orders = await self.app.read(lambda s: order_views(s, catalog, requester_id=who.person_id)) \
            if who.person_id is not None and page == 1 else []
        assigned = await self.app.read(lambda s: tickets_of(s, who, page=1, assigned=True)) \
            if who.agent else ([], 0)
        return self.app.render(request, "tickets.html", who=who, tickets=reported, total=total, page=page,
                               pages=max(1, -(-total // 25)), assigned=assigned[0], orders=orders)

    async def ticket(self, request: web.Request) -> web.StreamResponse:
        who = await self.app.viewer(request)
        key = request.match_info["key"].upper()
        catalog = self.app.desk.deps.settings.catalog
        shown = await self.app.read(lambda s: ticket_page(s, who, key, catalog=catalog))
        if shown is None:
            return self.app.refuse(request, 404, f"No ticket {key} for you",
                                   "There is no such ticket, or it is not yours to see. Your tickets are listed "
                                   "under My tickets.")
        return self.app.render(request, "ticket.html", who=who, ticket=shown, nonce=secrets.token_urlsafe(18))

    async def act(self, request: web.Request) -> web.StreamResponse:
        fields = await self.app.form(request)
        if isinstance(fields, web.Response):
            return fields
        key = request.match_info["key"].upper()
        if not KEY.fullmatch(key):
            return self.app.refuse(request, 404, f"No ticket {key}", "Your tickets are listed under My tickets.")
        verb = fields.get("verb", "")
        if verb not in ACTIONS:
            return self.app.refuse(request, 400, "Unknown action", "Go back to the ticket and use one of its forms.")
        text = fields.get("text", "").strip()
        if len(text) > MAX_TEXT:
            return self.app.redirect(request, f"/tickets/{key}", tone="danger",
                                     flash=f"That text is {len(text):,} characters; the most is {MAX_TEXT:,}. "
                                           "Shorten it and send it again.")
        answers: dict[str, object] = {"ticket": key}
        if ACTIONS[verb] and text:
            answers[ACTIONS[verb]] = text
        reply = await self.app.command(request, verb=verb, answers=answers, nonce=fields.get("nonce", ""))
        said = reply.text or (reply.card.title if reply.card else "Done.")
        return self.app.redirect(request, f"/tickets/{key}", flash=said, tone=TONES[reply.outcome])


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1
