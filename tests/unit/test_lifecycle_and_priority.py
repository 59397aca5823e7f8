from __future__ import annotations

import pytest

from core.lifecycle import ALLOWED, IllegalTransition, Kind, Status, check_transition, format_key, parse_key
from core.priority import DEFAULT_MATRIX, priority_for


def test_illegal_transition_names_the_current_status_and_the_allowed_steps() -> None:
    with pytest.raises(IllegalTransition) as refused:
        check_transition(key="INC-7", current=Status.NEW, target=Status.ON_HOLD)
    message = str(refused.value)
    assert "INC-7 is new" in message
    assert "in progress" in message and "resolved" in message and "cancelled" in message


def test_closed_and_cancelled_tickets_are_final() -> None:
    for final in (Status.CLOSED, Status.CANCELLED):
        assert ALLOWED[final] == ()
        with pytest.raises(IllegalTransition, match="none: it is final"):
            check_transition(key="INC-1", current=final, target=Status.IN_PROGRESS)


def test_hold_and_resume_go_both_ways_between_in_progress_and_on_hold() -> None:
    check_transition(key="INC-1", current=Status.IN_PROGRESS, target=Status.ON_HOLD)
    check_transition(key="INC-1", current=Status.ON_HOLD, target=Status.IN_PROGRESS)


@pytest.mark.parametrize(("text", "expected"), [
    ("INC-42", (Kind.INCIDENT, 42)), ("req-7", (Kind.REQUEST, 7)), ("PRB-3", (Kind.PROBLEM, 3)),
    ("CHG-4", (Kind.CHANGE, 4)), ("42", (None, 42)), ("#42", (None, 42)),
    ("XYZ-1", None), ("INC-", None), ("INC-x", None), ("", None),
])
def test_ticket_keys_are_parsed_with_their_kind_prefix(text: str, expected: object) -> None:
    assert parse_key(text) == expected


def test_every_kind_has_its_own_key_prefix() -> None:
    assert [format_key(k, 5) for k in Kind] == ["INC-5", "REQ-5", "PRB-5", "CHG-5", "TSK-5"]


@pytest.mark.parametrize(("impact", "urgency", "expected"), [
    (1, 1, "P1"), (1, 2, "P2"), (2, 1, "P2"), (1, 3, "P3"), (2, 2, "P3"), (3, 1, "P3"),
    (2, 3, "P4"), (3, 2, "P4"), (3, 3, "P4"),
])
def test_default_matrix_maps_impact_and_urgency_to_priority(impact: int, urgency: int, expected: str) -> None:
    assert priority_for(impact=impact, urgency=urgency) == expected


def test_a_configured_matrix_overrides_the_default() -> None:
    matrix = DEFAULT_MATRIX | {"3,3": "P3"}
    assert priority_for(impact=3, urgency=3, matrix=matrix) == "P3"


def test_impact_outside_one_to_three_is_refused() -> None:
    with pytest.raises(ValueError, match="1, 2 or 3"):
        priority_for(impact=4, urgency=1)
