"""Cards as mail: a plain-text part that reads well on its own and an HTML part with every piece of text
escaped. Buttons become reply words and mailto: links that write the reply for the person."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from adapters.email.words import DESK, reply_word
from core.cards import Button, Card
from core.text import shorten

TEXT_LIMIT = 100_000
TONE_COLOURS = {"info": "#2f6fb3", "success": "#2e7d32", "warning": "#b26a00", "danger": "#c62828"}


@dataclass(frozen=True)
class RenderedMail:
    plain: str
    html: str


def render_mail(card: Card, *, reply_to: str, subject: str) -> RenderedMail:
    return RenderedMail(plain=_plain(card), html=_html(card, reply_to=reply_to, subject=subject))


def summary_line(card: Card) -> str:
    """One line for a subject: the card's title, else the first line of its text."""
    first = card.title or next((line.strip() for line in card.text.splitlines() if line.strip()), "")
    return shorten(" ".join(first.split()), 120)


def _plain(card: Card) -> str:
    parts: list[str] = []
    if card.title:
        parts.append(card.title)
    if card.text:
        parts.append(shorten(card.text, TEXT_LIMIT, pointer=card.more_command))
    if card.fields:
        parts.append("\n".join(f"{field.label}: {field.value}" for field in card.fields))
    if card.buttons:
        parts.append(_plain_buttons(card.buttons))
    if card.footer:
        parts.append(card.footer)
    return "\n\n".join(parts) + "\n"


def _plain_buttons(buttons: tuple[Button, ...]) -> str:
    words = [(reply_word(button), button) for button in buttons]
    width = max(len(word) for word, _ in words)
    lines = ["Reply with the first line:" if any(w.startswith(DESK) for w, _ in words)
             else "Reply with one word:"]
    for word, button in words:
        then = f" (then: {button.prompt})" if button.prompt else ""
        label = "" if button.label == word else button.label  # a score's label is its word
        lines.append(f"  {word.ljust(width)}  {label}{then}".rstrip())
    return "\n".join(lines)


def _html(card: Card, *, reply_to: str, subject: str) -> str:
    colour = TONE_COLOURS.get(card.tone, TONE_COLOURS["info"])
    body: list[str] = []
    if card.title:
        body.append(f'<h2 style="margin:0 0 8px;font-size:16px;color:{colour}">{escape(card.title)}</h2>')
    if card.text:
        body.append(f'<p style="margin:0 0 12px">{_lines(shorten(card.text, TEXT_LIMIT))}</p>')
    if card.fields:
        rows = "".join(f'<tr><td style="padding:2px 12px 2px 0;color:#555">{escape(f.label)}</td>'
                       f"<td>{_lines(f.value)}</td></tr>" for f in card.fields)
        body.append(f'<table style="border-collapse:collapse;margin:0 0 12px">{rows}</table>')
    if card.buttons:
        links = []
        for button in card.buttons:
            word = reply_word(button)
            href = f"mailto:{quote(reply_to, safe='@')}?subject={quote(subject)}&body={quote(word + ' ')}"
            style = (f"display:inline-block;margin:0 8px 8px 0;padding:6px 12px;border-radius:4px;"
                     f"text-decoration:none;border:1px solid {colour};"
                     + (f"background:{colour};color:#fff" if button.style == "primary" else f"color:{colour}"))
            hint = f" <small>(then: {escape(button.prompt)})</small>" if button.prompt else ""
            links.append(f'<a href="{escape(href)}" style="{style}">{escape(button.label)}</a>'
                         f'<small style="color:#777">reply <code>{escape(word)}</code></small>{hint}<br>')
        body.append("<p>" + "".join(links) + "</p>")
    if card.footer:
        body.append(f'<p style="color:#777;font-size:12px">{_lines(card.footer)}</p>')
    return ('<!DOCTYPE html><html><body style="font-family:sans-serif;font-size:14px;line-height:1.4">'
            + "".join(body) + "</body></html>")


def _lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))
