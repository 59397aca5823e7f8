"""The process's log lines, on stderr: text for people (`log_format: text`), or one JSON object a line for
log collectors (`log_format: json`). Either way a line written while an event is handled names the event
id and, once known, the ticket key (core/log_context.py)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core.log_context import event_id, ticket_key

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(about)s"


class EventContext(logging.Filter):
    """Stamps each record with the event and ticket in hand where it was logged (its thread or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.event_id = event_id() or None
        record.ticket = ticket_key() or None
        shown = [f"event {record.event_id}" if record.event_id else "", record.ticket or ""]
        record.about = f" [{', '.join(part for part in shown if part)}]" if any(shown) else ""
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line. Whatever a message carries (newlines, quotes, control or bidi characters a
    person typed) is escaped by JSON, so no line can be forged or broken."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "event_id": getattr(record, "event_id", None),
            "ticket": getattr(record, "ticket", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=True)


def log_handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.addFilter(EventContext())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(*, level: str, log_format: str) -> None:
    """Log to stderr at `level` in `log_format`, unless the process has set up logging already."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format)])
