"""The report's heavy figures as tallies: counts and sums per UTC day and per combination of the tickets'
attributes the report filters on. A report adds tallies up, whether they were just counted from the tickets
(`counted`) or stored for finished days (`core/reports/rollup.py`); both come from the selects here, so the
two ways cannot drift apart.

Each tally row is `figure, day, team, kind, category, service, platform, priority, key, v0..v8` (priority
and key empty where the figure does not tell them apart):
- opened (day reported; by priority): reported, self-service, response met, response breached, resolution
  met, resolution breached. The SLA counts leave self-service out: a clock is breached when the SLA sweep
  recorded its breach, met when it stopped (first response given, ticket resolved) without one.
- moved (day of the status change): resolved, closed, reopened, cancelled.
- resolved_by (day of the resolution; key: who resolved, when not the ticket's requester): resolutions.
- answered (day of the first response): tickets, wall seconds, tickets with business time, business seconds.
- fixed (day of the (last) resolution, self-service left out): as answered, report to resolved.
- suggested (day reported; key: the article, title its title): suggested, "this solved it", "not helpful".
- first_contact (day of the (last) resolution, self-service left out): resolved, resolved at first contact.
- closed (day closed): closed, rated, sum of scores, satisfied (4 or 5), answers 1..5.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, false, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from core.lifecycle import Status
from core.reports.business import calendar_days, days_table, in_business
from core.reports.figures import Tally
from core.reports.metrics import HANDOFFS, REOPENING, STATUS_CHANGE, count_if, within
from core.reports.period import Period, ReportFilter
from core.reports.sql import epoch, epoch_day, filtered, utc_day
from core.settings import DeskSettings
from core.storage.models import AuditRow, SlaEventRow, SuggestionRow, TicketRow
from core.storage.report_models import RatingRow

VALUES = 9
KEYED = ("resolved_by", "suggested")  # added up by key over all the days, not per day
BY_DAY = ("opened", "moved")  # the tickets per day
BY_CATEGORY = ("answered", "fixed")
DIMENSIONS = ("team", "kind", "category", "service", "platform", "priority")


def _dimensions(*, by_priority: bool) -> list[ColumnElement[Any]]:
    """What the report filters on, and the priority where the figure is told apart by it (only opened: every
    other figure's rows would be several times as many for nothing)."""
    return [TicketRow.team.label("team"), TicketRow.kind.label("kind"), TicketRow.category.label("category"),
            TicketRow.service.label("service"), TicketRow.origin_platform.label("platform"),
            (TicketRow.priority if by_priority else literal("")).label("priority")]


def _row(figure: str, day: ColumnElement[str], key: ColumnElement[str] | None,
         values: Sequence[ColumnElement[Any]], title: ColumnElement[str] | None = None) -> list[ColumnElement[Any]]:
    padded = [*values, *([literal(0.0)] * (VALUES - len(values)))]
    return [literal(figure).label("figure"), day.label("day"), *_dimensions(by_priority=figure == "opened"),
            (key if key is not None else literal("")).label("key"),
            (title if title is not None else literal("")).label("title"),
            *(func.coalesce(value, 0.0).label(f"v{n}") for n, value in enumerate(padded))]


def _grouped(statement: Select[Any], day: ColumnElement[str], key: ColumnElement[Any] | None, *,
             by_priority: bool = False) -> Select[Any]:
    return statement.group_by(day, TicketRow.team, TicketRow.kind, TicketRow.category, TicketRow.service,
                              TicketRow.origin_platform, *([TicketRow.priority] if by_priority else []),
                              *([key] if key is not None else []))


def opened(period: Period, filters: ReportFilter) -> Select[Any]:
    breaches = select(
        SlaEventRow.ticket_id,
        func.max(case((SlaEventRow.clock == "first_response", 1), else_=0)).label("response"),
        func.max(case((SlaEventRow.clock == "resolution", 1), else_=0)).label("resolution"),
    ).where(SlaEventRow.kind == "breach",
            # Found through the period's tickets (by ticket: an index), not through when they happened.
            SlaEventRow.ticket_id.in_(select(TicketRow.id).where(within(TicketRow.created_at, period))),
            ).group_by(SlaEventRow.ticket_id).subquery()
    handled = TicketRow.self_service.is_(false())
    response_breached = and_(handled, func.coalesce(breaches.c.response, 0) == 1)
    resolution_breached = and_(handled, func.coalesce(breaches.c.resolution, 0) == 1)
    day = utc_day(TicketRow.created_at)
    statement = select(*_row("opened", day, None, (
        func.count(), count_if(TicketRow.self_service.is_(True)),
        count_if(and_(handled, TicketRow.first_response_at.is_not(None), ~response_breached)),
        count_if(response_breached),
        count_if(and_(handled, TicketRow.resolved_at.is_not(None), ~resolution_breached)),
        count_if(resolution_breached),
    ))).select_from(TicketRow).outerjoin(breaches, breaches.c.ticket_id == TicketRow.id).where(
        within(TicketRow.created_at, period))
    return filtered(_grouped(statement, day, None, by_priority=True), filters)


def moved(period: Period, filters: ReportFilter) -> Select[Any]:
    day = utc_day(AuditRow.at)
    statement = select(*_row("moved", day, None, (
        count_if(AuditRow.new == Status.RESOLVED.value), count_if(AuditRow.new == Status.CLOSED.value),
        count_if(REOPENING), count_if(AuditRow.new == Status.CANCELLED.value),
    ))).select_from(AuditRow).join(TicketRow, TicketRow.id == AuditRow.ticket_id).where(
        STATUS_CHANGE, within(AuditRow.at, period),
        or_(AuditRow.new.in_((Status.RESOLVED.value, Status.CLOSED.value, Status.CANCELLED.value)), REOPENING))
    return filtered(_grouped(statement, day, None), filters)


def resolved_by(period: Period, filters: ReportFilter) -> Select[Any]:
    day = utc_day(AuditRow.at)
    resolver = cast(AuditRow.actor_id, String)
    statement = select(*_row("resolved_by", day, resolver, (func.count(),))).select_from(AuditRow).join(
        TicketRow, TicketRow.id == AuditRow.ticket_id).where(
        STATUS_CHANGE, within(AuditRow.at, period), AuditRow.new == Status.RESOLVED.value,
        # Requesters who solve their own tickets would make a row each: `flows.resolutions_by` looks those up
        # for the few people the workload names.
        AuditRow.actor_id.is_not(None), AuditRow.actor_id != TicketRow.requester_id)
    return filtered(_grouped(statement, day, AuditRow.actor_id), filters)


def suggested(period: Period, filters: ReportFilter) -> Select[Any]:
    day = utc_day(TicketRow.created_at)
    statement = select(*_row("suggested", day, SuggestionRow.slug, (
        func.count(), count_if(SuggestionRow.outcome == "solved"), count_if(SuggestionRow.outcome == "not_helpful"),
    ), title=func.max(SuggestionRow.title))).select_from(SuggestionRow).join(
        TicketRow, TicketRow.id == SuggestionRow.ticket_id).where(within(TicketRow.created_at, period))
    return filtered(_grouped(statement, day, SuggestionRow.slug), filters)


def first_contact(period: Period, filters: ReportFilter) -> Select[Any]:
    """Of the tickets IT resolved: those resolved by the first agent who took them (at most one assignment,
    none undone, resolved by the assignee), never escalated or handed back, never reopened."""
    trail = select(
        TicketRow.id.label("id"),
        count_if(AuditRow.action == "assign").label("assigns"),
        count_if(AuditRow.action.in_(HANDOFFS)).label("handoffs"),
        count_if(and_(STATUS_CHANGE, REOPENING)).label("reopens"),
        count_if(and_(STATUS_CHANGE, AuditRow.new == Status.RESOLVED.value, TicketRow.assignee_id.is_not(None),
                      or_(AuditRow.actor_id.is_(None), AuditRow.actor_id != TicketRow.assignee_id)))
        .label("others"),
    ).outerjoin(AuditRow, and_(AuditRow.ticket_id == TicketRow.id,
                               AuditRow.action.in_(("assign", "status", *HANDOFFS)))).where(
        within(TicketRow.resolved_at, period), TicketRow.self_service.is_(false())).group_by(TicketRow.id)
    trail = filtered(trail, filters).subquery("trail")
    day = utc_day(TicketRow.resolved_at)
    statement = select(*_row("first_contact", day, None, (func.count(), count_if(and_(
        trail.c.assigns <= 1, trail.c.handoffs == 0, trail.c.reopens == 0, trail.c.others == 0))))).select_from(
        trail).join(TicketRow, TicketRow.id == trail.c.id)
    return _grouped(statement, day, None)


def closed(period: Period, filters: ReportFilter) -> Select[Any]:
    day = utc_day(TicketRow.closed_at)
    statement = select(*_row("closed", day, None, (
        func.count(), func.count(RatingRow.ticket_id), func.sum(RatingRow.score), count_if(RatingRow.score >= 4),
        *(count_if(RatingRow.score == n) for n in range(1, 6)),
    ))).select_from(TicketRow).outerjoin(RatingRow, RatingRow.ticket_id == TicketRow.id).where(
        within(TicketRow.closed_at, period))
    return filtered(_grouped(statement, day, None), filters)


@contextmanager
def durations(session: Session, settings: DeskSettings, period: Period, filters: ReportFilter
              ) -> Iterator[Select[Any] | None]:
    """The answered and fixed tallies (wall-clock and business seconds), while the calendars' days table the
    select reads exists (None when there are no tickets)."""
    tables = calendar_days(session, settings, until=period.until)
    if tables is None:
        yield None
        return
    calendars, calendar_index = tables
    responded = within(TicketRow.first_response_at, period)
    resolved = and_(within(TicketRow.resolved_at, period), TicketRow.self_service.is_(false()))
    # Each ticket's instants in epoch seconds. The tickets answered or resolved in the period are said so that
    # an index on each instant serves.
    chosen = filtered(select(
        *_dimensions(by_priority=False)[:5], calendar_index.label("calendar"),
        epoch(TicketRow.created_at).label("reported"),
        case((responded, epoch(TicketRow.first_response_at))).label("answered"),
        case((resolved, epoch(TicketRow.resolved_at))).label("fixed"),
        case((responded, utc_day(TicketRow.first_response_at))).label("answered_day"),
        case((resolved, utc_day(TicketRow.resolved_at))).label("fixed_day"),
    ).where(or_(responded, resolved)), filters)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite would fold this into the query below and work each instant out again wherever it is used; an
        # OFFSET has it work them out once. (PostgreSQL folds it, and runs it on parallel workers.)
        chosen = chosen.offset(0)
    instants = chosen.subquery("instants")
    with days_table(session, calendars) as days:
        widest = max(table.widest for table in calendars)
        joined: Any = instants
        business = []
        for n, instant in enumerate((instants.c.reported, instants.c.answered, instants.c.fixed)):
            day = days.alias(f"d{n}")
            joined = joined.outerjoin(day, and_(day.c.calendar == instants.c.calendar,
                                                day.c.day == epoch_day(instant)))
            business.append(in_business(day, instant, widest))
        c = instants.c
        dimensions = [c.team, c.kind, c.category, c.service, c.platform]
        # Each ticket's business seconds worked out once, for both figures (a select each would join the days
        # table three times over again).
        timed = select(*dimensions, c.answered_day, c.fixed_day,
                       (c.answered - c.reported).label("answered_wall"), (business[1] - business[0]).label(
                           "answered_business"),
                       (c.fixed - c.reported).label("fixed_wall"), (business[2] - business[0]).label("fixed_business"),
                       ).select_from(joined).cte("timed")
        kept = [timed.c[column.name] for column in dimensions]
        parts = []
        for figure in ("answered", "fixed"):
            day_of, wall, until_then = (timed.c[f"{figure}_{part}"] for part in ("day", "wall", "business"))
            parts.append(select(
                literal(figure).label("figure"), day_of.label("day"), *kept, literal("").label("priority"),
                literal("").label("key"), literal("").label("title"),
                func.count(wall).label("v0"), func.coalesce(func.sum(wall), 0.0).label("v1"),
                func.count(until_then).label("v2"), func.coalesce(func.sum(until_then), 0.0).label("v3"),
                *(literal(0.0).label(f"v{n}") for n in range(4, VALUES)),
            ).where(wall.is_not(None)).group_by(day_of, *kept))
        yield union_all(*parts).subquery("durations").select()


@contextmanager
def every_tally(session: Session, settings: DeskSettings, period: Period, filters: ReportFilter
                ) -> Iterator[dict[str, Select[Any]]]:
    """The selects of every figure's tallies over `period`, for the tickets `filters` names, by name (the
    durations' select makes both answered and fixed)."""
    with durations(session, settings, period, filters) as times:
        yield {"opened": opened(period, filters), "moved": moved(period, filters),
               "resolved_by": resolved_by(period, filters), "suggested": suggested(period, filters),
               "first_contact": first_contact(period, filters),
               "closed": closed(period, filters), **({"durations": times} if times is not None else {})}


def counted(session: Session, settings: DeskSettings, *, period: Period, filters: ReportFilter,
            keyed_only: bool = False) -> list[Tally]:
    """The tallies of `period`, counted from the tickets now (only those by key with `keyed_only`)."""
    found: list[Any] = []
    if keyed_only:
        found = [*session.execute(resolved_by(period, filters)), *session.execute(suggested(period, filters))]
    else:
        with every_tally(session, settings, period, filters) as selects:
            for statement in selects.values():
                found.extend(session.execute(statement).all())
    return folded((row[0], row[1], row[7], row[4], row[8], row[9], tuple(row[10:10 + VALUES])) for row in found)


def folded(rows: Iterable[tuple[str, str, str, str, str, str, Sequence[Any]]]) -> list[Tally]:
    """Rows `figure, day, priority, category, key, title, values` added up per figure and what the report
    tells apart: the day (and the priority) for opened, the day for moved, the category for answered and
    fixed, the key for the figures by key; the others over the whole period."""
    sums: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(lambda: [0.0] * VALUES)
    titles: dict[tuple[str, str, str, str, str], str] = {}
    for figure, day, priority, category, key, title, values in rows:
        at = (figure, day if figure in BY_DAY else "", priority if figure == "opened" else "",
              category if figure in BY_CATEGORY else "", key or "" if figure in KEYED else "")
        total = sums[at]
        for n, value in enumerate(values):
            total[n] += float(value or 0)
        titles[at] = max(titles.get(at, ""), title or "")
    return [Tally(*at, title=titles[at], values=tuple(total)) for at, total in sums.items()]
