"""The Discord stand-in, driven by the real discord.py client end to end."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

with warnings.catch_warnings():
    # discord.py 2.7 imports audioop, deprecated on Python 3.11-3.12.
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import discord
    from discord import app_commands

from tests.standins.discord_payloads import (
    AGENT,
    BOT,
    EMPLOYEE,
    GUILD_ID,
    HELPDESK_CHANNEL_ID,
    INTENT_MESSAGE_CONTENT,
    button_interaction,
    dm_message_create,
    message_create,
    modal_submit_interaction,
    slash_command_interaction,
)
from tests.standins.discord_spec import DiscordSpec
from tests.standins.discord_standin import DiscordStandIn, configure_discord_py, discord_spec_path

TIMEOUT = 5.0
SEND = "POST /channels/{channel_id}/messages"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"

requires_spec = pytest.mark.skipif(
    not discord_spec_path().exists(), reason=f"Discord's OpenAPI spec is not at {discord_spec_path()}"
)


class DeskClient(discord.Client):
    """A minimal bot: replies to messages, has a /desk group, a persistent view and a modal."""

    def __init__(self, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before on_ready.
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.seen: list[discord.Message] = []
        self.clicks: list[str] = []
        self.submissions: list[str] = []
        self.setup_steps: list[Callable[[DeskClient], Awaitable[None]]] = []

    async def setup_hook(self) -> None:
        for step in self.setup_steps:
            await step(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s here before every IDENTIFY but the first; a test need not wait."""

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        self.seen.append(message)
        if message.content.startswith("help:"):
            await message.channel.send(f"Ticket opened for {message.author.display_name}.")


class ClaimView(discord.ui.View):
    def __init__(self, client: DeskClient) -> None:
        super().__init__(timeout=None)
        self._client = client

    @discord.ui.button(label="Claim", style=discord.ButtonStyle.primary, custom_id="spoc:ticket:claim")
    async def claim(self, interaction: discord.Interaction, button: discord.ui.Button[ClaimView]) -> None:
        # Record rather than assert: discord.py swallows exceptions raised in view callbacks.
        roles = ",".join(r.name for r in getattr(interaction.user, "roles", []))
        self._client.clicks.append(f"{button.custom_id} by {interaction.user.name} ({roles})")
        await interaction.response.send_message("Claimed.", ephemeral=True)


class DescribeModal(discord.ui.Modal, title="Describe the problem"):
    details: discord.ui.TextInput[DescribeModal] = discord.ui.TextInput(label="Details", custom_id="details")

    def __init__(self, client: DeskClient) -> None:
        super().__init__(custom_id="spoc:describe", timeout=None)
        self._client = client

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self._client.submissions.append(self.details.value)
        await interaction.response.send_message("Thanks, noted.", ephemeral=True)


