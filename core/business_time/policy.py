"""SLA targets per priority, in business time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.business_time.clock_accounting import SlaClock

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class SlaTargets:
    first_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        if self.first_response <= timedelta(0) or self.resolution <= timedelta(0):
            raise ValueError(f"SLA targets must be positive, got {self.first_response} and {self.resolution}")

    def for_clock(self, clock: SlaClock) -> timedelta:
        return self.first_response if clock is SlaClock.FIRST_RESPONSE else self.resolution


@dataclass(frozen=True)
class SlaPolicy:
    """Business-time targets for P1 (most urgent) to P4, and the share of a target at which to warn."""

    p1: SlaTargets = SlaTargets(first_response=timedelta(minutes=15), resolution=timedelta(hours=4))
    p2: SlaTargets = SlaTargets(first_response=timedelta(hours=1), resolution=timedelta(hours=8))
    p3: SlaTargets = SlaTargets(first_response=timedelta(hours=4), resolution=timedelta(hours=24))
    p4: SlaTargets = SlaTargets(first_response=timedelta(hours=8), resolution=timedelta(hours=72))
    warn_at: float = 0.75

    def __post_init__(self) -> None:
        if not 0 < self.warn_at < 1:
            raise ValueError(f"warn_at is a share of the target between 0 and 1, got {self.warn_at}")

    def targets_for(self, priority: str) -> SlaTargets:
        """Targets for "P1" to "P4" (case and surrounding spaces ignored)."""
        key = priority.strip().upper()
        if key not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}: use one of {', '.join(PRIORITIES)}")
        targets: SlaTargets = getattr(self, key.lower())
        return targets

    def target(self, *, priority: str, clock: SlaClock) -> timedelta:
        return self.targets_for(priority).for_clock(clock)
