"""Journey 4 through `spoc run --adapter console`: an outage, told before anyone asks."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.processes import spoc

SCRIPT = """\
/as kim
/desk subscribe email
/as lee
/desk outage declare email "Outlook cannot connect"
/as dana
outlook not working
/as ben
my outlook won't connect
/as eva
is outlook down? it keeps asking for my password
/as lee
/desk outage update OUT-1 "Microsoft is rolling back a faulty update"
/desk outage resolve OUT-1 "Mail flows again"
/quit
"""


def test_an_outage_is_announced_reports_are_known_issues_and_each_reporter_hears_it_is_fixed(
    tmp_path: Path,
) -> None:
    run = spoc("run", "--adapter", "console", cwd=tmp_path, stdin=SCRIPT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    banner = re.search(r"\[#it-help\] spoc \((m\d+\.\d+)\):\n┌ OUT-1 · e-mail outage: Outlook cannot connect", out)
    assert banner, out
    declared = out.split("> /desk outage declare")[1].split("> /as dana")[0]
    assert "[@kim] spoc" in declared  # the subscriber, directly

    reports = re.findall(r"\(message (m\d+\.\d+)\)", out)
    assert len(reports) == 3
    for root in reports:
        assert f"[#it-help › {root}] spoc (m" in out
        assert re.search(rf"\[#it-help › {root}\] spoc \(m\d+\.\d+\): Known issue: e-mail outage \(OUT-1\)\. "
                         r"We will tell you when it is fixed\.", out)
        fixed = re.search(rf"\[#it-help › {root}\] spoc \(m\d+\.\d+\):\n┌ INC-\d+ is resolved\. Is it fixed\?\n"
                          r".*\n│ Resolution: The e-mail outage \(OUT-1\) is over: Mail flows again", out)
        assert fixed, root

    update = out.split("> /desk outage update")[1].split("> /desk outage resolve")[0]
    assert "[#it-help] spoc (updated):\n┌ OUT-1 · e-mail outage" in update
    assert f"[#it-help › {banner.group(1)}] spoc (m" in update and \
        "Update from Lee: Microsoft is rolling back a faulty update" in update
    resolved = out.split("> /desk outage resolve")[1]
    assert "[#it-help] spoc (updated):\n┌ Resolved: OUT-1 · e-mail outage" in resolved
    assert "OUT-1 resolved; 3 linked reports resolved with it." in resolved
