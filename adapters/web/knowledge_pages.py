"""The knowledge base on the web: search with the ranking chat uses, and articles drawn from Markdown.
Markdown is rendered with raw HTML off (a `<script>` in an article is shown as text) and links limited to
safe schemes; what comes out is the only markup a page takes from stored text."""

from __future__ import annotations

import asyncio

from aiohttp import web
from markdown_it import MarkdownIt
from markupsafe import Markup

from adapters.web.app import WebApp

RESULTS = 10
MAX_QUERY = 500
SAFE_LINK = ("http://", "https://", "mailto:", "/", "#")


def markdown_renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    allowed = md.validateLink

    def validate(url: str) -> bool:
        return allowed(url) and url.strip().lower().startswith(SAFE_LINK)

    md.validateLink = validate  # type: ignore[method-assign]

    def link_open(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


class KnowledgePages:
    def __init__(self, app: WebApp) -> None:
        self.app = app
        self.markdown = markdown_renderer()

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/kb", self.app.signed_in(self.search)),
                web.get("/kb/{slug}", self.app.signed_in(self.article))]

    async def search(self, request: web.Request) -> web.StreamResponse:
        query = " ".join(request.query.get("q", "").split())[:MAX_QUERY]
        found = []
        if query:
            ranked = await asyncio.to_thread(self.app.knowledge.search, query, limit=RESULTS)
            found = [s for s in ranked if s.score > 0]
        return self.app.render(request, "kb.html", query=query, found=found)

    async def article(self, request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        article = await asyncio.to_thread(self.app.knowledge.article, slug)
        if article is None or not article.published:
            return self.app.refuse(request, 404, "No such article",
                                   "Search the knowledge base, or tell IT in chat what you need.")
        await asyncio.to_thread(self.app.knowledge.record, slug=slug, kind="viewed")
        body = Markup(self.markdown.render(article.body))  # noqa: S704 - raw HTML is off in the renderer
        return self.app.render(request, "article.html", article=article, body=body)
