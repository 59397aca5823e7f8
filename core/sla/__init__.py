"""SLA arithmetic: business-hours calendars, clocks over ticket history, and targets per priority.

What this package exports are plain synchronous functions over tz-aware UTC datetimes that read no clock
and no database (calendar, clock_accounting, policy). Its other modules apply them to the desk: settings
(the config sections), due (due dates on tickets), sweep (warnings and breaches), escalation, housekeeping
(hold reminders, auto-close, digests) and jobs (what the scheduler runs).
"""

from __future__ import annotations

from core.sla.calendar import (
    ALL_DAY,
    EVERY_DAY,
    MONDAY_TO_FRIDAY,
    NINE_TO_FIVE,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
    next_opening,
)
from core.sla.clock_accounting import (
    ClockReading,
    ClockState,
    SlaClock,
    StatusChange,
    clock_state_of,
    due_at,
    elapsed_business_time,
    read_clock,
    share_elapsed,
)
from core.sla.policy import SlaPolicy, SlaTargets

__all__ = [
    "ALL_DAY",
    "EVERY_DAY",
    "MONDAY_TO_FRIDAY",
    "NINE_TO_FIVE",
    "BusinessCalendar",
    "ClockReading",
    "ClockState",
    "SlaClock",
    "SlaPolicy",
    "SlaTargets",
    "StatusChange",
    "add_business_time",
    "business_time_between",
    "clock_state_of",
    "due_at",
    "elapsed_business_time",
    "is_business_time",
    "next_opening",
    "read_clock",
    "share_elapsed",
]
