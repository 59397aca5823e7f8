"""The command line loads only what a command needs, and reads without migrating or locking."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from bot.cli import app
from bot.migrations import alembic_config
from bot.schema_version import HEAD_REVISION, schema_is_current
from core.service import Desk
from tests.conftest import SAM, Chat, person

HEAVY = ("sqlalchemy", "pydantic", "alembic", "core.storage.models", "kb.service", "rich")
# What a report on SQLite does without: the other database's dialect, and what delivering a message needs.
NOT_FOR_A_REPORT = ("sqlalchemy.dialects.postgresql", "core.delivery", "core.cards", "core.messages")


def loaded_after(code: str, *, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of the `watched` modules a fresh interpreter has loaded after running `code`."""
    probe = f"{code}\nimport sys\nsys.stderr.write('loaded: ' + ' '.join(m for m in {watched!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr.rpartition("loaded:")[2].split()


def test_help_loads_no_database_or_validation_library() -> None:
    help_run = ("import sys\nsys.argv = ['spoc', '--help']\nfrom bot.cli import main\n"
                "try:\n    main()\nexcept SystemExit:\n    pass")
    assert loaded_after(help_run) == []


def test_a_report_on_sqlite_loads_neither_the_postgresql_dialect_nor_message_delivery(sqlite_url: str) -> None:
    report_run = (f"import os, sys\nos.environ.update(SPOC_DATABASE_URL={sqlite_url!r}, SPOC_CONFIG='')\n"
                  "sys.argv = ['spoc', 'report', '--format', 'json']\nfrom bot.cli import main\n"
                  "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code")
    opened = loaded_after(report_run, watched=("core.reports.report", *NOT_FOR_A_REPORT))
    assert opened == ["core.reports.report"]


def test_a_current_schema_is_used_without_loading_alembic(sqlite_url: str) -> None:
    assert schema_is_current(sqlite_url)
    opened = loaded_after(f"from bot.database_faults import migrate_or_fault\nmigrate_or_fault({sqlite_url!r})")
    assert "alembic" not in opened and "sqlalchemy" in opened


def test_an_empty_database_is_not_current_and_gets_migrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/new.db"
    assert not schema_is_current(url)
    from bot.database_faults import migrate_or_fault

    migrate_or_fault(url)
    assert schema_is_current(url)


def test_the_head_revision_named_in_code_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [HEAD_REVISION]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def test_tickets_list_is_one_query_in_a_reading_transaction(desk: Desk, database_url: str,
                                                            statements: list[str]) -> None:
    chat = Chat(desk)
    for n in range(30):
        chat.say(person(f"employee{n}"), f"report number {n}: the printer on floor {n} is jammed")
    chat.desk_command(SAM, "claim INC-25")
    statements.clear()
    result = CliRunner().invoke(app, ["tickets", "list", "--limit", "20"],
                                env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": "", "COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == "showing 20 of 30 tickets; --limit N or --all for more"
    assert "Sam" in result.stdout
    reads = [s for s in statements if "FROM tickets" in s]
    assert len(reads) == 1, reads
    assert not [s for s in statements if s.startswith(("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE"))]
    assert not [s for s in statements if "FOR UPDATE" in s]
