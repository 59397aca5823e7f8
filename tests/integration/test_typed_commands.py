"""One typed command, however it is asked for: a `/desk` line, a button's twin completed by its form's
answers, or a verb with its answers by name (a form, a REST body)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.desk.registry import VERBS
from core.desk.run import desk_env
from core.messages import CommandRequest
from core.service import Desk
from core.settings import DeskSettings
from tests.conftest import DANA, SAM, Chat
from tests.integration.helpers import tickets


def ask(desk: Desk, *, text: str = "", verb: str = "", answers: dict[str, object] | None = None,
        author: object = SAM, event_id: str = "") -> str:
    reply = desk.handle_command(CommandRequest(platform="console", event_id=event_id, author=author,  # type: ignore[arg-type]
                                               text=text, verb=verb, answers=answers or {}, channel="it-help"))
    return reply.text or (reply.card.title if reply.card else "")


def test_every_verbs_examples_are_read_by_its_own_parameters() -> None:
    env = desk_env(DeskSettings(), now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    for name, found in VERBS.items():
        assert found.examples, f"/desk {name} has no example"
        for example in found.examples:
            assert example.startswith(name + " ") or example == name
            found.syntax.command(env, text=example[len(name):])


def test_a_verb_with_typed_answers_does_what_its_line_does(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.say(DANA, "the printer on floor 3 jams", channel="it-help")
    by_answers = ask(chat.desk, verb="priority", answers={"ticket": "INC-1", "impact": 1, "urgency": 1})
    by_line = chat.desk_command(SAM, "priority INC-2 1 1")
    assert by_answers == by_line.replace("INC-2", "INC-1") and by_answers.startswith("INC-1")
    assert [t["priority"] for t in tickets(chat.desk)] == ["P1", "P1"]


def test_a_wrong_typed_answer_gets_one_line_and_changes_nothing(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    before = tickets(chat.desk)
    assert ask(chat.desk, verb="priority", answers={"ticket": "INC-1", "impact": "high", "urgency": 1}) == \
        "impact must be a number from 1 to 3, not 'high'. Usage: `/desk priority KEY IMPACT URGENCY`"
    assert ask(chat.desk, verb="priority", answers={"ticket": "INC-1", "impact": 1, "severity": 1}) == \
        "/desk priority has no 'severity' to answer (it takes: ticket, impact, urgency)."
    assert ask(chat.desk, verb="prioritise", answers={"ticket": "INC-1"}).startswith(
        "Unknown command 'prioritise'. Did you mean `/desk priority`?")
    assert tickets(chat.desk) == before


def test_a_buttons_twin_is_completed_by_its_forms_answers(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    answer = ask(chat.desk, text="hold INC-1", answers={"until": "2026-03-09", "reason": 'vendor says "Monday"'})
    assert answer.startswith("INC-1 is on hold until")
    [ticket] = tickets(chat.desk)
    assert ticket["status"] == "on_hold"


def test_the_form_of_a_button_asks_what_its_command_lacks_and_a_verbs_form_asks_everything(chat: Chat) -> None:
    form = chat.desk.form("hold INC-1", prompt="Why on hold?")
    assert form is not None and form.command == "hold INC-1"
    assert [(f.name, f.label, f.kind, f.required) for f in form.fields] == \
        [("until", "Remind me on (YYYY-MM-DD)", "date", False), ("reason", "Why on hold?", "paragraph", True)]
    whole = chat.desk.form("new")
    assert whole is not None
    assert [f.name for f in whole.fields] == ["description", "kind", "category", "impact", "urgency"]
    categories = dict((f.name, f.choices) for f in whole.fields)["category"]
    assert [value for value, _shown in categories] == chat.desk.deps.settings.category_names()
    assert chat.desk.form("no such verb") is None


def test_an_instant_without_an_offset_is_the_desks_local_time() -> None:
    env = desk_env(DeskSettings(), now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    found = VERBS["change new"].syntax.command(env, answers={
        "service": "wifi", "start": "2026-03-07 22:00", "end": datetime(2026, 3, 7, 23, 0, tzinfo=UTC),
        "risk": "low", "plan": "p", "rollback": "r", "title": "t"})
    assert found.values["start"] == datetime(2026, 3, 7, 22, 0, tzinfo=UTC)  # the default calendar is UTC
    assert VERBS["hold"].syntax.command(env, text="INC-1 until 2026-03-09 x").values["until"] == date(2026, 3, 9)


def test_rating_with_a_comment_asks_score_and_comment_apart_and_records_both(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 new power supply")
    chat.desk_command(DANA, "confirm INC-1")
    form = chat.desk.form("rate INC-1", prompt="Your score, 1 (very poor) to 5 (excellent)")
    assert form is not None
    assert [(f.name, f.label, f.kind, f.required, [v for v, _ in f.choices]) for f in form.fields] == [
        ("score", "Your score, 1 (very poor) to 5 (excellent)", "choice", True, ["1", "2", "3", "4", "5"]),
        ("comment", "A comment (optional)", "paragraph", False, [])]
    assert ask(chat.desk, text="rate INC-1", answers={"score": "4", "comment": "quick, but 3 visits"},
               author=DANA) == "Thank you: INC-1 rated 4/5."


def test_escalating_from_a_button_offers_the_teams_to_choose_from(chat: Chat) -> None:
    form = chat.desk.form("escalate INC-1", prompt="Which team or tier? (none: the next up)")
    assert form is not None
    target, reason = form.fields
    assert (target.name, target.label, target.kind, target.required) == \
        ("target", "Which team or tier? (none: the next up)", "choice", False)
    assert [value for value, _shown in target.choices] == [t.name for t in chat.desk.deps.settings.teams]
    assert (reason.name, reason.required) == ("reason", False)
