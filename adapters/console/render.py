"""Cards as readable terminal text; each button shows its `/desk` twin."""

from __future__ import annotations

from collections.abc import Sequence

from core.cards import Card
from core.text import defuse_mentions, shorten

TEXT_LIMIT = 3000


def render_card(card: Card, *, width: int = 100, saved: Sequence[str] = ()) -> str:
    """`saved`: where the files the card carries were saved, to show their paths."""
    lines: list[str] = []
    if card.title:
        lines.append(f"┌ {defuse_mentions(card.title)}")
    pointer = card.more_command
    if card.text:
        for line in shorten(defuse_mentions(card.text), TEXT_LIMIT, pointer=pointer).splitlines():
            lines.append(f"│ {line}" if card.title else line)
    for field in card.fields:
        lines.append(f"│ {field.label}: {shorten(defuse_mentions(field.value), width, pointer=pointer)}")
    if card.mentions:
        lines.append("│ " + " ".join(f"@{m}" for m in card.mentions))
    for button in card.buttons:
        twin = f"/desk {button.command}" + (f" <{button.prompt}>" if button.prompt else "")
        lines.append(f"│ [{defuse_mentions(button.label)}] {twin}")
    if card.footer:
        lines.append(f"│ {defuse_mentions(card.footer)}")
    for path in saved:
        lines.append(f"│ ({'chart' if path.endswith('.png') else 'file'}: {path})")
    if card.title:
        lines.append("└")
    return "\n".join(lines)
