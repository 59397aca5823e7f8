"""The IT leads' weekly digest: the report of the week before, in their channel on each platform.

Sent at `desk.reports.weekly_day` / `weekly_at` in the default calendar's time zone. The week's row in
`report_digests` and the digest's notifications commit together, and the row's primary key refuses a
second one: a restart, a late run or a second process never sends the same week twice. A digest missed
while spoc was down goes out once when it is back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from core.cards import Card
from core.config.sla import WEEKDAYS
from core.context import Ctx
from core.delivery import Destination
from core.reports import charts
from core.reports.card import report_card
from core.reports.period import Period, ReportFilter
from core.reports.report import build_report
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner
from core.storage.report_models import WeeklyReportRow
from core.teams import default_calendar

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


@scheduled("weekly-report", every=timedelta(minutes=5))
def send_weekly_report(runner: SystemRunner) -> datetime | None:
    """The scheduled job: send this week's digest if it is due and unsent; returns when the next is due.
    The report is computed and drawn without the write lock; the week is claimed and the digest sent in
    one short transaction after, so a second process (or a second run) sends nothing."""
    plan = runner.read_as_system(_plan)
    if plan is None or plan.sent:
        return plan.following if plan else None
    digest = runner.read_as_system(lambda ctx: _digest(ctx, plan))
    try:
        runner.run_as_system(lambda ctx: _claim_and_send(ctx, plan, digest))
    except IntegrityError:
        log.info("another process sent this week's report first; nothing sent twice")
        return None
    return plan.following


def latest_send_time(now: datetime, *, weekday: int, at: time, time_zone: str) -> datetime:
    """The last instant at or before `now` that is `weekday` at `at`, local to `time_zone`, in UTC."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    instant = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if instant > now:
        instant = datetime.combine(day - WEEK, at, tzinfo=zone).astimezone(UTC)
    return instant


@dataclass(frozen=True)
class _Week:
    key: str  # the ISO week, e.g. 2026-W10
    due: datetime
    following: datetime
    places: tuple[Destination, ...]
    sent: bool


def _plan(ctx: Ctx) -> _Week | None:
    settings = ctx.settings.reports
    places = tuple(Destination(platform, channel) for platform, channel in sorted(settings.leads_channels.items())
                   if platform in ctx.deps.platforms)
    if not settings.weekly_at or not places:
        return None
    hour, minute = (int(part) for part in settings.weekly_at.split(":"))
    zone = default_calendar(ctx.settings, around=ctx.now).time_zone
    due = latest_send_time(ctx.now, weekday=WEEKDAYS.index(settings.weekly_day), at=time(hour, minute),
                           time_zone=zone)
    local = due.astimezone(ZoneInfo(zone))
    following = datetime.combine(local.date() + WEEK, local.time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    year, week, _ = local.date().isocalendar()
    key = f"{year}-W{week:02d}"
    return _Week(key=key, due=due, following=following, places=places,
                 sent=ctx.session.get(WeeklyReportRow, key) is not None)


@dataclass(frozen=True)
class _Digest:
    card: Card
    chart: bytes | None = None  # PNG


def _digest(ctx: Ctx, week: _Week) -> _Digest:
    found = build_report(ctx.session, ctx.settings, period=Period(since=week.due - WEEK, until=week.due),
                         filters=ReportFilter(), now=ctx.now)
    card = report_card(found, title=f"Weekly IT service report ({week.key})")
    if not ctx.settings.reports.charts:
        return _Digest(card)
    return _Digest(card, charts.chat_chart(found))  # matplotlib is imported only as it draws


def _claim_and_send(ctx: Ctx, week: _Week, digest: _Digest) -> None:
    ctx.session.add(WeeklyReportRow(week=week.key, at=ctx.now))
    ctx.session.flush()  # a second process fails here, before it sends anything
    card = digest.card
    if digest.chart is not None:
        chart = ctx.outbox.attach(name=charts.CHAT_CHART, media_type=charts.PNG, data=digest.chart)
        card = replace(card, attachments=(chart,))
    for place in week.places:
        ctx.outbox.send(place, card)
