"""The web adapter: the desk's pages, its REST API and its outgoing webhooks, as routes on the process's one
HTTP server. Pages are drawn on the server from Jinja2 templates (autoescaped: what people wrote is text,
never markup) and work without JavaScript; a little htmx, served from here, refreshes the status page."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from adapters.web.reads import Viewer, viewer
from adapters.web.sessions import Session, Signer, csrf_ok
from adapters.web.settings import WebSettings
from core.cards import Reply
from core.clock import Clock
from core.knowledge import KnowledgeBase
from core.messages import Author, CommandRequest
from core.service import Desk
from core.text import inert

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SESSION = web.RequestKey("spoc_session", Session)
# Scripts and styles come from this server alone: nothing inline runs, whatever a ticket's title holds.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # A sign-in link's code is in its path: no page tells another site where it came from.
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TONES = {"done": "success", "refused": "danger", "repeated": "info"}


class WebApp:
    """What every part of the web adapter shares: the desk, the templates, the session signer."""

    def __init__(self, *, desk: Desk, knowledge: KnowledgeBase, settings: WebSettings, base_url: str,
                 clock: Clock) -> None:
        self.desk = desk
        self.knowledge = knowledge
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        secret = settings.session_secret
        if not secret:
            # Said loudly only where the pages are deployed (a base_url); the console demo needs no secret.
            log.log(logging.WARNING if settings.base_url else logging.INFO,
                    "web.session_secret is not set: sessions last until this process stops, and several "
                    "processes do not share them")
            secret = secrets.token_urlsafe(32)
        self.signer = Signer(secret, secure=self.base_url.startswith("https://"))
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"), undefined=StrictUndefined,
                                     autoescape=select_autoescape(["html", "xml"]), trim_blocks=True,
                                     lstrip_blocks=True, finalize=shown)
        self.templates.globals["desk_name"] = desk.deps.settings.name
        self.templates.globals["has_catalog"] = bool(desk.deps.settings.catalog.items)
        # A sign-in form posts here and is sent on to the platform's authorization page: forms may go there.
        providers = [found.authorize_url for found in map(settings.provider, ("slack", "discord")) if found]
        origins = sorted({"/".join(url.split("/")[:3]) for url in providers})
        self.headers = {**SECURITY_HEADERS, "Content-Security-Policy": " ".join([POLICY, *origins])}

    def session(self, request: web.Request) -> Session:
        if SESSION not in request:
            request[SESSION] = self.signer.read(request)
        found: Session = request[SESSION]
        return found

    def render(self, request: web.Request, template: str, *, status: int = 200, **values: Any) -> web.Response:
        session = self.session(request)
        response = web.Response(status=status, content_type="text/html", charset="utf-8")
        flash = self.signer.take_flash(request, response)
        body = self.templates.get_template(template).render(
            session=session, csrf=session.csrf, flash=flash, path=request.path,
            public_status=self.settings.public_status, **values)
        response.text = body
        self.finish(response, session)
        return response

    def fragment(self, template: str, **values: Any) -> str:
        return self.templates.get_template(template).render(**values)

    def finish(self, response: web.StreamResponse, session: Session) -> None:
        response.headers.update(self.headers)
        response.headers.setdefault("Cache-Control", "no-store")
        self.signer.write(response, session)

    def redirect(self, request: web.Request, location: str, *, flash: str = "", tone: str = "info",
                 session: Session | None = None) -> web.Response:
        response = web.Response(status=303, headers={"Location": location})
        if flash:
            self.signer.flash(response, flash, tone=tone)
        self.finish(response, session or self.session(request))
        return response

    def refuse(self, request: web.Request, status: int, title: str, text: str) -> web.Response:
        return self.render(request, "problem.html", status=status, title=title, text=text)

    def remember(self, request: web.Request, session: Session) -> None:
        """The session this request's response writes (after a sign-in or sign-out)."""
        request[SESSION] = session

    async def form(self, request: web.Request) -> dict[str, str] | web.Response:
        """A posted form's fields, or the refusal when it does not carry this session's CSRF token."""
        try:
            data = await request.post()
        except ValueError:
            return self.refuse(request, 400, "Bad form", "The form could not be read. Go back and try again.")
        fields = {key: value for key, value in data.items() if isinstance(value, str)}
        if not csrf_ok(self.session(request), fields.get("csrf")):
            return self.refuse(request, 403, "Form expired",
                               "This form came from another site or an old page. Go back, reload and try again.")
        return fields

    async def read(self, work: Callable[[Any], Any]) -> Any:
        """`work(session)` in one short reading transaction, off the event loop."""

        def run() -> Any:
            with self.desk.db.deferred_sessions() as session, session.begin():
                return work(session)

        return await asyncio.to_thread(run)

    async def viewer(self, request: web.Request) -> Viewer:
        s = self.session(request)
        return await self.read(lambda session: viewer(  # type: ignore[no-any-return]
            session, platform=s.platform, workspace=s.workspace, user_id=s.user_id, name=s.name))

    async def command(self, request: web.Request, *, verb: str, answers: dict[str, object], nonce: str) -> Reply:
        """Run a `/desk` verb as the signed-in chat account: the same permissions, notifications and audit as
        in chat. The form's own number is the event id: a form sent twice (a double click, a retry) acts once."""
        s = self.session(request)
        author = Author(platform=s.platform, user_id=s.user_id, display_name=s.name, roles_known=False,
                        workspace=s.workspace)
        event_id = "web:" + (nonce if NONCE.fullmatch(nonce) else secrets.token_urlsafe(18))
        return await asyncio.to_thread(self.desk.handle_command, CommandRequest(
            platform=s.platform, event_id=event_id, author=author, verb=verb, answers=answers))

    def signed_in(self, handler: Handler) -> Handler:
        """A page for signed-in people: anyone else is told how to sign in."""

        async def page(request: web.Request) -> web.StreamResponse:
            if not self.session(request).signed_in:
                return self.render(request, "sign_in.html", status=401, providers=self.providers())
            return await handler(request)

        return page

    def providers(self) -> list[tuple[str, str]]:
        """The chat platforms people may sign in with, besides a link from chat."""
        shown = {"slack": "Sign in with Slack", "discord": "Sign in with Discord"}
        return [(name, label) for name, label in shown.items() if self.settings.provider(name) is not None]

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_TYPES:
            raise web.HTTPNotFound()
        response = web.FileResponse(HERE / "static" / name, headers={
            "Content-Type": STATIC_TYPES[name], "Cache-Control": "public, max-age=3600"})
        response.headers.update(self.headers)
        return response


def shown(value: Any) -> Any:
    """The web's rule for text, applied to every value a template writes (before it is escaped): no control
    characters and nothing invisible that reorders text. Markup the adapter itself made passes as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return inert(value)
    return value


STATIC_TYPES = {"htmx.min.js": "text/javascript", "site.css": "text/css"}


def mount(app: WebApp, server: web.Application) -> None:
    """The web adapter on the process's HTTP server: every route, and what runs beside them while it serves
    (the dashboard's figures computed ahead)."""
    from adapters.web.api import Api
    from adapters.web.catalog_pages import CatalogPages
    from adapters.web.dashboard import Dashboard
    from adapters.web.knowledge_pages import KnowledgePages
    from adapters.web.portal import Portal
    from adapters.web.status_pages import StatusPages

    dashboard = Dashboard(app)
    server.add_routes([web.get("/static/{name}", app.static)])
    for part in (Portal(app), CatalogPages(app), KnowledgePages(app), StatusPages(app), dashboard, Api(app)):
        server.add_routes(part.routes())
    server.cleanup_ctx.append(dashboard.keep_warm)
