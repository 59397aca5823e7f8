"""Shared fixtures: databases (SQLite always, PostgreSQL when SPOC_TEST_POSTGRES_URL is set) and desks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.migrations import upgrade
from core.clock import ManualClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.messages import Author, CommandRequest, Inbound
from core.service import Desk
from core.settings import DeskSettings, Person
from core.storage.database import Database
from tests.fakes import FakeKnowledgeBase

POSTGRES_ENV = "SPOC_TEST_POSTGRES_URL"
REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (needs ../shared/data beside the repository)")
    return path


def _postgres_schema_url() -> Iterator[str]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://127.0.0.1:5432/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has created a table in: a SQLite file, and PostgreSQL when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/spoc.db"
        return
    yield from _postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated schema of its own on the PostgreSQL of SPOC_TEST_POSTGRES_URL, for what only PostgreSQL
    does (several processes sharing one database); skips without it."""
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"several processes sharing one database need PostgreSQL: set {POSTGRES_ENV}")
    schemas = _postgres_schema_url()
    url = next(schemas)
    upgrade(url)
    yield url
    schemas.close()


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    """A migrated, empty database: a SQLite file, and PostgreSQL when configured."""
    upgrade(fresh_database_url)
    return fresh_database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/spoc.db"
    upgrade(url)
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def knowledge() -> FakeKnowledgeBase:
    return FakeKnowledgeBase()


DEFAULT_PEOPLE = (
    Person(name="Sam", email="sam@example.com", role="agent", ids={"console": "sam"}),
    Person(name="Lee", email="lee@example.com", role="admin", ids={"console": "lee"}),
)


@pytest.fixture
def make_desk(clock: ManualClock, knowledge: FakeKnowledgeBase) -> Iterator[Callable[..., Desk]]:
    made: list[Database] = []

    def build(url: str, *, settings: DeskSettings | None = None, platforms: tuple[str, ...] = ("console",)) -> Desk:
        db = Database(url)
        made.append(db)
        settings = settings or DeskSettings(people=DEFAULT_PEOPLE)
        routes = Routes(triage=tuple(Destination(p, "it-triage") for p in platforms))
        desk = Desk(db=db, deps=DeskDeps(settings=settings, knowledge=knowledge, routes=routes,
                                         platforms=frozenset(platforms)), clock=clock)
        desk.setup()
        return desk

    yield build
    for db in made:
        db.dispose()


@pytest.fixture
def desk(make_desk: Callable[..., Desk], database_url: str) -> Desk:
    return make_desk(database_url)


def person(name: str, *, platform: str = "console", agent: bool = False) -> Author:
    return Author(platform=platform, user_id=name.lower(), display_name=name, is_agent=agent)


DANA = person("Dana")
SAM = person("Sam")
KIM = person("Kim")


class Chat:
    """Speaks to a desk as people in a console channel would."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.count = 0

    def say(self, author: Author, text: str, *, thread: str | None = None, channel: str = "it-help",
            event_id: str | None = None) -> str:
        self.count += 1
        message_id = f"m{self.count}"
        self.desk.handle_message(Inbound(
            platform=author.platform, event_id=event_id or message_id, channel=channel, message_id=message_id,
            author=author, text=text, thread=thread, is_intake=channel == "it-help"))
        return message_id

    def desk_command(self, author: Author, text: str) -> str:
        self.count += 1
        reply = self.desk.handle_command(CommandRequest(platform=author.platform, event_id=f"c{self.count}",
                                                        author=author, text=text, channel="it-help"))
        return reply.text or (reply.card.title + "\n" + reply.card.text if reply.card else "")


@pytest.fixture
def chat(desk: Desk) -> Chat:
    return Chat(desk)
