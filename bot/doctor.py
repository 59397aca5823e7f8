"""`spoc doctor`: every part of an installation checked live, one line per check with the fix."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import SpocConfig
from bot.database_faults import DatabaseFault, explain, reach_or_fault
from bot.migrations import alembic_config
from core.business_time.wording import local_time
from core.checkup import Check, failed, passed
from core.storage.database import Database, is_sqlite, shown_url
from core.storage.models import OutboxRow

CLOCK_SKEW_LIMIT_SECONDS = 60


def diagnose(config: SpocConfig, *, now: datetime | None = None) -> list[Check]:
    """Every check, in the order a person would fix them: config, database, knowledge, clock, platforms."""
    now = now or datetime.now(UTC)
    problems = config.run_problems()
    checks = [failed(f"config {p.path}", p.message) for p in problems]
    if not problems:
        checks.append(passed("config", f"adapters {', '.join(config.adapters())}: nothing `spoc run` needs is "
                                       "missing"))
    database = _database(config.database.url)
    checks.append(database)
    if database.ok:
        db = Database(config.database.url)
        try:
            checks += [_knowledge(db, config), _dead_letters(db), _database_clock(db, now)]
        finally:
            db.dispose()
    checks += _time_zones(config, now)
    broken = {p.path.split(".")[0] for p in problems}
    for name in config.adapters():
        if name not in broken:
            checks += asyncio.run(_platform(config, name))
    return checks


def _database(url: str) -> Check:
    name = f"database {shown_url(url)}"
    try:
        reach_or_fault(url)
    except DatabaseFault as fault:
        return failed(name, str(fault))
    try:
        db = Database(url)
        try:
            with db.deferred_engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        return failed(name, explain(url, error))
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if current != head:
        return failed(name, f"reachable, but its schema is at {current or 'nothing'}, not {head}: run `spoc db "
                            "upgrade` (spoc run does it too).")
    return passed(name, f"reachable, schema up to date ({head})")


def _knowledge(db: Database, config: SpocConfig) -> Check:
    from kb.tables import KbArticleRow

    published = db.run(lambda s: s.scalar(select(func.count()).select_from(KbArticleRow)
                                          .where(KbArticleRow.published.is_(True))))
    if not published:
        loads = "the starter articles load on the next `spoc run`" if config.kb.load_starter else \
            "kb.load_starter is false"
        return failed("knowledge base", f"no published articles ({loads}): `spoc kb import DIR` imports yours, so "
                                        "reports can be answered with articles.")
    return passed("knowledge base", f"{published} published article(s)")


def _dead_letters(db: Database) -> Check:
    def read(session):  # type: ignore[no-untyped-def]
        dead = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "dead"))
        latest = session.scalar(select(OutboxRow.last_error).where(OutboxRow.status == "dead")
                                .order_by(OutboxRow.id.desc()).limit(1))
        return dead or 0, latest or ""

    dead, latest = db.run(read)
    if dead:
        return failed("outbox", f"{dead} notification(s) could not be delivered (latest: {latest}); `spoc outbox "
                                "list --failed` shows them: fix the cause, then `spoc outbox retry --all-failed`.")
    return passed("outbox", "no dead letters")


def _database_clock(db: Database, now: datetime) -> Check:
    if is_sqlite(db.url):
        return passed("clock against the database", "SQLite: the same machine's clock")
    theirs = db.run(lambda s: s.scalar(text("SELECT now()")))
    skew = (now - theirs).total_seconds()
    if abs(skew) > CLOCK_SKEW_LIMIT_SECONDS:
        return failed("clock against the database", f"this machine's clock is {skew:+.0f} s off the database "
                                                    "server's: turn on time synchronisation (NTP) on both; SLA "
                                                    "timers and leader leases depend on it.")
    return passed("clock against the database", f"{skew:+.0f} s off the database server's")


def _time_zones(config: SpocConfig, now: datetime) -> list[Check]:
    checks = []
    for name, calendar in config.desk.sla.calendars.items():
        check = f"time zone of calendar {name}"
        try:
            ZoneInfo(calendar.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            checks.append(failed(check, f"{calendar.time_zone!r} is not a time zone this machine knows: install "
                                        "tzdata (pip install tzdata) or correct desk.sla.calendars."))
            continue
        utc = "" if calendar.time_zone == "UTC" else f" ({now:%H:%M} UTC)"
        checks.append(passed(check, f"{calendar.time_zone}: it is {local_time(now, calendar.time_zone)} there{utc}"))
    return checks


async def _platform(config: SpocConfig, name: str) -> list[Check]:
    if name == "slack":
        from adapters.slack.checkup import checkup as slack_checkup

        return await slack_checkup(config.slack, config.slack.channels() | config.desk.channels_on("slack"))
    if name == "discord":
        from adapters.discord.checkup import checkup as discord_checkup

        return await discord_checkup(config.discord, config.discord.channels() | config.desk.channels_on("discord"))
    return [passed(name, "nothing to check: it runs in this terminal")]
