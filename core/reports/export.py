"""A report as words and as flat rows: durations people can read, and CSV for spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator

from core.reports.report import Report

CSV_HEADER = ("section", "item", "measure", "value")
Row = tuple[str, str, str, object]


def hours(seconds: float | None) -> str:
    """`2h 05m`, `3d 4h` (24-hour days), `45m`; a dash when there is nothing to show."""
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if days:
        return f"{days}d {h}h"
    return f"{h}h {m:02d}m" if h else f"{m}m"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


def csv_rows(report: Report) -> Iterator[Row]:
    """Every figure as (section, item, measure, value): one long table a spreadsheet pivots."""
    yield "period", "", "since", report.period.since.isoformat()
    yield "period", "", "until", report.period.until.isoformat()
    yield "period", "", "scope", report.scope
    for measure in ("opened", "resolved", "closed", "reopened", "cancelled"):
        yield "volume", "", measure, getattr(report.volume, measure)
    backlog = report.backlog
    yield "backlog", "", "at", backlog.at.isoformat()
    yield "backlog", "", "total", backlog.total
    yield "backlog", "", "oldest_seconds", _number(backlog.oldest_seconds)
    for status, count in backlog.by_status.items():
        yield "backlog", status, "tickets", count
    for bucket in backlog.by_age:
        yield "backlog_age", bucket.label, "tickets", bucket.count
    for name, duration in (("mtta", report.mtta), ("mttr", report.mttr)):
        yield name, "", "measured", duration.measured
        yield name, "", "tickets", duration.count
        yield name, "", "wall_seconds", _number(duration.wall_seconds)
        yield name, "", "business_seconds", _number(duration.business_seconds)
    for line in report.sla:
        for measure in ("response_met", "response_breached", "response_pct", "resolution_met",
                        "resolution_breached", "resolution_pct"):
            yield "sla", line.priority, measure, _number(getattr(line, measure))
    fcr = report.first_contact
    yield from (("first_contact", "", "resolved", fcr.resolved), ("first_contact", "", "first_contact",
                fcr.first_contact), ("first_contact", "", "pct", _number(fcr.pct)))
    d = report.deflection
    yield from (("deflection", "", "reports", d.reports), ("deflection", "", "self_service", d.self_service),
                ("deflection", "", "pct", _number(d.pct)))
    s = report.satisfaction
    for measure in ("closed", "rated", "average", "satisfied", "satisfied_pct", "response_pct"):
        yield "csat", "", measure, _number(getattr(s, measure))
    for score, count in enumerate(s.by_score, start=1):
        yield "csat", str(score), "ratings", count
    for article in report.knowledge:
        for measure in ("suggested", "solved", "not_helpful"):
            yield "knowledge", article.slug, measure, getattr(article, measure)
    for load in report.workload:
        yield "workload", load.name, "open_assigned", load.open_assigned
        yield "workload", load.name, "resolved", load.resolved
    for times in report.mttr_by_category:
        yield "mttr_by_category", times.category, "tickets", times.count
        yield "mttr_by_category", times.category, "wall_seconds", _number(times.wall_seconds)
        yield "mttr_by_category", times.category, "business_seconds", _number(times.business_seconds)
    r = report.requests
    for measure in ("ordered", "approved", "rejected", "expired", "done", "rejection_pct"):
        yield "requests", "", measure, _number(getattr(r, measure))
    yield "requests", "", "approval_wall_seconds", _number(r.approval.wall_seconds)
    for group, times in (("fulfilment_by_item", r.fulfilment_by_item), ("fulfilment_by_team", r.fulfilment_by_team)):
        for t in times:
            yield group, t.name, "count", t.count
            yield group, t.name, "wall_seconds", _number(t.wall_seconds)
    for day in report.daily:
        yield "daily", day.day, "opened", day.opened
        yield "daily", day.day, "resolved", day.resolved


def _number(value: float | int | None) -> object:
    if value is None:
        return ""
    return round(value, 2) if isinstance(value, float) else value
