"""A report's chart reaches Slack as an uploaded file beside its card (files.getUploadURLExternal, the
upload itself, files.completeUploadExternal), checked against Slack's OpenAPI spec. The bytes come from the
database: the process that delivers needs no file the one that drew the chart wrote."""

from __future__ import annotations

from sqlalchemy import delete

from core.cards import Card
from core.delivery import Destination
from core.storage.models import BlobRow
from tests.adapters.slack.conftest import SAM, TRIAGE, SlackWorld

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 50


def send(world: SlackWorld, destination: Destination, *, name: str = "tickets-per-day.png", data: bytes = PNG,
         media_type: str = "image/png") -> None:
    def work(ctx):  # type: ignore[no-untyped-def]
        chart = ctx.outbox.attach(name=name, media_type=media_type, data=data)
        card = Card(title="Tickets per day: last 7 days", text="Scope: all tickets.", attachments=(chart,))
        ctx.outbox.send(destination, card)

    world.desk.run_as_system(work)


async def test_a_chart_is_uploaded_into_the_direct_message_after_its_card(world: SlackWorld) -> None:
    send(world, Destination("slack", user_id=SAM))
    await world.deliver()
    [posted] = world.slack.calls_to("chat.postMessage")
    [asked] = world.slack.calls_to("files.getUploadURLExternal")
    [completed] = world.slack.calls_to("files.completeUploadExternal")
    assert posted.monotonic <= asked.monotonic
    assert (asked.args["filename"], int(asked.args["length"])) == ("tickets-per-day.png", len(PNG))
    assert completed.args["channel_id"] == posted.response["channel"]
    [uploaded] = world.slack.uploaded_files.values()
    assert uploaded.data == PNG
    world.slack.assert_calls_match_spec()


async def test_an_export_travels_the_same_way_as_a_chart(world: SlackWorld) -> None:
    csv = b"key,status\nINC-1,resolved\n"
    send(world, Destination("slack", TRIAGE), name="tickets.csv", data=csv, media_type="text/csv")
    await world.deliver()
    [asked] = world.slack.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "tickets.csv"
    [uploaded] = world.slack.uploaded_files.values()
    assert uploaded.data == csv
    world.slack.assert_calls_match_spec()


async def test_a_failed_upload_leaves_the_card_posted_once(world: SlackWorld) -> None:
    world.slack.fail_next("files.getUploadURLExternal", error="invalid_arguments")
    send(world, Destination("slack", TRIAGE))
    await world.deliver()
    assert len(world.posted(TRIAGE)) == 1
    assert world.slack.calls_to("files.completeUploadExternal") == []


async def test_a_chart_no_longer_stored_sends_the_card_without_it(world: SlackWorld) -> None:
    send(world, Destination("slack", TRIAGE))
    world.desk.db.run(lambda s: s.execute(delete(BlobRow)))
    await world.deliver()
    assert len(world.posted(TRIAGE)) == 1
    assert world.slack.calls_to("files.getUploadURLExternal") == []
