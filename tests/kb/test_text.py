from __future__ import annotations

from kb.text import fold, stem, terms


def test_inflections_of_a_word_share_one_term() -> None:
    assert len({stem(word) for word in ("delete", "deleted", "deleting", "deletes")}) == 1
    assert len({stem(word) for word in ("install", "installing", "installation", "installed")}) == 1
    assert len({stem(word) for word in ("encrypt", "encryption", "encrypting")}) == 1


def test_accents_and_case_are_folded() -> None:
    assert fold("Café RÉSUMÉ") == "cafe resume"
    assert terms("Café") == terms("cafe")


def test_it_abbreviations_become_the_same_term() -> None:
    assert terms("pw") == terms("password") == terms("PWD")
    assert terms("2fa") == terms("MFA") == terms("two-factor") == terms("two factor")
    assert terms("wi-fi") == terms("WiFi") == terms("wi fi")
    assert terms("e-mail") == terms("email")
    assert terms("log in") == terms("login") == terms("sign in")


def test_stopwords_are_dropped_and_punctuation_ignored() -> None:
    assert terms("How do I reset my password???") == terms("reset password")
    assert terms("") == []
    assert terms("   \n\t ") == []
