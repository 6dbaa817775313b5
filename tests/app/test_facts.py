"""The one fact reader: figures with their bounds and what they count, numbers in plain
text, dates."""

from __future__ import annotations

from datetime import date

import pytest

from app.facts import dates, figures, numbers, read_number
from indexer.split import parse


@pytest.mark.parametrize(
    ("phrase", "before", "expected"),
    [
        ("at least 50,000", "", (50_000, 100_000)),
        ("more than 5,000", "the number cannot be", (0, 5_000)),
        ("up to 3,000", "", (0, 3_000)),
        ("about 300", "", (270, 330)),
        ("between 1,000 and 3,000", "", (1_000, 3_000)),
        ("2 to 3 million", "", (2e6, 3e6)),
        ("a dozen", "only", (12, 12)),
        ("four thousand and twelve", "", (4_012, 4_012)),
        ("4 000", "", (4_000, 4_000)),
        ("$2.5 million", "", (2.5e6, 2.5e6)),
        ("less than 10 percent", "", (0, 10)),
        ("two-thirds", "", (2 / 3, 2 / 3)),
        # Plural round numbers: at least two of the unit, fewer than the next one up.
        ("hundreds", "", (200, 1_000)),
        ("thousands of", "", (2_000, 10_000)),
        ("tens of thousands", "", (20_000, 100_000)),
        ("hundreds of thousands", "", (200_000, 1_000_000)),
    ],
)
def test_a_number_phrase_reads_as_a_range(
    phrase: str, before: str, expected: tuple[float, float]
) -> None:
    assert read_number(phrase, before) == pytest.approx(expected)


def test_a_bare_one_is_no_figure() -> None:
    assert read_number("one") is None


def test_plain_text_numbers_are_one_whatever_their_writing() -> None:
    found = numbers("He said 4,000 troops, then 4 000, then four thousand; two-thirds is 2/3.")
    assert set(found) == {4000.0, round(2 / 3, 4)}
    assert numbers("one of them left") == {}


@pytest.mark.parametrize(
    ("sentence", "counts", "event", "share"),
    [
        ("The agency said at least 50,000 people have died in the camps.", "people", "die", False),
        ("Officials said 300 soldiers were killed.", "soldier", "kill", False),
        ("Only a dozen of the dead were ours.", "dead", "", True),
        ("Turnout fell to 53 percent of voters.", "percent voter", "fall", True),
        # A part of a set whose own verb says what happened to it is a toll of that verb.
        ("The owner said fewer than 30 of those aboard had died.", "", "die", False),
        ("Ten of the soldiers were wounded.", "soldier", "wound", False),
    ],
)
def test_a_figure_knows_what_it_counts(sentence: str, counts: str, event: str, share: bool) -> None:
    (fig,) = figures(parse(sentence))
    assert (fig.counts, fig.share) == (counts, share)
    assert fig.event == event or not event
    assert sentence[fig.start : fig.end] == fig.text


@pytest.mark.parametrize(
    ("sentence", "event"),
    [
        # A copula says nothing: what follows it is the predicate.
        ("Officials said about 1,800 were missing.", "miss"),
        ("The agency said 40 are dead.", "dead"),
        ("The ministry said 120 people were killed.", "kill"),
        # A verb's predicative complement is what it says of the figure.
        ("The agency said 980 people were confirmed dead.", "dead"),
        ("Police said 40 people were reported missing.", "miss"),
    ],
)
def test_a_copulas_complement_is_the_figures_predicate(sentence: str, event: str) -> None:
    (fig,) = figures(parse(sentence))
    assert fig.event == event


def test_the_figures_own_noun_is_not_where_it_happened() -> None:
    (fig,) = figures(parse("The toll stood at 310 people."))
    assert fig.counts == "people" and fig.about == frozenset()
    (fig,) = figures(parse("Forty people died at the camp."))
    assert fig.where == frozenset({"camp"}) and fig.about == frozenset()


