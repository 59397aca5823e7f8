"""Cards as Discord messages: limits, escaping, pings and button ids. No network needed."""

from __future__ import annotations

import discord

from adapters.discord.components import button_id, form_values, read_button_id
from adapters.discord.render import EMBED_TOTAL, render_card, render_reply
from core.cards import Button, Card, Field, Reply, text_card


def _ids(view: discord.ui.View | None) -> list[str]:
    assert view is not None
    return [str(item.custom_id) for item in view.children if isinstance(item, discord.ui.DynamicItem)]


def test_a_text_card_is_plain_content_that_pings_nobody() -> None:
    rendered = render_card(text_card("Sam from IT: @everyone look at <@123456789012345678> and @here"))
    assert rendered.embeds == []
    assert rendered.content is not None
    assert "@everyone" not in rendered.content and "@here" not in rendered.content
    assert "<@123456789012345678>" not in rendered.content
    assert rendered.allowed_mentions.to_dict() == {"parse": []}


def test_only_the_cards_own_mentions_ping_and_only_those_users() -> None:
    rendered = render_card(Card(title="INC-7 escalated to Network", text="@everyone on call",
                                mentions=("112233445566778899", "not-an-id")))
    assert rendered.content == "<@112233445566778899>"
    allowed = rendered.allowed_mentions.to_dict()
    assert allowed["parse"] == [] and allowed["users"] == [112233445566778899]
    assert "@\u200beveryone" in (rendered.embeds[0].description or "")


def test_every_field_and_the_whole_embed_fit_discords_limits() -> None:
    card = Card(title="T" * 400, text="x" * 9000, more_command="/desk show INC-9",
                fields=tuple(Field(f"label {n} " + "l" * 300, "v" * 2000) for n in range(30)),
                footer="f" * 3000)
    [embed] = render_card(card).embeds
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= EMBED_TOTAL
    assert (embed.title or "").endswith("(more: `/desk show INC-9`)")


def test_long_text_is_cut_with_a_pointer_to_the_full_version() -> None:
    rendered = render_card(text_card("word " * 1000))
    assert rendered.content is not None and len(rendered.content) <= 2000
    card = Card(title="INC-3 · printer", text="word " * 1000, more_command="/desk show INC-3")
    assert (render_card(card).embeds[0].description or "").endswith("(more: `/desk show INC-3`)")


def test_buttons_carry_their_desk_twin_and_a_prompt_when_they_ask_for_text() -> None:
    card = Card(title="INC-1", buttons=(Button("Claim", "claim INC-1", "primary"),
                                        Button("Resolve", "resolve INC-1", prompt="How was it resolved?")))
    assert _ids(render_card(card).view) == ["desk:claim INC-1", "desk?resolve INC-1|How was it resolved?"]
    prompted = read_button_id("desk?resolve INC-1|How was it resolved?")
    assert prompted == ("resolve INC-1", "How was it resolved?")
    assert read_button_id("desk:claim INC-1") == ("claim INC-1", "")


def test_no_more_than_25_buttons_and_the_rest_shown_as_their_twins() -> None:
    buttons = tuple(Button("L" * 120, f"kb solved INC-1 article-{n}") for n in range(30))
    rendered = render_card(Card(title="Articles", buttons=buttons))
    assert rendered.view is not None and len(rendered.view.children) == 25
    assert all(len(str(getattr(item, "label", ""))) <= 80 for item in rendered.view.children)
    assert "`/desk kb solved INC-1 article-29`" in (rendered.embeds[0].description or "")


def test_a_custom_id_never_passes_100_characters_and_a_command_is_never_cut() -> None:
    assert button_id("claim INC-1", "p" * 200) is not None
    assert len(button_id("claim INC-1", "p" * 200) or "") == 100
    assert button_id("kb solved INC-1 " + "s" * 100) is None
    assert len(button_id("kb solved INC-1 " + "s" * 79) or "") == 100


def test_a_reply_keeps_its_text_and_card_together_and_says_done_when_empty() -> None:
    [only] = render_reply(Reply("You have INC-1."))
    assert only.content == "You have INC-1."
    [empty] = render_reply(Reply(""))
    assert empty.content == "Done."
    reply = Reply("Found:", card=Card(title="Queue", text="INC-1"))
    [first] = render_reply(reply)
    assert first.content == "Found:" and first.embeds[0].title == "Queue"


def test_the_modal_answers_are_read_from_rows_or_labels_by_field_name() -> None:
    item = {"type": 4, "custom_id": "resolution", "value": "it works"}
    empty = {"type": 4, "custom_id": "note", "value": ""}
    rows = {"components": [{"type": 1, "components": [item]}, {"type": 1, "components": [empty]}]}
    labels = {"components": [{"type": 18, "component": item}, {"type": 18, "component": empty}]}
    assert form_values(rows) == form_values(labels) == {"resolution": "it works"}
    assert form_values({}) == {}
