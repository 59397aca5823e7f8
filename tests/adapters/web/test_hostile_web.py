"""Whatever a person wrote is text on the web: escaped by the templates, never markup or script, with no
invisible reordering; and every page says so to the browser too (Content-Security-Policy)."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from adapters.web.settings import WebSettings
from tests.adapters.web.conftest import sign_in
from tests.conftest import DANA, SAM, Chat
from tests.unit.test_hostile_text import CORPUS

HTML = {
    "script": "<script>alert(document.cookie)</script>",
    "attribute breakout": '" onmouseover="alert(1)" x="',
    "image": "<img src=x onerror=alert(1)>",
    "template": "{{ 7*7 }} {% raw %} ${7*7}",
    "closing tags": "</textarea></title><svg onload=alert(1)>",
    "entity": "&lt;script&gt; &amp;",
}
HOSTILE = {**{k: v for k, v in CORPUS.items() if k != "long"}, **HTML}
TAG = re.compile(r"<(script|img|svg)\b", re.IGNORECASE)
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_hostile_ticket_text_is_inert_on_every_page(make_client, chat: Chat, text: str) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    chat.say(DANA, f"printer broken {text}")
    chat.desk_command(SAM, f"comment INC-1 {text}")
    chat.desk_command(SAM, f'outage declare email "{text.replace(chr(34), "")} mail down"')
    await sign_in(client, chat, DANA)
    for path in ("/tickets", "/tickets/INC-1", "/status", "/status/live", "/status/feed.atom"):
        response = await client.get(path)
        body = await response.text()
        assert response.status == 200, path
        shown = body.replace('<script src="/static/htmx.min.js" defer></script>', "")
        assert not TAG.search(shown), (path, text)
        assert "onmouseover=\"alert" not in shown, path
        assert not BIDI.search(body), path
    if text == HTML["template"]:  # written by a person, so never a template
        assert "{{ 7*7 }}" in await (await client.get("/tickets/INC-1")).text()


async def test_every_page_carries_a_content_security_policy_without_inline_script(
        client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    for path in ("/tickets", "/signin", "/kb", "/static/site.css"):
        response = await client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_session_cookie_is_http_only_and_same_site(client: TestClient, chat: Chat) -> None:
    response = await client.get("/signin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
