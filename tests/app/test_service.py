from __future__ import annotations

from pathlib import Path

import pytest

from app import facts
from app.service import Service
from app.settings import Settings
from indexer.embed import Embedder
from indexer.span_vectors import clauses, lead_in, measure_words
from tests.app.test_vectors import _Counting


@pytest.mark.parametrize(
    "question",
    ["How many North Korean soldiers were killed?", "Who says North Korea sent more troops?"],
)
def test_an_answer_embeds_the_question_once_and_no_article_sentence(
    sample_index: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    counting = _Counting(embedder)
    monkeypatch.setattr("app.service.embedder_for", lambda *_: counting)
    service = Service(Settings(index_dir=sample_index))
    result = service.ask(question)
    assert result.answer.citations, result.answer.text
    sentences = {s.text for p in result.passages for s in p.sentences}
    assert counting.asked.count(question) == 1
    assert not sentences & set(counting.asked)
    # Nor what the conflict finder compares claims by: their cues, lead-ins, the clauses
    # of their contents (read for rebuttals)
    by_idx = {(s.article_id, s.idx): s for p in result.passages for s in p.sentences}
    claims = [c for p in result.passages for c in p.claims]
    cues = {c.cue.text for c in claims}
    leads = {
        lead_in(c, s)
        for c in claims
        if (s := by_idx.get((c.article_id, c.sentence_idx))) is not None
    }
    contents = {t for c in claims for t in clauses(facts.parsed(c.content.text))}
    # and the words a figure's measure is compared by ("soldier", "kill").
    measures = {w for c in claims for w in measure_words(facts.parsed(c.content.text))}
    assert cues and leads and contents and measures
    assert not (cues | leads | contents | measures) & set(counting.asked)
    # Asked again, nothing is embedded at all.
    before = len(counting.asked)
    again = service.ask(question)
    assert again.answer.text == result.answer.text
    assert len(counting.asked) == before
