"""A report's charts as PNG, drawn with matplotlib's Agg canvas (no display, no global pyplot state): files
for `spoc report --charts`, bytes for chat (`chat_chart`).

matplotlib is imported only when a chart is drawn; `charts_available()` says whether it can be.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from core.reports.report import Report
from core.text import file_name, inert, shorten

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHAT_CHART = "tickets-per-day.png"
PNG = "image/png"
CHART_TITLE, CHART_LABEL = 90, 40
COLOURS = {"opened": "#4C72B0", "resolved": "#55A868", "response": "#4C72B0", "resolution": "#DD8452",
           "wall": "#8172B2", "business": "#DD8452"}


def chart_text(text: str, *, limit: int = CHART_TITLE) -> str:
    """Chart text's rule: inert, on one line, within `limit`, and with `$` escaped, since matplotlib reads
    `$...$` as mathematics to typeset (and fails on some of it)."""
    return shorten(" ".join(inert(text).split()), limit).replace("$", r"\$")


def charts_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas, explicitly: files only, never a window
    return figure, figure.subplots()


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _count_axis(axes: Axes, counts: list[int]) -> None:
    """A y axis of whole tickets from 0, at least 0..1 when there is nothing to count (matplotlib would
    otherwise centre an empty chart on a -0.04..0.04 axis)."""
    from matplotlib.ticker import MaxNLocator

    highest = max(counts, default=0)
    axes.set_ylim(0, highest * 1.1 if highest else 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def volume_chart(report: Report, path: Path) -> Path:
    """Tickets reported and resolutions per day."""
    return _save(volume_figure(report), path)


def volume_figure(report: Report) -> Figure:
    figure, axes = _figure()
    days = [date.fromisoformat(d.day) for d in report.daily]
    axes.plot(days, [d.opened for d in report.daily], marker="o", markersize=3, label="opened",
              color=COLOURS["opened"])
    axes.plot(days, [d.resolved for d in report.daily], marker="o", markersize=3, label="resolved",
              color=COLOURS["resolved"])
    axes.set_title(chart_text(f"Tickets per day, {report.scope}"))
    axes.set_ylabel("tickets")
    _count_axis(axes, [d.opened for d in report.daily] + [d.resolved for d in report.daily])
    axes.legend()
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    return figure


def backlog_chart(report: Report, path: Path) -> Path:
    """Open tickets by how long ago they were reported."""
    return _save(backlog_figure(report), path)


def backlog_figure(report: Report) -> Figure:
    figure, axes = _figure(7, 4)
    buckets = report.backlog.by_age
    bars = axes.bar([b.label for b in buckets], [b.count for b in buckets], color=COLOURS["opened"])
    axes.bar_label(bars)
    _count_axis(axes, [b.count for b in buckets])
    axes.set_title(f"Backlog by age at {report.backlog.at:%Y-%m-%d %H:%M} UTC ({report.backlog.total} open)")
    axes.set_ylabel("open tickets")
    return figure


def sla_chart(report: Report, path: Path) -> Path:
    """The share of SLA clocks met, by priority, for first response and for resolution."""
    figure, axes = _figure(7, 4)
    priorities = [line.priority for line in report.sla]
    positions = range(len(priorities))
    width = 0.38
    for offset, name, values in ((-width / 2, "response", [line.response_pct for line in report.sla]),
                                 (width / 2, "resolution", [line.resolution_pct for line in report.sla])):
        bars = axes.bar([p + offset for p in positions], [v or 0 for v in values], width, label=f"{name} met",
                        color=COLOURS[name])
        axes.bar_label(bars, labels=["-" if v is None else f"{v:.0f}%" for v in values])
    axes.set_xticks(list(positions), priorities)
    axes.set_ylim(0, 110)
    axes.set_ylabel("% met")
    axes.set_title("SLA attainment by priority")
    figure.legend(loc="outside lower center", ncols=2)
    return _save(figure, path)


def mttr_chart(report: Report, path: Path) -> Path:
    """Mean time from report to resolved, by category, in business and wall-clock hours."""
    rows = [c for c in report.mttr_by_category if c.count]
    figure, axes = _figure(8, max(3.0, 0.5 * len(rows) + 1.5))
    names = [c.category for c in rows]
    positions = range(len(names))
    height = 0.38
    for offset, name, values in ((-height / 2, "business", [c.business_seconds for c in rows]),
                                 (height / 2, "wall", [c.wall_seconds for c in rows])):
        axes.barh([p + offset for p in positions], [(v or 0) / 3600 for v in values], height,
                  label=f"{name} hours", color=COLOURS[name])
    axes.set_yticks(list(positions), [chart_text(name, limit=CHART_LABEL) for name in names])
    axes.invert_yaxis()
    axes.set_xlabel("hours from report to resolved")
    axes.set_title("MTTR by category")
    figure.legend(loc="outside lower center", ncols=2)
    return _save(figure, path)


CHARTS: dict[str, Callable[[Report, Path], Path]] = {
    "volume": volume_chart,
    "backlog-age": backlog_chart,
    "sla-by-priority": sla_chart,
    "mttr-by-category": mttr_chart,
}


def render_all(report: Report, directory: Path) -> list[Path]:
    """Every chart into `directory`, named after what it shows (volume.png, ...)."""
    return [draw(report, directory / file_name(name, suffix=".png")) for name, draw in CHARTS.items()]


def chat_chart(report: Report) -> bytes | None:
    """The chart a chat card shows (tickets per day), as PNG bytes; None without matplotlib."""
    if not charts_available():
        return None
    buffer = io.BytesIO()
    volume_figure(report).savefig(buffer, format="png")
    return buffer.getvalue()
