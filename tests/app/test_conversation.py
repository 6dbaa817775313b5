from __future__ import annotations

import pytest

from app.conversation import standalone_question

QUESTION = "Who says North Korea sent more troops to Russia?"


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        ([QUESTION], QUESTION),
        (
            [QUESTION, "And what did Zelensky say?"],
            "And what did Zelensky say? (North Korea sent troops Russia)",
        ),
        (
            [QUESTION, "What did Budanov say about the troops?"],
            "What did Budanov say about the troops?",
        ),
        (
            ["How many soldiers were killed?", "what about the wounded?", "Who reported it?"],
            "Who reported it? (wounded soldiers killed)",
        ),
    ],
)
def test_standalone_question(turns: list[str], expected: str) -> None:
    assert standalone_question(turns) == expected
