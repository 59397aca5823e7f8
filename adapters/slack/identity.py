"""Who the bot is, as Slack's `auth.test` says, asked once and remembered.

bolt asks on the first request it handles, and when Slack cannot answer then it logs the failure and
answers the request as handled, so that event would be dropped. Here the answer from the start-up check is
used, and while Slack has not answered yet a request fails (bolt answers 500) and is tried again later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient


class SlackNotAnswering(Exception):
    """Slack could not say who the bot is yet; the request is tried again later."""


class BotIdentity:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.result: AuthorizeResult | None = None

    def learn(self, auth_test: Mapping[str, Any]) -> None:
        self.result = AuthorizeResult.from_auth_test_response(auth_test_response=auth_test,  # type: ignore[arg-type]
                                                              bot_token=self.client.token)

    def authorize(self) -> Callable[[], Awaitable[AuthorizeResult]]:
        """bolt's `authorize` function."""

        async def authorize() -> AuthorizeResult:
            if self.result is None:
                try:
                    self.learn(await self.client.auth_test())
                except SlackApiError as error:  # bolt would swallow this one and drop the request
                    raise SlackNotAnswering(f"auth.test failed: {error.response.get('error')}") from None
            assert self.result is not None
            return self.result

        return authorize
