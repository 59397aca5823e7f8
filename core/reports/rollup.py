"""Stored tallies of finished UTC days, so that a report over months adds up a few rows per day instead of
reading every ticket again.

A day's tallies depend on the tickets as they are now (a ticket reopened, moved to another team, breached
or rated later changes the figures of the days it was reported, answered, resolved and closed on), so stored
days are checked before use: every change to a ticket leaves a row in its audit trail (an SLA breach a row
in `sla_events`), and the rows added since the last check name the tickets touched; each touched ticket's
days (reported, first response, resolution, closure, and every status change) are counted again. Only days
that ended `SETTLED` ago are stored, so no unit of work still writes to them. On PostgreSQL the trail is
read once every unit of work adding to it has ended (a short SHARE lock on the two tables), so no change
slips in under an id already read; on SQLite one writer at a time gives the same.

The tallies are kept per `basis`: the calendars and teams that business time was worked out with; another
configuration starts afresh.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select, text, union
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.reports.figures import Tally
from core.reports.metrics import STATUS_CHANGE
from core.reports.period import Period, ReportFilter
from core.reports.sql import for_large_reads, utc_day
from core.reports.tallies import BY_CATEGORY, BY_DAY, KEYED, VALUES, counted, every_tally, folded
from core.settings import DeskSettings
from core.storage.database import make_engine, takes_write_lock
from core.storage.models import AuditRow, SlaEventRow, TicketRow
from core.storage.report_models import ReportRolledDayRow, ReportTallyRow, ReportTrailCheckRow

SETTLED = timedelta(hours=1)
ROLLUP_LOCK = 0x5EC0_2E90  # the advisory lock one report at a time holds while it stores tallies
KEPT_CHECKS = 10
EVERY = "*"
NARROWING = ("team", "kind", "service", "platform")  # the filters the rows under `basis*` add up
LOCK_WAIT = "2s"
COLUMNS = ("figure", "day", "team", "kind", "category", "service", "platform", "priority", "key", "title",
           *(f"v{n}" for n in range(VALUES)))
GROUPS = COLUMNS[:9]  # what a tally row is counted for


def tallies(session: Session, settings: DeskSettings, *, period: Period, filters: ReportFilter,
            clock: datetime) -> list[Tally]:
    """Every tally of `period` for the tickets `filters` names: the whole finished days from storage (stored
    first where missing or changed), the rest counted now. `clock`: the time now on this machine (the
    report's own `now` may be another). A filter on the agent counts everything now: the assignee changes
    too often to store by."""
    first, last = whole_days(period, settled_before=clock - SETTLED)
    if filters.agent_id is not None or first >= last:
        return counted(session, settings, period=period, filters=filters)
    found = kept(session, settings, first=first, last=last, filters=filters)
    if found is None:
        return counted(session, settings, period=period, filters=filters)
    if any(getattr(filters, name) for name in (*NARROWING, "category")):
        found.extend(counted(session, settings, period=Period(since=_start(first), until=_start(last)),
                             filters=filters, keyed_only=True))
    for part in (Period(since=period.since, until=_start(first)) if period.since < _start(first) else None,
                 Period(since=_start(last), until=period.until) if _start(last) < period.until else None):
        if part is not None:
            found.extend(counted(session, settings, period=part, filters=filters))
    return folded((t.figure, t.day, t.priority, t.category, t.key, t.title, t.values) for t in found)


def kept(session: Session, settings: DeskSettings, *, first: date, last: date, filters: ReportFilter
         ) -> list[Tally] | None:
    """The stored tallies of the days [first, last), storing first what is missing or changed: in the
    report's transaction when it holds SQLite's write lock, else in a short transaction of its own (the
    report's may be a reader that must not take it). None when they cannot be brought up to date now."""
    engine = session.get_bind().engine
    if engine.dialect.name == "sqlite":
        if engine.url.database in (None, "", ":memory:"):
            return None  # a database only this connection sees: nothing worth keeping
        if takes_write_lock(engine):
            return _kept(session, settings, first=first, last=last, filters=filters)
        engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with Session(bind=engine) as own, own.begin():
            for_large_reads(own)
            return _kept(own, settings, first=first, last=last, filters=filters)
    finally:
        if engine is not session.get_bind().engine:
            engine.dispose()


def _kept(session: Session, settings: DeskSettings, *, first: date, last: date, filters: ReportFilter
          ) -> list[Tally] | None:
    basis = basis_of(settings)
    if not refresh(session, settings, basis=basis, first=first, last=last):
        return None
    return stored(session, basis=basis, first=first, last=last, filters=filters)


def whole_days(period: Period, *, settled_before: datetime) -> tuple[date, date]:
    """The UTC days [first, last) that lie whole within `period` and ended before `settled_before`."""
    since = period.since.astimezone(UTC)
    first = since.date() + timedelta(days=0 if since.time() == time(0) else 1)
    last = min(period.until.astimezone(UTC).date(), settled_before.astimezone(UTC).date())
    return first, max(first, last)


def basis_of(settings: DeskSettings) -> str:
    """What the business seconds depend on: the calendars, and which team is on which."""
    described = repr((sorted(settings.sla.calendars.items()),
                      [(t.name, t.title, t.tier, t.calendar, tuple(t.categories)) for t in settings.teams]))
    return hashlib.sha256(described.encode()).hexdigest()[:32]


def refresh(session: Session, settings: DeskSettings, *, basis: str, first: date, last: date) -> bool:
    """Count again the stored days touched since the last check, and store the days [first, last) missing.
    False when the trail could not be read to its end (this transaction itself adds to it on PostgreSQL)."""
    end = _trail_end(session)
    if end is None:
        return False
    audit_id, event_id = end
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ROLLUP_LOCK)))
    check = session.execute(select(ReportTrailCheckRow.audit_id, ReportTrailCheckRow.sla_event_id)
                            .order_by(ReportTrailCheckRow.id.desc()).limit(1)).first()
    changed: set[str] = set()
    if check is None:
        forget(session)  # nothing says what changed since these were stored
    elif (check[0], check[1]) != (audit_id, event_id):
        changed = _touched_days(session, after=(check[0], check[1]))
    if changed:
        session.execute(delete(ReportTallyRow).where(ReportTallyRow.day.in_(changed)))
        session.execute(delete(ReportRolledDayRow).where(ReportRolledDayRow.day.in_(changed)))
    if check is None or (check[0], check[1]) != (audit_id, event_id):
        session.add(ReportTrailCheckRow(at=datetime.now(UTC), audit_id=audit_id, sla_event_id=event_id))
        session.flush()
        session.execute(delete(ReportTrailCheckRow).where(ReportTrailCheckRow.id <= select(
            func.max(ReportTrailCheckRow.id) - KEPT_CHECKS).scalar_subquery()))
    have = set(session.scalars(select(ReportRolledDayRow.day).where(
        ReportRolledDayRow.basis == basis, ReportRolledDayRow.day >= first.isoformat(),
        ReportRolledDayRow.day < last.isoformat())))
    for run_first, run_last in _missing_runs(first, last, have):
        _store(session, settings, basis=basis, period=Period(since=_start(run_first), until=_start(run_last)))
        session.add_all(ReportRolledDayRow(basis=basis, day=(run_first + timedelta(days=n)).isoformat())
                        for n in range((run_last - run_first).days))
        session.flush()
    return True


