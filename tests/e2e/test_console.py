"""`spoc run --adapter console` driven through stdin, as a person would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.processes import spoc

SCRIPT = """\
my laptop won't turn on
/as sam
/desk queue
/desk claim INC-1
/desk comment INC-1 Hold the power button for 30 seconds, then try again.
/desk note INC-1 vendor case 8812
/desk resolve INC-1 drained the battery; it boots
/as dana
/desk confirm INC-1
/desk frobnicate
"""



def test_report_claim_comment_resolve_confirm_through_the_console(tmp_path: Path) -> None:
    run = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=SCRIPT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "INC-1 opened: hardware, incident, P3" in out
    assert "[Claim] /desk claim INC-1" in out
    assert "Sam from IT is working on this." in out
    assert "Sam from IT: Hold the power button" in out
    assert "INC-1 is resolved. Is it fixed?" in out
    assert "[Yes, it's fixed] /desk confirm INC-1" in out
    assert "Thanks! INC-1 is closed." in out
    assert "Unknown command 'frobnicate'" in out
    dana_view = out.split("/as dana")[1]
    assert "vendor case 8812" not in dana_view

    listed = spoc("tickets", "list", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    [ticket] = json.loads(listed.stdout)
    assert (ticket["key"], ticket["status"], ticket["assignee"], ticket["requester"]) == \
        ("INC-1", "closed", "Sam", "Dana")
    assert set(ticket) >= {"key", "kind", "status", "priority", "title", "requester", "assignee", "created_at",
                           "updated_at"}


def test_tickets_show_gives_comments_and_audit_as_json(tmp_path: Path) -> None:
    spoc("run", "--adapter", "console", cwd=tmp_path, stdin=SCRIPT)
    shown = spoc("tickets", "show", "INC-1", "--format", "json", cwd=tmp_path)
    data = json.loads(shown.stdout)
    assert [c["internal"] for c in data["comments"]] == [False, True]
    assert [a["action"] for a in data["audit"]][:2] == ["opened", "assign"]
    missing = spoc("tickets", "show", "INC-999", cwd=tmp_path)
    assert missing.returncode == 1 and "No ticket INC-999" in missing.stderr


FIRST_RUN = """\
my laptop won't turn on
/quit
"""
SECOND_RUN = """\
the printer on floor 2 is jammed
/thread m1.1
it still does not turn on
/top
/as sam
/desk claim INC-1
/desk claim INC-2
"""


def test_a_second_run_on_the_same_database_takes_every_message_and_command(tmp_path: Path) -> None:
    first = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=FIRST_RUN)
    assert first.returncode == 0, first.stderr
    assert "(message m1.1)" in first.stdout and "INC-1 opened" in first.stdout

    second = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=SECOND_RUN)
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert "(message m2.1)" in out and "INC-2 opened" in out
    assert "arrived twice" not in out
    assert out.count("Sam from IT is working on this.") == 2

    listed = spoc("tickets", "list", "--format", "json", cwd=tmp_path)
    by_key = {t["key"]: t for t in json.loads(listed.stdout)}
    assert {k: (t["status"], t["assignee"]) for k, t in by_key.items()} == \
        {"INC-1": ("in_progress", "Sam"), "INC-2": ("in_progress", "Sam")}
    shown = json.loads(spoc("tickets", "show", "INC-1", "--format", "json", cwd=tmp_path).stdout)
    assert [c["body"] for c in shown["comments"]] == ["it still does not turn on"]
