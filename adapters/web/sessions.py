"""Sessions in signed cookies: who is signed in (the chat account they act as), until when, and the token
every form carries against cross-site requests. A visitor not signed in has a session too (its CSRF token
protects the sign-in forms). Nothing is kept on the server; a cookie that fails its signature is ignored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, replace

from aiohttp import web

COOKIE = "spoc_session"
FLASH = "spoc_flash"


@dataclass(frozen=True)
class Session:
    csrf: str
    platform: str = ""
    workspace: str = ""
    user_id: str = ""
    name: str = ""
    expires: float = 0.0
    # Where a visitor wanted to go before signing in, and the state of a sign-in with a provider.
    oauth_state: str = ""

    @property
    def signed_in(self) -> bool:
        return bool(self.user_id) and self.expires > time.time()

    def signed_in_as(self, *, platform: str, workspace: str, user_id: str, name: str, hours: float) -> Session:
        # A new CSRF token at sign-in: a token known before it says nothing about the signed-in visitor.
        return Session(csrf=secrets.token_urlsafe(24), platform=platform, workspace=workspace, user_id=user_id,
                       name=name, expires=time.time() + hours * 3600)

    def with_state(self, state: str) -> Session:
        return replace(self, oauth_state=state)


class Signer:
    def __init__(self, secret: str, *, secure: bool) -> None:
        self.key = hashlib.sha256(("spoc web sessions " + secret).encode()).digest()
        self.secure = secure

    def _sign(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self.key, payload, hashlib.sha256).digest()).decode().rstrip("=")

    def dumps(self, value: dict[str, object]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{payload}.{self._sign(payload.encode())}"

    def loads(self, cookie: str | None) -> dict[str, object] | None:
        if not cookie or "." not in cookie or len(cookie) > 4000:
            return None
        payload, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload.encode())):
            return None
        try:
            value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (ValueError, UnicodeDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def read(self, request: web.Request) -> Session:
        found = self.loads(request.cookies.get(COOKIE))
        if found is not None:
            try:
                session = Session(**found)  # type: ignore[arg-type]
            except TypeError:
                session = None
            if session is not None and (not session.user_id or session.signed_in):
                return session
        return Session(csrf=secrets.token_urlsafe(24))

    def write(self, response: web.StreamResponse, session: Session) -> None:
        response.set_cookie(COOKIE, self.dumps(asdict(session)), httponly=True, samesite="Lax", secure=self.secure,
                            path="/")

    def flash(self, response: web.StreamResponse, text: str, *, tone: str = "info") -> None:
        response.set_cookie(FLASH, self.dumps({"text": text[:1000], "tone": tone}), httponly=True, samesite="Lax",
                            secure=self.secure, path="/", max_age=60)

    def take_flash(self, request: web.Request, response: web.StreamResponse) -> dict[str, object] | None:
        if FLASH not in request.cookies:
            return None
        response.del_cookie(FLASH, path="/")
        return self.loads(request.cookies.get(FLASH))


def csrf_ok(session: Session, sent: object) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent, session.csrf)
