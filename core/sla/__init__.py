"""The SLA process: the sweep that warns and breaches (and escalates one tier up), escalation by hand,
and the quieter scheduled work (hold reminders, auto-close, agents' digests).

The arithmetic it applies lives in `core.business_time`; due dates on tickets in `core.due`; teams and
tiers in `core.teams`.
"""
