from __future__ import annotations

from adapters.console.render import render_card
from core.cards import Button, Card, Field
from core.text import clean_input, defuse_mentions, shorten


def test_broadcast_and_user_mentions_are_defused() -> None:
    text = defuse_mentions("@here @everyone @channel <!channel> <!here> <@U123> <!subteam^S1>")
    for ping in ("@here", "@everyone", "@channel", "<!channel>", "<!here>", "<@U123>", "<!subteam"):
        assert ping not in text


def test_control_characters_are_removed_and_invalid_unicode_replaced() -> None:
    assert clean_input("bad\x00\x07text\r\nline") == "badtext\nline"
    assert clean_input("surrogate \udcff here") == "surrogate ? here"


def test_long_text_is_cut_with_a_pointer() -> None:
    cut = shorten("a" * 100, 40, pointer="/desk show INC-1")
    assert len(cut) == 40
    assert cut.endswith("(more: /desk show INC-1)")


def test_console_cards_show_the_desk_twin_of_each_button() -> None:
    card = Card(title="INC-1 · printer", fields=(Field("Priority", "P3"),),
                buttons=(Button("Claim", "claim INC-1"), Button("Hold", "hold INC-1", prompt="Why?")))
    shown = render_card(card)
    assert "[Claim] /desk claim INC-1" in shown
    assert "[Hold] /desk hold INC-1 <Why?>" in shown
    assert "Priority: P3" in shown
