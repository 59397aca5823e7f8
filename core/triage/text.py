"""What the triage model reads in a message: its words and word pairs, the title's words apart."""

from __future__ import annotations

import re
import unicodedata

SAMPLE_CHARS = 4000
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about what a report is: left out of the built-in examples, so that they stay
# neutral until agents' corrections show whether they mean something in this desk.
NEUTRAL = frozenset(
    """a an the and or but if of to in on at by for with from into about as is are was were be been being am do
    does did have has had i me my we our us you your he she him her his they them their it its this that these
    those there here what which who whom when where why how can could would should will shall may might must
    please pls thanks thank thx hi hello hey dear regards kind best cheers so just also very really too some any
    all each every other more most get got getting let lets im ive id ill youre dont""".split()
)


def normalise(text: str) -> str:
    """Lower case, accents folded, curly apostrophes straight: `Won’t` and `won't` read alike."""
    text = text[:SAMPLE_CHARS].lower().replace("\u2019", "'")
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text


def words(text: str) -> list[str]:
    """The words of a normalised text; `won't` is `wont`, a plural's s is dropped (`issues` is `issue`)."""
    return [_singular(word) for word in _WORD.findall(text.replace("'", ""))]


_NOT_PLURAL = frozenset({"this", "does", "goes", "was", "has", "yes", "his", "its", "status", "access", "process"})


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")) or word in _NOT_PLURAL:
        return word
    return word[:-1]


# Marks a word of the title (the first line, when a body follows): `title:can` is 'can' in the title.
TITLE = "title:"


def features(text: str, *, neutral: frozenset[str] = frozenset()) -> frozenset[str]:
    """Each word and each pair of neighbouring words (`please_setup`) once; `neutral` words left out.

    When a body follows the first line, that line is the title and its words are its own (`title:can`):
    a title is a headline, and a word in it says something else than in the sentences of a body ('can'
    heading "can we get a projector" asks; in "since the update I can only open it read-only" it tells what
    broke). Its pairs stay shared: they are rarer, and say the same wherever they are. A head that never saw
    a title word reads it as the word (`Head.known`), so built-in examples, one-line messages and bodies
    still teach titles."""
    title, _, body = normalise(text).strip().partition("\n")
    if not body.strip():
        return _words_and_pairs(title, neutral)
    return frozenset((*(feature if "_" in feature else TITLE + feature for feature in _words_and_pairs(title, neutral)),
                      *_words_and_pairs(body, neutral)))


def _words_and_pairs(text: str, neutral: frozenset[str]) -> frozenset[str]:
    found = [word for word in words(text) if word not in neutral]
    return frozenset((*found, *(f"{a}_{b}" for a, b in zip(found, found[1:], strict=False))))


def untitled(feature: str) -> str:
    """A title word as the word itself (`title:can` is `can`); any other feature as it is."""
    return feature.removeprefix(TITLE)


_APOSTROPHES = {"wont": "won't", "cant": "can't", "dont": "don't", "doesnt": "doesn't", "isnt": "isn't",
                "didnt": "didn't", "wasnt": "wasn't", "arent": "aren't", "couldnt": "couldn't", "im": "i'm"}


def shown(feature: str) -> str:
    """A feature as people read it: `please_setup` is 'please setup', `wont_turn` is 'won't turn', `title:vpn`
    is 'vpn'."""
    return " ".join(_APOSTROPHES.get(word, word) for word in untitled(feature).split("_"))
