"""The gateway half of the Discord stand-in: a JSON-encoded websocket speaking gateway v10.

HELLO on connect; IDENTIFY gets READY then one GUILD_CREATE per guild; heartbeats get ACKs; RESUME
replays every dispatch after the client's last sequence number, then RESUMED. Every dispatch is kept
in the session's buffer, so a dispatch made while the client is away reaches it exactly once, on resume.

Transport compression: discord.py 2.7 asks for ``compress=zlib-stream`` (or ``zstd-stream`` when
``zstandard`` is installed). zlib-stream is honoured as Discord does it: one zlib context per
connection, each message a binary frame ending in a Z_SYNC_FLUSH. For anything else the stand-in sends
plain text frames, which discord.py also accepts (it only decompresses binary frames).

Intents are enforced like Discord: message events need GUILD_MESSAGES / DIRECT_MESSAGES, and without
MESSAGE_CONTENT a guild message arrives with empty content unless it mentions the bot.
"""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .discord_payloads import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
    user_payload,
)
from .discord_world import DiscordWorld

HEARTBEAT_INTERVAL_MS = 41250
_TRACE = ['["gateway-prd-us-east1-b-stand-in",{"micros":0.0}]']
_MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}


@dataclass(frozen=True)
class GatewayConnection:
    """One websocket a client opened: which URL path, query and compression it used."""

    path: str
    query: dict[str, str]
    compression: str | None


class _Socket:
    def __init__(self, ws: web.WebSocketResponse, info: GatewayConnection) -> None:
        self.ws = ws
        self.info = info
        self.identified = False
        self._compressor = zlib.compressobj() if info.compression == "zlib-stream" else None
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        # One lock per socket: the zlib stream must go out in the order it was compressed.
        async with self._lock:
            if self._compressor is None:
                await self.ws.send_str(text)
            else:
                data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)


@dataclass
class _Session:
    session_id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    socket: _Socket | None = None


