from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kb.service import KnowledgeService
from kb.starter import starter_articles_dir
from tests.kb.conftest import SMALL_KB, FakeMonotonic, article_text

QUESTION = "finance folder on the S drive shows access denied"


def test_import_reports_added_then_unchanged_then_updated_and_invalid(
    sessions: sessionmaker[Session], write_articles: Callable[[dict[str, str]], Path]
) -> None:
    service = KnowledgeService(sessions)
    folder = write_articles(SMALL_KB)
    first = service.import_dir(folder)
    assert len(first.added) == len(SMALL_KB) and not first.updated and not first.invalid
    second = service.import_dir(folder)
    assert len(second.unchanged) == len(SMALL_KB) and not second.added
    write_articles(
        {
            "printer.md": article_text(title="Printer won't print", slug="printer", body="New steps."),
            "broken.md": "---\ntitle: [unclosed\n---\n\nbody\n",
        }
    )
    third = service.import_dir(folder)
    assert third.updated == ["printer"]
    assert [Path(problem.file).name for problem in third.invalid] == ["broken.md"]
    assert third.invalid[0].line == 2


def test_learning_a_phrasing_makes_it_find_its_article_first(service: KnowledgeService) -> None:
    assert service.search(QUESTION)[0].slug != "printer"
    service.record(slug="printer", kind="solved", text=QUESTION)
    assert service.search(QUESTION)[0].slug == "printer"
    assert service.suggest(QUESTION)[0].slug == "printer"


def test_learned_phrasing_is_stored_once(service: KnowledgeService) -> None:
    service.record(slug="printer", kind="solved", text=QUESTION)
    service.record(slug="printer", kind="solved", text=QUESTION + "!")
    assert service.store.phrasing_count() == 1


def test_feedback_of_an_unknown_kind_is_refused(service: KnowledgeService) -> None:
    with pytest.raises(ValueError, match="unknown feedback kind"):
        service.record(slug="printer", kind="loved", text="")  # type: ignore[arg-type]


def test_feedback_for_an_unknown_article_changes_nothing(service: KnowledgeService) -> None:
    service.record(slug="no-such-article", kind="solved", text="anything")
    assert service.store.feedback_counts() == {}


def test_a_draft_is_never_suggested_until_published(service: KnowledgeService) -> None:
    slug = service.draft(
        title="Badge reader rejects my badge",
        problem="The door badge reader at reception blinks red.",
        resolution="Re-enrol the badge at the security desk.",
        owner="sam",
    )
    assert slug == "badge-reader-rejects-my-badge"
    article = service.article(slug)
    assert article is not None and not article.published
    assert service.suggest("badge reader blinks red") == []
    assert service.search("badge reader blinks red") == []
    assert service.publish(slug)
    assert service.suggest("badge reader blinks red")[0].slug == slug


def test_drafts_with_the_same_title_get_unique_slugs(service: KnowledgeService) -> None:
    first = service.draft(title="Printer won't print", problem="p", resolution="r", owner="sam")
    second = service.draft(title="Printer won't print", problem="p", resolution="r", owner="sam")
    assert {first, second} == {"printer-won-t-print", "printer-won-t-print-2"}


def test_publishing_an_unknown_article_says_false(service: KnowledgeService) -> None:
    assert service.publish("nope") is False


def test_another_process_learning_is_seen_after_refresh(
    sessions: sessionmaker[Session], service: KnowledgeService
) -> None:
    clock = FakeMonotonic()
    other = KnowledgeService(sessions, refresh_seconds=5.0, monotonic=clock)
    assert other.search(QUESTION)[0].slug != "printer"
    service.record(slug="printer", kind="solved", text=QUESTION)
    clock.advance(1.0)
    assert other.search(QUESTION)[0].slug != "printer"  # not looked yet: within the refresh interval
    clock.advance(5.0)
    assert other.search(QUESTION)[0].slug == "printer"


def test_the_same_text_is_suggested_what_another_process_taught_after_refresh(
    sessions: sessionmaker[Session], service: KnowledgeService
) -> None:
    clock = FakeMonotonic()
    other = KnowledgeService(sessions, refresh_seconds=5.0, monotonic=clock)
    before = [s.slug for s in other.suggest(QUESTION)]
    assert before[:1] != ["printer"]
    service.record(slug="printer", kind="solved", text=QUESTION)
    clock.advance(1.0)
    assert [s.slug for s in other.suggest(QUESTION)] == before  # remembered: not looked yet
    clock.advance(5.0)
    assert other.suggest(QUESTION)[0].slug == "printer"


