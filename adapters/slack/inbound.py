"""Slack's message markup read back into plain text before it is stored.

Slack writes links, mentions and some characters in its own markup (`<https://x|label>`, `<@U123>`,
`<!here>`, `&lt;`). Stored as it came, it would be shown back escaped, as literal `<https://...>`; read
back here it is plain text that every surface escapes its own way, and a link's label never hides where
it goes: `<https://evil.example|https://sso.example.com>` becomes `https://sso.example.com
(https://evil.example)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

MARKUP = re.compile(r"<([^<>]*)>")
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


async def plain_text(text: str, *, name_of: Callable[[str], Awaitable[str]]) -> str:
    """`text` without Slack's markup; `name_of(user_id)` gives the name a user mention becomes."""
    pieces: list[str] = []
    at = 0
    for found in MARKUP.finditer(text):
        pieces.append(_unescape(text[at:found.start()]))
        pieces.append(await _one(found.group(1), name_of))
        at = found.end()
    pieces.append(_unescape(text[at:]))
    return "".join(pieces)


async def _one(inner: str, name_of: Callable[[str], Awaitable[str]]) -> str:
    target, _, label = inner.partition("|")
    target, label = _unescape(target), _unescape(label)
    if target.startswith("@"):
        return "@" + (label or await name_of(target[1:]))
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!subteam^"):
        return label or "@" + target.removeprefix("!subteam^")
    if target.startswith("!date^"):
        return label
    if target.startswith("!"):
        return "@" + (label or target[1:])  # @here, @channel, @everyone: defused wherever it is shown
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    if not label or label in (target, target.split("://", 1)[-1]):
        return target
    return f"{label} ({target})"


def _unescape(text: str) -> str:
    for entity, character in ENTITIES:
        text = text.replace(entity, character)
    return text
