"""Slack's error codes as one sentence for a person: what Slack refused and what to do about it."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from adapters.slack.settings import APP_TOKEN_WHERE, BOT_TOKEN_WHERE

TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                           "not_allowed_token_type"})
SCOPES_PAGE = "OAuth & Permissions -> Scopes (or create the app again from `spoc slack manifest`), then reinstall " \
              "the app to the workspace"


def error_code(error: SlackApiError) -> str:
    response = error.response
    return str(response.get("error", "")) or f"http {response.status_code}"


def explain(error: SlackApiError | str, *, channel: str = "", doing: str = "", app_token: bool = False) -> str:
    """One sentence for a refusal from Slack's Web API (an exception or its error code)."""
    code = error if isinstance(error, str) else error_code(error)
    needed = "" if isinstance(error, str) else str(error.response.get("needed", "") or "")
    while_ = f" while {doing}" if doing else ""
    where = f"channel {channel}" if channel else "the channel"
    if code in TOKEN_REFUSED and app_token:
        return (f"Slack refused the app-level token ({code}){while_}: create one at {APP_TOKEN_WHERE} and put it "
                "in SLACK_APP_TOKEN.")
    if code in TOKEN_REFUSED:
        return (f"Slack refused the bot token ({code}){while_}: copy it again from {BOT_TOKEN_WHERE} into "
                "SLACK_BOT_TOKEN (reinstall the app if it was removed).")
    if code == "not_in_channel":
        return f"spoc is not a member of {where} ({code}){while_}: type /invite @spoc in that channel."
    if code == "channel_not_found":
        return (f"Slack has no {where} that spoc can see ({code}){while_}: check the id (channel details -> About "
                "-> Channel ID); for a private channel, type /invite @spoc in it first.")
    if code == "is_archived":
        return f"{where.capitalize()} is archived ({code}){while_}: unarchive it, or name another in the config."
    if code == "missing_scope":
        scope = f" {needed}" if needed else ""
        return f"The Slack app lacks the scope{scope} ({code}){while_}: add it under {SCOPES_PAGE}."
    if code == "no_such_subteam" or code == "subteam_not_found":
        return (f"Slack has no user group by that id ({code}){while_}: copy the id of the agents' group into "
                "slack.agent_usergroup.")
    if code == "ratelimited":
        return f"Slack is rate limiting spoc ({code}){while_}; it waits and tries again."
    return f"Slack refused{while_}: {code}."