def test_another_process_publishing_and_importing_is_seen_after_refresh(
    sessions: sessionmaker[Session],
    service: KnowledgeService,
    write_articles: Callable[[dict[str, str]], Path],
) -> None:
    clock = FakeMonotonic()
    other = KnowledgeService(sessions, refresh_seconds=5.0, monotonic=clock)
    assert other.search("badge reader") == []
    slug = service.draft(
        title="Badge reader rejects my badge", problem="red", resolution="re-enrol", owner="s"
    )
    service.publish(slug)
    service.import_dir(
        write_articles({"scanner.md": article_text(title="Scanner to e-mail", body="Scan it.")})
    )
    clock.advance(6.0)
    assert other.search("badge reader")[0].slug == slug
    assert other.search("scanner")[0].slug == "scanner"


def test_export_then_import_changes_nothing(service: KnowledgeService, tmp_path: Path) -> None:
    written = service.export_dir(tmp_path / "out")
    assert len(written) == len(SMALL_KB)
    report = service.import_dir(tmp_path / "out")
    assert len(report.unchanged) == len(SMALL_KB) and not report.added and not report.updated


def test_starter_knowledge_base_has_at_least_30_valid_articles(sessions: sessionmaker[Session]) -> None:
    service = KnowledgeService(sessions)
    report = service.import_dir(starter_articles_dir())
    assert report.invalid == []
    assert len(report.added) >= 30
    for slug in report.added:
        article = service.article(slug)
        assert article is not None and article.published and len(article.body) > 400


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("pw reset", "password-reset"),
        ("2fa new phone", "mfa-new-phone"),
        ("vpn keeps dropping since this morning's update", "vpn-keeps-dropping"),
        ("my laptop won't start", "laptop-wont-turn-on"),
        ("bitlocker wants a recovery key", "bitlocker-recovery"),
        ("I clicked a link in a weird email", "report-phishing"),
        ("my S drive is gone", "mapped-drive-missing"),
    ],
)
def test_starter_articles_answer_everyday_questions(
    sessions: sessionmaker[Session], query: str, slug: str
) -> None:
    service = KnowledgeService(sessions)
    service.import_dir(starter_articles_dir())
    assert [suggestion.slug for suggestion in service.suggest(query)][:1] == [slug]


def test_threshold_outside_0_to_1_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        KnowledgeService(sessions, threshold=1.5)


def test_only_a_solved_answer_becomes_a_phrasing(service: KnowledgeService) -> None:
    for kind in ("suggested", "viewed", "sent", "not_helpful"):
        service.record(slug="printer", kind=kind, text=QUESTION)  # type: ignore[arg-type]
    assert service.store.phrasing_count() == 0
    assert service.store.feedback_counts()["printer"] == {
        "suggested": 1,
        "viewed": 1,
        "sent": 1,
        "not_helpful": 1,
    }


def test_learning_updates_the_index_in_place_without_a_rebuild(service: KnowledgeService) -> None:
    index = service.refresh()
    service.record(slug="printer", kind="solved", text=QUESTION)
    assert service.refresh() is index
    assert service.search(QUESTION)[0].slug == "printer"


def test_an_updated_article_is_found_by_its_new_words_only(
    service: KnowledgeService, write_articles: Callable[[dict[str, str]], Path]
) -> None:
    assert service.search("toner cartridge") == []
    write_articles(
        {
            "printer.md": article_text(
                title="Replace the toner cartridge", slug="printer", body="Open the front."
            )
        }
    )
    assert service.import_dir(write_articles({})).updated == ["printer"]
    assert service.search("toner cartridge")[0].slug == "printer"
    assert "printer" not in [found.slug for found in service.search("clear the print queue paper jams")]


def test_many_replaced_versions_make_the_index_rebuild_itself(service: KnowledgeService) -> None:
    first = service.refresh()
    for published in (False, True) * 3:
        service.store.set_published("printer", published)  # each change is a new version to index
        service.refresh(force=True)
    assert service.refresh() is not first
    assert service.search("printer paper jams")[0].slug == "printer"


def test_a_phrasing_committed_late_with_a_lower_id_is_still_picked_up(
    sessions: sessionmaker[Session], service: KnowledgeService
) -> None:
    from datetime import UTC, datetime

    from kb.tables import KbPhrasingRow

    service.record(slug="outlook", kind="solved", text="calendar invites vanish")
    with sessions() as session, session.begin():
        session.add(
            KbPhrasingRow(
                id=1000, slug="laptop-power", text="fan spins but nothing else", created_at=datetime.now(UTC)
            )
        )
    service.refresh(force=True)
    with sessions() as session, session.begin():  # an earlier transaction that committed later
        session.add(KbPhrasingRow(id=990, slug="printer", text=QUESTION, created_at=datetime.now(UTC)))
    service.refresh(force=True)
    assert service.search(QUESTION)[0].slug == "printer"
