"""Self-service with the real knowledge base: suggestions at intake, solved-it, not helpful, learning,
and the agents' /desk kb verbs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import event

from core.service import Desk
from kb import cli_ops
from kb.service import KnowledgeService
from kb.starter import starter_articles_dir
from tests.conftest import DANA, KIM, SAM, Chat
from tests.integration.helpers import outbox, outbox_texts, tickets


@pytest.fixture
def kb_chat(make_desk: Callable[..., Desk], database_url: str) -> tuple[Chat, KnowledgeService]:
    desk = make_desk(database_url)
    service = KnowledgeService(desk.db.deferred_sessions, refresh_seconds=0)
    service.import_dir(starter_articles_dir())
    desk.deps = replace(desk.deps, knowledge=service)
    return Chat(desk), service


def suggestion_commands(desk: Desk) -> list[str]:
    return [b[1] for row in outbox(desk) if row.card.get("title") == "These articles may help"
            for b in row.card["buttons"]]


def test_a_report_gets_the_right_article_with_solved_and_not_helpful_buttons(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, _ = kb_chat
    chat.say(DANA, "vpn keeps dropping since this morning's update")
    commands = suggestion_commands(chat.desk)
    assert commands[0] == "kb solved INC-1 vpn-keeps-dropping"
    assert commands[-1] == "kb unhelpful INC-1"


def test_this_solved_it_resolves_as_self_service_and_teaches_the_phrasing(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, service = kb_chat
    chat.say(DANA, "vpn keeps dropping since this morning's update")
    answer = chat.desk_command(DANA, "kb solved INC-1 vpn-keeps-dropping")
    assert answer == "Glad it's fixed. INC-1 is resolved (self-service)."
    assert tickets(chat.desk)[0]["status"] == "resolved"
    stats = cli_ops.stats(service)
    assert stats.solved == 1 and stats.learned_phrasings == 1
    assert service.suggest("vpn keeps dropping since this morning's update")[0].slug == "vpn-keeps-dropping"
    assert any("Resolved by self-service" in str(row.card) for row in outbox(chat.desk))


def test_not_helpful_keeps_the_ticket_with_it_and_the_suggestions_visible_to_agents(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, service = kb_chat
    chat.say(DANA, "vpn keeps dropping since this morning's update")
    assert chat.desk_command(DANA, "kb unhelpful INC-1") == "Thanks for telling us. INC-1 stays with IT."
    assert tickets(chat.desk)[0]["status"] == "new"
    assert cli_ops.stats(service).not_helpful >= 1
    triage = [r.card for r in outbox(chat.desk) if r.card_key.startswith("triage:")]
    assert ["Suggested articles", "VPN keeps disconnecting"] in triage[-1]["fields"]


def test_a_report_and_the_count_of_its_suggestions_are_written_in_one_commit(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, service = kb_chat
    commits: list[object] = []
    for engine in (chat.desk.db.engine, chat.desk.db.deferred_engine):
        event.listen(engine, "commit", lambda conn: commits.append(conn))
    chat.say(DANA, "vpn keeps dropping since this morning's update")
    assert len(commits) == 1
    assert cli_ops.stats(service).suggested == len(suggestion_commands(chat.desk)) - 1 >= 1


def test_nothing_confident_means_no_suggestion_card(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, _ = kb_chat
    chat.say(DANA, "zxqv blorp wibble")
    assert suggestion_commands(chat.desk) == []


def test_only_the_requester_can_say_an_article_solved_their_ticket(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, _ = kb_chat
    chat.say(DANA, "vpn keeps dropping since this morning's update")
    assert chat.desk_command(KIM, "kb solved INC-1 vpn-keeps-dropping").startswith("INC-1 is not your ticket")
    assert chat.desk_command(DANA, "kb solved INC-1 printer-add") == \
        "'printer-add' was not suggested for INC-1."


def test_agents_search_send_draft_and_publish(kb_chat) -> None:  # type: ignore[no-untyped-def]
    chat, service = kb_chat
    chat.say(DANA, "the label printer in the warehouse prints blank labels")
    assert "printer" in chat.desk_command(SAM, "kb search printer not printing")
    assert chat.desk_command(SAM, "kb send INC-1 printer-not-printing") == \
        "Sent printer-not-printing to the requester of INC-1."
    assert any("Sam from IT suggests" in t for t in outbox_texts(chat.desk))
    assert chat.desk_command(SAM, "kb draft INC-1").startswith("INC-1 is new; draft articles from resolved tickets")
    chat.desk_command(SAM, "resolve INC-1 replaced the thermal head")
    drafted = chat.desk_command(SAM, "kb draft INC-1")
    assert drafted.startswith("Draft ")
    slug = drafted.split()[1]
    assert slug not in [s.slug for s in service.suggest("label printer prints blank labels")]
    assert chat.desk_command(SAM, f"kb publish {slug}") == f"{slug} is published."
    assert chat.desk_command(DANA, "kb publish anything").startswith("Only IT agents")
