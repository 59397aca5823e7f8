"""Log lines (bot/logs.py): one JSON object a line on request, naming the event and ticket in hand; hostile
text stays inside its JSON string; an invalid `log_format` is refused with its key."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from bot.config import ConfigError, parse_config
from bot.logs import EventContext, JsonLines, log_handler
from core.log_context import EVENT_ID, TICKET_KEY, about_ticket, handling

HOSTILE = 'vpn down\n{"level": "ERROR", "message": "forged"}\r\x1b[31m\u202eevil\u2028"\\ <!channel> @everyone'


@pytest.fixture(autouse=True)
def nothing_in_hand() -> Iterator[None]:
    """Earlier tests in this process may have named a ticket outside any event; each test here starts clean."""
    event, ticket = EVENT_ID.set(""), TICKET_KEY.set("")
    yield
    TICKET_KEY.reset(ticket)
    EVENT_ID.reset(event)


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = log_handler("json")
    handler.setStream(stream)  # type: ignore[attr-defined]
    logger = logging.getLogger("tests.json_lines")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_names_the_event_and_ticket_in_hand_and_forgets_them_after(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = written
    logger.info("before")
    with handling("Ev42"):
        logger.info("taking it")
        about_ticket("INC-7")
        logger.warning("opened %s", "INC-7")
    logger.info("after")
    before, taking, opened, after = lines(stream)
    assert (before["event_id"], before["ticket"]) == (None, None)
    assert (taking["event_id"], taking["ticket"]) == ("Ev42", None)
    assert (opened["event_id"], opened["ticket"], opened["message"], opened["level"]) == \
        ("Ev42", "INC-7", "opened INC-7", "WARNING")
    assert (after["event_id"], after["ticket"]) == (None, None)
    assert opened["logger"] == "tests.json_lines" and str(opened["time"]).endswith("+00:00")


def test_each_thread_logs_its_own_event(written: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = written
    inside, go_on = threading.Event(), threading.Event()

    def other() -> None:
        with handling("EvB"):
            about_ticket("REQ-2")
            inside.set()
            go_on.wait(5)
            logger.info("b")

    thread = threading.Thread(target=other)
    with handling("EvA"):
        thread.start()
        inside.wait(5)
        logger.info("a")
        go_on.set()
        thread.join(5)
    found = {line["message"]: (line["event_id"], line["ticket"]) for line in lines(stream)}
    assert found == {"a": ("EvA", None), "b": ("EvB", "REQ-2")}


def test_hostile_text_in_a_message_stays_one_line_of_json(written: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = written
    with handling(HOSTILE):
        about_ticket("INC-1")
        logger.error("could not post %s", HOSTILE)
    assert stream.getvalue().count("\n") == 1
    [line] = lines(stream)
    assert line["message"] == f"could not post {HOSTILE}" and line["event_id"] == HOSTILE
    assert set(stream.getvalue()) <= set(map(chr, range(0x20, 0x7F))) | {"\n"}  # plain ASCII, escaped


def test_an_exception_goes_inside_the_json_line(written: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = written
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        logger.exception("delivery failed")
    [line] = lines(stream)
    assert "ValueError: bad" in str(line["exception"]) and line["message"] == "delivery failed"


def test_text_lines_name_the_event_and_ticket_at_the_end() -> None:
    record = logging.LogRecord("spoc", logging.WARNING, __file__, 1, "slow %s", ("reply",), None)
    with handling("Ev1"):
        about_ticket("INC-3")
        EventContext().filter(record)
    assert logging.Formatter("%(message)s%(about)s").format(record) == "slow reply [event Ev1, INC-3]"
    assert JsonLines().format(record).startswith('{"time"')


def test_log_format_json_is_accepted_and_anything_else_is_refused_with_its_key() -> None:
    assert parse_config("log_format: json\n", environ={}).log_format == "json"
    assert parse_config("{}", environ={}).log_format == "text"
    with pytest.raises(ConfigError) as refused:
        parse_config("log_format: xml\n", environ={})
    [problem] = refused.value.problems
    assert problem.path == "log_format" and "'text' or 'json'" in problem.message and "'xml'" in problem.message


def test_each_unit_of_scheduled_work_starts_with_no_ticket_and_keeps_the_event_it_serves(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    from core.telemetry import SYSTEM, NoObserver, watched

    logger, stream = written
    for key in ("INC-1", ""):
        with watched(NoObserver(), work=SYSTEM):
            logger.info("checking")
            if key:
                about_ticket(key)
    with handling("Ev5"), watched(NoObserver(), work=SYSTEM):
        logger.info("inside an event")
    assert [(line["event_id"], line["ticket"]) for line in lines(stream)] == [(None, None), (None, None),
                                                                              ("Ev5", None)]
