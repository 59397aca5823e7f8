from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from core.storage.base import Base
from kb.service import KnowledgeService
from kb.tables import KB_TABLES


def article_text(
    *,
    title: str,
    body: str,
    slug: str = "",
    tags: str = "[]",
    asked: tuple[str, ...] = (),
    published: bool = True,
) -> str:
    lines = ["---", f"title: {title}"]
    if slug:
        lines.append(f"slug: {slug}")
    lines.append(f"tags: {tags}")
    if asked:
        lines.append("also_asked_as:")
        lines.extend(f"  - {phrase}" for phrase in asked)
    lines.append(f"published: {'true' if published else 'false'}")
    lines.extend(["---", "", body, ""])
    return "\n".join(lines)


class FakeMonotonic:
    """A clock for the refresh interval that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path}/kb.db")
    Base.metadata.create_all(engine, tables=list(KB_TABLES))
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def write_articles(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def write(files: dict[str, str]) -> Path:
        folder = tmp_path / "articles"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder

    return write


SMALL_KB = {
    "password.md": article_text(
        title="Reset a forgotten password",
        slug="password-reset",
        tags="[password, sign-in]",
        body="Open the self-service reset page, confirm with your authenticator, choose a new password.",
    ),
    "mfa.md": article_text(
        title="Move MFA to a new phone",
        slug="mfa-new-phone",
        tags="[mfa, authenticator]",
        body="Install the authenticator app on the new phone and register it under Security info.",
    ),
    "vpn.md": article_text(
        title="VPN keeps disconnecting",
        slug="vpn-drops",
        tags="[vpn]",
        body="Use a cable, update the client, and keep the laptop plugged in so the network card stays on.",
    ),
    "printer.md": article_text(
        title="Printer won't print",
        slug="printer",
        tags="[printer]",
        body="Clear the print queue, check for paper jams and make sure you are on the office network.",
    ),
    "outlook.md": article_text(
        title="Outlook is not receiving e-mail",
        slug="outlook",
        tags="[outlook, email]",
        body="Check Work Offline, restart Outlook, and look at Outlook on the web to see if mail arrives.",
    ),
    "laptop.md": article_text(
        title="Laptop won't turn on",
        slug="laptop-power",
        tags="[laptop, power]",
        body="Plug in the original charger, wait fifteen minutes, hold the power button for thirty seconds.",
    ),
}


@pytest.fixture
def service(
    sessions: sessionmaker[Session], write_articles: Callable[[dict[str, str]], Path]
) -> KnowledgeService:
    service = KnowledgeService(sessions, refresh_seconds=0.0)
    report = service.import_dir(write_articles(SMALL_KB))
    assert not report.invalid
    return service
