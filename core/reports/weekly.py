"""The IT leads' weekly digest: the report of the week before, in their channel on each platform.

Sent at `desk.reports.weekly_day` / `weekly_at` in the default calendar's time zone. The week's row in
`report_digests` and the digest's notifications commit together, and the row's primary key refuses a
second one: a restart, a late run or a second process never sends the same week twice. A digest missed
while spoc was down goes out once when it is back.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from core.context import Ctx
from core.delivery import Destination
from core.reports.card import report_card
from core.reports.period import Period, ReportFilter
from core.reports.report import build_report
from core.sla.settings import WEEKDAYS
from core.sla.sweep import SystemRunner
from core.sla.teams import default_calendar
from core.storage.report_models import WeeklyReportRow

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


def send_weekly_report(runner: SystemRunner) -> datetime | None:
    """The scheduled job: send this week's digest if it is due and unsent; returns when the next is due."""
    try:
        return runner.run_as_system(_weekly)
    except IntegrityError:
        log.info("another process sent this week's report first; nothing sent twice")
        return None


def latest_send_time(now: datetime, *, weekday: int, at: time, time_zone: str) -> datetime:
    """The last instant at or before `now` that is `weekday` at `at`, local to `time_zone`, in UTC."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    instant = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if instant > now:
        instant = datetime.combine(day - WEEK, at, tzinfo=zone).astimezone(UTC)
    return instant


def _weekly(ctx: Ctx) -> datetime | None:
    settings = ctx.settings.reports
    places = [Destination(platform, channel) for platform, channel in sorted(settings.leads_channels.items())
              if platform in ctx.deps.platforms]
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
    if ctx.session.get(WeeklyReportRow, key) is not None:
        return following
    ctx.session.add(WeeklyReportRow(week=key, at=ctx.now))
    ctx.session.flush()  # a second process fails here, before it sends anything
    found = build_report(ctx.session, ctx.settings, period=Period(since=due - WEEK, until=due),
                         filters=ReportFilter(), now=ctx.now)
    card = report_card(found, title=f"Weekly IT service report ({key})")
    if settings.charts:
        from core.reports.charts import main_chart  # matplotlib is imported only now

        chart = main_chart(found, settings.chart_dir())
        if chart is not None:
            card = replace(card, image_path=str(chart))
    for place in places:
        ctx.outbox.send(place, card)
    return following
