from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from spacy.tokens import Doc

from app import facts
from indexer.build import update_index
from indexer.embed import Embedder
from indexer.index import Index
from indexer.models import Claim, Sentence, Span
from indexer.sentence_parses import (
    from_bytes,
    recall,
    remember,
    remember_parts,
    span_doc,
    to_bytes,
)
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
    remember([text], to_bytes([fresh]))
    calls: list[str] = []
    monkeypatch.setattr(type(nlp), "__call__", lambda self, t, **_: calls.append(t))
    assert _reading(parse(text)) == _reading(fresh)
    assert calls == []
    parse("Another sentence entirely.")
    assert calls == ["Another sentence entirely."]


def test_a_stored_parse_is_read_back_as_spacy_reads_it() -> None:
    nlp = load_pipeline()
    doc = nlp("Kyiv's mayor said on Tuesday that 40 boats, worth $3 million, had sunk.")
    data = doc.to_bytes()
    read = from_bytes(data, nlp.vocab)
    assert read.to_json() == Doc(nlp.vocab).from_bytes(data).to_json() == doc.to_json()
    assert _reading(read) == _reading(doc)


def _claim(sentence: Sentence, cue: str, content: str) -> Claim:
    def span(part: str) -> Span:
        at = sentence.text.index(part)
        return Span(sentence.start + at, sentence.start + at + len(part), part)

    return Claim("a", sentence.idx, "The mayor", None, span(cue), span(content), "indirect")


def test_a_claims_parts_are_spans_of_its_sentences_parse_not_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "The mayor said on Monday that 40 boats had sunk near Dover , and that was all ."
    text = text.replace(" ,", ",").replace(" .", ".")
    nlp = load_pipeline()
    whole = nlp(text)
    remember([text], to_bytes([whole]))
    sentence = Sentence("a", 3, 100, 100 + len(text), text)
    claim = _claim(sentence, "said", "that 40 boats had sunk near Dover")
    remember_parts([(claim, sentence)])
    calls: list[str] = []
    monkeypatch.setattr(type(nlp), "__call__", lambda self, t, **_: calls.append(t))
    for part in (claim.content.text, claim.said, claim.cue.text):
        got = facts.parsed(part)
        assert got.text == part
        start = text.index(part)
        inside = whole.char_span(start, start + len(part))
        assert inside is not None
        assert [(t.text, t.tag_, t.lemma_, t.ent_type_) for t in got] == [
            (t.text, t.tag_, t.lemma_, t.ent_type_) for t in inside
        ]
        # The token that hung from outside the part heads it.
        assert [t.dep_ for t in got if t.head.i == t.i] == ["ROOT"]
    assert calls == []


def test_a_span_ending_before_a_space_keeps_its_text_and_a_misaligned_one_is_none() -> None:
    doc = load_pipeline()("Officials said the bridge is safe now.")
    got = span_doc(doc, 0, len("Officials said"))
    assert got is not None and got.text == "Officials said"
    assert [t.pos_ for t in got] == [t.pos_ for t in doc[:2]]
    assert span_doc(doc, 0, len("Officials sa")) is None


QUOTED = (
    "Bridge to close\n\n"
    '"We will rebuild the old bridge. It will take two years and cost $40 million," the '
    "mayor said on Monday. Residents were told to use the ferry."
)


def test_a_content_past_its_sentence_is_stored_parsed_and_the_others_are_not(
    tmp_path: Path, embedder: Embedder
) -> None:
    update_index(tmp_path, embedder, [_article("q", QUOTED), _article("a", TEXT_A)])
    index = Index.open(tmp_path)
    claims = index.store.claims()
    blobs = index.claim_parses.get([c.id for c in claims if c.id is not None])
    assert len(blobs) == len(claims) == len(index.claim_parses)
    nlp = load_pipeline()
    past = 0
    for claim, blob in zip(claims, blobs, strict=True):
        sentence = index.store.sentences(claim.article_id)[claim.sentence_idx]
        inside = sentence.start <= claim.content.start and claim.content.end <= sentence.end
        assert bool(blob) != inside, claim.content.text
        if blob:
            past += 1
            remember([claim.content.text], [blob])
            stored = recall(claim.content.text, nlp.vocab)
            assert stored is not None
            assert _reading(stored) == _reading(nlp(claim.content.text))
    assert past
