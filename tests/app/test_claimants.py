from __future__ import annotations

import pytest

from app.claimants import (
    aliases_in,
    asks_about_claims,
    matches,
    may_name,
    names_in_question,
    names_match,
    same_name,
)
from indexer.models import Claim, Span
from indexer.split import parse


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


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zelensky", "President Volodymyr Zelenskyy"),
        ("Zelenskiy", "Zelensky"),
        ("Hezbollah", "Hizbollah"),
        ("the WHO", "World Health Organization"),
        ("the F.B.I.", "Federal Bureau of Investigation"),
        ("Donald J. Trump", "Mr. Trump"),
    ],
)
def test_one_name_written_two_ways_matches(a: str, b: str) -> None:
    assert same_name(a, b)
    assert same_name(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Trump", "Trump Jr."),
        ("Donald Trump", "Melania Trump"),
        ("George H.W. Bush", "George W. Bush"),
        ("the WHO", "the White House"),
        ("Zelensky", "Olena Zelenska"),
        ("Clinton", "Clifton"),
        ("Russia", "the Russian military"),
    ],
)
def test_different_names_do_not_match(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_a_description_the_article_gives_names_the_entity() -> None:
    aliases = aliases_in(
        parse(
            "The Republican nominee, Donald Trump, said the polls were rigged, Hillary Clinton said."
        )
    )
    assert matches("the Republican nominee", "Donald Trump", aliases)
    assert not matches("the Republican nominee", "Hillary Clinton", aliases)
    assert not matches("the Republican nominee", "Donald Trump")


def test_an_attribution_may_describe_the_claimant_but_not_name_another() -> None:
    assert may_name("An official from Seoul's spy agency", "official for the Intelligence Agency")
    assert may_name("Ukraine's president", "President Volodymyr Zelensky")
    assert not may_name("Ukraine's president", "Kyrylo Budanov")
    assert not may_name("Budanov", "Volodymyr Zelensky")


@pytest.mark.parametrize("who", ["", "'s", "in the statement", "..."])
def test_a_name_with_no_words_matches_nothing(who: str) -> None:
    assert not same_name(who, "Donald Trump")


@pytest.mark.parametrize("who", ["”", "''", "she", "He"])
def test_an_attribution_without_a_name_may_be_anyone(who: str) -> None:
    assert may_name(who, "Loretta Lynch")


def test_an_attribution_names_the_claimant_whatever_words_follow_the_name() -> None:
    assert may_name("Clinton now", "Hillary Clinton")
    assert not may_name("Trump now", "Hillary Clinton")
