"""Ordering in the console: the item's questions one at a time, bad answers asked again, as a person would."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.processes import spoc

SCRIPT = """\
/desk order
/desk order shared-drive-access
\\\\files\\finance
7
read
I audit the books
/desk order guest-wifi
Jo <!channel>
2020-01-01
2030-01-07
abc
3
/desk order vpn-access
/cancel
/desk orders
"""


def test_an_order_asks_field_by_field_and_asks_again_after_a_bad_answer(tmp_path: Path) -> None:
    run = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=SCRIPT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "shared-drive-access: Access to a shared drive (needs approval)" in out
    assert "? Which share or folder?" in out and "  1. read\n  2. read and write" in out
    assert "--access is read or read and write, not '7'." in out
    assert "REQ-1 ordered: Access to a shared drive." in out
    assert "is in the past: give today" in out
    assert "--days must be a number from 1 to 14, not 'abc'" in out
    assert "REQ-2 ordered: A guest Wi-Fi account. REQ-2 is approved (no approval needed)." in out
    assert "Form left; nothing was sent." in out
    assert "REQ-2 A guest Wi-Fi account: being fulfilled" in out
    assert "\x1b" not in out


CONFIG = """\
desk:
  people:
    - {name: Sam, email: sam@example.com, role: agent, ids: {console: sam}}
    - {name: Lee, email: lee@example.com, role: admin, ids: {console: lee}}
    - {name: Mia, email: mia@example.com, ids: {console: mia}}
    - {name: Dana, email: dana@example.com, ids: {console: dana}, manager: Mia}
kb: {load_starter: false}
"""
JOURNEY = """\
I need access to the finance share
/desk order shared-drive-access
\\\\files\\finance
read
I audit the books
/as mia
/desk order approve REQ-2
/as sam
/desk tasks
/desk claim TSK-3
/desk check TSK-3 all
/desk resolve TSK-3 added to the finance group
/as dana
/desk confirm REQ-2
/as lee
/desk report 1d
"""


def test_an_order_approved_fulfilled_confirmed_and_counted_end_to_end_in_the_console(tmp_path: Path) -> None:
    (tmp_path / "spoc.yaml").write_text(CONFIG, encoding="utf-8")
    run = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=JOURNEY)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "[Order: Access to a shared drive] /desk order shared-drive-access" in out
    assert "REQ-2 ordered: Access to a shared drive. REQ-2 awaits approval by Mia." in out
    card = out.split("[@mia] spoc")[1]
    assert "Approve REQ-2? Access to a shared drive" in card
    assert "[Approve] /desk order approve REQ-2" in card
    assert "[Reject] /desk order reject REQ-2 <Why reject it?>" in card
    assert "You approved REQ-2." in out
    assert "TSK-3 infrastructure: Grant access to the share" in out
    assert "REQ-2 is done. Is it working?" in out
    assert "Thanks! REQ-2 is closed." in out
    assert "Requests (catalog): 1 ordered · 1 approved · 0 rejected (0%) · 1 done" in out
