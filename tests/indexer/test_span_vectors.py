from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.index import Index, IndexDamagedError, current_version
from indexer.models import Article
from indexer.sentence_parses import span_doc
from indexer.span_vectors import SENTENCES, claim_phrases
from indexer.split import load_pipeline
from tests.indexer.test_build import TEXT_A, TEXT_B

TEXT_C = "Bridge reopens\n\nThe old bridge reopened on Friday after two years of repairs."


def _article(aid: str, text: str) -> Article:
    return Article(id=aid, title=text.split("\n")[0], text=text, source=f"/{aid}.txt")


def _assert_each_is_its_own_embedding(index: Index, embedder: Embedder) -> None:
    """Every sentence and claim content has the vector `embed` gives its text."""
    sentences = [s for a in index.store.articles()[1] for s in index.store.sentences(a.id)]
    claims = index.store.claims()
    assert len(sentences) == index.manifest.counts["sentences"] == len(index.sentence_vectors)
    assert len(claims) == index.manifest.counts["claims"] == len(index.claim_vectors) > 0
    for stored, ids, texts in (
        (index.sentence_vectors, [s.id for s in sentences], [s.text for s in sentences]),
        (index.claim_vectors, [c.id for c in claims], [c.said for c in claims]),
    ):
        got = stored.get([i for i in ids if i is not None])
        own = embedder.embed(texts)
        assert got.shape == own.shape
        np.testing.assert_allclose(got, own, atol=1e-5)


def test_every_sentence_and_claim_is_stored_with_the_vector_its_text_gets_at_question_time(
    tmp_path: Path, embedder: Embedder
) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A), _article("b", TEXT_B)])
    _assert_each_is_its_own_embedding(Index.open(tmp_path), embedder)


def test_a_later_build_carries_kept_vectors_and_adds_the_new_ones(
    tmp_path: Path, embedder: Embedder
) -> None:
    a, b = _article("a", TEXT_A), _article("b", TEXT_B)
    update_index(tmp_path, embedder, [a, b])
    edited = replace(a, text=TEXT_A.replace("two metres", "three metres"))
    update_index(tmp_path, embedder, [edited, _article("c", TEXT_C)])
    _assert_each_is_its_own_embedding(Index.open(tmp_path), embedder)
    update_index(tmp_path, embedder, remove=["b"])
    index = Index.open(tmp_path)
    assert index.manifest.counts["articles"] == 2
    _assert_each_is_its_own_embedding(index, embedder)


def _assert_each_claims_phrases_are_stored(index: Index, embedder: Embedder) -> None:
    """Every claim's cue, lead-in and content nouns (read from its sentence's parse, as
    question time reads them) have the vector `embed` gives them."""
    nlp = load_pipeline()
    phrases: list[str] = []
    for claim in index.store.claims():
        sentence = index.store.sentences(claim.article_id)[claim.sentence_idx]
        start = claim.content.start - sentence.start
        content = span_doc(nlp(sentence.text), start, start + len(claim.content.text))
        phrases += claim_phrases(claim, sentence, content or nlp(claim.content.text))
    found = index.phrase_vectors.lookup(phrases)
    assert found and set(found) == set(phrases)
    np.testing.assert_allclose(
        np.stack(list(found.values())), embedder.embed(list(found)), atol=1e-5
    )
    assert index.phrase_vectors.lookup(["a phrase no article holds"]) == {}


def test_every_claims_phrases_are_stored_and_kept_by_a_later_build(
    tmp_path: Path, embedder: Embedder
) -> None:
    a = _article("a", TEXT_A)
    update_index(tmp_path, embedder, [a])
    first = Index.open(tmp_path)
    _assert_each_claims_phrases_are_stored(first, embedder)
    update_index(tmp_path, embedder, [_article("b", TEXT_B), _article("c", TEXT_C)])
    later = Index.open(tmp_path)
    _assert_each_claims_phrases_are_stored(later, embedder)
    assert len(later.phrase_vectors) > len(first.phrase_vectors)


def test_a_sentence_not_stored_is_a_key_error(tmp_path: Path, embedder: Embedder) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A)])
    index = Index.open(tmp_path)
    with pytest.raises(KeyError):
        index.sentence_vectors.get([int(index.sentence_vectors.ids.max()) + 1])


def test_sentence_vectors_that_disagree_with_the_store_are_refused(
    tmp_path: Path, embedder: Embedder
) -> None:
    update_index(tmp_path / "one", embedder, [_article("a", TEXT_A)])
    update_index(tmp_path / "two", embedder, [_article("a", TEXT_A), _article("b", TEXT_B)])
    one, two = current_version(tmp_path / "one"), current_version(tmp_path / "two")
    assert one is not None and two is not None
    for name in (SENTENCES.ids_file, SENTENCES.vectors_file):
        shutil.copy(two / name, one / name)
    with pytest.raises(
        IndexDamagedError, match=r"3 sentences stored, 6 vectors of them.*--rebuild"
    ):
        Index.open(tmp_path / "one")
    (one / SENTENCES.vectors_file).unlink()
    with pytest.raises(IndexDamagedError, match=r"sentences.npy unreadable"):
        Index.open(tmp_path / "one")
