"""`spoc run --simulated-clock`: time moves only when the console says `/clock +2h`.

Moving the clock runs what the scheduler would have run meanwhile, in order: it steps from one instant at
which a job has work (a warning, a breach, a reminder, a digest) to the next, so a P1 warns, breaches and
escalates at the moments it would in real life, within one command.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

from core.business_time.calendar import next_opening
from core.business_time.wording import local_time
from core.clock import ManualClock
from core.scheduling.jobs import run_all
from core.service import Desk
from core.settings import DeskSettings
from core.teams import default_calendar

MAX_STEPS = 1000
_STEP = re.compile(r"^\+?\s*((?:\d+\s*[dhms]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([dhms])")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_step(text: str) -> timedelta:
    """`+2h`, `+30m`, `+1d`, `+1h30m` (wall-clock time, not business time)."""
    match = _STEP.match(text.strip().lower())
    if match is None:
        raise ValueError(f"Cannot read {text.strip()!r}: move the clock like /clock +30m, /clock +2h or "
                         "/clock +1d.")
    step = timedelta()
    for amount, unit in _PART.findall(match.group(1)):
        step += timedelta(**{UNITS[unit]: int(amount)})
    if step <= timedelta(0):
        raise ValueError("The clock only moves forward: /clock +30m.")
    return step


def simulated_start(settings: DeskSettings, now: datetime) -> datetime:
    """Where a demo starts: now if the desk is open, else its next opening (so clocks run at once)."""
    start = next_opening(default_calendar(settings, around=now), now)
    return start.replace(second=0, microsecond=0)


class SimulatedClock:
    def __init__(self, *, desk: Desk, clock: ManualClock) -> None:
        self.desk = desk
        self.clock = clock

    def shown(self) -> str:
        zone = default_calendar(self.desk.deps.settings, around=self.clock.now()).time_zone
        return local_time(self.clock.now(), zone)

    def advance(self, step: timedelta) -> str:
        """Move the clock by `step`, running the scheduled jobs at every instant they have work."""
        target = self.clock.now() + step
        for _ in range(MAX_STEPS):
            upcoming = run_all(self.desk)
            now = self.clock.now()
            if now >= target:
                break
            stop = upcoming if upcoming is not None and now < upcoming < target else target
            self.clock.advance(stop - now)
        if self.clock.now() < target:  # more steps than MAX_STEPS: land on the target all the same
            self.clock.advance(target - self.clock.now())
            run_all(self.desk)
        return f"The clock is now {self.shown()}."

    async def command(self, rest: str) -> str:
        """The console's `/clock`: without an argument it tells the time."""
        if not rest.strip():
            return f"The clock shows {self.shown()}. Move it with /clock +30m, /clock +2h or /clock +1d."
        try:
            step = parse_step(rest)
        except ValueError as error:
            return str(error)
        return await asyncio.to_thread(self.advance, step)
