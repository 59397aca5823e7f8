"""`spoc tickets list`: limits, filters, and a line that says how many of how many it shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from bot.cli import app
from core.clock import ManualClock
from core.service import Desk
from core.storage.models import PersonRow, TicketRow
from tests.conftest import DANA, KIM, SAM, Chat

Spoc = Callable[..., tuple[int, str, str]]


@pytest.fixture
def spoc(desk: Desk, database_url: str, clock: ManualClock) -> Spoc:
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "I need access to the finance share")
    clock.advance(timedelta(days=10))
    chat.say(KIM, "the printer on floor 2 is jammed")
    chat.desk_command(SAM, "claim INC-1")

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["tickets", "list", *args],
                                    env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": "", "COLUMNS": "200"})
        return result.exit_code, result.stdout, result.stderr

    return run


def add_old_tickets(desk: Desk, count: int) -> None:
    """`count` more tickets by Dana, written straight into the table (faster than chat for hundreds)."""
    def write(session) -> None:  # type: ignore[no-untyped-def]
        dana = session.scalar(select(PersonRow).where(PersonRow.display_name == "Dana"))
        first = session.get(TicketRow, 1)
        session.execute(insert(TicketRow), [
            {"kind": "incident", "status": "new", "title": f"old report {n}", "description": f"old report {n}",
             "category": "general", "impact": 3, "urgency": 3, "priority": "P4", "requester_id": dana.id,
             "origin_platform": "console", "origin_channel": "it-help", "created_at": first.created_at,
             "updated_at": first.created_at, "version": 1} for n in range(count)])
    desk.db.run(write)


def keys(out: str) -> list[str]:
    return [row["key"] for row in json.loads(out)]


def test_the_table_says_how_many_it_shows_of_how_many(desk: Desk, spoc: Spoc) -> None:
    add_old_tickets(desk, 600)
    code, out, _ = spoc()
    assert code == 0
    assert out.rstrip().splitlines()[-1] == "showing 500 of 603 tickets; --limit N or --all for more"
    code, out, _ = spoc("--limit", "2")
    assert out.rstrip().splitlines()[-1] == "showing 2 of 603 tickets; --limit N or --all for more"
    code, out, _ = spoc("--all")
    assert out.rstrip().splitlines()[-1] == "603 tickets"


def test_json_streams_every_ticket_when_asked_and_says_when_it_cut(desk: Desk, spoc: Spoc) -> None:
    add_old_tickets(desk, 600)
    code, out, err = spoc("--format", "json", "--all")
    assert code == 0 and len(keys(out)) == 603 and err == ""
    assert keys(out)[0] == "INC-603" and keys(out)[-3:] == ["INC-3", "REQ-2", "INC-1"]  # by number, newest first
    code, out, err = spoc("--format", "json")
    assert len(keys(out)) == 500 and err == "showing 500 of 603 tickets; --all for every one\n"


def test_filters_by_kind_assignee_requester_and_since(spoc: Spoc) -> None:
    assert keys(spoc("--format", "json", "--kind", "request")[1]) == ["REQ-2"]
    assert keys(spoc("--format", "json", "--assignee", "sam")[1]) == ["INC-1"]
    assert keys(spoc("--format", "json", "--assignee", "none")[1]) == ["INC-3", "REQ-2"]
    assert keys(spoc("--format", "json", "--requester", "Kim")[1]) == ["INC-3", "REQ-2"]
    assert keys(spoc("--format", "json", "--since", "2026-03-05", "--requester", "kim")[1]) == ["INC-3"]
    assert keys(spoc("--format", "json", "--status", "in_progress")[1]) == ["INC-1"]


def test_a_filter_that_cannot_be_read_is_named_with_exit_2(spoc: Spoc) -> None:
    assert spoc("--assignee", "zed") == (2, "", "--assignee: No one is known as 'zed'. Use an @mention, an e-mail "
                                                "or the name of an agent.\n")
    code, out, err = spoc("--since", "yesterday")
    assert (code, out) == (2, "")
    assert err == ("--since: Cannot read 'yesterday' as a time: write 30d, 12h, 4w, 2026-03-01 or "
                   "2026-03-01T09:00+01:00.\n")
