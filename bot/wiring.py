"""The composition root: the one place that picks concrete classes and builds them from the config."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.catalog_loading import with_catalog
from bot.config import SpocConfig
from bot.database_faults import migrate_or_fault, prepared_or_fault
from bot.logs import configure_logging
from bot.metrics import Metrics
from core.clock import Clock, SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import KnowledgeBase
from core.outbox import RetryPolicy
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database

if TYPE_CHECKING:
    from kb.service import KnowledgeService

log = logging.getLogger(__name__)
# Chat platforms that pace each channel (about one message a second): their channels can be outpaced.
PACED_PLATFORMS = frozenset({"slack", "discord"})


@dataclass
class App:
    config: SpocConfig
    db: Database
    desk: Desk
    knowledge: KnowledgeBase
    clock: Clock
    metrics: Metrics

    def retry_policy(self) -> RetryPolicy:
        o = self.config.outbox
        return RetryPolicy(max_attempts=o.max_attempts, base_delay=o.base_delay_seconds,
                           max_delay=o.max_delay_seconds)


def triage_routes(config: SpocConfig) -> Routes:
    routes: list[Destination] = []
    for name in config.adapters():
        # Agents work from chat: mail has no triage channel (a living card cannot be edited in a mailbox).
        channel = {"console": config.console.triage_channel, "slack": config.slack.triage_channel,
                   "discord": config.discord.triage_channel}.get(name, "")
        if channel:
            routes.append(Destination(name, channel))
    return Routes(triage=tuple(routes))


def _knowledge_service(config: SpocConfig, db: Database) -> KnowledgeService:
    from kb.service import KnowledgeService

    return KnowledgeService(db.deferred_sessions, threshold=config.kb.threshold,
                            max_suggestions=config.kb.max_suggestions, semantic=config.kb.semantic)


def _seed(config: SpocConfig, service: KnowledgeService, db: Database) -> None:
    """First-start work, done under the schema lock so that processes starting together do it once."""
    from kb.starter import starter_articles_dir

    if config.kb.load_starter and _no_articles_yet(db):
        service.import_dir(starter_articles_dir())
    if config.kb.articles_dir:
        service.import_dir(Path(config.kb.articles_dir))


def _no_articles_yet(db: Database) -> bool:
    from kb.tables import KbArticleRow

    return db.run(lambda s: s.scalar(select(func.count()).select_from(KbArticleRow))) == 0


def database_for(config: SpocConfig) -> Database:
    """The migrated database alone, for commands that only read or repair it."""
    migrate_or_fault(config.database.url)
    return Database(config.database.url)


def knowledge_for(config: SpocConfig) -> KnowledgeBase:
    """The knowledge base alone, for `spoc kb ...`."""
    db = Database(config.database.url)
    service = _knowledge_service(config, db)
    with prepared_or_fault(config.database.url):
        _seed(config, service, db)
    service.refresh()
    return service


def _desk_settings(config: SpocConfig) -> DeskSettings:
    """The desk's settings with its catalog loaded; an item that cannot be read is left out, with a warning."""
    desk, problems = with_catalog(config.desk)
    for problem in problems:
        log.warning("catalog: %s (`spoc catalog check` lists every problem)", problem)
    return desk


def build_app(config: SpocConfig, *, clock: Clock | None = None) -> App:
    configure_logging(level=config.log_level, log_format=config.log_format)
    # A running desk outlasts a database outage: each unit of work waits for it and goes on (one log line).
    db = Database(config.database.url, patience=math.inf)
    knowledge = _knowledge_service(config, db)
    clock = clock or SystemClock()
    metrics = Metrics(db=db, clock=clock)
    deps = DeskDeps(settings=_desk_settings(config), knowledge=knowledge, routes=triage_routes(config),
                    platforms=frozenset(config.adapters()), portal_url=config.portal_url(),
                    paced=frozenset(config.adapters()) & PACED_PLATFORMS, observer=metrics)
    desk = Desk(db=db, deps=deps, clock=clock)
    with prepared_or_fault(config.database.url):
        _seed(config, knowledge, db)
        desk.setup()
    # Build the index now, not inside the first report: that first report would otherwise hold the
    # interpreter while the adapters' event loops must acknowledge a burst of requests.
    knowledge.refresh()
    return App(config=config, db=db, desk=desk, knowledge=knowledge, clock=clock, metrics=metrics)


def desk_for(config: SpocConfig) -> Desk:
    """The desk without chat or knowledge base, for commands that change people or tickets by hand: what
    they cause is written to the outbox, which a running spoc delivers."""
    from core.knowledge import NoKnowledgeBase

    db = database_for(config)
    deps = DeskDeps(settings=_desk_settings(config), knowledge=NoKnowledgeBase(), routes=triage_routes(config),
                    platforms=frozenset(config.adapters()), portal_url=config.portal_url(),
                    paced=frozenset(config.adapters()) & PACED_PLATFORMS)
    return Desk(db=db, deps=deps, clock=SystemClock())
