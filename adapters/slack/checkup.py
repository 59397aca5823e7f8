"""`spoc doctor` for Slack, and the channel check at start: the tokens, the scopes, and every configured
channel the bot must be a member of."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import explain
from adapters.slack.manifest import bot_scopes
from adapters.slack.settings import SlackSettings
from core.checkup import Check, failed, passed

CLOCK_SKEW_LIMIT_SECONDS = 60  # Slack refuses request signatures more than 5 minutes off; warn well before


async def checkup(settings: SlackSettings, channels: dict[str, str], *, now: datetime | None = None
                  ) -> list[Check]:
    """Every check of the Slack side: bot token (auth.test), its scopes, the app-level token in Socket Mode,
    the agents' user group, each configured channel, and the clock against Slack's."""
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url)
    try:
        auth = await client.auth_test()
    except SlackApiError as error:
        return [failed("slack bot token", explain(error, doing="checking the token (auth.test)"))]
    except (TimeoutError, ClientError, OSError) as error:
        return [failed("slack bot token", f"Slack could not be reached at {settings.api_url} ({error}); check the "
                                          "network and slack.api_url.")]
    checks = [passed("slack bot token", f"valid: {auth.get('user')} in the workspace {auth.get('team')} "
                                        "(auth.test)")]
    checks.append(_scopes(str(auth.headers.get("x-oauth-scopes", auth.headers.get("X-OAuth-Scopes", "")))))
    checks.append(_clock(auth.headers.get("Date", auth.headers.get("date")), now or datetime.now(UTC)))
    if settings.mode == "socket":
        checks.append(await _app_token(settings))
    if settings.agent_usergroup:
        checks.append(await _usergroup(client, settings.agent_usergroup))
    checks += [await _channel(client, channel, key) for channel, key in channels.items()]
    return checks


async def channel_problems(client: AsyncWebClient, channels: dict[str, str]) -> list[str]:
    """One sentence for each configured channel the bot cannot post in, for the warning at start."""
    problems: list[str] = []
    for channel, key in channels.items():
        check = await _channel(client, channel, key)
        if check.ok:
            continue
        if check.detail.startswith("Slack refused the bot token"):
            return [check.detail]  # once, not once per channel
        problems.append(check.detail)
    return problems


def _scopes(header: str) -> Check:
    granted = {scope.strip() for scope in header.split(",") if scope.strip()}
    if not granted:
        return passed("slack scopes", "Slack did not list the token's scopes; not checked")
    missing = sorted(bot_scopes() - granted)
    if missing:
        return failed("slack scopes", f"the bot token lacks {', '.join(missing)}: add them under OAuth & "
                                      "Permissions -> Scopes (or create the app again from `spoc slack manifest`), "
                                      "then reinstall the app to the workspace.")
    return passed("slack scopes", f"all {len(bot_scopes())} the manifest asks for")


def _clock(date_header: str | None, now: datetime) -> Check:
    if not date_header:
        return passed("clock against Slack", "Slack sent no Date header; not checked")
    skew = (now - parsedate_to_datetime(date_header)).total_seconds()
    if abs(skew) > CLOCK_SKEW_LIMIT_SECONDS:
        return failed("clock against Slack", f"this machine's clock is {skew:+.0f} s off Slack's: turn on time "
                                             "synchronisation (NTP, e.g. timedatectl set-ntp true); Slack refuses "
                                             "requests signed more than 5 minutes off.")
    return passed("clock against Slack", f"{skew:+.0f} s off Slack's")


async def _app_token(settings: SlackSettings) -> Check:
    client = AsyncWebClient(base_url=settings.api_url)
    try:
        await client.apps_connections_open(app_token=settings.app_token)
    except SlackApiError as error:
        return failed("slack app-level token", explain(error, doing="opening a Socket Mode connection",
                                                       app_token=True))
    return passed("slack app-level token", "valid: Socket Mode can connect (apps.connections.open)")


async def _usergroup(client: AsyncWebClient, usergroup: str) -> Check:
    name = f"slack user group {usergroup} (slack.agent_usergroup)"
    try:
        found = await client.usergroups_users_list(usergroup=usergroup)
    except SlackApiError as error:
        return failed(name, explain(error, doing="reading the agents' user group"))
    return passed(name, f"{len(found.get('users') or [])} agent(s)")


async def _channel(client: AsyncWebClient, channel: str, key: str) -> Check:
    name = f"slack channel {channel} ({key})"
    try:
        info = (await client.conversations_info(channel=channel)).get("channel") or {}
    except SlackApiError as error:
        return failed(name, explain(error, channel=channel))
    label = f"#{info['name']}" if info.get("name") else channel
    if info.get("is_archived"):
        return failed(name, explain("is_archived", channel=label))
    if not info.get("is_member") and not info.get("is_im"):
        return failed(name, explain("not_in_channel", channel=label))
    return passed(name, f"{label}: spoc is a member")

