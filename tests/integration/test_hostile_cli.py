"""Hostile text through the command line: a ticket titled with Rich markup, escape sequences and a formula
is listed, shown and exported as the text it is, and the outbox lists its notifications."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.messages import Author
from core.service import Desk
from tests.conftest import Chat

HOSTILE = "printer [/red] broken [bold]now[/bold] \x1b[2J =cmd|' /C calc'!A0 \u202eexe.pdf"
EVE = Author(platform="console", user_id="eve", display_name='=HYPERLINK("https://evil.example","Eve")',
             is_agent=True)
MALLORY = Author(platform="console", user_id="mallory", display_name="[red]Mallory[/red] @everyone")


@pytest.fixture
def spoc(desk: Desk, database_url: str):  # type: ignore[no-untyped-def]
    chat = Chat(desk)
    chat.say(MALLORY, HOSTILE)
    chat.desk_command(EVE, "claim INC-1")

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args), env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": "",
                                                         "COLUMNS": "400"})
        return result.exit_code, result.stdout, result.stderr

    return run


def test_tickets_list_and_show_print_markup_as_text(spoc) -> None:  # type: ignore[no-untyped-def]
    code, out, err = spoc("tickets", "list")
    assert code == 0, err
    assert "printer [/red] broken [bold]now[/bold]" in out and "[red]Mallory[/red]" in out
    assert "\x1b" not in out and "\u202e" not in out
    code, out, err = spoc("tickets", "show", "INC-1")
    assert code == 0, err
    assert "INC-1 printer [/red] broken" in out and "\x1b" not in out


def test_json_exports_keep_the_text_and_are_inert(spoc) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = spoc("tickets", "show", "INC-1", "--format", "json")
    assert code == 0 and out.isascii() and "<" not in out
    assert json.loads(out)["title"].startswith("printer [/red] broken [bold]now[/bold]")
    code, out, _ = spoc("tickets", "list", "--format", "json")
    assert code == 0 and json.loads(out)[0]["requester"] == "[red]Mallory[/red] @everyone"


def test_the_outbox_lists_notifications_about_a_hostile_ticket(spoc) -> None:  # type: ignore[no-untyped-def]
    code, out, err = spoc("outbox", "list")
    assert code == 0, err
    assert "\x1b" not in out and "INC-1" in out


def test_report_csv_guards_formulas_and_tables_show_them_as_text(spoc) -> None:  # type: ignore[no-untyped-def]
    code, out, err = spoc("report", "--since", "30d", "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert ["workload", "'=HYPERLINK(\"https://evil.example\",\"Eve\")", "open_assigned", "1"] in rows
    assert not [value for row in rows for value in row if value.startswith(("=", "+", "@"))]
    code, out, err = spoc("report", "--since", "30d")
    assert code == 0, err
    assert '=HYPERLINK("https://evil.example","Eve")' in out
