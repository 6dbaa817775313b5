"""The citation verifier: the pure support check, and whole answers over the sample index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.generate.base import Answer, ArticleRef, Passage
from app.generate.llm import cite
from app.settings import Settings
from app.verify import UnsupportedAction, numbers, split_sentences, support, verify_answer
from indexer.embed import Embedder
from indexer.index import Index
from indexer.store import ArticleFilter, Store

ZELENSKY = (
    "President Volodymyr Zelensky said on Feb. 14 that North Korean troops fighting for "
    "Russia against Ukraine have suffered 4,000 casualties, two-thirds of whom have been killed."
)
CLAIMANTS = ["Volodymyr Zelensky", "President Volodymyr Zelensky"]


def _support(sentence: str, embedder: Embedder) -> tuple[bool, list[str]]:
    verdict = support(sentence, [ZELENSKY], embedder, CLAIMANTS)
    return verdict.supported, verdict.reasons


@pytest.mark.parametrize(
    "sentence",
    [
        "Zelensky said North Korean troops suffered 4000 casualties, 2/3 of them killed [1].",
        "Zelensky said on February 14 that North Korean troops suffered 4 000 casualties.",
        "According to Zelensky, North Korean troops fighting for Russia have suffered 4,000 "
        "casualties.",
        "Ukraine's president said North Korean troops have suffered 4,000 casualties [2].",
    ],
)
def test_support_accepts_the_same_facts_in_other_words(sentence: str, embedder: Embedder) -> None:
    assert _support(sentence, embedder) == (True, [])


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Zelensky said North Korean troops suffered 5,000 casualties.", "does not mention 5,000"),
        ("Zelensky said on March 14 that North Korean troops suffered 4,000 casualties.", "does not mention March"),
        ("Budanov said North Korean troops suffered 4,000 casualties.", "cites no claim by Budanov"),
        ("Zelensky said three-quarters of the troops were killed.", "does not mention three-quarters"),
        ("South Korean troops suffered 4,000 casualties.", "does not mention South"),
    ],
)  # fmt: skip
def test_support_rejects_a_changed_fact(sentence: str, reason: str, embedder: Embedder) -> None:
    supported, reasons = _support(sentence, embedder)
    assert not supported
    assert reason in reasons


def test_support_rejects_an_invented_statement_by_the_right_person(embedder: Embedder) -> None:
    supported, reasons = _support("Zelensky said the talks would resume in Geneva.", embedder)
    assert not supported
    assert any(r.startswith("says something else") for r in reasons)


def test_claimant_check_applies_only_when_claimants_are_given(embedder: Embedder) -> None:
    sentence = "Zelensky told reporters North Korean troops suffered 4,000 casualties."
    assert support(sentence, [ZELENSKY], embedder).supported
    assert not support(sentence, [ZELENSKY], embedder, ["Kyrylo Budanov"]).supported


def test_numbers_are_read_by_value() -> None:
    found = numbers("4,000 or 4 000 or 4000; two-thirds or 2/3; 12 thousand; 64%; one of them")
    assert set(found) == {4000.0, 0.6667, 12000.0, 64.0}
    assert found[4000.0] == "4,000"


def test_sentences_keep_their_markers_and_abbreviations() -> None:
    text = "Zelensky said on Feb. 14 that 4,000 died [1]. The U.S. Army agreed. [2] Mr. Smith did not [3][4]."
    assert [p.text for p in split_sentences(text)] == [
        "Zelensky said on Feb. 14 that 4,000 died [1]. ",
        "The U.S. Army agreed. [2] ",
        "Mr. Smith did not [3][4].",
    ]
    assert split_sentences(text)[2].numbers == [3, 4]
    # A marker after the last full stop belongs to the last sentence.
    assert [p.numbers for p in split_sentences("It was. [1] So it is. [2]")] == [[1], [2]]


# ---- whole answers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(sample_index: Path) -> Iterator[Store]:
    index = Index.open(sample_index, "all-MiniLM-L6-v2")
    yield index.store
    index.close()


def _passages(store: Store, *needles: str) -> list[Passage]:
    """One passage per needle: the first chunk of the sample articles that contains it."""
    _, articles = store.articles(limit=10)
    passages: list[Passage] = []
    for needle in needles:
        for article in articles:
            chunks = store.chunks(store.chunk_ids(ArticleFilter(article_id=article.id)).tolist())
            chunk = next((c for c in chunks.values() if needle in c.text), None)
            if chunk is None:
                continue
            ref = ArticleRef(article.id, article.title, article.outlet, article.published, None)
            sentences = store.sentences(article.id, chunk.first_sentence, chunk.last_sentence)
            claims = store.claims(
                article_id=article.id, sentence_range=(chunk.first_sentence, chunk.last_sentence)
            )
            passages.append(Passage(len(passages) + 1, chunk, ref, sentences, claims, 1.0))
            break
    assert len(passages) == len(needles)
    return passages


GOOD = "Zelensky said North Korean troops suffered 4,000 casualties [1]."
BAD = "Budanov said 9,000 North Korean soldiers died [1]."
NIS = "The NIS estimated that about 300 were killed and 2,700 injured [2]."


def _verify(
    text: str,
    store: Store,
    embedder: Embedder,
    action: UnsupportedAction = "flag",
    *needles: str,
) -> tuple[Answer, list[Passage]]:
    passages = _passages(store, *(needles or ("4,000 casualties", "2,700 others")))
    settings = Settings(unsupported_action=action)
    answer = cite(text, passages, "llm")
    return verify_answer(answer, passages, store, embedder, settings, "How many died?"), passages


def _article_text(store: Store, article_id: str) -> str:
    article = store.article(article_id)
    assert article is not None
    return article.text


def test_passage_citation_is_narrowed_to_the_sentence_that_backs_it(
    store: Store, embedder: Embedder
) -> None:
    answer, passages = _verify(GOOD, store, embedder)
    [citation] = answer.citations
    assert citation.quote == ZELENSKY
    assert _article_text(store, citation.article.id)[citation.start : citation.end] == ZELENSKY
    assert passages[0].chunk.start <= citation.start < citation.end <= passages[0].chunk.end
    assert (citation.end - citation.start) < len(passages[0].chunk.text)
    assert citation.supported
    assert answer.text == GOOD
    assert answer.warnings == []
    assert all(u.citation == 1 for u in answer.claims)
    assert any(u.claim.claimant == "Volodymyr Zelensky" for u in answer.claims)


def test_unsupported_sentence_is_flagged_with_its_reason(store: Store, embedder: Embedder) -> None:
    answer, _ = _verify(f"{GOOD} {NIS} {BAD}", store, embedder)
    assert answer.text == f"{GOOD} {NIS} {BAD}"
    # [1] backs the first sentence but not the last, so it is not supported as a whole.
    assert [(c.n, c.supported) for c in answer.citations] == [(1, False), (2, True)]
    [warning] = answer.warnings
    assert warning.startswith(
        'Unsupported sentence "Budanov said 9,000 North Korean soldiers died."'
    )
    assert warning.endswith(": [1] does not mention 9,000.")


def test_remove_drops_the_sentence_and_the_citations_only_it_used(
    store: Store, embedder: Embedder
) -> None:
    bad_second = BAD.replace("[1]", "[2]")
    answer, _ = _verify(f"{NIS.replace('[2]', '[1]')} {bad_second}", store, embedder, "remove",
                        "2,700 others", "4,000 casualties")  # fmt: skip
    assert answer.text == NIS.replace("[2]", "[1]")
    assert [(c.n, c.supported) for c in answer.citations] == [(1, True)]
    assert "2,700" in answer.citations[0].quote
    assert answer.warnings[-1] == "1 unsupported sentence was removed from the answer."


def test_remove_judges_a_shared_citation_again_on_the_sentences_left(
    store: Store, embedder: Embedder
) -> None:
    # [1] backs GOOD but not BAD; once BAD is removed, [1] is supported.
    answer, _ = _verify(f"{GOOD} {BAD}", store, embedder, "remove")
    assert answer.text == GOOD
    assert [(c.n, c.supported) for c in answer.citations] == [(1, True)]
    assert answer.warnings[0].startswith('Unsupported sentence "Budanov said 9,000')
    assert answer.warnings[-1] == "1 unsupported sentence was removed from the answer."


def test_replace_shows_the_extractive_answer_instead(store: Store, embedder: Embedder) -> None:
    answer, _ = _verify(BAD, store, embedder, "replace")
    assert answer.generator == "extractive"
    assert answer.citations and all(c.supported for c in answer.citations)
    assert any(w.startswith("Unsupported sentence") for w in answer.warnings)
    assert any("the extractive answer is shown instead" in w for w in answer.warnings)
    for c in answer.citations:
        assert _article_text(store, c.article.id)[c.start : c.end] == c.quote


def test_marker_to_no_citation_is_removed_and_reported(store: Store, embedder: Embedder) -> None:
    passages = _passages(store, "4,000 casualties")
    answer = cite(GOOD, passages, "llm")
    answer = replace(answer, text=GOOD.replace("[1]", "[1][7]"))
    checked = verify_answer(answer, passages, store, embedder, Settings(), "")
    assert checked.text == GOOD
    assert checked.warnings == ["[7] cited nothing the answer was given; the marker was removed."]


def test_extractive_answers_verify_as_supported(store: Store, embedder: Embedder) -> None:
    from app.generate.extractive import ExtractiveGenerator

    passages = _passages(store, "4,000 casualties", "2,700 others", "Budanov denied")
    answer = ExtractiveGenerator(embedder, 0.2, 4).generate("How many were killed?", passages)
    checked = verify_answer(answer, passages, store, embedder, Settings(), "")
    assert checked.citations and all(c.supported for c in checked.citations), checked.warnings
    assert checked.text == answer.text
