"""What Slack's HTTP requests must look like before anything reads them: a bad request gets a 4xx answer,
never a 500, and one warning line in the log (no traceback).

Slack signs every request (`X-Slack-Signature: v0=<64 hex>`, `X-Slack-Request-Timestamp: <seconds>`), and
sends events as JSON, commands and interactivity as a form. Anything else, or a body over the configured
size, is refused here; whether the signature is right is then the signing secret's business (401)."""

from __future__ import annotations

import logging
import re

from aiohttp import web

log = logging.getLogger(__name__)
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")
MAX_REQUEST_BYTES = 1_048_576


async def checked_body(request: web.Request, *, max_bytes: int = MAX_REQUEST_BYTES) -> str | web.Response:
    """The request's body as text, or the 4xx answer that refuses the request (logged once)."""
    if request.content_type not in CONTENT_TYPES:
        return refuse(request, 415, f"content type {request.content_type or '(none)'!r} is not one Slack sends")
    if request.content_length is not None and request.content_length > max_bytes:
        return refuse(request, 413, f"body of {request.content_length} bytes is over slack.max_request_bytes "
                                     f"({max_bytes})")
    signature = request.headers.get("X-Slack-Signature", "")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    if not SIGNATURE.fullmatch(signature):
        return refuse(request, 401, "X-Slack-Signature is missing or not v0=<64 hex digits>")
    if not TIMESTAMP.fullmatch(timestamp):
        return refuse(request, 400, "X-Slack-Request-Timestamp is missing or not a number of seconds")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(65_536):  # a body sent without its length is counted
        size += len(chunk)
        if size > max_bytes:
            return refuse(request, 413, f"body is over slack.max_request_bytes ({max_bytes})")
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        return refuse(request, 400, "body is not UTF-8")


def refuse(request: web.Request, status: int, why: str) -> web.Response:
    log.warning("Slack HTTP request refused with %d from %s: %s", status, request.remote or "?", why)
    return web.Response(status=status, text=f"{why}\n")