async def add_desk_commands(client: DeskClient) -> None:
    desk = app_commands.Group(name="desk", description="IT service desk")

    @desk.command(name="open", description="Open a ticket")
    @app_commands.describe(title="What is wrong")
    async def open_ticket(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(f"Opened: {title}", ephemeral=True)

    @desk.command(name="describe", description="Describe a problem in a form")
    async def describe(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(DescribeModal(client))

    client.tree.add_command(desk)
    # sync(guild=...) only sends commands registered for that guild; global ones must be copied over.
    client.tree.copy_global_to(guild=discord.Object(GUILD_ID))
    await client.tree.sync(guild=discord.Object(GUILD_ID))


async def add_claim_view(client: DeskClient) -> None:
    client.add_view(ClaimView(client))


@pytest.fixture
async def discord_srv() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as srv:
        with configure_discord_py(srv.api_url, gateway_url=srv.gateway_url):
            yield srv


@pytest.fixture
async def start_client(
    discord_srv: DiscordStandIn,
) -> AsyncIterator[Callable[[DeskClient], Awaitable[DeskClient]]]:
    running: list[tuple[DeskClient, asyncio.Task[None] | None]] = []

    async def start(client: DeskClient) -> DeskClient:
        running.append((client, None))
        await asyncio.wait_for(client.login(discord_srv.token), TIMEOUT)
        running[-1] = (client, asyncio.create_task(client.connect()))
        await asyncio.wait_for(client.ready.wait(), TIMEOUT)
        return client

    yield start
    for client, task in running:
        await asyncio.wait_for(client.close(), TIMEOUT)
        if task is not None:
            await asyncio.wait_for(task, TIMEOUT)


async def test_client_logs_in_identifies_with_transport_compression_and_becomes_ready(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())

    assert client.user is not None and client.user.id == BOT.id
    guild = client.get_guild(GUILD_ID)
    assert guild is not None and guild.get_channel(HELPDESK_CHANNEL_ID) is not None
    assert discord_srv.identify_count == 1
    # discord.py asks for zlib-stream, or zstd-stream when zstandard is installed (then sent as text).
    first = discord_srv.connections[0]
    assert first.query["compress"] in {"zlib-stream", "zstd-stream"}
    assert first.compression == ("zlib-stream" if first.query["compress"] == "zlib-stream" else None)
    assert [c.route for c in discord_srv.calls] == ["GET /users/@me", "GET /oauth2/applications/@me"]


@requires_spec
async def test_guild_message_reaches_on_message_and_the_reply_is_recorded_per_spec(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())

    await discord_srv.dispatch("MESSAGE_CREATE", message_create(content="help: my VPN is down"))
    await discord_srv.wait_until(lambda: len(discord_srv.calls_to(SEND)) == 1, what="the reply")

    reply = discord_srv.calls_to(SEND)[0]
    assert reply.path == f"/channels/{HELPDESK_CHANNEL_ID}/messages"
    assert reply.json["content"] == "Ticket opened for Alice."
    assert reply.headers["Authorization"] == f"Bot {discord_srv.token}"
    assert [m.content for m in client.seen] == ["help: my VPN is down"]
    discord_srv.assert_calls_match_spec()


async def test_direct_message_is_answered_in_the_dm_channel(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())

    await discord_srv.dispatch("MESSAGE_CREATE", dm_message_create(content="help: printer jammed"))
    await discord_srv.wait_until(lambda: len(discord_srv.calls_to(SEND)) == 1, what="the DM reply")

    assert isinstance(client.seen[0].channel, discord.DMChannel)
    assert discord_srv.calls_to(SEND)[0].path == f"/channels/{EMPLOYEE.dm_channel_id}/messages"


async def test_without_the_message_content_intent_guild_messages_arrive_empty(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient(message_content=False))
    assert (
        discord_srv.gateway.intents is not None and not discord_srv.gateway.intents & INTENT_MESSAGE_CONTENT
    )

    await discord_srv.dispatch("MESSAGE_CREATE", message_create(content="help: secret details"))
    await discord_srv.wait_until(lambda: len(client.seen) == 1, what="the message")

    assert client.seen[0].content == ""


@requires_spec
async def test_desk_slash_command_is_synced_and_its_response_recorded(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = DeskClient()
    client.setup_steps.append(add_desk_commands)
    await start_client(client)
    synced = discord_srv.world.guild_commands[GUILD_ID]
    assert [c["name"] for c in synced] == ["desk"]

    interaction = slash_command_interaction(
        subcommand="open",
        options={"title": "VPN down"},
        command_id=int(synced[0]["id"]),
        command_guild_id=GUILD_ID,
    )
    await discord_srv.send_interaction(interaction)
    await discord_srv.wait_until(lambda: len(discord_srv.interaction_callbacks) == 1, what="the callback")

    callback = discord_srv.interaction_callbacks[0]
    assert callback.interaction_id == int(interaction["id"])
    assert callback.type == 4
    assert callback.data is not None and callback.data["content"] == "Opened: VPN down"
    assert callback.data["flags"] & 64
    discord_srv.assert_calls_match_spec()


@requires_spec
async def test_modal_opened_by_a_command_receives_its_submission(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = DeskClient()
    client.setup_steps.append(add_desk_commands)
    await start_client(client)

    await discord_srv.send_interaction(
        slash_command_interaction(subcommand="describe", command_guild_id=GUILD_ID)
    )
    await discord_srv.wait_until(lambda: len(discord_srv.interaction_callbacks) == 1, what="the modal")
    assert discord_srv.interaction_callbacks[0].type == 9
    await discord_srv.send_interaction(
        modal_submit_interaction(custom_id="spoc:describe", values={"details": "Laptop will not boot"})
    )
    await discord_srv.wait_until(lambda: len(discord_srv.interaction_callbacks) == 2, what="the submit reply")

    assert client.submissions == ["Laptop will not boot"]
    discord_srv.assert_calls_match_spec()


async def test_persistent_view_receives_a_button_click(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = DeskClient()
    client.setup_steps.append(add_claim_view)
    await start_client(client)

    await discord_srv.send_interaction(button_interaction(custom_id="spoc:ticket:claim", user=AGENT))
    await discord_srv.wait_until(lambda: len(discord_srv.interaction_callbacks) == 1, what="the click reply")

    assert client.clicks == ["spoc:ticket:claim by bob.agent (@everyone,IT Agents)"]
    callback = discord_srv.interaction_callbacks[0]
    assert callback.type == 4 and callback.data is not None and callback.data["content"] == "Claimed."


async def test_second_answer_to_one_interaction_is_refused_like_discord(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = DeskClient()
    client.setup_steps.append(add_claim_view)
    await start_client(client)
    interaction = button_interaction(custom_id="spoc:ticket:claim")
    await discord_srv.send_interaction(interaction)
    await discord_srv.wait_until(lambda: len(discord_srv.interaction_callbacks) == 1, what="the click reply")

    url = f"{discord_srv.api_url}/interactions/{interaction['id']}/{interaction['token']}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 6}) as response:
        status, body = response.status, await response.json()

    assert (status, body["code"]) == (400, 40060)
    assert [c.status for c in discord_srv.calls_to(CALLBACK)] == [200, 400]


@pytest.mark.parametrize("global_", [False, True], ids=["route-limit", "global-limit"])
async def test_rate_limited_send_is_retried_and_delivered_once(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]], global_: bool
) -> None:
    client = await start_client(DeskClient())
    discord_srv.fail_next(SEND, status=429, retry_after=0.2, global_=global_)
    channel = client.get_channel(HELPDESK_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)

    sent = await asyncio.wait_for(channel.send("Your ticket is INC-1."), TIMEOUT)

    assert [c.status for c in discord_srv.calls_to(SEND)] == [429, 200]
    assert discord_srv.calls_to(SEND)[1].json == discord_srv.calls_to(SEND)[0].json
    assert [m["content"] for m in discord_srv.messages_in(HELPDESK_CHANNEL_ID)] == ["Your ticket is INC-1."]
    assert sent.id == int(discord_srv.messages_in(HELPDESK_CHANNEL_ID)[0]["id"])


async def test_scripted_403_surfaces_as_forbidden_with_discords_code(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())
    discord_srv.fail_next(SEND, status=403)
    channel = client.get_channel(HELPDESK_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)

    with pytest.raises(discord.Forbidden) as refused:
        await asyncio.wait_for(channel.send("hello"), TIMEOUT)

    assert refused.value.code == 50001 and refused.value.text == "Missing Access"


@requires_spec
async def test_private_thread_is_created_joined_and_written_per_spec(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())
    channel = client.get_channel(HELPDESK_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)

    thread = await channel.create_thread(
        name="INC-1 VPN down", type=discord.ChannelType.private_thread, invitable=False
    )
    await thread.add_user(discord.Object(AGENT.id))
    await thread.send("An agent will be with you shortly.")
    dm = await (await client.fetch_user(EMPLOYEE.id)).create_dm()
    await dm.send("We opened INC-1 for you.")

    assert thread.type is discord.ChannelType.private_thread
    assert discord_srv.world.thread_members[thread.id] == {BOT.id, AGENT.id}
    assert [m["content"] for m in discord_srv.messages_in(thread.id)] == [
        "An agent will be with you shortly."
    ]
    assert dm.id == EMPLOYEE.dm_channel_id
    discord_srv.assert_calls_match_spec()


async def _drop_with_4000(srv: DiscordStandIn) -> None:
    await srv.disconnect_client(4000, hold_reconnect=True)


async def _drop_with_plain_close(srv: DiscordStandIn) -> None:
    await srv.disconnect_client(1000, hold_reconnect=True)


async def _ask_to_reconnect(srv: DiscordStandIn) -> None:
    await srv.request_reconnect(hold_reconnect=True)


@pytest.mark.parametrize("drop", [_drop_with_4000, _drop_with_plain_close, _ask_to_reconnect])
async def test_missed_message_is_replayed_exactly_once_on_resume(
    discord_srv: DiscordStandIn,
    start_client: Callable[[DeskClient], Awaitable[DeskClient]],
    drop: Callable[[DiscordStandIn], Awaitable[None]],
) -> None:
    client = await start_client(DeskClient())
    await discord_srv.dispatch("MESSAGE_CREATE", message_create(content="before the drop"))
    await discord_srv.wait_until(lambda: len(client.seen) == 1, what="the first message")

    await drop(discord_srv)
    missed_seq = await discord_srv.dispatch("MESSAGE_CREATE", message_create(content="while away"))
    discord_srv.release_reconnect()
    await asyncio.wait_for(client.resumed.wait(), TIMEOUT)
    await discord_srv.dispatch("MESSAGE_CREATE", message_create(content="after the resume"))
    await discord_srv.wait_until(lambda: len(client.seen) == 3, what="all three messages")

    assert [m.content for m in client.seen] == ["before the drop", "while away", "after the resume"]
    assert discord_srv.replayed_seqs == [missed_seq]
    assert (discord_srv.identify_count, discord_srv.resume_count) == (1, 1)
    assert discord_srv.connections[-1].path == "/ws-resume"


async def test_invalidated_session_makes_the_client_identify_afresh_and_fire_on_ready_again(
    discord_srv: DiscordStandIn, start_client: Callable[[DeskClient], Awaitable[DeskClient]]
) -> None:
    client = await start_client(DeskClient())
    client.ready.clear()

    await discord_srv.invalidate_session(resumable=False)
    await asyncio.wait_for(client.ready.wait(), TIMEOUT)

    assert (discord_srv.identify_count, discord_srv.resume_count) == (2, 0)
    assert discord_srv.connections[-1].path == "/ws"


@requires_spec
def test_spec_check_names_unknown_properties_wrong_types_and_unknown_routes() -> None:
    spec = DiscordSpec.load(discord_spec_path())

    problems = spec.check(
        method="POST", path="/api/v10/channels/1/messages", query={}, body={"contnt": "hi", "tts": "yes"}
    )
    assert problems == [
        "POST /channels/{channel_id}/messages: body.contnt: property not in the spec's schema",
        "POST /channels/{channel_id}/messages: body.tts: str 'yes' is not boolean or null",
    ]
    assert spec.check(method="POST", path="/users/@me/channels", query={}, body={"recipient_id": 42}) == []
    assert spec.check(method="GET", path="/no/such/thing", query={}, body=None) == [
        "GET /no/such/thing: no such path in Discord's spec"
    ]
    assert spec.check(method="PUT", path="/gateway", query={}, body=None) == [
        "PUT /gateway: method not in spec (spec allows GET)"
    ]
