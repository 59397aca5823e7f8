"""A small week at the desk, with figures worked out by hand, for the report tests.

Monday 2 March 2026, the desk works 09:00-17:00 UTC on weekdays (the default calendar). Six reports at
Monday 09:00:

    INC-1 Dana  laptop   claimed 10:00, resolved 12:00, confirmed 12:30, rated 5
    INC-2 Kim   printer  claimed 11:30, on hold 12:00 to Tue 10:00, resolved Tue 11:00, rejected Tue 12:00
                         (reopened), resolved again Tue 14:00, confirmed 14:30, rated 2
    INC-3 Ann   vpn      nobody answers: the SLA sweep breaches its first response at Mon 13:00 and
                         escalates it to Network; Sam claims Tue 10:00, gives it to Lee at 10:30, Lee resolves
                         Tue 11:00
    INC-4 Bo    password solved by the suggested article at 09:10 (self-service)
    REQ-5 Kim   finance share: the article did not help; never answered, its first response breached by the
                         sweep on Tue 17:00 (P4, 8 business hours)
    REQ-6 Dana  visio    cancelled by Dana at 10:00

The report is made at Tuesday 17:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import ManualClock
from core.knowledge import Suggestion
from core.service import Desk
from core.sla.sweep import sweep_sla
from tests.conftest import DANA, KIM, SAM, Chat, person
from tests.fakes import FakeKnowledgeBase

ANN, BO, LEE = person("Ann"), person("Bo"), person("Lee")
HOUR = 3600.0


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


MONDAY, REPORTED_AT = utc(2, 9), utc(3, 17)


def at(clock: ManualClock, when: datetime) -> None:
    clock.advance(when - clock.now())


def build_week(desk: Desk, clock: ManualClock, knowledge: FakeKnowledgeBase) -> Chat:
    knowledge.suggestions["password"] = [Suggestion(slug="reset-password", title="Reset your password", score=0.9)]
    knowledge.suggestions["finance"] = [Suggestion(slug="shared-drives", title="Shared drives", score=0.8)]
    chat = Chat(desk)
    at(clock, MONDAY)
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "the printer is broken")
    chat.say(ANN, "the vpn keeps dropping")
    chat.say(BO, "my password doesn't work")
    chat.say(KIM, "I need access to the finance share")
    chat.say(DANA, "please install visio for me")
    at(clock, utc(2, 9, 10))
    chat.desk_command(BO, "kb solved INC-4 reset-password")
    chat.desk_command(KIM, "kb unhelpful REQ-5")
    at(clock, utc(2, 10))
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(DANA, "cancel REQ-6 no longer needed")
    at(clock, utc(2, 11, 30))
    chat.desk_command(SAM, "claim INC-2")
    at(clock, utc(2, 12))
    chat.desk_command(SAM, "resolve INC-1 new battery")
    chat.desk_command(SAM, "hold INC-2 waiting for toner")
    at(clock, utc(2, 12, 30))
    chat.desk_command(DANA, "confirm INC-1")
    chat.desk_command(DANA, "rate INC-1 5")
    at(clock, utc(2, 13, 5))
    sweep_sla(desk)
    at(clock, utc(3, 10))
    chat.desk_command(SAM, "resume INC-2")
    chat.desk_command(SAM, "claim INC-3")
    at(clock, utc(3, 10, 30))
    chat.desk_command(SAM, "assign INC-3 lee")
    at(clock, utc(3, 11))
    chat.desk_command(SAM, "resolve INC-2 replaced the toner")
    chat.desk_command(LEE, "resolve INC-3 router firmware")
    at(clock, utc(3, 12))
    chat.desk_command(KIM, "reject INC-2 still streaks")
    at(clock, utc(3, 14))
    chat.desk_command(SAM, "resolve INC-2 new drum")
    at(clock, utc(3, 14, 30))
    chat.desk_command(KIM, "confirm INC-2")
    chat.desk_command(KIM, "rate INC-2 2 took two tries")
    at(clock, REPORTED_AT)
    sweep_sla(desk)
    return chat
