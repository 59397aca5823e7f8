"""Slack's HTTP mode answers a bad request with 4xx, never 500, and logs it once: malformed or missing
signature headers, a timestamp that is not a number, an unknown content type, a body over the configured
size, a body that is not UTF-8, a stale or wrong signature. Nothing of such a request reaches the desk."""

from __future__ import annotations

import io
import logging
import time

import pytest

from tests.adapters.slack.conftest import HELP, SECRET, SlackWorld
from tests.integration.helpers import tickets
from tests.standins.slack_requests import event_body, message_event, signed_headers

EDGE_LOGGER = "adapters.slack.http_edge"


def body() -> bytes:
    return event_body(message_event(channel=HELP, user="UDANA", text="printer on floor 3 is jammed"))


def with_headers(raw: bytes, **changes: str | None) -> dict[str, str]:
    headers = signed_headers(raw, secret=SECRET)
    for name, value in changes.items():
        header = {"signature": "X-Slack-Signature", "timestamp": "X-Slack-Request-Timestamp",
                  "content_type": "Content-Type"}[name]
        if value is None:
            headers.pop(header)
        else:
            headers[header] = value
    return headers


CASES = {
    "no signature": (dict(signature=None), 401),
    "a signature that is not v0=hex": (dict(signature="v0=not-hex"), 401),
    "a signature of another scheme": (dict(signature="v1=" + "a" * 64), 401),
    "no timestamp": (dict(timestamp=None), 400),
    "a timestamp that is not a number": (dict(timestamp="yesterday"), 400),
    "a timestamp in floating point": (dict(timestamp="1.7e9"), 400),
    "an unknown content type": (dict(content_type="text/plain"), 415),
    "no content type": (dict(content_type="application/octet-stream"), 415),
    "a wrong signature": (dict(signature="v0=" + "0" * 64), 401),
    "a signature five minutes stale": ("stale", 401),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_a_malformed_request_is_refused_with_4xx_and_logged_once(
    world: SlackWorld, case: str, caplog: pytest.LogCaptureFixture,
) -> None:
    changes, status = CASES[case]
    raw = body()
    if changes == "stale":
        headers = signed_headers(raw, secret=SECRET, timestamp=int(time.time()) - 600)
    else:
        headers = with_headers(raw, **changes)
    with caplog.at_level(logging.WARNING, logger=EDGE_LOGGER):
        assert await world.post(raw, headers=headers) == status
    refused = [r for r in caplog.records if r.name == EDGE_LOGGER]
    assert len(refused) == 1 and f"refused with {status}" in refused[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]  # a line, never a traceback
    assert tickets(world.desk) == []


async def test_a_body_over_the_configured_size_is_refused_before_it_is_read(
    world: SlackWorld, caplog: pytest.LogCaptureFixture,
) -> None:
    raw = event_body(message_event(channel=HELP, user="UDANA", text="x" * (world.adapter.settings.max_request_bytes)))
    with caplog.at_level(logging.WARNING, logger=EDGE_LOGGER):
        async with world.http.post(world.url, data=io.BytesIO(raw), headers=signed_headers(raw, secret=SECRET)
                                   ) as answer:
            assert answer.status == 413

        async def chunks():  # no Content-Length: the size is found while reading
            yield raw

        async with world.http.post(world.url, data=chunks(), headers=signed_headers(raw, secret=SECRET)) as answer:
            assert answer.status == 413
    assert len([r for r in caplog.records if r.name == EDGE_LOGGER]) == 2
    assert tickets(world.desk) == []


async def test_a_body_that_is_not_utf8_is_refused(world: SlackWorld) -> None:
    raw = b'{"type": "event_callback", "x": "\xff\xfe"}'
    assert await world.post(raw, headers=signed_headers(raw, secret=SECRET)) == 400


async def test_another_method_or_path_is_not_found_or_not_allowed(world: SlackWorld) -> None:
    async with world.http.get(world.url) as answer:
        assert answer.status == 405
    async with world.http.post(world.url.replace("/slack/events", "/slack/other"), data=body()) as answer:
        assert answer.status == 404


async def test_a_well_formed_request_still_makes_its_ticket(world: SlackWorld) -> None:
    assert await world.post(body()) == 200
    await world.eventually(lambda: tickets(world.desk), what="the ticket")


