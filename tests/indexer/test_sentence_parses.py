from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from spacy.tokens import Doc

from indexer.build import update_index
from indexer.embed import Embedder
from indexer.index import Index
from indexer.sentence_parses import recall, remember
from indexer.split import load_pipeline, parse
from tests.indexer.test_span_vectors import TEXT_A, TEXT_B, TEXT_C, _article


def _reading(doc: Doc) -> list[tuple[str, ...]]:
    """What question-time code reads of a parse."""
    return [
        (t.text, t.tag_, t.pos_, t.dep_, str(t.head.i), t.lemma_, str(t.morph), t.ent_type_)
        for t in doc
    ] + [("sent", str(s.start)) for s in doc.sents]


def _assert_each_is_its_own_parse(index: Index) -> None:
    sentences = [s for a in index.store.articles()[1] for s in index.store.sentences(a.id)]
    assert len(sentences) == len(index.sentence_parses) == index.manifest.counts["sentences"]
    blobs = index.sentence_parses.get([s.id for s in sentences if s.id is not None])
    remember([s.text for s in sentences], blobs)
    nlp = load_pipeline()
    for s in sentences:
        stored = recall(s.text, nlp.vocab)
        assert stored is not None and _reading(stored) == _reading(nlp(s.text)), s.text


def test_every_sentence_is_stored_with_its_parse_on_its_own(
    tmp_path: Path, embedder: Embedder
) -> None:
    update_index(tmp_path, embedder, [_article("a", TEXT_A), _article("b", TEXT_B)])
    _assert_each_is_its_own_parse(Index.open(tmp_path))


def test_a_later_build_carries_kept_parses_and_adds_the_new_ones(
    tmp_path: Path, embedder: Embedder
) -> None:
    a = _article("a", TEXT_A)
    update_index(tmp_path, embedder, [a, _article("b", TEXT_B)])
    edited = replace(a, text=TEXT_A.replace("two metres", "three metres"))
    update_index(tmp_path, embedder, [edited, _article("c", TEXT_C)], remove=["b"])
    _assert_each_is_its_own_parse(Index.open(tmp_path))


def test_parse_reads_a_remembered_parse_instead_of_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "The harbour authority said on Tuesday that 40 boats had sunk."
    nlp = load_pipeline()
    fresh = nlp(text)
    from indexer.sentence_parses import to_bytes

    remember([text], to_bytes([fresh]))
    calls: list[str] = []
    monkeypatch.setattr(type(nlp), "__call__", lambda self, t, **_: calls.append(t))
    assert _reading(parse(text)) == _reading(fresh)
    assert calls == []
    parse("Another sentence entirely.")
    assert calls == ["Another sentence entirely."]