class DiscordGateway:
    def __init__(
        self,
        *,
        world: DiscordWorld,
        token: str,
        resume_gateway_url: str,
        allowed_intents: int | None = None,
    ) -> None:
        self.world = world
        self._token = token
        self._resume_url = resume_gateway_url
        self._allowed_intents = allowed_intents
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.connections: list[GatewayConnection] = []
        self.received: list[dict[str, Any]] = []  # every payload a client sent, in order
        self.replayed_seqs: list[int] = []
        self.filtered: list[tuple[str, dict[str, Any]]] = []  # dispatches the session's intents dropped
        self._session: _Session | None = None
        self._sockets: set[_Socket] = set()
        self._dispatch_lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._gate = asyncio.Event()
        self._gate.set()

    @property
    def session_id(self) -> str | None:
        return self._session.session_id if self._session else None

    @property
    def intents(self) -> int | None:
        return self._session.intents if self._session else None

    @property
    def shard(self) -> list[int] | None:
        """[shard id, shard count] as the client identified, or None when it connected unsharded."""
        return self._session.shard if self._session else None

    @property
    def connected(self) -> bool:
        return self._session is not None and self._session.socket is not None

    # -- websocket ---------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        requested = request.query.get("compress")
        info = GatewayConnection(
            path=request.path,
            query=dict(request.query),
            compression=requested if requested == "zlib-stream" else None,
        )
        socket = _Socket(ws, info)
        self.connections.append(info)
        self._sockets.add(socket)
        try:
            await self._gate.wait()
            await socket.send(
                {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": _TRACE}}
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_payload(socket, json.loads(msg.data))
        finally:
            self._sockets.discard(socket)
            async with self._dispatch_lock:
                if self._session is not None and self._session.socket is socket:
                    self._session.socket = None
        return ws

    async def _on_payload(self, socket: _Socket, payload: dict[str, Any]) -> None:
        self.received.append(payload)
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            self.heartbeat_count += 1
            await socket.send({"op": 11})
        elif op == 2:
            await self._identify(socket, data)
        elif op == 6:
            await self._resume(socket, data)
        elif not socket.identified:
            await socket.ws.close(code=4003, message=b"Not authenticated.")
        elif op == 8:
            await self._send_member_chunk(socket, data)
        elif op not in (3, 4):
            await socket.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, socket: _Socket, data: dict[str, Any]) -> None:
        if socket.identified:
            await socket.ws.close(code=4005, message=b"Already authenticated.")
            return
        if data.get("token") != self._token:
            await socket.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if self._allowed_intents is not None and intents & PRIVILEGED_INTENTS & ~self._allowed_intents:
            await socket.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        async with self._dispatch_lock:
            session = _Session(session_id=uuid.uuid4().hex, intents=intents, shard=data.get("shard"))
            self._session = session
            socket.identified = True
            session.socket = socket
            self.identify_count += 1
            await self._dispatch_locked(session, "READY", self._ready_payload(session))
            for guild_id in self.world.guilds:
                await self._dispatch_locked(session, "GUILD_CREATE", self.world.guild_create(guild_id))
        self._ready.set()

    def _ready_payload(self, session: _Session) -> dict[str, Any]:
        bot = user_payload(self.world.bot) | {"verified": True, "mfa_enabled": False, "email": None}
        ready: dict[str, Any] = {
            "v": 10,
            "user_settings": {},
            "user": bot,
            "session_type": "normal",
            "session_id": session.session_id,
            "resume_gateway_url": self._resume_url,
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "guilds": [{"id": str(g), "unavailable": True} for g in self.world.guilds],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east", "us-central"],
            "application": {
                "id": str(self.world.application_id),
                "flags": self.world.application_payload()["flags"],
            },
            "_trace": _TRACE,
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        return ready

    async def _resume(self, socket: _Socket, data: dict[str, Any]) -> None:
        session = self._session
        if data.get("token") != self._token:
            await socket.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or data.get("session_id") != session.session_id:
            await socket.send({"op": 9, "d": False})
            return
        last_seen = int(data.get("seq") or 0)
        async with self._dispatch_lock:
            for seq, event, payload in session.buffer:
                if seq > last_seen:
                    self.replayed_seqs.append(seq)
                    await socket.send({"op": 0, "t": event, "s": seq, "d": payload})
            socket.identified = True
            session.socket = socket
            self.resume_count += 1
            await self._dispatch_locked(session, "RESUMED", {"_trace": _TRACE})

    async def _send_member_chunk(self, socket: _Socket, data: dict[str, Any]) -> None:
        guild_id = int(data["guild_id"])
        members = list(self.world.members.get(guild_id, {}).values())
        wanted = {str(u) for u in data.get("user_ids") or []}
        if wanted:
            members = [m for m in members if m["user"]["id"] in wanted]
        elif data.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(data["query"])]
        chunk = {
            "guild_id": str(guild_id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        async with self._dispatch_lock:
            if self._session is not None:
                await self._dispatch_locked(self._session, "GUILD_MEMBERS_CHUNK", chunk)

    # -- dispatching -------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> int | None:
        """Send a dispatch to the identified session, returning its sequence number, or None when the
        session's intents drop it. If the client is disconnected the dispatch waits in the buffer and
        is replayed when it resumes."""
        if self._session is None:
            raise RuntimeError(
                f"cannot dispatch {event}: no client has identified yet (await wait_for_ready())"
            )
        return await self.emit(event, data)

    async def emit(self, event: str, data: dict[str, Any]) -> int | None:
        """Like dispatch, but silently dropped when no client has identified (REST side effects)."""
        async with self._dispatch_lock:
            session = self._session
            if session is None:
                return None
            shaped = self._apply_intents(session.intents, event, data)
            if shaped is None:
                self.filtered.append((event, data))
                return None
            return await self._dispatch_locked(session, event, shaped)

    async def _dispatch_locked(self, session: _Session, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        session.buffer.append((session.seq, event, data))
        if session.socket is not None:
            try:
                await session.socket.send({"op": 0, "t": event, "s": session.seq, "d": data})
            except (ConnectionError, RuntimeError):
                session.socket = None  # closing underneath us; the event stays buffered for RESUME
        return session.seq

    def _apply_intents(self, intents: int, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        if event not in _MESSAGE_EVENTS:
            return data
        in_guild = "guild_id" in data
        if not intents & (INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES):
            return None
        if event == "MESSAGE_DELETE" or intents & INTENT_MESSAGE_CONTENT or not in_guild:
            return data
        bot_id = str(self.world.bot.id)
        if data.get("author", {}).get("id") == bot_id or any(
            u.get("id") == bot_id for u in data.get("mentions", [])
        ):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    # -- steering the client -----------------------------------------------------------------------

    async def wait_for_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client identified and was sent READY and its GUILD_CREATEs."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def disconnect_client(self, code: int = 4000, *, hold_reconnect: bool = False) -> None:
        """Close the client's socket. discord.py resumes after 4000 (or a plain 1000 it did not ask for),
        re-identifies after op 9, and gives up on 4004 and 4010-4014. With ``hold_reconnect`` the next
        connection gets no HELLO until ``release_reconnect()``, so dispatches made meanwhile are
        guaranteed to be missed and replayed."""
        if hold_reconnect:
            self._gate.clear()
        async with self._dispatch_lock:
            socket = self._session.socket if self._session else None
            if self._session is not None:
                self._session.socket = None
        if socket is not None:
            await socket.ws.close(code=code, message=b"Stand-in closed the connection.")

    def release_reconnect(self) -> None:
        self._gate.set()

    async def request_reconnect(self, *, hold_reconnect: bool = False) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session; discord.py closes and resumes.
        Later dispatches only go to the buffer, as the client is expected to leave."""
        if hold_reconnect:
            self._gate.clear()
        async with self._dispatch_lock:
            socket = self._session.socket if self._session else None
            if socket is not None and self._session is not None:
                await socket.send({"op": 7, "d": None})
                self._session.socket = None

    async def invalidate_session(self, *, resumable: bool = False, hold_reconnect: bool = False) -> None:
        """Send op 9. With ``resumable=False`` the session is forgotten and discord.py identifies again.
        With ``hold_reconnect`` the next connection gets no HELLO until ``release_reconnect()``, and
        dispatches made meanwhile go to the forgotten session only: they are never delivered, as after an
        outage longer than Discord keeps a session."""
        if hold_reconnect:
            self._gate.clear()
        async with self._dispatch_lock:
            socket = self._session.socket if self._session else None
            if not resumable and self._session is not None:
                self._session.session_id = "invalidated-" + self._session.session_id
            if socket is not None:
                await socket.send({"op": 9, "d": resumable})
                if hold_reconnect and self._session is not None:
                    self._session.socket = None

    async def close(self) -> None:
        self._gate.set()
        for socket in list(self._sockets):
            await socket.ws.close(code=1001, message=b"Stand-in shutting down.")
