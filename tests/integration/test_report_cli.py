"""`spoc report` over the hand-computed week: tables, JSON, CSV and charts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.clock import ManualClock
from core.service import Desk
from core.settings import DeskSettings
from tests.conftest import DEFAULT_PEOPLE
from tests.fakes import FakeKnowledgeBase
from tests.integration.report_helpers import build_week

WEEK = ["--since", "2026-03-02", "--until", "2026-03-03T17:00+00:00"]


@pytest.fixture
def spoc(make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
         knowledge: FakeKnowledgeBase) -> Callable[..., tuple[int, str, str]]:
    build_week(make_desk(database_url, settings=DeskSettings(people=DEFAULT_PEOPLE)), clock, knowledge)

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["report", *args], env={"SPOC_DATABASE_URL": database_url,
                                                                 "SPOC_CONFIG": ""})
        return result.exit_code, result.stdout, result.stderr

    return run


def test_json_has_every_figure(spoc: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = spoc(*WEEK, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["volume"] == {"opened": 6, "resolved": 5, "closed": 2, "reopened": 1, "cancelled": 1}
    assert (data["mtta"]["wall_seconds"], data["mtta"]["business_seconds"]) == (34200.0, 15000.0)
    assert data["mttr"]["measured"] == "from report to resolved (self-service left out)"
    assert (data["first_contact"]["pct"], data["deflection"]["pct"], data["satisfaction"]["average"]) == \
        (33.3, 16.7, 3.5)


def test_csv_is_one_long_table_for_spreadsheets(spoc: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = spoc(*WEEK, "--format", "csv", "--kind", "incident")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["section", "item", "measure", "value"]
    assert ["volume", "", "opened", "4"] in rows
    assert ["sla", "P3", "response_pct", "66.7"] in rows
    assert ["period", "", "scope", "kind incident"] in rows


def test_tables_say_how_each_figure_is_counted(spoc: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = spoc(*WEEK, "--agent", "sam")
    assert code == 0
    assert "agent Sam" in out
    assert "MTTA" in out and "SLA attainment" in out and "Agent workload" in out


def test_charts_are_written_as_png_files(spoc: Callable[..., tuple[int, str, str]], tmp_path: Path,
                                         database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("drawing does not depend on the database")
    code, _, err = spoc(*WEEK, "--format", "json", "--charts", str(tmp_path / "out"))
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["backlog-age.png", "mttr-by-category.png", "sla-by-priority.png", "volume.png"]
    assert all((tmp_path / "out" / n).read_bytes().startswith(b"\x89PNG") for n in names)
    assert "chart: " in err


def test_mistakes_are_named_with_exit_code_2(spoc: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = spoc("--since", "last tuesday")
    assert code == 2 and "Cannot read 'last tuesday' as a time" in err
    code, _, err = spoc(*WEEK, "--team", "nope")
    assert code == 2 and "No team 'nope'" in err
    code, _, err = spoc("--since", "2026-03-05", "--until", "2026-03-01")
    assert code == 2 and "ends" in err


def test_a_span_reaching_before_1970_is_refused_in_one_line(spoc: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = spoc("--since", "1000000d")
    assert (code, out) == (2, "")
    assert err == "'1000000d' reaches back before 1970: give a shorter span (like 365d) or a date (like 2024-01-01).\n"
    code, _, err = spoc("--since", "99999999999999d")
    assert code == 2 and err.startswith("'99999999999999d' reaches back before 1970")
    code, _, err = spoc("--since", "1900-01-01")
    assert code == 2 and err == "'1900-01-01' is before 1970: give a later date (like 2024-01-01).\n"


def test_a_charts_directory_that_cannot_be_written_is_refused_before_the_report(
        spoc: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = spoc(*WEEK, "--charts", str(blocker / "charts"))
    assert (code, out) == (2, "")
    assert err == (f"Cannot write charts to {blocker}/charts: Not a directory. Give --charts a directory you can "
                   "write to.\n")
    code, out, err = spoc(*WEEK, "--charts", "/proc/nope")
    assert (code, out) == (2, "")
    assert err.startswith("Cannot write charts to /proc/nope: ")
