"""A local stand-in for Slack's Web API servers, for tests and benchmarks of the real slack-bolt app.

    async with SlackApiStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.url)
        ...
        assert len(slack.calls_to("chat.postMessage")) == 1
        slack.assert_calls_match_spec()

From synchronous code (a benchmark, the sync WebClient, a sync bolt App) run it on its own loop in a
background thread: `with SlackApiStandIn() as slack:` or `slack.start_in_thread()` ... `slack.stop()`.
It takes calls as Slack does (form, JSON or multipart body, query args, Bearer token), records each
one, and answers the way Slack answers, including scripted failures (`fail_next`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web

from .openapi_check import load_spec, slack_spec_path
from .slack_requests import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

__all__ = ["RecordedCall", "SlackApiStandIn", "UploadedFile", "WebhookPost", "slack_spec_path"]

Reply = dict[str, Any]


@dataclass(frozen=True)
class RecordedCall:
    method: str  # "chat.postMessage"
    args: dict[str, Any]  # query and body merged, as Slack reads them
    headers: dict[str, str]
    time: datetime
    http_method: str
    content_type: str
    status: int
    response: Reply
    monotonic: float = 0.0  # for latency measurements in benchmarks

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ").strip() or None
        token = self.args.get("token")
        return token if isinstance(token, str) and token else None


@dataclass(frozen=True)
class WebhookPost:
    """A POST to a response_url the stand-in handed out."""

    path: str
    body: Any
    headers: dict[str, str]
    time: datetime


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    filename: str
    data: bytes


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    email: str
    is_bot: bool = False
    tz: str = "Europe/London"
    team_id: str = ""  # another organisation's workspace (a member of a shared channel); "" for this one

    def as_slack(self, team_id: str) -> Reply:
        return {
            "id": self.id, "team_id": self.team_id or team_id, "name": self.name, "real_name": self.real_name,
            "deleted": False, "is_bot": self.is_bot, "is_admin": False, "tz": self.tz,
            "profile": {"display_name": self.display_name, "real_name": self.real_name, "email": self.email},
        }


@dataclass
class _State:
    calls: list[RecordedCall] = field(default_factory=list)
    webhook_posts: list[WebhookPost] = field(default_factory=list)
    uploads: dict[str, UploadedFile] = field(default_factory=dict)
    pending_uploads: dict[str, str] = field(default_factory=dict)  # file_id -> filename
    failures: dict[str, list[_Failure]] = field(default_factory=dict)


class SlackApiStandIn:
    def __init__(
        self,
        *,
        team_id: str = TEAM_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        require_token: bool = True,
    ) -> None:
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.require_token = require_token
        self._state = _State()
        self._lock = threading.Condition()
        self._numbers = itertools.count(1)
        self._last_micros = 0
        self._users: dict[str, _User] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._channel_messages: dict[str, list[dict[str, Any]]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self._socket_opened = asyncio.Event()
        self._socket_gate = asyncio.Event()
        self._socket_gate.set()
        self.socket_connections = 0
        self._latency: dict[str, float] = {}
        self._pace: float = 0.0
        self._posted_at: dict[str, float] = {}  # channel -> when a message was last posted to it
        # What the installed app was granted (Slack names them in every answer's x-oauth-scopes header);
        # None sends no header.
        self.granted_scopes: list[str] | None = None
        self._rejected_tokens: set[str] = set()
        self._outage: _Failure | None = None
        self._channels: dict[str, dict[str, Any]] = {}  # channel id -> what set_channel said about it
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._replies: dict[str, Callable[[dict[str, Any]], Reply]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update_message,
            "chat.postEphemeral": self._post_ephemeral,
            "reactions.add": self._add_reaction,
            "chat.delete": lambda a: {"ok": True, "channel": a.get("channel"), "ts": a.get("ts")},
            "conversations.open": self._open_conversation,
            "conversations.info": self._conversation_info,
            "conversations.replies": lambda a: self._history(a, replies=True),
            "conversations.history": lambda a: self._history(a, replies=False),
            "users.info": self._user_info,
            "users.lookupByEmail": self._user_by_email,
            "usergroups.users.list": self._usergroup_members,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "files.upload": self._files_upload,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "apps.connections.open": self._connections_open,
        }

    # -- lifecycle ------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the Slack stand-in is not running; use `async with` or start_in_thread()")
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base URL, for `AsyncWebClient(base_url=...)`."""
        return f"{self.base_url}/api/"

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_post("/hooks/{path:.*}", self._handle_webhook)
        app.router.add_get("/socket", self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        self._socket_gate.set()
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._port = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def start_in_thread(self) -> Self:
        """Serve from a background thread with its own event loop, for synchronous callers."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # noqa: B036 - handed to the starting thread
                failed.append(error)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread_loop = loop
        self._thread = threading.Thread(target=serve, name="slack-api-stand-in", daemon=True)
        self._thread.start()
        started.wait(10)
        if failed:
            raise failed[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._thread_loop is None:
            return
        self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
        self._thread.join(10)
        self._thread = self._thread_loop = None

    def __enter__(self) -> Self:
        return self.start_in_thread()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- scripting ------------------------------------------------------------------------------------

    def fail_next(
        self, method: str, *, status: int = 200, error: str | None = None, retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls to `method` with a failure instead of the usual reply.

        status=429 is Slack's rate limit (Retry-After header, error "ratelimited"); status=200 needs an
        `error` and answers ok:false with it, as Slack does for most errors; 5xx is a server fault.
        """
        if status == 200 and not error:
            raise ValueError("a failure with status 200 needs error=..., e.g. error='channel_not_found'")
        if times < 1:
            raise ValueError("times must be at least 1")
        if status == 429:
            error, retry_after = error or "ratelimited", 1 if retry_after is None else retry_after
        with self._lock:
            self._state.failures.setdefault(method, []).append(
                _Failure(status, error or "internal_error", retry_after, times))

    def fail_everything(self, *, status: int, retry_after: int | None = None) -> None:
        """Answer every call with `status` until `recover()`: a Slack outage (5xx) or a long rate limit (429,
        with Retry-After)."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
        with self._lock:
            self._outage = _Failure(status, "ratelimited" if status == 429 else "internal_error", retry_after, 1)

    def recover(self) -> None:
        with self._lock:
            self._outage = None

    def reject_token(self, token: str) -> None:
        """Answer every call made with `token` with invalid_auth, as Slack does for a revoked token."""
        self._rejected_tokens.add(token)

    def set_channel(self, channel_id: str, *, member: bool = True, exists: bool = True, archived: bool = False,
                    name: str | None = None) -> None:
        """How conversations.info sees a channel: whether the bot is a member, whether the bot can see it at
        all (a private channel without the bot is channel_not_found), whether it is archived."""
        self._channels[channel_id] = {"member": member, "exists": exists, "archived": archived, "name": name}

    def set_latency(self, seconds: float, *, method: str = "*") -> None:
        """Delay every answer (or one method's) by `seconds`, as a slow Slack would."""
        self._latency[method] = seconds

    def pace_channels(self, seconds: float) -> None:
        """Answer a chat.postMessage that comes sooner than `seconds` after the last one in its channel
        with 429 and Retry-After, as Slack does for more than about one message a second per channel."""
        self._pace = seconds

    def set_user(
        self, user_id: str, *, name: str | None = None, real_name: str | None = None,
        display_name: str | None = None, email: str | None = None, is_bot: bool = False,
        tz: str = "Europe/London", team_id: str = "",
    ) -> None:
        default = self._user(user_id)
        self._users[user_id] = _User(
            id=user_id, name=name or default.name, real_name=real_name or name or default.real_name,
            display_name=display_name or name or default.display_name, email=email or default.email,
            is_bot=is_bot, tz=tz, team_id=team_id,
        )

    # -- Socket Mode ---------------------------------------------------------------------------------

    def _connections_open(self, args: dict[str, Any]) -> Reply:
        """Socket Mode: an app-level token (xapp-) gets a websocket URL on this stand-in."""
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket"}

    async def drop_socket(self, *, hold_reconnect: bool = False) -> None:
        """Close every Socket Mode connection, as Slack does when it moves a connection. With
        `hold_reconnect` a new connection hangs in its handshake until `release_socket()`: the app stays
        disconnected, and nothing it misses meanwhile is sent to it later."""
        if hold_reconnect:
            self._socket_gate.clear()
        for socket in list(self._sockets):
            await socket.close()

    def release_socket(self) -> None:
        self._socket_gate.set()

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        await self._socket_gate.wait()
        self.socket_connections += 1
        socket = web.WebSocketResponse(heartbeat=None)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets),
                                "debug_info": {"host": "standin", "approximate_connection_time": 3600},
                                "connection_info": {"app_id": APP_ID}})
        self._socket_opened.set()
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.socket_acks[data["envelope_id"]] = data
        self._sockets.remove(socket)
        return socket

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._socket_opened.wait(), timeout)

    async def socket_send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Send an envelope ("events_api", "slash_commands" or "interactive") as Slack does over Socket Mode."""
        envelope_id = f"env-{next(self._numbers)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}
        await self._sockets[-1].send_json(envelope)
        return envelope_id

    async def wait_for_socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.socket_acks:
            if time.monotonic() > deadline:
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            await asyncio.sleep(0.01)
        return self.socket_acks[envelope_id]

    def add_message(self, *, channel: str, ts: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """A message people wrote, for conversations.history and conversations.replies to return."""
        message = {"type": "message", "ts": ts, "user": user, "text": text}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._channel_messages.setdefault(channel, []).append(message)

    def _history(self, args: dict[str, Any], *, replies: bool) -> Reply:
        """conversations.history: a channel's messages (not thread replies) between `oldest` and `latest`,
        newest first. conversations.replies: a thread's parent, then its replies after `oldest`, oldest
        first. Both page with `limit` and `cursor` (the next page's `response_metadata.next_cursor`), and show
        a message's metadata only with `include_all_metadata`. What the bot posted is there too."""
        messages = self._channel_messages.get(str(args.get("channel", "")), [])
        oldest, latest = Decimal(args.get("oldest") or 0), Decimal(args.get("latest") or "9999999999.999999")
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")

        def between(m: dict[str, Any]) -> bool:
            ts = Decimal(m["ts"])
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        if replies:
            root = str(args.get("ts", ""))
            parent = [m for m in messages if m["ts"] == root]
            found = parent + sorted((m for m in messages if m.get("thread_ts") == root and m["ts"] != root
                                     and between(m)), key=lambda m: Decimal(m["ts"]))
        else:
            found = sorted((m for m in messages if not m.get("thread_ts") and between(m)),
                           key=lambda m: Decimal(m["ts"]), reverse=True)
        limit = int(args["limit"]) if str(args.get("limit", "")).isdigit() else 100
        start = int(args["cursor"]) if str(args.get("cursor", "")).isdigit() else 0
        page, more = found[start:start + limit], len(found) > start + limit
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def set_usergroup(self, usergroup_id: str, members: Iterable[str]) -> None:
        self._usergroups[usergroup_id] = list(members)

    def new_response_url(self) -> str:
        """A response_url that points back here; what the app POSTs to it lands in webhook_posts."""
        return f"{self.base_url}/hooks/commands/{self.team_id}/{next(self._numbers)}/secret"

    # -- what happened --------------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    @property
    def webhook_posts(self) -> list[WebhookPost]:
        with self._lock:
            return list(self._state.webhook_posts)

    @property
    def uploaded_files(self) -> dict[str, UploadedFile]:
        with self._lock:
            return dict(self._state.uploads)

    def clear(self) -> None:
        """Forget calls, posts, uploads and pending failures; users and usergroups stay."""
        with self._lock:
            self._state = _State()

    async def wait_for_calls(
        self, method: str, *, count: int = 1, timeout: float = 5.0,
    ) -> list[RecordedCall]:
        """The calls to `method` once there are `count` of them; for listeners that run after ack()."""
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(self._not_arrived(method, count, len(found), timeout))
            await asyncio.sleep(0.005)
        return found

    def wait_for_calls_sync(self, method: str, *, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """As wait_for_calls, for synchronous callers of a stand-in running in its thread."""
        with self._lock:
            arrived = self._lock.wait_for(
                lambda: sum(c.method == method for c in self._state.calls) >= count, timeout)
        found = self.calls_to(method)
        if not arrived:
            raise AssertionError(self._not_arrived(method, count, len(found), timeout))
        return found

    def _not_arrived(self, method: str, count: int, got: int, timeout: float) -> str:
        seen = ", ".join(c.method for c in self.calls) or "nothing"
        return f"expected {count} call(s) to {method} within {timeout}s, got {got}; calls seen: {seen}"

    def spec_violations(self, *, strict_unknown_params: bool = False) -> list[str]:
        """Every way the recorded calls disagree with Slack's OpenAPI spec (FileNotFoundError without it)."""
        spec = load_spec(slack_spec_path())
        return [
            f"call #{number} {problem}"
            for number, call in enumerate(self.calls, start=1)
            for problem in spec.check(
                call.method, call.args, http_method=call.http_method, content_type=call.content_type,
                has_token=call.token is not None, strict_unknown_params=strict_unknown_params,
            )
        ]

    def assert_calls_match_spec(self, *, strict_unknown_params: bool = False) -> None:
        problems = self.spec_violations(strict_unknown_params=strict_unknown_params)
        assert not problems, "calls that Slack's OpenAPI spec does not allow:\n" + "\n".join(problems)

    # -- HTTP -----------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        arrived, started = datetime.now(UTC), time.monotonic()
        args, readable = await _read_args(request)
        headers = dict(request.headers)
        status, reply, extra_headers = 200, {"ok": False, "error": "invalid_json"}, {}
        failure = self._take_failure(method) or self._too_fast(method, args)
        if failure is not None:
            status, reply = failure.status, {"ok": False, "error": failure.error}
            if failure.retry_after is not None:
                extra_headers["Retry-After"] = str(failure.retry_after)
        elif readable:
            bearer = headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if self.require_token and not (bearer or args.get("token")) and method != "api.test":
                reply = {"ok": False, "error": "not_authed"}
            elif (bearer or str(args.get("token", ""))) in self._rejected_tokens:
                reply = {"ok": False, "error": "invalid_auth"}
            else:
                with self._lock:
                    if method == "apps.connections.open" and not (bearer or str(args.get("token"))).startswith("xapp-"):
                        reply = {"ok": False, "error": "not_allowed_token_type"}
                    else:
                        reply = self._replies.get(method, lambda a: {"ok": True})(args)
        if self.granted_scopes is not None:
            extra_headers["x-oauth-scopes"] = ",".join(self.granted_scopes)
        delay = self._latency.get(method, self._latency.get("*", 0.0))
        if delay:
            await asyncio.sleep(delay)
        self._record(RecordedCall(
            method=method, args=args, headers=headers, time=arrived, http_method=request.method,
            content_type=request.content_type, status=status, response=reply, monotonic=started,
        ))
        return web.json_response(reply, status=status, headers=extra_headers)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if request.content_type == "multipart/form-data":
            form = await request.post()
            parts = [v.file.read() for v in form.values() if isinstance(v, web.FileField)]
            data = parts[0] if parts else b""
        else:
            data = await request.read()
        with self._lock:
            filename = self._state.pending_uploads.get(file_id)
            if filename is None:
                return web.Response(status=404, text=f"no upload started for {file_id}")
            self._state.uploads[file_id] = UploadedFile(file_id, filename, data)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        with self._lock:
            self._state.webhook_posts.append(
                WebhookPost(request.path, body, dict(request.headers), datetime.now(UTC)))
            self._lock.notify_all()
        return web.Response(text="ok", content_type="text/plain")

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            if self._outage is not None:
                return self._outage
            queue = self._state.failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining == 0:
                queue.pop(0)
            return failure

    def _too_fast(self, method: str, args: dict[str, Any]) -> _Failure | None:
        if not self._pace or method != "chat.postMessage":
            return None
        channel, now = str(args.get("channel") or ""), time.monotonic()
        with self._lock:
            if now - self._posted_at.get(channel, -self._pace) < self._pace:
                return _Failure(429, "ratelimited", 1, 1)
            self._posted_at[channel] = now
        return None

    def _record(self, call: RecordedCall) -> None:
        with self._lock:
            self._state.calls.append(call)
            self._lock.notify_all()

    # -- replies (called with the lock held) ----------------------------------------------------------

    def _next_ts(self) -> str:
        """The moment the message is posted, as Slack's ts is, kept increasing (one message a microsecond)."""
        micros = self._last_micros = max(time.time_ns() // 1000, self._last_micros + 1)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._numbers):07d}"

    def _auth_test(self, args: dict[str, Any]) -> Reply:
        return {
            "ok": True, "url": "https://spoc-test.slack.com/", "team": "spoc test", "user": "spoc",
            "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message(self, args: dict[str, Any], ts: str) -> Reply:
        message = {"type": "message", "text": args.get("text", ""), "user": self.bot_user_id,
                   "bot_id": self.bot_id, "app_id": APP_ID, "team": self.team_id, "ts": ts}
        for name in ("blocks", "attachments", "metadata"):
            if name in args:
                message[name] = _json_arg(args[name])
        if "thread_ts" in args:
            message["thread_ts"] = str(args["thread_ts"])
        return message

    def _post_message(self, args: dict[str, Any]) -> Reply:
        channel = str(args.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(name) for name in ("text", "blocks", "attachments", "markdown_text")):
            return {"ok": False, "error": "no_text"}
        if channel[0] in "UW":  # posting to a user id lands in the DM with them
            channel = _dm_id(channel)
        ts = self._next_ts()
        message = self._message(args, ts)
        self._channel_messages.setdefault(channel, []).append(message)  # history shows what the bot posted too
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update_message(self, args: dict[str, Any]) -> Reply:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(args["ts"])
        return {"ok": True, "channel": args["channel"], "ts": ts, "text": args.get("text", ""),
                "message": self._message(args, ts)}

    def _post_ephemeral(self, args: dict[str, Any]) -> Reply:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _add_reaction(self, args: dict[str, Any]) -> Reply:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("timestamp"):
            return {"ok": False, "error": "message_not_found"}
        if not args.get("name"):
            return {"ok": False, "error": "invalid_name"}
        return {"ok": True}

    def _open_conversation(self, args: dict[str, Any]) -> Reply:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = args.get("users")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        ids = users if isinstance(users, list) else str(users).split(",")
        channel_id = _dm_id(ids[0]) if len(ids) == 1 else "G" + "".join(i.strip() for i in ids)[:10]
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _conversation_info(self, args: dict[str, Any]) -> Reply:
        channel_id = str(args.get("channel") or "")
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        kind = channel_id[0]
        known = self._channels.get(channel_id, {})
        if not known.get("exists", True):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {
            "id": channel_id, "name": known.get("name") or f"channel-{channel_id.lower()}",
            "is_channel": kind == "C", "is_group": kind == "G", "is_im": kind == "D", "is_private": kind in "GD",
            "is_member": known.get("member", True), "is_archived": known.get("archived", False),
            "created": 1_700_000_000, "creator": "U0000",
        }}

    def _user(self, user_id: str) -> _User:
        known = self._users.get(user_id)
        if known is not None:
            return known
        low = user_id.lower()
        return _User(id=user_id, name=low, real_name=f"User {user_id}", display_name=low,
                     email=f"{low}@example.com")

    def _user_info(self, args: dict[str, Any]) -> Reply:
        user_id = str(args.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user(user_id).as_slack(self.team_id)}

    def _user_by_email(self, args: dict[str, Any]) -> Reply:
        email = str(args.get("email") or "").lower()
        for user in self._users.values():
            if user.email.lower() == email:
                return {"ok": True, "user": user.as_slack(self.team_id)}
        local, _, domain = email.partition("@")
        if domain == "example.com" and local and local.upper() not in self._users:
            return {"ok": True, "user": self._user(local.upper()).as_slack(self.team_id)}
        return {"ok": False, "error": "users_not_found"}

    def _usergroup_members(self, args: dict[str, Any]) -> Reply:
        return {"ok": True, "users": self._usergroups.get(str(args.get("usergroup")), [])}

    def _view(self, args: dict[str, Any]) -> Reply:
        view = _json_arg(args.get("view", {}))
        view = view if isinstance(view, dict) else {}
        view_id = str(args.get("view_id") or self._next_id("V"))
        return {"ok": True, "view": {
            **view, "id": view_id, "team_id": self.team_id, "app_id": APP_ID, "bot_id": self.bot_id,
            "hash": f"{time.time():.0f}.{view_id}", "root_view_id": view_id, "previous_view_id": None,
            "state": {"values": {}}, "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "external_id": str(args.get("external_id", "")),
        }}

    def _file(self, file_id: str, name: str, title: str | None, size: int) -> Reply:
        return {"id": file_id, "name": name, "title": title or name, "size": size, "user": self.bot_user_id,
                "permalink": f"https://spoc-test.slack.com/files/{self.bot_user_id}/{file_id}/{name}"}

    def _files_upload(self, args: dict[str, Any]) -> Reply:
        data = args.get("file", args.get("content", b""))
        data = data if isinstance(data, bytes) else str(data).encode()
        file_id = self._next_id("F")
        name = str(args.get("filename") or "file")
        self._state.uploads[file_id] = UploadedFile(file_id, name, data)
        return {"ok": True, "file": self._file(file_id, name, args.get("title"), len(data))}

    def _upload_url(self, args: dict[str, Any]) -> Reply:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._state.pending_uploads[file_id] = str(args["filename"])
        return {"ok": True, "upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _complete_upload(self, args: dict[str, Any]) -> Reply:
        files = _json_arg(args.get("files", "[]"))
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        done = []
        for item in files:
            uploaded = self._state.uploads.get(str(item.get("id")))
            if uploaded is None:
                return {"ok": False, "error": "file_not_found"}
            size = len(uploaded.data)
            done.append(self._file(uploaded.file_id, uploaded.filename, item.get("title"), size))
        return {"ok": True, "files": done}


def _dm_id(user_id: str) -> str:
    return "D" + user_id.strip()


def _json_arg(value: Any) -> Any:
    """Form posts carry blocks, views and file lists as JSON text; JSON posts carry them as JSON."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read_args(request: web.Request) -> tuple[dict[str, Any], bool]:
    """Query and body arguments merged, as Slack reads them; False when a JSON body is not an object."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "multipart/form-data":
        form = await request.post()
        for name, value in form.items():
            args[name] = value.file.read() if isinstance(value, web.FileField) else value
        return args, True
    raw = await request.read()
    if not raw:
        return args, True
    if request.content_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return args, False
        if not isinstance(body, dict):
            return args, False
        args.update(body)
    else:
        args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    return args, True
