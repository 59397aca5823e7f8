"""The web adapter's routes on an aiohttp test server, over a real desk (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import WebApp, mount
from adapters.web.settings import WebSettings
from bot.catalog_loading import with_catalog
from core.clock import ManualClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.messages import Author
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from tests.conftest import DEFAULT_PEOPLE, Chat
from tests.fakes import FakeKnowledgeBase

BASE = "http://desk.example"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


@pytest.fixture
def web_settings() -> DeskSettings:
    settings, _problems = with_catalog(DeskSettings(people=DEFAULT_PEOPLE))  # the starter catalog's items
    return settings


@pytest.fixture
def web_desk(database_url: str, clock: ManualClock, knowledge: FakeKnowledgeBase, web_settings: DeskSettings) -> Any:
    db = Database(database_url)
    desk = Desk(db=db, deps=DeskDeps(settings=web_settings, knowledge=knowledge,
                                     routes=Routes(triage=(Destination("console", "it-triage"),)),
                                     platforms=frozenset({"console"}), portal_url=BASE), clock=clock)
    desk.setup()
    yield desk
    db.dispose()


@pytest.fixture
def chat(web_desk: Desk) -> Chat:
    return Chat(web_desk)


@pytest.fixture
async def make_client(web_desk: Desk, clock: ManualClock, knowledge: Any) -> AsyncIterator[Callable[..., Any]]:
    clients: list[TestClient] = []

    async def build(settings: WebSettings | None = None, *, knowledge_base: Any = None) -> TestClient:
        port = free_port()
        site = WebApp(desk=web_desk, knowledge=knowledge_base or knowledge,
                      settings=settings or WebSettings(session_secret="a test secret"),
                      base_url=f"http://127.0.0.1:{port}", clock=clock)
        application = web.Application()
        mount(site, application)
        client = TestClient(TestServer(application, host="127.0.0.1", port=port))
        await client.start_server()
        clients.append(client)
        return client

    yield build
    for made in clients:
        await made.close()


@pytest.fixture
async def client(make_client: Callable[..., Any]) -> TestClient:
    made: TestClient = await make_client()
    return made


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def link_code(answer: str) -> str:
    found = re.search(rf"{re.escape(BASE)}/signin/(\S+)", answer)
    assert found is not None, answer
    return found.group(1)


async def csrf_of(client: TestClient, path: str) -> str:
    response = await client.get(path)
    found = CSRF.search(await response.text())
    assert found is not None, f"no form on {path}"
    return found.group(1)


async def sign_in(client: TestClient, chat: Chat, author: Author) -> None:
    code = link_code(chat.desk_command(author, "web"))
    token = await csrf_of(client, f"/signin/{code}")
    response = await client.post(f"/signin/{code}", data={"csrf": token}, allow_redirects=False)
    assert response.status == 303, await response.text()
