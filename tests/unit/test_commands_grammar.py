"""Typed commands: a verb's parameters read from a `/desk` line, from a form's answers and from typed
values alike, with the one-line answers a person gets when something is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.commands.forms import form_for
from core.commands.line import split_verb, strip_prefix
from core.commands.params import Choice, Day, Env, Flag, Keys, Number, Text, TicketKey, When, Word
from core.commands.syntax import Syntax
from core.errors import UsageError
from core.settings import DeskSettings

ENV = Env(settings=DeskSettings(), zone="Europe/Berlin")
VERBS = {"claim", "kb search", "kb", "comment"}
CLAIM = Syntax("claim", (TicketKey(name="ticket"),))
PRIORITY = Syntax("priority", (TicketKey(name="ticket"), Number(name="impact", low=1, high=3),
                               Number(name="urgency", low=1, high=3)), exact=True)
HOLD = Syntax("hold", (TicketKey(name="ticket"), Day(name="until", marker="until", required=False),
                       Text(name="reason", ask="Why on hold?")))
DECLARE = Syntax("outage declare", (Word(name="service"), Text(name="summary"),
                                    Text(name="impact", option=True, trailing=True, required=False)))
CHANGE = Syntax("change new", (Word(name="service", option=True, shown="S"), When(name="start", option=True),
                               Choice(name="risk", option=True, options=(("low", "Low"), ("high", "High"))),
                               Text(name="plan", option=True, shown="TEXT"), Flag(name="draft"),
                               Text(name="title", what="a title", shown="TITLE")),
                strict=True, missing="A change needs {missing}.")
PROBLEM = Syntax("problem new", (Text(name="title"), Keys(name="incidents", required=False)))


def values(syntax: Syntax, text: str = "", **answers: object) -> dict[str, object]:
    return dict(syntax.command(ENV, text=text, answers=answers).values)


def test_two_word_verbs_win_over_their_first_word_and_the_rest_is_kept_verbatim() -> None:
    assert split_verb("/desk kb search vpn drops", VERBS) == ("kb search", "vpn drops")
    assert split_verb("CLAIM  INC-1", VERBS) == ("claim", "INC-1")
    assert split_verb("comment INC-1 two  spaces kept", VERBS) == ("comment", "INC-1 two  spaces kept")
    assert strip_prefix("/desk claim INC-1") == strip_prefix("claim INC-1") == "claim INC-1"


def test_a_line_becomes_typed_values_by_parameter_name() -> None:
    assert values(PRIORITY, "INC-1 1 3") == {"ticket": "INC-1", "impact": 1, "urgency": 3}
    assert values(HOLD, "INC-1 until 2026-03-09 vendor ships the part") == \
        {"ticket": "INC-1", "until": date(2026, 3, 9), "reason": "vendor ships the part"}
    assert values(HOLD, "INC-1 until tomorrow, they say")["reason"] == "until tomorrow, they say"


def test_free_text_is_kept_as_typed_and_a_single_quoted_string_loses_its_quotes() -> None:
    assert values(HOLD, 'INC-1 "waiting for the vendor"')["reason"] == "waiting for the vendor"
    assert values(HOLD, 'INC-1 the "core"  switch')["reason"] == 'the "core"  switch'


def test_an_option_may_trail_free_text_and_takes_the_rest_of_the_line() -> None:
    assert values(DECLARE, 'email "Outlook cannot connect" --impact everyone working from home') == \
        {"service": "email", "summary": "Outlook cannot connect", "impact": "everyone working from home"}
    assert values(DECLARE, "email Outlook is down")["impact"] == ""


def test_options_come_before_free_text_in_any_order_and_unknown_ones_are_refused() -> None:
    found = values(CHANGE, '--risk high --draft --service wifi --start 2026-03-07T22:00 --plan "a b" Swap it')
    assert found == {"service": "wifi", "start": datetime(2026, 3, 7, 21, 0, tzinfo=UTC), "risk": "high",
                     "plan": "a b", "draft": True, "title": "Swap it"}
    with pytest.raises(UsageError, match=r"^Unknown option --servce: use --service, --start, --risk, --plan or "
                                         r"--draft\.$"):
        values(CHANGE, "--servce wifi Swap it")


def test_what_is_missing_is_named_with_the_usage_or_the_verbs_own_answer() -> None:
    with pytest.raises(UsageError, match=r"^Missing ticket key \(like INC-42\)\. Usage: `/desk claim KEY`$"):
        values(CLAIM, "")
    with pytest.raises(UsageError, match=r"^A change needs --start, --risk, --plan, a title\.$"):
        values(CHANGE, "--service wifi")


def test_bad_answers_say_what_would_be_right() -> None:
    with pytest.raises(UsageError, match=r"impact must be a number from 1 to 3, not '5'\. Usage: "
                                         r"`/desk priority KEY IMPACT URGENCY`"):
        values(PRIORITY, "INC-1 5 1")
    with pytest.raises(UsageError, match=r"^--risk is low or high, not 'medium'\.$"):
        values(CHANGE, "--risk medium x")
    with pytest.raises(UsageError, match=r"^--start 'tonight' is not a date and time"):
        values(CHANGE, "--start tonight x")
    with pytest.raises(UsageError, match=r"^'2026-02-30' is not a date: write it as YYYY-MM-DD, e.g. until"):
        values(HOLD, "INC-1 until 2026-02-30 x")


def test_leftover_words_are_refused_by_an_exact_verb_and_ignored_by_others() -> None:
    with pytest.raises(UsageError, match="Unexpected '3'"):
        values(PRIORITY, "INC-1 1 2 3")
    assert values(CLAIM, "INC-1 thanks!") == {"ticket": "INC-1"}


def test_ticket_keys_written_after_free_text_are_taken_off_it() -> None:
    assert values(PROBLEM, '"VPN drops" INC-4 INC-5') == {"title": "VPN drops", "incidents": ("INC-4", "INC-5")}
    assert values(PROBLEM, "VPN INC-4 drops") == {"title": "VPN INC-4 drops", "incidents": ()}


def test_a_forms_answers_arrive_whole_whatever_quotes_and_lines_they_hold() -> None:
    plan = "drain 'A' and \"B\"\nthen swap --risk low"
    found = values(CHANGE, service="wifi", start="2026-03-07 22:00", risk="low", plan=plan, title='Swap "core"')
    assert found["plan"] == plan and found["title"] == 'Swap "core"'
    assert found["start"] == datetime(2026, 3, 7, 21, 0, tzinfo=UTC)


def test_typed_answers_are_checked_not_parsed() -> None:
    assert values(PRIORITY, ticket="INC-1", impact=2, urgency=3)["impact"] == 2
    moment = datetime(2026, 3, 7, 22, 0, tzinfo=UTC)
    assert values(CHANGE, service="wifi", start=moment, risk="low", plan="p", title="t")["start"] == moment
    with pytest.raises(UsageError, match="must be a number from 1 to 3, not '7'"):
        values(PRIORITY, ticket="INC-1", impact=7, urgency=3)
    with pytest.raises(UsageError, match="is text, not int"):
        values(CLAIM, ticket=42)
    with pytest.raises(UsageError, match=r"^/desk claim has no 'key' to answer \(it takes: ticket\)\.$"):
        values(CLAIM, key="INC-1")


def test_a_buttons_line_is_completed_by_the_answers_its_form_collected() -> None:
    assert values(HOLD, "INC-1", reason="waiting", until="2026-03-09") == \
        {"ticket": "INC-1", "until": date(2026, 3, 9), "reason": "waiting"}


def test_a_form_asks_what_the_line_does_not_say_free_text_first_the_prompt_heading_the_first_required() -> None:
    form = form_for(HOLD, ENV, command="hold INC-1", given=HOLD.read_line(ENV, "INC-1"), prompt="Why on hold?")
    assert form.command == "hold INC-1"
    assert [(f.name, f.label, f.kind, f.required) for f in form.fields] == \
        [("until", "Until", "date", False), ("reason", "Why on hold?", "paragraph", True)]
    whole = form_for(CHANGE, ENV, command="change new", given={})
    assert [f.name for f in whole.fields] == ["title", "service", "start", "risk", "plan"]
    assert dict((f.name, f.choices) for f in whole.fields)["risk"] == (("low", "Low"), ("high", "High"))


def test_usage_lines_are_written_from_the_parameters() -> None:
    assert HOLD.usage == "hold KEY [until YYYY-MM-DD] REASON"
    assert CHANGE.usage == "change new --service S --start ISO --risk low|high --plan TEXT [--draft] TITLE"
    assert PROBLEM.usage == "problem new TITLE [INC-N ...]"
