"""An article as the knowledge base keeps it, whatever it was read from."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


def slugify(text: str) -> str:
    """`Reset your password (SSO)` -> `reset-your-password-sso`; never empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", folded).strip("-")[:SLUG_MAX].strip("-")
    return slug or "article"


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    service: str = ""
    category: str = ""
    also_asked_as: tuple[str, ...] = field(default=())
    owner: str = ""
    updated: date | None = None
    published: bool = True

    @property
    def content_hash(self) -> str:
        """Changes whenever anything a reader or the ranking sees changes."""
        data = asdict(self)
        data["updated"] = self.updated.isoformat() if self.updated else None
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    @property
    def summary(self) -> str:
        return summarize(self.body)


_MARKUP = re.compile(r"[*_`>#]+|\[([^\]]*)\]\([^)]*\)")


def summarize(body: str, *, limit: int = 160) -> str:
    """The first paragraph of prose, without Markdown marks, cut at a word boundary."""
    for block in body.split("\n\n"):
        text = " ".join(line.strip() for line in block.strip().splitlines())
        text = _MARKUP.sub(lambda m: m.group(1) or "", text).strip()
        if text and not text.startswith(("-", "1.", "|")):
            if len(text) <= limit:
                return text
            return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
    return ""
