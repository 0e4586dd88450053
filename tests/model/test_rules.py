"""The one set of rules: what a panel refuses as it is typed, a file refuses as it is read."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from gdplayground.model.rules import check_session, session_problems
from gdplayground.model.session import SessionError, default_session
from gdplayground.model.session_file import session_from_json, session_to_dict


@pytest.mark.parametrize(
    "change",
    [
        {"start": (1e12, 0.0)},
        {"domain": (1.0, 0.0, 0.0, 1.0)},
        {"steps": -5},
        {"tol": -1.0},
        {"h": 0.0},
        {"function": "x +"},
        {"gradient": "exact"},
        {"preset": "himmelblau"},
    ],
)
def test_a_session_the_rules_refuse_is_refused_by_the_file_reader_with_the_same_words(
    change,
) -> None:
    bad = replace(default_session(), **change)
    problems = session_problems(bad)
    assert problems, change
    field, message = problems[0]
    with pytest.raises(SessionError) as direct:
        check_session(bad)
    data = session_to_dict(bad)
    with pytest.raises(SessionError) as from_file:
        session_from_json(json.dumps(data))
    assert str(direct.value) == str(from_file.value) == f"{field}: {message}"


def test_the_default_session_breaks_no_rule() -> None:
    assert session_problems(default_session()) == []
