"""Buttons by mail. Each button of a card becomes a reply word (`yes`, `no`, a score) or, for the rest, its
`/desk` twin written as the first line of a reply; a reply is read back into the same command."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.cards import Button

DESK = "/desk "
WORD_OF_VERB = {"confirm": "yes", "reject": "no"}
FIRST_WORD = re.compile(r"^\s*([a-z0-9]+)\b[\s,.!:;-]*(.*)$", re.IGNORECASE | re.DOTALL)


def reply_word(button: Button) -> str:
    """What to write as the first line of a reply to press `button`."""
    verb, _, rest = button.command.partition(" ")
    if verb in WORD_OF_VERB:
        return WORD_OF_VERB[verb]
    if verb == "rate":
        score = rest.split(" ")[1:2]
        if score:
            return score[0]
    return DESK + button.command


@dataclass(frozen=True)
class Answer:
    """A reply read as a command: `text` is what follows `/desk`."""

    text: str
    quiet: bool  # its effect is told to the person anyway (the ticket's own notices): no second answer


def read_answer(body: str, *, key: str, status: str) -> Answer | None:
    """The command a reply's first words give, or None when it is words for the ticket.
    `yes` / `no ...` answer "Is it fixed?" while the ticket is resolved; a score 1-5 rates a closed one."""
    first_line = body.strip().split("\n", 1)[0].strip()
    if first_line.lower().startswith(DESK):
        return Answer(first_line[len(DESK):].strip(), quiet=False)
    if not key:
        return None
    found = FIRST_WORD.match(body.strip())
    if found is None:
        return None
    word, rest = found.group(1).lower(), " ".join(found.group(2).split())
    if status == "resolved" and word == "yes":
        return Answer(f"confirm {key}", quiet=True)
    if status == "resolved" and word == "no":
        return Answer(f"reject {key} {rest}".strip(), quiet=True)
    if status == "closed" and word in {"1", "2", "3", "4", "5"}:
        return Answer(f"rate {key} {word} {rest}".strip(), quiet=False)
    return None
