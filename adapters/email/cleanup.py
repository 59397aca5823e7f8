"""The words a person wrote, out of a mail: HTML made plain text, quoted history and signatures taken off."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg"})
BLOCKS = frozenset({"p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                    "article", "header", "footer", "pre", "address", "dl", "dt", "dd", "center", "form"})
LINK_SCHEMES = ("http://", "https://", "mailto:")

# Where quoted history starts: an attribution line, a client's separator, a quoted header block.
ATTRIBUTION = re.compile(
    r"^(on\b.{0,300}\bwrote|le\b.{0,300}\ba écrit|am\b.{0,300}\bschrieb|el\b.{0,300}\bescribió"
    r"|op\b.{0,300}\bschreef|il\b.{0,300}\bha scritto)\b[^:]{0,200}:\s*$",
    re.IGNORECASE)
SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}"
    r"|_{20,})\s*$", re.IGNORECASE)
HEADER_LINE = re.compile(r"^\s*\*?(from|von|de|van|da)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_FOLLOWS = re.compile(r"^\s*\*?(sent|date|to|subject|gesendet|an|betreff|envoyé|objet|à|enviado|asunto)"
                            r"\s*:", re.IGNORECASE)
FORWARDED = re.compile(r"^\s*-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré)",
                       re.IGNORECASE)
SIGNATURE = re.compile(r"^(-- ?|--\s*|__)$")
MOBILE_FOOTER = re.compile(r"^\s*(sent from my \w+|sent from (outlook|mail) for \w+|get outlook for \w+"
                           r"|von meinem \w+ gesendet|envoyé de mon \w+)", re.IGNORECASE)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.quote = 0
        self.pre = 0
        self.href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self._newline()
        elif tag == "li":
            self._newline()
            self._write("- ")
        elif tag == "blockquote":
            self.quote += 1
            self._newline()
        elif tag == "hr":
            self._newline()
            self._write("_" * 24)
            self._newline()
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.href.append(href if href.lower().startswith(LINK_SCHEMES) else "")
        elif tag in ("td", "th"):
            self._write(" ")
        if tag in BLOCKS:
            self._newline()
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href and href.removeprefix("mailto:") not in self._current_line():
                self._write(f" <{href}>")
        if tag in BLOCKS:
            self._newline()
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            for n, line in enumerate(data.split("\n")):
                if n:
                    self._newline()
                self._write(line)
            return
        text = re.sub(r"\s+", " ", data)
        if not self._current_line().strip():
            text = text.lstrip()
        if text:
            self._write(text)

    def _current_line(self) -> str:
        return self.out[-1] if self.out else ""

    def _write(self, text: str) -> None:
        if not self.out:
            self.out.append("")
        if not self.out[-1] and self.quote:
            self.out[-1] = "> " * self.quote
        self.out[-1] += text

    def _newline(self) -> None:
        if self.out and self.out[-1].strip("> "):
            self.out.append("")
        elif not self.out:
            self.out.append("")


def html_to_text(html: str) -> str:
    """Plain text a person can read: no markup, no scripts or styles, links as `text <url>`, quoted parts
    marked with `>` so that they can be told apart from the new words."""
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # badly broken markup: what was read so far
        pass
    lines = [line.rstrip() for line in parser.out]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_reply(text: str) -> str:
    """The new words of a mail: quoted history (an attribution line such as "On ... wrote:", a client's
    separator, a quoted header block, `>` lines) and the signature taken off. Forwarded mail stays, since
    it is what the sender wants read. Nothing is taken when that would leave nothing."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for n, line in enumerate(lines):
        if FORWARDED.match(line):
            kept.extend(lines[n:])
            break
        pair = line + " " + lines[n + 1].strip() if n + 1 < len(lines) else line
        if SEPARATOR.match(line) or ATTRIBUTION.match(line.strip()) or ATTRIBUTION.match(pair.strip()) \
                or _quoted_header_block(lines, n):
            break
        if SIGNATURE.match(line.rstrip("\r")) and n > 0:
            break
        if MOBILE_FOOTER.match(line) and not "".join(lines[n + 1:]).strip(" >\n"):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return result if result else text.strip()


def _quoted_header_block(lines: list[str], n: int) -> bool:
    """`From: ...` followed closely by `Sent:`/`Date:` and `To:`/`Subject:`: Outlook's quoted history."""
    if not HEADER_LINE.match(lines[n]):
        return False
    following = [line for line in lines[n + 1:n + 5] if line.strip()]
    return sum(1 for line in following if HEADER_FOLLOWS.match(line)) >= 2
