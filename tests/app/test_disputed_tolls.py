"""Disputed tolls end to end, as a new user asks about them: four short reports of our
own (a UN agency against a minister, three ministries and a disaster agency, an army
against rebels, a government toll the opposition dismisses), indexed for real, asked
through the service. None of them is a sample article or a benchmark pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.service import Service
from app.settings import Settings
from indexer.embed import Embedder
from tests.conftest import build_index

TOLLS = Path(__file__).parent / "data" / "tolls"


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
