from __future__ import annotations

import itertools

from indexer.split import chunk, parse, sentences, tag
from tests.conftest import SAMPLES


def test_sentences_are_exact_trimmed_slices_of_the_text() -> None:
    text = (
        'Headline here\n\nThe agency said on Monday that 300 were killed. "It is grim," he added.\n'
    )
    sents = sentences(parse(text), "a")
    assert [s.text for s in sents] == [
        "Headline here",
        "The agency said on Monday that 300 were killed.",
        '"It is grim," he added.',
    ]
    for s in sents:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_a_sentence_never_crosses_a_line_break() -> None:
    text = "A byline without a full stop\nThe body starts here and goes on."
    assert [s.text for s in sentences(parse(text), "a")] == [
        "A byline without a full stop",
        "The body starts here and goes on.",
    ]


def test_seed_article_fragments_are_joined_and_date_token_left_out() -> None:
    text = (SAMPLES / "000_8af7fcc676007934.txt").read_text()
    sents = sentences(parse(text), "a")
    assert sents[0].text.startswith("South Korea spy agency says")
    assert any(s.text == "ANI |Published: Feb 27, 2025, 1:38 PM IST" for s in sents)
    assert any(
        s.text.startswith("Seoul [South Korea], February 27 (ANI): North Korea") for s in sents
    )
    assert all(any(c.isalnum() for c in s.text) for s in sents)


def test_chunks_are_whole_sentences_within_size_with_overlap() -> None:
    text = " ".join(f"Sentence number {i} says something about troops." for i in range(20))
    sents = sentences(parse(text), "a")
    chunks = chunk(text, sents, "a", max_chars=200, overlap=1)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text == text[c.start : c.end]
        assert c.start == sents[c.first_sentence].start and c.end == sents[c.last_sentence].end
        assert len(c.text) <= 200
    for a, b in itertools.pairwise(chunks):
        assert b.first_sentence == a.last_sentence  # one shared sentence
    assert chunks[-1].last_sentence == len(sents) - 1


def test_a_sentence_longer_than_the_chunk_size_stands_alone() -> None:
    text = "Short one. " + "word " * 100 + "end. Another short one."
    sents = sentences(parse(text), "a")
    chunks = chunk(text, sents, "a", max_chars=100, overlap=0)
    assert [c.last_sentence - c.first_sentence for c in chunks] == [0] * len(chunks)
    assert chunks[-1].last_sentence == len(sents) - 1


def test_tag_gives_parts_of_speech_and_lemmas_without_a_parse() -> None:
    doc = tag("Have the rebels denied the figures?")
    assert [t.pos_ for t in doc][:3] == ["AUX", "DET", "NOUN"]
    assert [t.lemma_ for t in doc][3:6] == ["deny", "the", "figure"]
    assert not doc.has_annotation("DEP") and not doc.ents


def test_a_parse_without_entities_reads_the_same_structure() -> None:
    # The verifier reads only the structure of an answer's own sentence; the entity
    # recogniser, half of a parse, is skipped for it and must change nothing else.
    text = "Minyon Moore told Reuters on Monday that 300 people were killed in Aleppo."
    full, bare = parse(text), parse(text, entities=False)
    assert full.ents and not bare.ents
    fields = [(t.text, t.pos_, t.tag_, t.dep_, t.head.i, t.lemma_) for t in full]
    assert fields == [(t.text, t.pos_, t.tag_, t.dep_, t.head.i, t.lemma_) for t in bare]
