"""How SLA instants and durations read in chat: local to the team's calendar, in plain words."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def local_time(at: datetime, time_zone: str) -> str:
    """`Mon 2 Mar 09:15 CET`: the weekday and time an agent in that zone reads on their own clock."""
    local = at.astimezone(ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}"


def local_date(at: datetime, time_zone: str) -> str:
    local = at.astimezone(ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y}"


def describe_duration(duration: timedelta) -> str:
    """`4 business hours`, `15 business minutes`, `1 business hour 30 minutes`."""
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    if not hours:
        return f"{minutes} business minute{'s' * (minutes != 1)}"
    text = f"{hours} business hour{'s' * (hours != 1)}"
    return text + (f" {minutes} minute{'s' * (minutes != 1)}" if minutes else "")
