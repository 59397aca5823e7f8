"""A report's chart reaches Slack as an uploaded file beside its card (files.getUploadURLExternal, the
upload itself, files.completeUploadExternal), checked against Slack's OpenAPI spec."""

from __future__ import annotations

from pathlib import Path

from core.cards import Card
from core.delivery import Destination
from tests.adapters.slack.conftest import SAM, TRIAGE, SlackWorld

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 50


def send(world: SlackWorld, destination: Destination, image: Path) -> None:
    card = Card(title="Tickets per day: last 7 days", text="Scope: all tickets.", image_path=str(image))
    world.desk.run_as_system(lambda ctx: ctx.outbox.send(destination, card))


async def test_a_chart_is_uploaded_into_the_direct_message_after_its_card(world: SlackWorld,
                                                                        tmp_path: Path) -> None:
    chart = tmp_path / "spoc-report-1.png"
    chart.write_bytes(PNG)
    send(world, Destination("slack", user_id=SAM), chart)
    await world.deliver()
    [posted] = world.slack.calls_to("chat.postMessage")
    [asked] = world.slack.calls_to("files.getUploadURLExternal")
    [completed] = world.slack.calls_to("files.completeUploadExternal")
    assert posted.monotonic <= asked.monotonic
    assert (asked.args["filename"], int(asked.args["length"])) == ("spoc-report-1.png", len(PNG))
    assert completed.args["channel_id"] == posted.response["channel"]
    [uploaded] = world.slack.uploaded_files.values()
    assert uploaded.data == PNG
    world.slack.assert_calls_match_spec()


async def test_a_failed_upload_leaves_the_card_posted_once(world: SlackWorld, tmp_path: Path) -> None:
    chart = tmp_path / "spoc-report-2.png"
    chart.write_bytes(PNG)
    world.slack.fail_next("files.getUploadURLExternal", error="invalid_arguments")
    send(world, Destination("slack", TRIAGE), chart)
    await world.deliver()
    assert len(world.posted(TRIAGE)) == 1
    assert world.slack.calls_to("files.completeUploadExternal") == []


async def test_a_chart_file_that_is_gone_sends_the_card_without_it(world: SlackWorld, tmp_path: Path) -> None:
    send(world, Destination("slack", TRIAGE), tmp_path / "deleted.png")
    await world.deliver()
    assert len(world.posted(TRIAGE)) == 1
    assert world.slack.calls_to("files.getUploadURLExternal") == []
