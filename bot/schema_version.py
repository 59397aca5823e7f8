"""Whether a database's schema is already the newest, read without loading Alembic.

Every CLI command opens the database; running Alembic to learn that nothing is to be done costs more
than most commands themselves. A database whose `alembic_version` names the head revision is used as it
is; anything else (a new file, an older revision, no table at all) goes through `upgrade`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.storage.database import make_engine

# The newest revision in bot/migrations/versions/ (a test keeps it equal to Alembic's head).
HEAD_REVISION = "0001"


def schema_is_current(url: str) -> bool:
    engine = make_engine(url, write_lock_at_begin=False)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    return found == [HEAD_REVISION]
