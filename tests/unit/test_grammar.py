from __future__ import annotations

import pytest

from core.desk.grammar import Args, split_verb, strip_prefix
from core.errors import UsageError

VERBS = {"claim", "kb search", "kb", "comment"}


def test_two_word_verbs_win_over_their_first_word() -> None:
    assert split_verb("/desk kb search vpn drops", VERBS) == ("kb search", "vpn drops")


def test_verb_is_case_insensitive_and_rest_is_kept_verbatim() -> None:
    assert split_verb("CLAIM  INC-1", VERBS) == ("claim", "INC-1")
    assert split_verb("comment INC-1 two  spaces kept", VERBS) == ("comment", "INC-1 two  spaces kept")


def test_prefix_is_optional() -> None:
    assert strip_prefix("/desk claim INC-1") == "claim INC-1"
    assert strip_prefix("claim INC-1") == "claim INC-1"


def test_quoted_words_are_one_argument() -> None:
    args = Args('email "Outlook cannot connect" --impact high')
    assert args.word() == "email"
    assert args.word() == "Outlook cannot connect"
    assert args.rest() == "--impact high"


def test_a_rest_that_is_one_quoted_string_loses_its_quotes() -> None:
    args = Args('INC-1 "waiting for the vendor"')
    args.key()
    assert args.rest() == "waiting for the vendor"


def test_missing_argument_says_the_usage() -> None:
    with pytest.raises(UsageError, match=r"Missing ticket key.*Usage: `/desk claim KEY`"):
        Args("", usage="claim KEY").key()


def test_numbers_out_of_range_are_refused_with_the_range() -> None:
    with pytest.raises(UsageError, match="impact must be a number from 1 to 3, not '5'"):
        Args("5", usage="priority KEY IMPACT URGENCY").number("impact", low=1, high=3)


def test_leftover_words_are_refused() -> None:
    args = Args("1 2 3", usage="priority KEY IMPACT URGENCY")
    args.word()
    args.word()
    with pytest.raises(UsageError, match="Unexpected '3'"):
        args.done()
