from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kb.service import KnowledgeService

HAS_EXTRA = importlib.util.find_spec("sentence_transformers") is not None


@pytest.mark.skipif(HAS_EXTRA, reason="the semantic extra is installed here")
def test_asking_for_semantic_without_the_extra_says_how_to_install_it(
    sessions: sessionmaker[Session],
) -> None:
    from kb.semantic import SemanticUnavailable

    with pytest.raises(SemanticUnavailable, match=r"spoc\[semantic\]"):
        KnowledgeService(sessions, semantic=True)


def test_without_semantic_the_extra_is_never_imported(service: KnowledgeService) -> None:
    import sys

    service.search("vpn keeps dropping")
    assert "sentence_transformers" not in sys.modules or HAS_EXTRA


@pytest.mark.semantic
def test_semantic_reranking_finds_a_paraphrase_with_no_shared_words(
    sessions: sessionmaker[Session], service: KnowledgeService
) -> None:
    pytest.importorskip("sentence_transformers")
    semantic = KnowledgeService(sessions, semantic=True, refresh_seconds=0.0)
    found = semantic.search("my computer is dead, nothing happens when I press the button")
    assert found[0].slug == "laptop-power"
    assert all(0.0 <= item.score <= 1.0 for item in found)


@pytest.mark.semantic
def test_the_packaged_model_is_found_offline() -> None:
    pytest.importorskip("sentence_transformers")
    from kb.semantic import bundled_model_path

    assert (bundled_model_path() / "config.json").is_file()
