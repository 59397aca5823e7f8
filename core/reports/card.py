"""A report as a chat card: the headline figures, each saying what it counts."""

from __future__ import annotations

from core.cards import Card, Field
from core.reports.export import hours, percent
from core.reports.figures import Duration
from core.reports.report import Report


def _duration(d: Duration) -> str:
    if not d.count:
        return "no tickets yet"
    tickets = "1 ticket" if d.count == 1 else f"{d.count} tickets"
    return f"{hours(d.business_seconds)} business, {hours(d.wall_seconds)} wall-clock ({tickets})"


def _requests(report: Report) -> tuple[Field, ...]:
    r = report.requests
    if not r.ordered:
        return ()
    teams = ", ".join(f"{t.name} {hours(t.wall_seconds)}" for t in r.fulfilment_by_team)
    return (Field("Requests (catalog)", f"{r.ordered} ordered · {r.approved} approved · {r.rejected} rejected "
                                        f"({percent(r.rejection_pct)}) · {r.done} done; approval took "
                                        f"{hours(r.approval.wall_seconds)} on average"),
            *((Field("Fulfilment by team (task opened to done)", teams),) if teams else ()))


def report_card(report: Report, *, title: str = "IT service report") -> Card:
    v, fcr, d, s, b = report.volume, report.first_contact, report.deflection, report.satisfaction, report.backlog
    sla = " · ".join(f"{line.priority} {percent(line.response_pct)} / {percent(line.resolution_pct)}"
                     for line in report.sla)
    ages = ", ".join(f"{bucket.count} {bucket.label}" for bucket in b.by_age if bucket.count)
    average = f"{s.average:.1f} / 5" if s.average is not None else "no ratings"
    fields = (
        Field("Tickets", f"{v.opened} opened · {v.resolved} resolved · {v.closed} closed · {v.reopened} reopened"),
        Field("MTTA (report to first response)", _duration(report.mtta)),
        Field("MTTR (report to resolved)", _duration(report.mttr)),
        Field("SLA met by priority (response / resolution)", sla),
        Field("First-contact resolution", f"{percent(fcr.pct)} ({fcr.first_contact} of {fcr.resolved} resolved)"),
        Field("Deflection", f"{percent(d.pct)} ({d.self_service} of {d.reports} reports solved by an article)"),
        Field("CSAT", f"{average}, {percent(s.satisfied_pct)} satisfied ({s.rated} of {s.closed} closed "
                      "tickets rated)"),
        Field("Backlog", f"{b.total} open" + (f": {ages}" if ages else "")),
        *_requests(report),
    )
    return Card(
        title=f"{title}: {report.period.describe()}",
        text=f"Scope: {report.scope}.",
        fields=fields,
        footer="`spoc report --since 30d --charts DIR` gives every figure as tables, JSON, CSV and charts.",
        more_command="spoc report",
    )
