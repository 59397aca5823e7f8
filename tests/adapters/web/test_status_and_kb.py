"""The status page and its feeds, and the knowledge base on the web."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from aiohttp.test_utils import TestClient

from adapters.web.settings import WebSettings
from core.clock import ManualClock
from core.knowledge import ArticleText
from tests.adapters.web.conftest import sign_in
from tests.conftest import DANA, SAM, Chat
from tests.fakes import FakeKnowledgeBase

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_the_public_status_page_shows_each_service_and_an_outage_declared_in_chat(
        make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    before = await (await client.get("/status")).text()
    assert "None: every service is working." in before
    chat.desk_command(SAM, 'outage declare email "Outlook cannot connect" --impact "everyone in Berlin"')
    chat.desk_command(SAM, 'outage update OUT-1 "Microsoft is rolling back the update"')
    live = await client.get("/status/live")
    text = await live.text()
    assert live.status == 200
    assert "OUT-1" in text and "Outlook cannot connect" in text and "Microsoft is rolling back" in text
    assert "everyone in Berlin" in text
    assert 'class="state outage">Outage since <time datetime="2026-03-02T09:00:00+00:00">2026-03-02 09:00 UTC' \
        '</time>, <a href="#OUT-1">OUT-1</a>' in text
    page = await (await client.get("/status")).text()
    assert 'hx-get="/status/live"' in page and 'hx-trigger="every 1s"' in page


async def test_the_live_part_is_sent_only_when_it_changed(make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    page = await (await client.get("/status")).text()
    version = re.search(r'id="live-version" name="v" value="(\w+)"', page).group(1)  # type: ignore[union-attr]
    unchanged = await client.get("/status/live", params={"v": version})
    assert unchanged.status == 204 and await unchanged.text() == ""
    chat.desk_command(SAM, 'outage declare email "Outlook cannot connect"')
    changed = await client.get("/status/live", params={"v": version})
    text = await changed.text()
    assert changed.status == 200 and "Outlook cannot connect" in text
    assert f'value="{version}"' not in text and 'id="live-version"' in text


async def test_a_resolved_outage_moves_to_the_history_with_its_updates(
        make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    chat.desk_command(SAM, 'outage declare vpn "VPN drops every few minutes"')
    chat.desk_command(SAM, 'outage resolve OUT-1 "Firmware rolled back"')
    text = await (await client.get("/status/live")).text()
    active, history = text.split("Past 30 days")
    assert "None: every service is working." in active
    assert "VPN drops every few minutes" in history and "Firmware rolled back" in history


async def test_the_feeds_are_valid_xml_with_an_entry_per_update(make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    chat.desk_command(SAM, 'outage declare email "Mail <b>down</b> & out"')
    chat.desk_command(SAM, 'outage update OUT-1 "fix rolling out"')
    atom = await client.get("/status/feed.atom")
    assert atom.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(await atom.text())
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert any("Mail <b>down</b> & out" in t for t in titles)  # the text, as written, and no markup
    rss = ET.fromstring(await (await client.get("/status/feed.rss")).text())
    assert len(rss.findall("channel/item")) == 2


async def test_without_public_status_the_page_and_feeds_need_a_sign_in(client: TestClient, chat: Chat) -> None:
    for path in ("/status", "/status/live", "/status/feed.atom"):
        assert (await client.get(path)).status == 401, path
    await sign_in(client, chat, DANA)
    assert (await client.get("/status")).status == 200


async def test_planned_changes_show_on_the_status_page(make_client, chat: Chat, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from core.storage.itsm_models import ChangeRow

    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    start = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    end = (clock.now() + timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")
    answer = chat.desk_command(SAM, f"change new --service email --start {start} --end {end} --risk low --plan patch "
                                    "--rollback restore Patch the mail server")
    assert "CHG-" in answer, answer
    chat.desk.db.run(lambda s: s.execute(update(ChangeRow).values(state="scheduled")))
    text = await (await client.get("/status/live")).text()
    assert "Patch the mail server" in text


async def test_knowledge_base_search_and_an_article_with_hostile_markdown_rendered_inert(
        make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    knowledge = FakeKnowledgeBase()
    knowledge.articles["vpn-drops"] = ArticleText(
        slug="vpn-drops", title="VPN drops",
        body="# Fix it\n\n1. Restart the client\n2. [Status](https://status.example)\n\n"
             "<script>alert(1)</script>\n\n[click](javascript:alert(2))")
    client: TestClient = await make_client(knowledge_base=knowledge)
    await sign_in(client, chat, DANA)
    found = await (await client.get("/kb", params={"q": "vpn"})).text()
    assert 'href="/kb/vpn-drops"' in found
    article = await (await client.get("/kb/vpn-drops")).text()
    assert "<h1>Fix it</h1>" in article and "<ol>" in article
    assert 'href="https://status.example" rel="nofollow noopener noreferrer"' in article
    assert "<script>alert(1)</script>" not in article and "&lt;script&gt;" in article
    assert 'href="javascript' not in article
    assert ("vpn-drops", "viewed", "") in knowledge.recorded


async def test_the_web_search_ranks_the_starter_articles_as_desk_kb_search_does(
        database_url: str, clock: ManualClock) -> None:
    from aiohttp import web as aioweb
    from aiohttp.test_utils import TestServer

    from adapters.web.app import WebApp, mount
    from core.context import DeskDeps, Routes
    from core.service import Desk
    from core.settings import DeskSettings
    from core.storage.database import Database
    from kb.service import KnowledgeService
    from kb.starter import starter_articles_dir
    from tests.adapters.web.conftest import CSRF, link_code
    from tests.conftest import DEFAULT_PEOPLE

    db = Database(database_url)
    knowledge = KnowledgeService(db.deferred_sessions)
    knowledge.import_dir(starter_articles_dir())
    desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(people=DEFAULT_PEOPLE), knowledge=knowledge,
                                     routes=Routes(), platforms=frozenset({"console"}), portal_url="http://x"),
                clock=clock)
    desk.setup()
    chat = Chat(desk)
    query = "vpn keeps disconnecting when working from home"
    in_chat = [line.split(" (")[0] for line in chat.desk_command(SAM, f"kb search {query}").splitlines()[1:]]
    application = aioweb.Application()
    mount(WebApp(desk=desk, knowledge=knowledge, settings=WebSettings(session_secret="s"), base_url="http://x",
                 clock=clock), application)
    async with TestClient(TestServer(application)) as client:
        code = link_code(chat.desk_command(SAM, "web").replace("http://x", "http://desk.example"))
        page = await (await client.get(f"/signin/{code}")).text()
        await client.post(f"/signin/{code}", data={"csrf": CSRF.search(page).group(1)})  # type: ignore[union-attr]
        found = await (await client.get("/kb", params={"q": query})).text()
    on_web = re.findall(r'href="/kb/([^"]+)"', found)
    db.dispose()
    assert in_chat and on_web[:len(in_chat)] == in_chat
