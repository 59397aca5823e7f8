from __future__ import annotations

from alembic import context

import kb.tables  # noqa: F401 - registers the knowledge-base tables
from core.storage.database import make_engine
from core.storage.schema import metadata

target_metadata = metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url, write_lock_at_begin=False)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
