"""Disputed tolls end to end, as a new user asks about them: four short reports of our
own (a UN agency against a minister, three ministries and a disaster agency, an army
against rebels, a government toll the opposition dismisses), and four more reporting two
events twice each (a market bombing, a capsized boat), each pair of reports naming the
place in one only; indexed for real, asked through the service. None of them is a sample
article or a benchmark pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.service import Service
from app.settings import Settings
from indexer.embed import Embedder
from tests.conftest import build_index

TOLLS = Path(__file__).parent / "data" / "tolls"
ACROSS = Path(__file__).parent / "data" / "across"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Service:
    index_dir = build_index(tmp_path_factory.mktemp("tolls-index"), TOLLS, embedder, 4)
    return Service(Settings(index_dir=index_dir))


def _sides(service: Service, question: str, kind: str) -> list[set[str]]:
    """Each reported conflict of `kind` as the set of its claimants, and the answer."""
    result = service.ask(question)
    return [{p.claimant for p in c.positions} for c in result.conflicts if c.kind == kind]


def test_a_ceiling_answers_an_agencys_toll(service: Service) -> None:
    result = service.ask("How many people died in the northern camps?")
    (figures,) = [c for c in result.conflicts if c.kind == "figures"]
    values = {p.value for p in figures.positions}
    assert values == {"At least 50,000 people have died", "cannot be more than 5,000"}
    # The headline's "tens of thousands" agrees with "at least 50,000" and is no position.
    assert "tens of thousands" not in result.answer.text


def test_three_ministries_and_an_agency_are_one_disagreement(service: Service) -> None:
    (claimants,) = _sides(service, "How many people were killed in the earthquake?", "figures")
    assert claimants == {
        "interior ministry",
        "health ministry",
        "defence ministry",
        "national disaster agency",
    }


@pytest.mark.parametrize(
    ("question", "counter"),
    [
        ("How many fighters did the army kill?", "rebels"),
        ("How many people died in the floods?", "opposition"),
    ],
)
def test_a_dismissed_toll_is_shown_with_its_dismissal(
    service: Service, question: str, counter: str
) -> None:
    sides = _sides(service, question, "stance")
    assert sides and all(counter in s for s in sides)


@pytest.fixture(scope="module")
def across(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Service:
    index_dir = build_index(tmp_path_factory.mktemp("across-index"), ACROSS, embedder, 4)
    return Service(Settings(index_dir=index_dir))


BOMBING = {"hospital officials", "police", "interior minister, Farid Qasim"}
BOAT = {"rescue charity", "coast guard"}


def test_two_reports_of_one_bombing_disagree_and_the_boat_stays_apart(across: Service) -> None:
    # Reuters names the city and "at least 120 killed"; AP names no place, and gives a
    # death toll of 164 and a minister's 95 "died in the attack".
    (claimants,) = _sides(across, "How many people were killed in the market bombing?", "figures")
    assert claimants == BOMBING


def test_a_rejected_figure_is_tied_to_the_figure_it_rejects(across: Service) -> None:
    result = across.ask("How many people died when the boat capsized?")
    (figures,) = [c for c in result.conflicts if c.kind == "figures"]
    assert {p.claimant for p in figures.positions} == BOAT
    # "The coast guard rejected the charity's figure and said its count of 43 dead was
    # accurate": the figure, not the director's "about 150 people had been on board".
    (stance,) = [c for c in result.conflicts if c.kind == "stance"]
    answered = [p for p in stance.positions if p.claimant != "coast guard"]
    assert answered and all("at least 90 people" in p.value for p in answered)


def test_what_counts_differently_is_no_disagreement(across: Service) -> None:
    # Wounded, rescued and aboard are other measures than the dead, in either event.
    for question in ("How many people were wounded in Kandor?", "How many people were rescued?"):
        for conflict in across.ask(question).conflicts:
            if conflict.kind == "figures":
                claimants = {p.claimant for p in conflict.positions}
                assert claimants <= BOMBING or claimants <= BOAT
                assert not any(
                    "wounded" in p.value or "rescued" in p.value for p in conflict.positions
                )
