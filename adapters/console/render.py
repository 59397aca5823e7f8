"""Cards as readable terminal text; each button shows its `/desk` twin. Text a person wrote is shown by the
terminal's rule (core/text.py `for_terminal`: nothing reaches the terminal as an escape sequence) with
every mention defused."""

from __future__ import annotations

from collections.abc import Sequence

from core.cards import Card
from core.text import defuse_mentions, for_terminal, shorten

TEXT_LIMIT = 3000


def shown(text: str) -> str:
    return defuse_mentions(for_terminal(text))


def render_card(card: Card, *, width: int = 100, saved: Sequence[str] = ()) -> str:
    """`saved`: where the files the card carries were saved, to show their paths."""
    lines: list[str] = []
    if card.title:
        lines.append(f"┌ {shown(card.title)}")
    pointer = card.more_command
    if card.text:
        for line in shorten(shown(card.text), TEXT_LIMIT, pointer=pointer).splitlines():
            lines.append(f"│ {line}" if card.title else line)
    for field in card.fields:
        lines.append(f"│ {shown(field.label)}: {shorten(shown(field.value), width, pointer=pointer)}")
    if card.mentions:
        lines.append("│ " + " ".join(f"@{m}" for m in card.mentions))
    for button in card.buttons:
        twin = f"/desk {button.command}" + (f" <{button.prompt}>" if button.prompt else "")
        lines.append(f"│ [{shown(button.label)}] {twin}")
    if card.footer:
        lines.append(f"│ {shown(card.footer)}")
    for path in saved:
        lines.append(f"│ ({'chart' if path.endswith('.png') else 'file'}: {for_terminal(path)})")
    if card.title:
        lines.append("└")
    return "\n".join(lines)
