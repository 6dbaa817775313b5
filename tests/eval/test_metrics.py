"""Scoring on hand-made answers, with exact expected numbers."""

from __future__ import annotations

from typing import Any

import pytest

from app.schemas import AnswerPublic
from eval.gold import GoldQuestion, Span
from eval.metrics import (
    QuestionScore,
    aggregate,
    answer_sentences,
    fact_found,
    is_refusal,
    name_matches,
    percentile,
    score_answer,
)

TEXT = "Zelensky said 4,000 were hurt. The NIS said 300 died. Budanov denied it."
TEXTS = {"k": TEXT}


def _citation(n: int, start: int, end: int, quote: str | None = None) -> dict[str, Any]:
    return {
        "n": n,
        "article_id": "k",
        "title": "t",
        "outlet": None,
        "published": None,
        "url": None,
        "quote": TEXT[start:end] if quote is None else quote,
        "start": start,
        "end": end,
        "supported": True,
    }


def _claim(claimant: str, citation: int) -> dict[str, Any]:
    return {
        "claimant": claimant,
        "cue": "said",
        "content": "c",
        "citation": citation,
        "reported_by": [],
        "article_id": "k",
        "kind": "direct",
    }


def _answer(
    text: str, citations: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> AnswerPublic:
    return AnswerPublic.model_validate(
        {
            "answer": text,
            "citations": citations,
            "claims": claims,
            "conflicts": [],
            "generator": "extractive",
            "warnings": [],
        }
    )


def _gold(**kw: Any) -> GoldQuestion:
    return GoldQuestion.model_validate({"id": "q", "question": "?", **kw})


def test_facts_match_across_number_formats_case_and_patterns() -> None:
    assert fact_found(["4000"], "They said 4,000 were hurt")
    assert fact_found(["4,000"], "about 4000 troops")
    assert fact_found(["Two-Thirds"], "two‑thirds".replace("‑", "-") + " of them")
    assert fact_found(["re:1000 (?:and|to) 3000"], "between 1,000 and 3,000 troops")
    assert fact_found(["Feb. 14"], "ON FEB. 14 HE SAID")
    assert not fact_found(["40"], "no such number")
    assert fact_found(["“denied”"], 'he "denied" it')


def test_names_match_by_meaningful_tokens() -> None:
    assert name_matches(["President Volodymyr Zelensky", "Zelensky"], "Zelensky's claim")
    assert name_matches(["Mr. Obama"], "According to Obama")
    assert not name_matches(["Hillary Clinton"], "Clinton said")
    assert not name_matches(["the"], "the the")  # no meaningful token: never a match


def test_sentences_carry_their_markers() -> None:
    answer = _answer("One thing [1] [2]. Another [3]. Uncited.", [], [])
    assert answer_sentences(answer) == [
        ("One thing", [1, 2]),
        (". Another", [3]),
        (". Uncited.", []),
    ]


def test_refusals_are_uncited_answers_or_uncited_refusal_sentences() -> None:
    assert is_refusal(_answer("The indexed articles hold nothing on this question.", [], []))
    cited_quote = _answer("No information was available. [1]", [_citation(1, 0, 29)], [])
    assert not is_refusal(cited_quote)
    assert is_refusal(_answer("X [1]. The articles do not say more.", [_citation(1, 0, 5)], []))


def test_a_scored_answer_has_exact_values() -> None:
    gold = _gold(
        facts=[["4000"], ["300"], ["two-thirds"]],
        claimants=[["Zelensky"], ["NIS"]],
        evidence=[{"quote": "Zelensky said 4,000 were hurt."}, {"quote": "Budanov denied it."}],
    )
    evidence = [[Span("k", 0, 30)], [Span("k", 55, 73)]]
    answer = _answer(
        "Zelensky said 4,000 were hurt. [1] The NIS said 300 died. [2] Wrong [3]",
        [_citation(1, 0, 30), _citation(2, 31, 54), _citation(3, 31, 35, quote="Nope")],
        [_claim("Budanov", 1)],
    )
    retrieved = [Span("k", 0, 40), Span("other", 0, 100)]
    s = score_answer(gold, evidence, answer, TEXTS, retrieved, lambda s, c, w, x: "300" in s)
    assert s.facts == pytest.approx(2 / 3)
    assert s.claimant == 1.0  # both named in the text
    assert s.misattributed is True  # the evidence's citation credits Budanov
    assert s.evidence_recall == 0.5
    assert s.citation_precision == pytest.approx(2 / 3)  # [3] holds neither fact nor evidence
    assert s.quote_exact == pytest.approx(2 / 3)
    assert s.retrieval_recall == 0.5
    assert s.citation_recall == pytest.approx(1 / 3)
    assert not s.refused


def test_a_failed_question_scores_as_refused() -> None:
    gold = _gold(facts=[["x"]], evidence=[{"article_id": "k", "start": 0, "end": 5}])
    s = score_answer(gold, [[Span("k", 0, 5)]], None, TEXTS, [Span("k", 0, 9)])
    assert s.refused and s.facts is None and s.retrieval_recall == 1.0


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([], 50) is None


def test_aggregates_average_only_where_a_metric_applies() -> None:
    golds = [_gold(facts=[["a"]]), _gold(facts=[["a"]]), _gold(unanswerable=True)]
    scores = [
        QuestionScore(refused=False, facts=1.0, claimant=None, latency_s=1.0),
        QuestionScore(refused=True, facts=0.0, claimant=0.5, latency_s=2.0),
        QuestionScore(refused=True, latency_s=3.0, quote_exact=1.0),
    ]
    m = aggregate(golds, scores)
    assert m["correctness"] == 0.5
    assert m["claimant_accuracy"] == 0.5
    assert m["answer_rate"] == 0.5
    assert m["abstention"] == 1.0
    assert m["quote_exactness"] == 1.0
    assert m["citation_recall"] is None
    assert m["latency_p50"] == 2.0
    assert m["latency_p95"] == pytest.approx(2.9)
