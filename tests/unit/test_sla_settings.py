"""The `desk.sla` and `desk.teams` config sections, and reading a `/clock` step."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.config import ConfigError, parse_config
from bot.simulated_clock import parse_step
from core.config.sla import parse_duration


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(text, environ={})
    return [str(p) for p in error.value.problems]


def test_without_a_config_the_desk_has_the_documented_targets_and_three_tiers() -> None:
    desk = parse_config("{}", environ={}).desk
    policy = desk.sla.policy()
    assert (policy.p1.first_response, policy.p1.resolution) == (timedelta(minutes=15), timedelta(hours=4))
    assert (policy.p4.first_response, policy.p4.resolution) == (timedelta(hours=8), timedelta(hours=72))
    assert policy.warn_at == 0.75
    assert [(t.name, t.tier) for t in desk.teams] == \
        [("service-desk", 1), ("network", 2), ("workplace", 2), ("infrastructure", 3)]
    assert (desk.sla.auto_close_business_days, desk.sla.digest_time()) == (7, time(8, 30))


def test_targets_override_one_priority_and_keep_the_others() -> None:
    sla = parse_config("desk:\n  sla:\n    targets:\n      P2: {first_response: 30m, resolution: 1h30m}\n",
                       environ={}).desk.sla
    assert sla.policy().p2.resolution == timedelta(hours=1, minutes=30)
    assert sla.policy().p3.resolution == timedelta(hours=24)


@pytest.mark.parametrize(("written", "minutes"), [("15m", 15), ("4h", 240), ("1h30m", 90), (" 2h ", 120)])
def test_durations_read_as_people_write_them(written: str, minutes: int) -> None:
    assert parse_duration(written) == timedelta(minutes=minutes)


@pytest.mark.parametrize("written", ["3d", "15", "0m", "soon", ""])
def test_a_duration_without_hours_or_minutes_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(written)


def test_calendar_with_country_holidays_and_local_hours() -> None:
    calendar = parse_config(
        "desk:\n  sla:\n    calendars:\n      default:\n        time_zone: Europe/Berlin\n"
        "        working_days: [mon, tue, wed, thu]\n        hours: ['08:00-12:00', '13:00-17:00']\n"
        "        holidays: [2026-12-24]\n        country: DE\n        subdivision: BY\n", environ={},
    ).desk.sla.calendars["default"].calendar(2026)
    assert calendar.working_weekdays == frozenset({0, 1, 2, 3})
    assert len(calendar.working_hours) == 2
    epiphany = {date(2026, 1, 6), date(2027, 1, 6)}  # a holiday in Bavaria, not in all Germany
    assert {date(2026, 12, 24), *epiphany} <= calendar.holidays


def test_each_sla_mistake_is_named_with_its_key() -> None:
    found = problems(
        "desk:\n  sla:\n    warn_at: 1.5\n    targets:\n      P5: {first_response: 1h, resolution: 2h}\n"
        "    calendars:\n      default: {time_zone: Mars/Olympus}\n      late: {hours: ['9-17']}\n"
    )
    assert any(p.startswith("desk.sla.warn_at:") for p in found)
    assert any(p.startswith("desk.sla.targets:") and "'P5'" in p for p in found)
    assert any(p.startswith("desk.sla.calendars.default:") and "Mars/Olympus" in p for p in found)
    assert any(p.startswith("desk.sla.calendars.late.hours:") and "09:00-17:00" in p for p in found)


def test_teams_need_a_first_line_known_people_and_known_calendars() -> None:
    assert problems("desk:\n  teams:\n    - {name: network, tier: 2}\n") == \
        ["desk.teams: no team has tier 1: name the first line (the service desk) so new tickets "
         "have a team"]
    assert problems("desk:\n  teams:\n    - {name: desk, tier: 1, on_call: Bob}\n") == \
        ["desk.teams: team 'desk': on_call 'Bob' is not a name in desk.people"]
    assert problems("desk:\n  teams:\n    - {name: desk, tier: 1, calendar: us}\n") == \
        ["desk.teams: team 'desk': no calendar 'us' in desk.sla.calendars"]
    assert any("lowercase" in p for p in problems("desk:\n  teams:\n    - {name: Service Desk, tier: 1}\n"))


@pytest.mark.parametrize(("written", "step"), [
    ("+2h", timedelta(hours=2)), ("+30m", timedelta(minutes=30)), ("+1d", timedelta(days=1)),
    ("1h30m", timedelta(hours=1, minutes=30)), ("+ 45s", timedelta(seconds=45)),
])
def test_the_clock_command_reads_steps(written: str, step: timedelta) -> None:
    assert parse_step(written) == step


@pytest.mark.parametrize("written", ["-1h", "+0m", "tomorrow", "+2x"])
def test_the_clock_command_refuses_what_it_cannot_read(written: str) -> None:
    with pytest.raises(ValueError):
        parse_step(written)