def forget(session: Session) -> None:
    """Drop every stored tally: for changes the trail does not tell (people merged into one). On PostgreSQL
    after any report storing days has ended, so that none stores what it counted before this change."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ROLLUP_LOCK)))
    session.execute(delete(ReportTallyRow))
    session.execute(delete(ReportRolledDayRow))


def stored(session: Session, *, basis: str, first: date, last: date, filters: ReportFilter) -> list[Tally]:
    """The stored tallies of the days [first, last) for the tickets `filters` names, added up as `folded`
    adds up counted ones (those by key over all the days). Filtered on anything, the figures by key are left
    out: they are stored only added up over every ticket (by key)."""
    row = ReportTallyRow
    narrowed = {name: getattr(filters, name) for name in NARROWING if getattr(filters, name)}
    conditions = [row.basis == (basis if narrowed else f"{basis}{EVERY}"), row.day >= first.isoformat(),
                  row.day < last.isoformat(), *(getattr(row, name) == value for name, value in narrowed.items())]
    if filters.category:
        conditions.append(row.category == filters.category)
    values = [func.sum(getattr(row, f"v{n}")) for n in range(VALUES)]
    # Told apart as `folded` tells them apart, so that few rows come back.
    day = case((row.figure.in_(BY_DAY), row.day), else_=literal(""))
    priority = case((row.figure == "opened", row.priority), else_=literal(""))
    category = case((row.figure.in_(BY_CATEGORY), row.category), else_=literal(""))
    by_day = session.execute(select(row.figure, day, priority, category, literal(""), literal(""), *values).where(
        *conditions, row.figure.not_in(KEYED)).group_by(row.figure, day, priority, category))
    by_key = [] if narrowed or filters.category else session.execute(select(
        row.figure, literal(""), literal(""), literal(""), row.key, func.max(row.title), *values).where(
        *conditions, row.figure.in_(KEYED)).group_by(row.figure, row.key))
    return [Tally(figure, day, priority, category, key, title, tuple(float(v or 0) for v in sums))
            for figure, day, priority, category, key, title, *sums in (*by_day, *by_key)]


def _store(session: Session, settings: DeskSettings, *, basis: str, period: Period) -> None:
    """Store the tallies of `period`: per combination of the tickets' attributes, and (under `basis*`) added
    up over every team, kind, service and platform; the figures by key (people, articles) only added up over
    every ticket, the category too."""
    with every_tally(session, settings, period, ReportFilter()) as selects:
        for figure, statement in selects.items():
            if figure in KEYED:
                _add_up(session, statement.subquery("tally"), basis=basis, over=(*NARROWING, "category"))
            else:
                rows = statement.subquery("tally")
                session.execute(insert(ReportTallyRow).from_select(
                    ["basis", *COLUMNS], select(literal(basis), *(rows.c[name] for name in COLUMNS))))
    # The rows over every ticket from the rows just stored (counting the tickets again would cost as much).
    stored_now = select(ReportTallyRow).where(
        ReportTallyRow.basis == basis, ReportTallyRow.day >= utc_date(period.since).isoformat(),
        ReportTallyRow.day < utc_date(period.until).isoformat()).subquery("stored_now")
    _add_up(session, stored_now, basis=basis, over=NARROWING)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE report_tallies"))  # the planner learns at once how many rows a day has


def _add_up(session: Session, rows: Any, *, basis: str, over: tuple[str, ...]) -> None:
    """Store `rows` (tally rows) added up over the attributes `over`, under `basis*`."""
    kept = [rows.c[name] for name in GROUPS if name not in over]
    session.execute(insert(ReportTallyRow).from_select(["basis", *COLUMNS], select(
        literal(f"{basis}{EVERY}"), *(literal(EVERY) if name in over else rows.c[name] for name in GROUPS),
        func.max(rows.c.title), *(func.sum(rows.c[f"v{n}"]) for n in range(VALUES))).group_by(*kept)))


def utc_date(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _trail_end(session: Session) -> tuple[int, int] | None:
    """The last ids of the audit trail and of the SLA events, once every unit of work writing them ended
    (None if that takes longer than `LOCK_WAIT`, as when it is this report's own)."""
    if session.get_bind().dialect.name != "postgresql":
        return _last_ids(session)
    with session.get_bind().connect() as connection, connection.begin():
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
        try:
            connection.exec_driver_sql("LOCK TABLE audit, sla_events IN SHARE MODE")
        except OperationalError:
            return None
        return _last_ids(Session(bind=connection))


def _last_ids(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.coalesce(func.max(AuditRow.id), 0))) or 0,
            session.scalar(select(func.coalesce(func.max(SlaEventRow.id), 0))) or 0)


def _touched_days(session: Session, *, after: tuple[int, int]) -> set[str]:
    """The days whose tallies the tickets with trail rows after `after` (audit id, SLA event id) count in."""
    touched = union(select(AuditRow.ticket_id).where(AuditRow.id > after[0]),
                    select(SlaEventRow.ticket_id).where(SlaEventRow.id > after[1])).subquery("touched")
    days: set[str] = set()
    instants = (TicketRow.created_at, TicketRow.first_response_at, TicketRow.resolved_at, TicketRow.closed_at)
    for row in session.execute(select(*(utc_day(at) for at in instants)).where(
            TicketRow.id.in_(select(touched.c.ticket_id)))):
        days.update(day for day in row if day is not None)
    days.update(session.scalars(select(utc_day(AuditRow.at)).distinct().where(
        STATUS_CHANGE, AuditRow.ticket_id.in_(select(touched.c.ticket_id)))))
    return days


def _missing_runs(first: date, last: date, have: set[str]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    day = first
    while day < last:
        if day.isoformat() in have:
            day += timedelta(days=1)
            continue
        end = day
        while end < last and end.isoformat() not in have:
            end += timedelta(days=1)
        runs.append((day, end))
        day = end
    return runs


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
