"""Text that comes in, and the rules that keep it inert wherever it is shown.

Text a person wrote is stored as written (minus control characters) and made inert where it is shown, by
one rule per surface: each chat platform's markup (the `escape` of each adapter's render.py), the terminal
(`for_terminal`, shown through Rich's `Text`, never as markup), CSV (`csv_cell`), JSON (`json_text`), chart
text (core/reports/charts.py `chart_text`) and file names (`file_name`). Each starts from `inert`: no control
characters, and none of the invisible ones that reorder or hide text (a right-to-left override makes
`exe.pdf` read `fdp.exe`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

ZERO_WIDTH = "\u200b"
_PINGS = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Control characters but tab and newline (C0, DEL, C1), and the invisible format characters that reorder
# or hide text: bidi embeddings, overrides, isolates and marks; zero-width space, word joiner, BOM, soft
# hyphen, interlinear annotations. Zero-width joiners (emoji, Persian) stay.
_NOT_SHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
# A plain link as people paste them: scheme, then no spaces or brackets; trailing punctuation is the sentence's.
LINK = re.compile(r"https?://[^\s<>\[\]\"'`|]*[^\s<>\[\]\"'`|.,;:!?)]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CELL_LIMIT = 32_767  # what a spreadsheet cell holds
FILE_NAME_LIMIT = 100


def defuse_mentions(text: str) -> str:
    """Break every broadcast or user mention so that echoing user text never pings anyone."""
    text = _PINGS.sub(lambda m: "@" + ZERO_WIDTH + m.group(1), text)
    return text.replace("<!", "<" + ZERO_WIDTH + "!").replace("<@", "<" + ZERO_WIDTH + "@")


def clean_input(text: str) -> str:
    """Make any incoming text safe to store: valid Unicode without control characters."""
    if isinstance(text, bytes):  # pragma: no cover - adapters hand us str, this guards the edge
        text = text.decode("utf-8", errors="replace")
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def inert(text: str) -> str:
    """`text` without control characters (but tab and newline) and without invisible reordering ones."""
    return _NOT_SHOWN.sub("", text)


def split_links(text: str) -> list[tuple[str, bool]]:
    """`text` as pieces, each (piece, is_a_plain_link), in order."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in LINK.finditer(text):
        if found.start() > at:
            pieces.append((text[at:found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def shorten(text: str, limit: int, *, pointer: str = "") -> str:
    if len(text) <= limit:
        return text
    tail = f"\u2026 (more: {pointer})" if pointer else "\u2026"
    return text[: max(0, limit - len(tail))].rstrip() + tail


def for_terminal(text: object, *, limit: int | None = None) -> str:
    """The terminal's rule: inert text (no escape sequence reaches the terminal), cut to `limit`. Show it
    with Rich's `Text` or `markup=False`: a `[red]` a person wrote is text, never markup."""
    shown = inert(str(text))
    return shorten(shown, limit) if limit is not None else shown


def csv_cell(value: object) -> object:
    """CSV's rule: numbers as they are; text inert, within a spreadsheet cell's size, and never read as a
    formula (one starting with =, +, -, @ gets a leading apostrophe, as spreadsheets advise)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = shorten(inert(str(value)), CSV_CELL_LIMIT)
    return "'" + text if text.startswith(FORMULA_START) else text


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON's rule: every character kept (for the record), but anything beyond ASCII, and <, > and &, is
    written as a \\u escape, so the file is inert pasted into a terminal or a web page."""
    text = json.dumps(data, indent=indent, ensure_ascii=True, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def file_name(text: str, *, fallback: str = "file", suffix: str = "") -> str:
    """A file name made from `text`: letters, digits, dot, dash and underscore only, no leading dot (so no
    path, no traversal, nothing hidden), at most 100 characters before `suffix`."""
    ascii_text = unicodedata.normalize("NFKD", inert(text)).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip(".-_")
    name = re.sub(r"\.{2,}", ".", name)[:FILE_NAME_LIMIT].rstrip(".-_")
    return (name or fallback) + suffix
