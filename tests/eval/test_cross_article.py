"""The cross-article probe's "how many" questions come from the articles' own figures."""

from __future__ import annotations

from eval.cross_article import how_many_questions
from eval.polnear import PolnearDoc
from indexer.models import Article


def _doc(text: str) -> PolnearDoc:
    return PolnearDoc(Article("a", "A", text))


def test_a_number_and_the_noun_after_it_make_a_question() -> None:
    docs = [_doc("The agency said 8,900 workers were hired in March across several states.")]
    assert how_many_questions(docs, 5, seed=0) == ["How many workers hired across?"]


def test_questions_are_a_seeded_sample_of_at_most_n() -> None:
    text = " ".join(f"There were {n} voters in district number {n} here." for n in range(1, 30))
    docs = [_doc(text)]
    first = how_many_questions(docs, 4, seed=3)
    assert len(first) == 4
    assert first == how_many_questions(docs, 4, seed=3)
    assert all(q.startswith("How many voters") for q in first)
