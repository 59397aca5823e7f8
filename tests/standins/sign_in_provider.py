"""A local stand-in of Slack's OpenID Connect and Discord's OAuth2 endpoints: /authorize sends the browser
back with a code (for the account the test chose), /token trades it for an access token, /userinfo and
/users/@me say whose token it is, as the real ones shape their answers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web


@dataclass
class SignInProvider:
    client_id: str = "client-1"
    client_secret: str = "provider secret"
    # The account the next person to authorize is, as the provider's user-info says it.
    account: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        application = web.Application()
        application.add_routes([web.get("/authorize", self.authorize), web.post("/token", self.token),
                                web.get("/userinfo", self.userinfo)])
        return application

    async def authorize(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            raise web.HTTPBadRequest(text="unknown client_id")
        code = secrets.token_urlsafe(12)
        self.codes[code] = {"account": dict(self.account), "redirect_uri": query["redirect_uri"]}
        back = {"code": code, "state": query.get("state", "")}
        raise web.HTTPFound(f"{query['redirect_uri']}?{urlencode(back)}")

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        grant = self.codes.pop(str(form.get("code", "")), None)
        if (form.get("client_secret") != self.client_secret or grant is None
                or form.get("redirect_uri") != grant["redirect_uri"]):
            return web.json_response({"ok": False, "error": "invalid_grant"}, status=400)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = grant["account"]
        return web.json_response({"ok": True, "access_token": token, "token_type": "Bearer"})

    async def userinfo(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        account = self.tokens.get(token)
        if account is None:
            return web.json_response({"ok": False, "error": "invalid_auth"}, status=401)
        return web.json_response({"ok": True, **account})
