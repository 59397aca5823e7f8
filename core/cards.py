"""The neutral message the core produces. Adapters render it; the core never formats for a platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Tone = Literal["info", "success", "warning", "danger"]
ButtonStyle = Literal["default", "primary", "danger"]


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Button:
    """A button is its `/desk` twin: pressing it runs `command` as the person who pressed it.

    With a `prompt`, the command asks first: adapters open the form `Desk.form(command, prompt=...)`
    describes (the parameters the command does not give yet, the prompt heading the main one) and send
    its answers with the command, by name.
    """

    label: str
    command: str
    style: ButtonStyle = "default"
    prompt: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file a card carries (a chart, an export). Its bytes are stored once, by their digest, beside the
    outbox (`core.storage.blobs`), so whichever process delivers the card, on whatever machine, reads them
    from the database: no file path travels."""

    name: str
    media_type: str
    digest: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True)
class Card:
    title: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""
    tone: Tone = "info"
    more_command: str = ""
    mentions: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "fields": [[f.label, f.value] for f in self.fields],
            "buttons": [[b.label, b.command, b.style, b.prompt] for b in self.buttons],
            "footer": self.footer,
            "tone": self.tone,
            "more_command": self.more_command,
            "mentions": list(self.mentions),
            "attachments": [[a.name, a.media_type, a.digest] for a in self.attachments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        return cls(
            title=data["title"],
            text=data.get("text", ""),
            fields=tuple(Field(label, value) for label, value in data.get("fields", [])),
            buttons=tuple(
                Button(label, command, style, prompt) for label, command, style, prompt in data.get("buttons", [])
            ),
            footer=data.get("footer", ""),
            tone=data.get("tone", "info"),
            more_command=data.get("more_command", ""),
            mentions=tuple(data.get("mentions", [])),
            attachments=tuple(Attachment(name, media_type, digest)
                              for name, media_type, digest in data.get("attachments", [])),
        )


def text_card(text: str, *, tone: Tone = "info") -> Card:
    return Card(title="", text=text, tone=tone)


@dataclass(frozen=True)
class Reply:
    """An immediate answer to the person who acted; `private` answers are shown to them alone."""

    text: str = ""
    card: Card | None = None
    private: bool = True
