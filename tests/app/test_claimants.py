from __future__ import annotations

import pytest

from app.claimants import asks_about_claims, names_in_question, names_match
from indexer.models import Claim, Span


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What did Budanov say?", ["Budanov"]),
        ("What did the spy agency say about casualties?", ["the spy agency"]),
        ("According to Zelensky, how many were killed?", ["Zelensky"]),
        ("Did the mayor deny the reports?", ["the mayor"]),
        ("Who says North Korea sent more troops to Russia?", []),
        ("How many troops were killed?", []),
    ],
)
def test_names_are_read_from_the_claimants_place(question: str, names: list[str]) -> None:
    assert names_in_question(question) == names


def test_who_said_questions_are_told_from_fact_questions() -> None:
    assert asks_about_claims("Who said the bridge would close?")
    assert asks_about_claims("What did the council claim?")
    assert not asks_about_claims("How long is the bridge?")


def _claim(claimant: str, mention: str) -> Claim:
    return Claim("a", 0, claimant, Span(0, len(mention), mention), Span(0, 4, "said"),
                 Span(5, 9, "that"), "indirect")  # fmt: skip


def test_a_name_matches_the_claimant_under_another_mention() -> None:
    chief = _claim("Kyrylo Budanov", "Ukraine's military intelligence chief Kyrylo Budanov")
    assert names_match("Budanov", chief)
    assert names_match("Ukraine's military intelligence chief", chief)
    assert not names_match("Zelensky", chief)
    assert names_match(
        "the spy agency", _claim("National Intelligence Service", "Seoul's spy agency")
    )
