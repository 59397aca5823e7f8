"""What every piece of work inside one transaction needs to know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.delivery import Destination
from core.knowledge import KnowledgeBase
from core.messages import Author
from core.outbox import Outbox
from core.settings import DeskSettings
from core.storage.models import PersonRow
from core.telemetry import NoObserver, Observer
from core.triage import Triage


@dataclass(frozen=True)
class Routes:
    """Where agents watch: one triage channel per platform this desk talks to."""

    triage: tuple[Destination, ...] = ()

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(d.platform for d in self.triage)


@dataclass(frozen=True)
class DeskDeps:
    settings: DeskSettings
    knowledge: KnowledgeBase
    routes: Routes
    platforms: frozenset[str]
    # Where the desk's own pages are (`/desk web` sends a sign-in link there); "" when it has none.
    portal_url: str = ""
    # One per process: it keeps the learned model in memory. Built from the settings when not given.
    triage: Triage = None  # type: ignore[assignment]
    # Platforms that pace each channel (about a message a second): their channels can fall behind a storm.
    paced: frozenset[str] = frozenset()
    observer: Observer = NoObserver()

    def __post_init__(self) -> None:
        if self.triage is None:
            object.__setattr__(self, "triage", Triage(self.settings.classification))


@dataclass
class Ctx:
    session: Session
    now: datetime
    deps: DeskDeps
    outbox: Outbox
    actor: PersonRow | None = None
    author: Author | None = None
    channel: str = ""
    thread: str | None = None
    event_id: str = ""
    after_commit: list[Callable[[], str | None]] = field(default_factory=list)

    @property
    def settings(self) -> DeskSettings:
        return self.deps.settings

    @property
    def platform(self) -> str:
        return self.author.platform if self.author else ""

    def later(self, work: Callable[[], str | None]) -> None:
        """Run `work` once this transaction has committed; a text it returns is added to the reply."""
        self.after_commit.append(work)

    def person(self) -> PersonRow:
        if self.actor is None:
            raise RuntimeError("this work needs a person behind it")
        return self.actor
