"""`spoc run --adapter console --simulated-clock`: a P1 warns, breaches and escalates as `/clock` moves."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.processes import spoc

CONFIG = """\
desk:
  people:
    - {name: Sam, role: agent, ids: {console: sam}}
    - {name: Nora, role: agent, ids: {console: nora}}
  teams:
    - {name: service-desk, display: Service Desk, tier: 1}
    - {name: network, display: Network, tier: 2, categories: [network], channels: {console: it-network},
       on_call: Nora}
    - {name: infrastructure, tier: 3, channels: {console: it-infra}}
kb:
  load_starter: false
"""

SCRIPT = """\
everyone in the whole office lost the wifi, urgent
/clock +10m
/clock +3m
/clock +5m
/clock next week
/quit
"""


def test_a_p1_warns_breaches_and_escalates_as_the_simulated_clock_moves(tmp_path: Path) -> None:
    (tmp_path / "spoc.yaml").write_text(CONFIG)
    run = spoc("run", "--adapter", "console", "--simulated-clock", "--clock-start", "2026-03-06T16:30+00:00",
               cwd=tmp_path, stdin=SCRIPT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("Simulated clock: Fri 6 Mar 16:30 UTC.")
    assert "INC-1 opened: network, incident, P1. First response within 15 business minutes." in out
    assert "SLA due: first response by Fri 6 Mar 16:45 UTC, resolution by Mon 9 Mar 12:30 UTC" in out

    quiet, warned, breached, garbled = out.split("> /clock ")[1:5]  # what each /clock line printed
    assert "The clock is now Fri 6 Mar 16:40 UTC." in quiet and "SLA warning" not in quiet
    assert "The clock is now Fri 6 Mar 16:43 UTC." in warned
    assert "[#it-triage] spoc (m1.4):\n┌ SLA warning: INC-1" in warned
    assert "The clock is now Fri 6 Mar 16:48 UTC." in breached
    assert "[#it-network] spoc" in breached and "┌ Escalated to Network: INC-1" in breached
    assert "│ @nora" in breached
    assert "[#it-help › m1.1] spoc (m1.6): Your ticket has been escalated to the Network team." in breached
    assert "Cannot read 'next week': move the clock like /clock +30m" in garbled
    # Posted once each; a card edited in place later (under load the edit can land after the post) is printed
    # as "(updated)", which is not a second warning or escalation.
    assert len(re.findall(r"spoc \(m[\d.]+\):\n┌ SLA warning: INC-1", out)) == 1, out
    assert len(re.findall(r"spoc \(m[\d.]+\):\n┌ Escalated to Network: INC-1", out)) == 1, out


def test_the_simulated_clock_needs_the_console(tmp_path: Path) -> None:
    run = spoc("run", "--adapter", "slack", "--simulated-clock", cwd=tmp_path)
    assert run.returncode == 2
    assert "--simulated-clock needs the console adapter" in run.stderr
