"""The agents' lists and the report read through indexes, so their cost follows what they show, not how many
tickets the desk has ever had: checked by PostgreSQL's own plans. A page of a list is read with its people
in one query."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.migrations import upgrade
from core.service import Desk
from tests.conftest import DANA, KIM, SAM, Chat, _postgres_schema_url, person

# Tables whose every row a list or a report over a short period must not read. (The audit trail is read
# by time for a report's status changes; an index on it by action and time would be picked by SQLite for
# the report's per-ticket "status at that time" lookup, reading every status change for each ticket.)
LARGE_TABLES = ("tickets",)

# Each index of those tables, with its first column.
LEADING_COLUMNS = """
SELECT index.relname, column_.attname FROM pg_index i
JOIN pg_class index ON index.oid = i.indexrelid JOIN pg_class table_ ON table_.oid = i.indrelid
JOIN pg_attribute column_ ON column_.attrelid = i.indrelid AND column_.attnum = i.indkey[0]
WHERE table_.relname = ANY(%(tables)s) AND table_.relnamespace = current_schema()::regnamespace
"""


@pytest.fixture
def statements() -> Iterator[list[tuple[Engine, str, Any]]]:
    seen: list[tuple[Engine, str, Any]] = []

    def record(conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append((conn.engine, statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


@pytest.fixture
def postgres_desk(make_desk: Callable[..., Desk]) -> Iterator[Desk]:
    for url in _postgres_schema_url():
        upgrade(url)
        yield make_desk(url)


def busy_desk(desk: Desk) -> Chat:
    chat = Chat(desk)
    for n in range(12):
        chat.say(person(f"Employee{n}"), f"report {n}: the printer on floor {n} is jammed")
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "I need access to the finance share")
    chat.desk_command(SAM, "claim INC-3")
    chat.desk_command(SAM, "claim INC-5")
    chat.desk_command(SAM, "resolve INC-5 replaced the toner")
    return chat


def test_a_page_of_the_queue_or_of_mine_reads_its_tickets_with_their_people_in_one_query(
    desk: Desk, statements: list[tuple[Engine, str, Any]],
) -> None:
    chat = busy_desk(desk)
    for who, command in ((SAM, "queue"), (SAM, "mine"), (DANA, "mine")):
        statements.clear()
        shown = chat.desk_command(who, command)
        assert "Employee" in shown or "Dana" in shown, shown
        reads = [" ".join(s.split()) for _, s, _ in statements if s.lstrip().startswith("SELECT")]
        ticket_reads = [s for s in reads if " FROM tickets" in s]
        # The count of all, then the page with its requester and assignee joined.
        assert len(ticket_reads) == 2, ticket_reads
        assert "JOIN people" in ticket_reads[1], ticket_reads[1]
        assert not [s for s in reads if s.startswith("SELECT people.") and "tickets" not in s
                    and "identities" not in s], reads


def test_a_past_backlog_finds_each_tickets_status_then_through_the_tickets_own_trail_on_sqlite(
    sqlite_url: str, make_desk: Callable[..., Desk], statements: list[tuple[Engine, str, Any]],
) -> None:
    """Each ticket's last status change before the period's end is read from that ticket's audit rows, not
    by walking every status change of the desk for each ticket."""
    chat = busy_desk(make_desk(sqlite_url))
    statements.clear()
    chat.desk_command(SAM, "report 2026-02-01..2026-03-01")
    [(engine, statement, parameters)] = [(e, s, p) for e, s, p in statements if "SELECT audit.new" in s]
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert any("audit USING INDEX ix_audit_ticket_id" in step for step in plan), plan


@pytest.mark.postgres
def test_lists_and_a_short_report_read_no_large_table_whole_on_postgresql(
    postgres_desk: Desk, statements: list[tuple[Engine, str, Any]],
) -> None:
    """With sequential scans priced out (`enable_seqscan = off`), PostgreSQL still scans a table whole
    only when no index can serve the query: each such plan names the statement that lacks one."""
    chat = busy_desk(postgres_desk)
    statements.clear()
    for who, command in ((SAM, "queue"), (SAM, "mine"), (DANA, "mine"), (SAM, "report 7d")):
        chat.desk_command(who, command)
    # The report's mean times read a temporary table of its own transaction: they cannot be planned again here.
    reads = [(engine, s, p) for engine, s, p in statements
             if s.lstrip().upper().startswith(("SELECT", "WITH")) and any(f" {t}" in s for t in LARGE_TABLES)
             and "report_days" not in s]
    assert len(reads) >= 10, [s for _, s, _ in reads]
    with postgres_desk.db.engine.connect() as conn:
        leading = dict(conn.exec_driver_sql(LEADING_COLUMNS, {"tables": list(LARGE_TABLES)}).all())
    scanned: list[str] = []
    for engine, statement, parameters in reads:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar_one()
            conn.rollback()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        whole = [_reads_whole(node, leading) for node in _nodes(plan[0]["Plan"]) if _reads_whole(node, leading)]
        if whole:
            scanned.append(f"{' '.join(statement.split())}\n  reads whole: {whole}")
    assert not scanned, "\n\n".join(scanned)


def _reads_whole(node: dict[str, Any], leading: dict[str, str]) -> str:
    """The table (or the index of it) a plan node reads from end to end: a sequential scan, or an index
    walked without a condition on its first column (which a planner does when it wants the index's order,
    or when the condition is on a later column)."""
    if node.get("Relation Name") not in LARGE_TABLES and node.get("Index Name") not in leading:
        return ""
    if node["Node Type"] == "Seq Scan":
        return node["Relation Name"]
    if node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan") and \
            leading[node["Index Name"]] not in node.get("Index Cond", ""):
        return node["Index Name"]
    return ""


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)
