"""Schema migrations (Alembic). `upgrade(url)` brings any database to the newest schema.

Several processes may start at once on one fresh database (four workers of a deployment). Migrating and
seeding run under a database-wide lock (`prepared`), so exactly one of them migrates and seeds while the
others wait, then find the work done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.migrations.lock import database_lock

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@contextmanager
def prepared(url: str) -> Iterator[None]:
    """The schema brought up to date, with the lock held until the block ends: first-start work that must
    happen once (seeding the starter knowledge base) goes inside."""
    with database_lock(url, name="spoc-schema"):
        command.upgrade(alembic_config(url), "head")
        yield


def upgrade(url: str) -> None:
    with prepared(url):
        pass
