"""Sign in with Slack (OpenID Connect) or Discord (OAuth2): the authorization-code flow against the
platform's endpoints (configurable, so tests use a local stand-in provider). The state sent to the provider
is kept in the visitor's signed session and must come back unchanged; the account is what the provider's
user-info endpoint says over its own connection (Slack: the user id, in the configured workspace only;
Discord: the user id), never a name."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.web.app import WebApp
from adapters.web.settings import OpenIdProvider

log = logging.getLogger(__name__)
SCOPES = {"slack": "openid profile email", "discord": "identify"}
TIMEOUT_SECONDS = 10.0


class SignInFailed(Exception):
    """The provider did not vouch for an account; the message says what to do."""


class ProviderSignIn:
    def __init__(self, app: WebApp, *, sign_in: Any) -> None:
        self.app = app
        self.sign_in = sign_in  # Portal.sign_in: starts the session for an account

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/signin/with/{provider}", self.start),
                web.get("/signin/callback/{provider}", self.callback)]

    def _redirect_uri(self, name: str) -> str:
        return f"{self.app.base_url}/signin/callback/{name}"

    async def start(self, request: web.Request) -> web.StreamResponse:
        fields = await self.app.form(request)
        if isinstance(fields, web.Response):
            return fields
        name = request.match_info["provider"]
        provider = self.app.settings.provider(name)
        if provider is None:
            return self.app.refuse(request, 404, "No such sign-in", "Type `/desk web` in chat for a sign-in link.")
        state = secrets.token_urlsafe(24)
        session = self.app.session(request).with_state(f"{name}:{state}")
        self.app.remember(request, session)
        query = {"response_type": "code", "client_id": provider.client_id, "scope": SCOPES[name],
                 "redirect_uri": self._redirect_uri(name), "state": state}
        if name == "slack":
            query |= {"nonce": secrets.token_urlsafe(16), "team": provider.team_id}
        return self.app.redirect(request, f"{provider.authorize_url}?{urlencode(query)}", session=session)

    async def callback(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["provider"]
        provider = self.app.settings.provider(name)
        session = self.app.session(request)
        expected = session.oauth_state
        self.app.remember(request, session.with_state(""))
        if provider is None:
            return self.app.refuse(request, 404, "No such sign-in", "Type `/desk web` in chat for a sign-in link.")
        state, code = request.query.get("state", ""), request.query.get("code", "")
        if not expected or not secrets.compare_digest(expected, f"{name}:{state}"):
            return self.app.refuse(request, 400, "Sign-in not finished",
                                   "This answer does not belong to a sign-in started here. Start again.")
        if not code:
            why = request.query.get("error", "no code")
            return self.app.refuse(request, 401, "Sign-in refused", f"{name.capitalize()} did not sign you in ({why}).")
        try:
            user_id, display = await self._account(name, provider, code)
        except SignInFailed as failure:
            return self.app.refuse(request, 401, "Sign-in refused", str(failure))
        return self.sign_in(request, platform=name, workspace="", user_id=user_id, name=display)

    async def _account(self, name: str, provider: OpenIdProvider, code: str) -> tuple[str, str]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self._redirect_uri(name),
                "client_id": provider.client_id, "client_secret": provider.client_secret}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as http:
                async with http.post(provider.token_url, data=form) as answer:
                    tokens = await _json(answer)
                token = tokens.get("access_token")
                if not isinstance(token, str) or not token:
                    raise SignInFailed(f"{name.capitalize()} gave no access token: {tokens.get('error', 'refused')}.")
                async with http.get(provider.userinfo_url, headers={"Authorization": f"Bearer {token}"}) as answer:
                    info = await _json(answer)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("sign-in with %s failed: %s", name, error)
            raise SignInFailed(f"{name.capitalize()} could not be reached; try again in a minute.") from None
        if name == "slack":
            team, user = info.get("https://slack.com/team_id"), info.get("https://slack.com/user_id")
            if team != provider.team_id:
                raise SignInFailed("That Slack account is not a member of this desk's workspace.")
            display = info.get("name") or info.get("given_name") or user
        else:
            user = info.get("id")
            display = info.get("global_name") or info.get("username") or user
        if not isinstance(user, str) or not user:
            raise SignInFailed(f"{name.capitalize()} did not say who you are.")
        return user, str(display)


async def _json(answer: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        found = await answer.json(content_type=None)
    except ValueError:
        found = None
    if answer.status >= 400 or not isinstance(found, dict) or found.get("ok") is False:
        error = found.get("error") if isinstance(found, dict) else f"HTTP {answer.status}"
        raise SignInFailed(f"The provider refused ({error}). Start again, or type `/desk web` in chat.")
    return found
