"""The leads' dashboard: the report's figures and charts over a chosen period, built by the same code as
`spoc report` and `/desk report` (so the same definitions), for the people who may run `/desk report`.
`/dashboard.json` is the figures as `spoc report --format json` prints them. Figures and charts are kept
for everyone asking for the same period (`report_cache.py`), at most `web.dashboard_max_age` seconds old."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from adapters.web.app import WebApp
from adapters.web.report_cache import ReportCache
from core.reports.charts import CHARTS, charts_available, render_all
from core.reports.export import csv_rows, hours, percent
from core.reports.period import PeriodError, parse_period
from core.reports.report import Report, build_report
from core.reports.scope import FILTER_NAMES, FilterError, read_filters

log = logging.getLogger(__name__)
DEFAULT_SINCE = "30d"
CHART_ALT = {"volume": "Tickets opened and resolved per day", "backlog-age": "Open tickets by age",
             "sla-by-priority": "SLA met by priority", "mttr-by-category": "Mean time to resolve by category"}


@dataclass(frozen=True)
class Figures:
    """A report with what its page shows, drawn once for everyone who asks for its period."""

    report: Report
    headline: list[tuple[str, str, str]]
    rows: list[tuple[str, str, str, object]]
    charts: list[tuple[str, str]]


class Dashboard:
    def __init__(self, app: WebApp) -> None:
        self.app = app
        self.kept: ReportCache[Figures] = ReportCache(max_age=app.settings.dashboard_max_age)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/dashboard", self.app.signed_in(self.page)),
                web.get("/dashboard.json", self.app.signed_in(self.figures))]

    async def _lead(self, request: web.Request) -> bool:
        return (await self.app.viewer(request)).agent

    async def keep_warm(self, _server: web.Application) -> AsyncIterator[None]:
        """While the server runs: the default period's figures are computed as it starts, so the first lead
        to open the dashboard does not wait for the database."""
        warming = asyncio.create_task(self._warm(), name="dashboard-warm-up")
        yield
        warming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warming

    async def _warm(self) -> None:
        started = time.monotonic()
        try:
            await self._kept(_chosen({}))
        except Exception as error:  # the page computes them when asked, and says what went wrong
            log.warning("the dashboard's figures could not be computed ahead: %s", error)
            return
        log.info("dashboard figures for the last %s ready in %.1f s", DEFAULT_SINCE, time.monotonic() - started)

    async def _figures(self, request: web.Request) -> tuple[Figures | None, str, dict[str, str]]:
        chosen = _chosen(request.query)
        try:
            figures = await self._kept(chosen)
        except (PeriodError, FilterError) as error:
            return None, str(error), chosen
        return figures, "", chosen

    async def _kept(self, chosen: dict[str, str]) -> Figures:
        settings = self.app.desk.deps.settings

        def build() -> Figures:
            now = self.app.clock.now()
            period = parse_period(chosen["since"], chosen["until"] or None, now=now)
            with self.app.desk.db.deferred_sessions() as session, session.begin():
                scope = read_filters(session, settings, {name: chosen[name] for name in FILTER_NAMES})
                report = build_report(session, settings, period=period, filters=scope.filters, now=now,
                                      scope=scope.words)
            return Figures(report, _headline(report), list(csv_rows(report)), _charts(report))

        async def compute() -> Figures:
            return await asyncio.to_thread(build)

        return (await self.kept.get(tuple(sorted(chosen.items())), compute)).value

    async def page(self, request: web.Request) -> web.StreamResponse:
        if not await self._lead(request):
            return self.app.refuse(request, 403, "For IT agents", "The dashboard is for the people who may run "
                                                                 "`/desk report`. Your tickets are under My tickets.")
        figures, problem, chosen = await self._figures(request)
        if figures is None:
            return self.app.render(request, "dashboard.html", status=400, problem=problem, chosen=chosen,
                                   report=None, headline=[], rows=[], charts=[], filters=FILTER_NAMES,
                                   request_query="", max_age=0)
        return self.app.render(request, "dashboard.html", problem="", chosen=chosen, report=figures.report,
                               headline=figures.headline, rows=figures.rows, charts=figures.charts,
                               filters=FILTER_NAMES, request_query=request.query_string,
                               max_age=self.kept.max_age)

    async def figures(self, request: web.Request) -> web.StreamResponse:
        if not await self._lead(request):
            return web.json_response({"error": "The dashboard is for IT agents."}, status=403,
                                     headers=self.app.headers)
        figures, problem, _chosen = await self._figures(request)
        if figures is None:
            return web.json_response({"error": problem}, status=400, headers=self.app.headers)
        return web.json_response(figures.report.to_dict(), headers=self.app.headers)


def _chosen(query: Mapping[str, str]) -> dict[str, str]:
    """The period and filters a request asks for (the last 30 days when it names no period)."""
    chosen = {name: query.get(name, "").strip()[:200] for name in ("since", "until", *FILTER_NAMES)}
    chosen["since"] = chosen["since"] or DEFAULT_SINCE
    return chosen


def _headline(report: Report) -> list[tuple[str, str, str]]:
    """(label, value, how it is measured) of the figures leads look at first."""
    sla_met = sum(line.resolution_met for line in report.sla)
    sla_all = sla_met + sum(line.resolution_breached for line in report.sla)
    return [
        ("Opened", str(report.volume.opened), "tickets reported in the period"),
        ("Resolved", str(report.volume.resolved), "tickets resolved in the period"),
        ("Backlog", str(report.backlog.total), f"open at {report.backlog.at:%Y-%m-%d %H:%M} UTC"),
        ("MTTA", hours(report.mtta.business_seconds), f"business time, {report.mtta.measured}"),
        ("MTTR", hours(report.mttr.business_seconds), f"business time, {report.mttr.measured}"),
        ("SLA met", percent(round(100 * sla_met / sla_all, 1) if sla_all else None), "resolution targets"),
        ("First contact", percent(report.first_contact.pct), "resolved without a hand-off"),
        ("Deflection", percent(report.deflection.pct), "reports solved by self-service"),
        ("CSAT", percent(report.satisfaction.satisfied_pct), f"{report.satisfaction.rated} ratings"),
    ]


def _charts(report: Report) -> list[tuple[str, str]]:
    """(alt text, data: URI) of each chart, drawn as `spoc report --charts` draws them."""
    if not charts_available():
        return []
    with tempfile.TemporaryDirectory(prefix="spoc-dashboard-") as directory:
        paths = render_all(report, Path(directory))
        found: list[tuple[str, str]] = []
        for name, path in zip(CHARTS, paths, strict=True):
            data = base64.b64encode(path.read_bytes()).decode()
            found.append((CHART_ALT.get(name, name), f"data:image/png;base64,{data}"))
        return found

