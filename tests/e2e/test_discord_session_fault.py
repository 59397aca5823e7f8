"""Fault (d) of bench/faults.py, small: `spoc run --adapter discord` as a real process loses its gateway session
(op 9, no new session for a few seconds) while reports and replies keep arriving; after the next READY every
one is a ticket or comment exactly once and every notification is delivered once."""

from __future__ import annotations

from pathlib import Path

from bench.discord_fault import gateway_session_lost
from tests.adapters.discord.conftest import require_discord_data


async def test_reports_written_while_the_gateway_session_is_lost_become_tickets_once_after_the_new_session(
    tmp_path: Path,
) -> None:
    require_discord_data()
    tally, seen = await gateway_session_lost(workdir=tmp_path, seconds=6, fault_seconds=4, rate=3,
                                             settle_seconds=60)
    assert seen["identifies"] == 2 and seen["written_without_session"] > 0
    assert tally.reports > 10 and tally.comments_sent > 0
    assert (tally.lost, tally.twice, tally.comments_lost, tally.comments_twice) == (0, 0, 0, 0)
    assert (tally.notifications_pending, tally.notifications_dead, tally.posted_twice) == (0, 0, 0)
    assert seen["exit_code_after_sigterm"] == 0
