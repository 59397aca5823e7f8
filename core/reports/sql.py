"""The few SQL expressions that each database spells its own way, and the filter every metric applies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, Select, String, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from core.reports.period import ReportFilter
from core.storage.models import TicketRow

REPORT_WORK_MEM = "64MB"
REPORT_SQLITE_MMAP = 1 << 30


class epoch(FunctionElement[float]):
    """Seconds since 1970-01-01 UTC of a datetime column, as a float."""

    type = Float()
    name = "epoch"
    inherit_cache = True


class epoch_day(FunctionElement[int]):
    """The UTC day of an instant given in epoch seconds, as whole days since 1970-01-01."""

    type = Integer()
    name = "epoch_day"
    inherit_cache = True


class utc_day(FunctionElement[str]):
    """The UTC date of a datetime column as text, `2026-03-02`."""

    type = String()
    name = "utc_day"
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC datetimes as ISO text; julianday() reads it (days since noon, 4714 BC).
    # A double holds a julian day to about 20 microseconds: report.py rounds means to the millisecond.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part gives a double at once; EXTRACT gives a numeric, several times slower to make and to add.
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch_day, "sqlite")
def _epoch_day_sqlite(element: epoch_day, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are after 1970 (periods refuse earlier ones), so truncating is flooring.
    return f"CAST(({compiler.process(element.clauses, **kw)}) / 86400 AS INTEGER)"


@compiles(epoch_day, "postgresql")
def _epoch_day_postgresql(element: epoch_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR(({compiler.process(element.clauses, **kw)}) / 86400) AS INTEGER)"


@compiles(utc_day, "sqlite")
def _day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


def seconds_between(start: Any, end: Any) -> ColumnElement[float]:
    return epoch(end) - epoch(start)


def ticket_conditions(filters: ReportFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.team:
        conditions.append(TicketRow.team == filters.team)
    if filters.agent_id is not None:
        conditions.append(TicketRow.assignee_id == filters.agent_id)
    if filters.kind:
        conditions.append(TicketRow.kind == filters.kind)
    if filters.category:
        conditions.append(TicketRow.category == filters.category)
    if filters.service:
        conditions.append(TicketRow.service == filters.service)
    if filters.platform:
        conditions.append(TicketRow.origin_platform == filters.platform)
    return conditions


def filtered(statement: Select[Any], filters: ReportFilter) -> Select[Any]:
    """`statement` (which selects from or joins `tickets`) limited to the tickets the filters name."""
    conditions = ticket_conditions(filters)
    return statement.where(*conditions) if conditions else statement


def for_large_reads(session: Session) -> None:
    """On PostgreSQL, for this transaction: no JIT compilation (it costs more than it saves on queries that
    run once, about half a second each here) and room to hash and sort the period's rows in memory. On
    SQLite, for this connection: the file read through memory mapping rather than a read() per page (a
    quarter off a report over 100,000 tickets); its pages are the operating system's cache, not copies."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    elif dialect == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA mmap_size = {REPORT_SQLITE_MMAP}")
