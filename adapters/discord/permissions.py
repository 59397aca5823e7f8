"""spoc's permissions in a configured Discord channel, read from the gateway's view of its servers."""

from __future__ import annotations

import discord

from adapters.discord.errors import invite_url
from core.checkup import Check, failed, passed

# What spoc does in a configured channel: read it, post cards (embeds, charts), open a thread per ticket
# and write in it. Private threads are used where allowed and fall back to public ones.
NEEDED = ("view_channel", "send_messages", "read_message_history", "embed_links", "attach_files",
          "create_public_threads", "send_messages_in_threads")


def _words(permission: str) -> str:
    return permission.replace("_", " ").title().replace(" In ", " in ")


def channel_check(client: discord.Client, channel_id: str, key: str) -> Check:
    """spoc's permissions in one configured channel, from the gateway's view of the servers it is in."""
    name = f"discord channel {channel_id} ({key})"
    channel = client.get_channel(int(channel_id))
    if channel is None:
        return failed(name, f"spoc cannot see channel {channel_id}: invite the bot to its server "
                            f"({invite_url(client.application_id)}), give its role View Channel there, or correct "
                            "the id (Developer Mode -> right click the channel -> Copy Channel ID).")
    if not isinstance(channel, discord.abc.GuildChannel):
        return passed(name, "a direct message channel")
    mine = channel.permissions_for(channel.guild.me)
    missing = [_words(p) for p in NEEDED if not getattr(mine, p)]
    label = f"#{channel.name} in {channel.guild.name}"
    if missing:
        return failed(name, f"spoc lacks {', '.join(missing)} in {label}: in that channel's settings -> "
                            "Permissions, allow them for spoc's role.")
    return passed(name, f"{label}: spoc can read, post and open threads")


def channel_problems(client: discord.Client, channels: dict[str, str]) -> list[str]:
    """One sentence for each configured channel spoc cannot work in, for the warning at start."""
    return [check.detail for check in (channel_check(client, c, key) for c, key in channels.items()) if not check.ok]
