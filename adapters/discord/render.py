"""Core cards as Discord messages: an embed and buttons within Discord's limits.

Nothing a person wrote can ping: every message goes out with `allowed_mentions` that allow nothing but
the card's explicit `mentions`, and `@everyone`, `@here` and `<@...>` in user text are defused as well.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.components import DeskButton, button_id
from core.cards import Button, Card, Reply
from core.delivery import File
from core.text import file_name, inert, split_links

CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
ROWS = 5
PER_ROW = 5
LABEL = 80
INLINE_UP_TO = 40
COLOURS = {"info": 0x3B82F6, "success": 0x22C55E, "warning": 0xF59E0B, "danger": 0xEF4444}
STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}
# Markdown that starts a line: headings, subtext, block quotes, lists that could fake a card.
LINE_MARKUP = re.compile(r"(?m)^([ \t]*)(#{1,3}[ \t]|-#[ \t]|>>> |> )")
# Anywhere: masked-link brackets, the `<` of every <...> form, code fences.
INLINE_MARKUP = re.compile(r"[\[\]<]|`{3,}")


@dataclass
class Rendered:
    """What `send()` / `edit()` take. The card's `files` become Discord files at send time (a File is
    single-use); the first image is the embed's picture."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    allowed_mentions: discord.AllowedMentions = field(default_factory=discord.AllowedMentions.none)
    files: tuple[File, ...] = ()

    def discord_files(self) -> list[discord.File]:
        return [discord.File(io.BytesIO(f.data), filename=file_name(f.name)) for f in self.files]

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": self.content, "embeds": self.embeds,
                                  "allowed_mentions": self.allowed_mentions}
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = self.discord_files()
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """An edit replaces everything: no content, embeds or buttons left from the old version."""
        kwargs: dict[str, Any] = {"content": self.content, "embeds": self.embeds, "view": self.view,
                                  "allowed_mentions": self.allowed_mentions}
        if self.files:
            kwargs["attachments"] = self.discord_files()
        return kwargs


def escape(text: str, *, markdown: bool = True) -> str:
    """Discord Markdown's rule for text a person wrote: `[label](url)` masked links, headings (`#`, `-#`),
    block quotes, code fences and `<...>` forms (mentions of users, roles and channels, timestamps, slash
    commands, emoji) are escaped, so they show as the characters they are; `@everyone` and `@here` get a
    zero-width space; invisible reordering characters go. A plain link stays a link. Inline `code` and
    emphasis stay (the desk's own answers use them). `markdown=False` for places Discord shows as plain text
    (footers), where a backslash would show."""
    shown = inert(text)
    if markdown:
        shown = LINE_MARKUP.sub(lambda m: m.group(1) + "\\" + m.group(2), shown)
        shown = "".join(piece if is_link else INLINE_MARKUP.sub(_backslashed, piece)
                        for piece, is_link in split_links(shown))
    return discord.utils.escape_mentions(shown)


def _backslashed(found: re.Match[str]) -> str:
    return "".join("\\" + character for character in found.group())


def cut(text: str, limit: int, pointer: str = "") -> str:
    if len(text) <= limit:
        return text
    tail = f"\u2026 (more: `{pointer}`)" if pointer else "\u2026"
    if len(tail) >= limit:
        tail = "\u2026"
    return text[: limit - len(tail)].rstrip() + tail


def _mentions(card: Card) -> tuple[str, discord.AllowedMentions]:
    ids = [m for m in card.mentions if m.isdigit()]
    if not ids:
        return "", discord.AllowedMentions.none()
    allowed = discord.AllowedMentions(everyone=False, roles=False, replied_user=False,
                                      users=[discord.Object(int(m)) for m in ids])
    return " ".join(f"<@{m}>" for m in ids), allowed


def render_card(card: Card, files: tuple[File, ...] = ()) -> Rendered:
    """`files`: the bytes of the files the card carries, as its delivery brings them."""
    pointer = card.more_command
    pings, allowed = _mentions(card)
    view, unplaced = _view(card.buttons)
    text = card.text
    if unplaced:
        twins = "\n".join(f"{b.label}: `/desk {b.command}`" for b in unplaced)
        text = f"{text}\n\n{twins}" if text else twins
    if not (card.title or card.fields or card.footer or files):
        body = escape(text) or "\u200b"
        content = cut(f"{pings}\n{body}" if pings else body, CONTENT, pointer)
        return Rendered(content=content, view=view, allowed_mentions=allowed, files=files)
    embed = discord.Embed(title=cut(escape(card.title), TITLE, pointer) or None,
                          description=cut(escape(text), DESCRIPTION, pointer) or None,
                          colour=COLOURS.get(card.tone, COLOURS["info"]))
    for item in card.fields[:FIELDS]:
        value = cut(escape(item.value), FIELD_VALUE, pointer) or "-"
        embed.add_field(name=cut(escape(item.label), FIELD_NAME) or "-", value=value,
                        inline=len(value) <= INLINE_UP_TO)
    if card.footer:
        embed.set_footer(text=cut(escape(card.footer, markdown=False), FOOTER))
    image = next((f for f in files if f.is_image), None)
    if image is not None:
        embed.set_image(url=f"attachment://{file_name(image.name)}")
    _fit(embed, pointer)
    return Rendered(content=pings or None, embeds=[embed], view=view, allowed_mentions=allowed, files=files)


def _fit(embed: discord.Embed, pointer: str) -> None:
    """Discord refuses a message whose embeds hold more than 6,000 characters: shorten the description,
    then drop fields from the end."""
    over = len(embed) - EMBED_TOTAL
    if over > 0 and embed.description:
        keep = max(0, len(embed.description) - over)
        embed.description = cut(embed.description, keep, pointer) if keep > 40 else None
    while len(embed) > EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)


def _view(buttons: tuple[Button, ...]) -> tuple[discord.ui.View | None, list[Button]]:
    """At most 5 rows of 5; a button whose command cannot fit in a custom_id is shown as its `/desk` twin."""
    if not buttons:
        return None, []
    view = discord.ui.View(timeout=None)
    unplaced: list[Button] = []
    for button in buttons:
        custom_id = button_id(button.command, button.prompt)
        if custom_id is None or len(view.children) >= ROWS * PER_ROW:
            unplaced.append(button)
            continue
        label = button.label if len(button.label) <= LABEL else button.label[: LABEL - 1] + "\u2026"
        view.add_item(DeskButton(custom_id=custom_id, label=label,
                                 style=STYLES.get(button.style, discord.ButtonStyle.secondary)))
    return (view if view.children else None), unplaced


def render_reply(reply: Reply) -> list[Rendered]:
    """An answer to one person: its text and card in one message."""
    text = cut(escape(reply.text), CONTENT) if reply.text else None
    if reply.card is None:
        first = Rendered(content=text or "Done.")
    else:
        first = render_card(reply.card)
        if text:
            first.content = cut(f"{first.content}\n{text}" if first.content else text, CONTENT)
    return [first]