def test_years_and_dates_are_not_figures() -> None:
    assert figures(parse("In 2016 the vote was held on March 3.")) == []


def test_dates_are_read_relative_to_publication() -> None:
    assert [d for _, d in dates("Zelensky said on Feb. 14 that 4,000 died.", "2025-02-27")] == [
        date(2025, 2, 14)
    ]
    assert [d for _, d in dates("A Jan. 13 estimate said 300 died.", "2025-02-27")] == [
        date(2025, 1, 13)
    ]
    assert dates("Officials said on Monday that 300 died.", "2025-02-27") == []


def test_a_figure_in_a_verbless_line_is_read() -> None:
    # A headline-like line has a noun for its root: finding the figure's clause must stop
    # there (it once looped forever, comparing spaCy tokens by identity).
    [fig] = figures(parse("Reports of 300 casualties near the border."))
    assert fig.low == 300 and fig.counts == "casualty"


@pytest.mark.parametrize(
    ("sentence", "pronoun"),
    [
        ("Bloomberg lists them with $55 billion each.", "personal"),
        ("Trump claims that his net worth exceeds $10 billion.", "possessive"),
        ("Forbes lists David Koch with $40 billion.", ""),
    ],
)
def test_a_figure_knows_when_it_names_whom_by_a_pronoun(sentence: str, pronoun: str) -> None:
    (fig,) = figures(parse(sentence))
    assert fig.pronoun == pronoun


@pytest.mark.parametrize(
    ("sentence", "refers"),
    [
        ("The number cannot be more than 5,000, he told reporters.", True),
        ("They put it at 310.", True),
        ("The army said 95 people died.", False),
        ("Officials say around 4,000 of those troops have been killed.", False),
    ],
)
def test_a_figure_said_of_something_named_before_refers(sentence: str, refers: bool) -> None:
    (fig,) = figures(parse(sentence))
    assert fig.refers is refers


@pytest.mark.parametrize(
    "sentence", ["They put the toll at 1,870.", "The ministry said the number had risen to 112."]
)
def test_the_value_of_a_bare_measure_counts_nothing_of_its_own(sentence: str) -> None:
    # Not a count of "rise" or "put": what it counts is the measure named before.
    (fig,) = figures(parse(sentence))
    assert (fig.counts, fig.event, fig.refers) == ("", "", True)


@pytest.mark.parametrize(
    ("sentence", "counts", "event"),
    [
        ("The death toll from Saturday's market bombing has risen to 164.", "", "death"),
        ("The health ministry put the death toll at 1,870.", "", "death"),
        ("The number of people killed rose to 45.", "people", "kill"),
    ],
)
def test_the_value_of_a_measure_its_words_name_counts_what_they_say(
    sentence: str, counts: str, event: str
) -> None:
    # The measure's own words say what it counts: nothing to look back for.
    (fig,) = figures(parse(sentence))
    assert (fig.counts, fig.event, fig.refers) == (counts, event, False)


def test_where_a_copula_puts_them_is_its_predicate() -> None:
    # "on board" is what is said of the 150, not a count of "be" that matches any toll.
    (fig,) = figures(parse("Survivors said about 150 people had been on board."))
    assert (fig.counts, fig.event) == ("people", "board")


def test_whose_count_it_is_is_not_whom_it_counts() -> None:
    (fig,) = figures(parse("The coast guard said its count of 43 dead was accurate."))
    assert fig.pronoun == ""


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Among black voters, Clinton leads by 83 points.", "black voter"),
        ("Support for the plan stood at 47 percent among likely voters.", "likely voter"),
        ("Romney had a ten-point lead over Obama among wealthy voters.", "wealthy voter"),
    ],
)
def test_the_group_a_figure_is_counted_within(text: str, group: str) -> None:
    (figure,) = figures(parse(text))
    assert figure.among == {group}


def test_a_figure_of_everyone_is_counted_within_no_group() -> None:
    (figure,) = figures(parse("Clinton leads by 3 points in the latest poll."))
    assert figure.among == frozenset()
