"""Business time: business-hours calendars, SLA clocks over a ticket's status history, targets per
priority, and how durations and local times are written.

Plain synchronous functions over tz-aware UTC datetimes that read no clock and no database. `core.due`
applies them to tickets; `core.sla` watches the clocks.
"""

from __future__ import annotations

from core.business_time.calendar import (
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
from core.business_time.clock_accounting import (
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
from core.business_time.policy import SlaPolicy, SlaTargets

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
