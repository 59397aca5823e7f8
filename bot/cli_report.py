"""`spoc report`: the numbers of the desk as tables, JSON, CSV and PNG charts."""

from __future__ import annotations

import csv
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli_common import ConfigOption, LazyConsole, cell, config_or_exit
from core.text import csv_cell, json_text

if TYPE_CHECKING:
    from core.reports.report import Report

out = LazyConsole()
err = LazyConsole(stderr=True)
Format = Literal["table", "json", "csv"]


def report_command(
    config: ConfigOption = None,
    since: Annotated[str, typer.Option(help="Start: 30d, 12h, 4w (before --until), 2026-03-01 or an ISO "
                                            "time with offset.")] = "30d",
    until: Annotated[str | None, typer.Option(help="End (default now), same forms as --since.")] = None,
    team: Annotated[str | None, typer.Option(help="Only tickets of this team.")] = None,
    agent: Annotated[str | None, typer.Option(help="Only tickets assigned to this agent (name or e-mail).")] = None,
    kind: Annotated[str | None, typer.Option(help="incident, request, problem or change.")] = None,
    category: Annotated[str | None, typer.Option(help="Only tickets of this category.")] = None,
    service: Annotated[str | None, typer.Option(help="Only tickets of this service.")] = None,
    platform: Annotated[str | None, typer.Option(help="Only tickets reported on this chat platform.")] = None,
    format: Annotated[Format, typer.Option("--format", help="table, json or csv")] = "table",
    charts: Annotated[Path | None, typer.Option("--charts", help="Also draw the PNG charts into this "
                                                                 "directory.")] = None,
) -> None:
    """How well IT serves over a period: volume, backlog, MTTA/MTTR, SLA, first contact, deflection, CSAT.

    Example: spoc report --since 30d --team network --format json --charts out/
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bot.database_faults import reach_or_fault
    from core.reports.export import CSV_HEADER, csv_rows
    from core.reports.period import PeriodError, parse_period
    from core.reports.report import build_report
    from core.reports.scope import FilterError, read_filters
    from core.storage.database import Database

    settings = config_or_exit(config)
    now = datetime.now(UTC)
    try:
        period = parse_period(since, until, now=now)
    except PeriodError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if charts is not None:
        writable_or_exit(charts)
    reach_or_fault(settings.database.url)
    db = Database(settings.database.url)
    try:
        with db.deferred_sessions() as session:
            scope = read_filters(session, settings.desk, {
                "team": team, "agent": agent, "kind": kind, "category": category, "service": service,
                "platform": platform})
            report = build_report(session, settings.desk, period=period, filters=scope.filters, now=now,
                                  scope=scope.words)
    except FilterError as error:
        err.print(str(error), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except (OperationalError, ProgrammingError) as error:
        err.print(f"Cannot read the database ({type(error.orig).__name__}): run `spoc db upgrade` if it is "
                  "older than this spoc.", markup=False, highlight=False)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if format == "json":
        typer.echo(json_text(report.to_dict()))
    elif format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows([csv_cell(value) for value in row] for row in csv_rows(report))
    else:
        print_tables(report)
    if charts is not None:
        draw_charts(report, charts)


def writable_or_exit(directory: Path) -> None:
    """Find out before the report is computed that its charts could not be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".spoc-check-"):
            pass
    except OSError as error:
        err.print(f"Cannot write charts to {directory}: {error.strerror or error}. Give --charts a directory you "
                  "can write to.", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def draw_charts(report: Report, directory: Path) -> None:
    from core.reports.charts import charts_available, render_all

    if not charts_available():
        err.print("Charts need matplotlib: pip install matplotlib", markup=False, highlight=False)
        raise typer.Exit(1)
    for path in render_all(report, directory):
        err.print(f"chart: {path}", markup=False, highlight=False)


def print_tables(report: Report) -> None:
    from rich.table import Table
    from rich.text import Text

    from core.reports.export import hours, percent

    out.print(Text.assemble(("Report", "bold"), " ", cell(f"{report.period.describe()}; {report.scope}")),
              highlight=False)
    summary = Table("figure", "value", "how it is counted", title="Summary")
    v, fcr, d, s = report.volume, report.first_contact, report.deflection, report.satisfaction
    summary.add_row("opened", str(v.opened), "tickets reported in the period")
    summary.add_row("resolved / closed", f"{v.resolved} / {v.closed}", "status changes in the period")
    summary.add_row("reopened / cancelled", f"{v.reopened} / {v.cancelled}", "status changes in the period")
    for name, duration in (("MTTA", report.mtta), ("MTTR", report.mttr)):
        summary.add_row(name, f"{hours(duration.business_seconds)} business, {hours(duration.wall_seconds)} "
                              f"wall-clock", f"{duration.measured}; {duration.count} tickets")
    summary.add_row("first-contact resolution", percent(fcr.pct), f"{fcr.first_contact} of {fcr.resolved} "
                    "resolved by the first agent, no handoff or reopen")
    summary.add_row("deflection", percent(d.pct), f"{d.self_service} of {d.reports} reports solved by an article")
    summary.add_row("CSAT", f"{s.average if s.average is not None else '-'} / 5, {percent(s.satisfied_pct)} "
                    "satisfied", f"{s.rated} of {s.closed} closed tickets rated (satisfied: 4 or 5)")
    summary.add_row("backlog", str(report.backlog.total), f"open at {report.backlog.at:%Y-%m-%d %H:%M} UTC")
    r = report.requests
    summary.add_row("requests ordered / approved / rejected / done", f"{r.ordered} / {r.approved} / {r.rejected} / "
                    f"{r.done}", f"catalog orders placed in the period; rejection rate {percent(r.rejection_pct)}")
    summary.add_row("approval time", hours(r.approval.wall_seconds), f"{r.approval.name}, wall-clock; "
                    f"{r.approval.count} orders")
    out.print(summary)
    if r.fulfilment_by_item or r.fulfilment_by_team:
        fulfilment = Table("item or team", "count", "wall-clock", title="Fulfilment time (catalog)")
        for t in r.fulfilment_by_item:
            fulfilment.add_row(cell(f"item: {t.name}", limit=60), str(t.count), hours(t.wall_seconds))
        for t in r.fulfilment_by_team:
            fulfilment.add_row(cell(f"team: {t.name}", limit=60), str(t.count), hours(t.wall_seconds))
        out.print(fulfilment)
    sla = Table("priority", "response met", "response breached", "resolution met", "resolution breached",
                title="SLA attainment (tickets reported in the period)")
    for line in report.sla:
        sla.add_row(line.priority, f"{percent(line.response_pct)} ({line.response_met})", str(line.response_breached),
                    f"{percent(line.resolution_pct)} ({line.resolution_met})", str(line.resolution_breached))
    out.print(sla)
    backlog = Table("age", "open tickets", title="Backlog by age")
    for bucket in report.backlog.by_age:
        backlog.add_row(bucket.label, str(bucket.count))
    out.print(backlog)
    mttr = Table("category", "tickets", "business", "wall-clock", title="MTTR by category (report to resolved)")
    for times in report.mttr_by_category:
        mttr.add_row(cell(times.category, limit=60), str(times.count), hours(times.business_seconds),
                     hours(times.wall_seconds))
    out.print(mttr)
    if report.knowledge:
        kb = Table("article", "suggested", "solved it", "not helpful", title="Knowledge base")
        for article in report.knowledge[:15]:
            kb.add_row(cell(article.slug), str(article.suggested), str(article.solved), str(article.not_helpful))
        out.print(kb)
    if report.workload:
        work = Table("agent", "open assigned (now)", "resolved in period", title="Agent workload")
        for load in report.workload:
            work.add_row(cell(load.name, limit=60), str(load.open_assigned), str(load.resolved))
        out.print(work)
