"""Scores of one answer against its gold question, and their aggregates over a run.

Everything here works on the public /ask JSON (`AnswerPublic`), so answers obtained
in-process and over HTTP are scored by the same functions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.generate.reporting import article_context
from app.schemas import AnswerPublic, CitationPublic
from eval.claims_eval import meaningful_tokens
from eval.gold import REGEX_PREFIX, EvidenceSpans, GoldQuestion, Span

# (sentence, cited texts, claimants, the cited articles' outlets and dates) -> supported;
# see `load_verifier` in the runner.
Verifier = Callable[[str, list[str], list[str] | None, list[str]], bool]

# An answer that says the articles do not hold the answer, in the words the generators use.
_REFUSAL = re.compile(
    r"hold(s)? nothing|no information|not (?:say|mention|report|state)|"
    r"(?:cannot|can't|could not|unable to) (?:answer|find|tell)|nothing on this",
    re.IGNORECASE,
)
# A plain space is left alone: "in 2024 300 soldiers" is two numbers.
_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\u00a0](?=\d{3}\b)")
_MARKERS = re.compile(r"((?:\s*\[\d+\])+)")
_MARKER_N = re.compile(r"\[(\d+)\]")
_WORDS = re.compile(r"\w")


def normalise(text: str) -> str:
    """Lower case, typographic quotes and dashes made plain, "4,000" made "4000"."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_PLAIN)
    text = _THOUSANDS.sub("", text)
    return " ".join(text.lower().split())


_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fact_found(phrasings: Sequence[str], text: str) -> bool:
    """Any phrasing (or `re:` pattern, matched case-insensitively) occurs in `text`;
    both sides are normalised first, so "4,000" matches "4000"."""
    haystack = normalise(text)
    for p in phrasings:
        if p.startswith(REGEX_PREFIX):
            if re.search(p[len(REGEX_PREFIX) :], haystack, re.IGNORECASE):
                return True
        elif normalise(p) in haystack:
            return True
    return False


def name_matches(names: Sequence[str], text: str) -> bool:
    """Any of the acceptable `names` has all its meaningful tokens among `text`'s words."""
    words = meaningful_tokens(text)
    return any((tokens := meaningful_tokens(n)) and tokens <= words for n in names)


def is_refusal(answer: AnswerPublic) -> bool:
    """The answer cites nothing, or one of its own (uncited) sentences says the articles
    hold nothing on the question; a cited quote saying "no information" is content."""
    return not answer.citations or any(
        not ns and _REFUSAL.search(text) for text, ns in answer_sentences(answer)
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def citation_span(c: CitationPublic) -> Span:
    return Span(c.article_id, c.start, c.end)


def evidence_cited(evidence: EvidenceSpans, citations: Iterable[CitationPublic]) -> bool:
    return any(citation_span(c).overlaps(s) for c in citations for s in evidence)


@dataclass
class QuestionScore:
    """One question's scores; None where a metric does not apply to it."""

    refused: bool
    facts: float | None = None
    claimant: float | None = None  # share of the expected claimants named
    misattributed: bool | None = None
    evidence_recall: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    quote_exact: float | None = None
    retrieval_recall: float | None = None
    latency_s: float | None = None
    unsupported_sentences: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_answer(
    gold: GoldQuestion,
    evidence: list[EvidenceSpans],
    answer: AnswerPublic | None,
    texts: Mapping[str, str],
    retrieved: Sequence[Span] = (),
    verifier: Verifier | None = None,
) -> QuestionScore:
    """Score one answer (None when asking failed) against its gold question."""
    retrieval = _share(evidence, lambda ev: any(r.overlaps(s) for r in retrieved for s in ev))
    if answer is None:
        return QuestionScore(refused=True, retrieval_recall=retrieval)
    refused = is_refusal(answer)
    score = QuestionScore(
        refused=refused,
        retrieval_recall=retrieval,
        quote_exact=_share(
            answer.citations, lambda c: texts.get(c.article_id, "")[c.start : c.end] == c.quote
        ),
    )
    if gold.unanswerable:
        return score
    score.facts = _share(gold.facts, lambda f: fact_found(f, answer.answer))
    score.evidence_recall = _share(evidence, lambda ev: evidence_cited(ev, answer.citations))
    if gold.facts or evidence:
        score.citation_precision = (
            _share(answer.citations, lambda c: _relevant(c, gold, evidence))
            if answer.citations
            else 0.0
        )
    if gold.claimants:
        score.claimant, score.misattributed = _attribution(gold, evidence, answer)
    if verifier is not None:
        score.citation_recall, score.unsupported_sentences = _citation_recall(answer, verifier)
    return score


def _share(items: Sequence[Any], ok: Callable[[Any], bool]) -> float | None:
    return sum(1 for x in items if ok(x)) / len(items) if items else None


def _relevant(c: CitationPublic, gold: GoldQuestion, evidence: list[EvidenceSpans]) -> bool:
    """A citation earns its place when it holds an expected fact or overlaps the evidence."""
    return any(fact_found(f, c.quote) for f in gold.facts) or any(
        citation_span(c).overlaps(s) for ev in evidence for s in ev
    )


def _attribution(
    gold: GoldQuestion, evidence: list[EvidenceSpans], answer: AnswerPublic
) -> tuple[float, bool | None]:
    """(share of the expected claimants named, the evidence is cited but credited to
    someone else).

    Misattribution is judged on the answer's structured claims: the claims tied to the
    citations that overlap the evidence name only claimants other than the expected ones.
    It is None when the evidence is not cited (nothing to attribute).
    """
    named_in = " ".join([answer.answer, *(c.claimant for c in answer.claims)])
    named = sum(name_matches(names, named_in) for names in gold.claimants) / len(gold.claimants)
    on_evidence = {c.n for c in answer.citations if any(evidence_cited(ev, [c]) for ev in evidence)}
    if not on_evidence:
        return named, None
    credited = [c.claimant for c in answer.claims if c.citation in on_evidence and c.claimant]
    right = any(name_matches(names, who) for names in gold.claimants for who in credited)
    return named, bool(credited) and not right


def answer_sentences(answer: AnswerPublic) -> list[tuple[str, list[int]]]:
    """The answer's sentences (the text between citation markers) and the citations each
    one carries; a trailing sentence without markers carries none."""
    parts = _MARKERS.split(answer.answer)
    out: list[tuple[str, list[int]]] = []
    for text, markers in zip(parts[0::2], [*parts[1::2], ""], strict=True):
        if _WORDS.search(text):  # not the punctuation left between markers
            out.append((text.strip(), [int(n) for n in _MARKER_N.findall(markers)]))
    return out


def _citation_recall(answer: AnswerPublic, verifier: Verifier) -> tuple[float | None, list[str]]:
    """ALCE citation recall: share of answer sentences supported by what they cite."""
    by_n = {c.n: c for c in answer.citations}
    unsupported: list[str] = []
    sentences = answer_sentences(answer)
    for text, ns in sentences:
        cited = [by_n[n].quote for n in ns if n in by_n]
        claimants = [c.claimant for c in answer.claims if c.citation in ns] or None
        context = [
            x for n in ns if n in by_n for x in article_context(by_n[n].outlet, by_n[n].published)
        ]
        if not cited or not verifier(text, cited, claimants, context):
            unsupported.append(text)
    if not sentences:
        return None, []
    return 1 - len(unsupported) / len(sentences), unsupported


# The run-level metrics, in report order, with what each one measures.
METRICS: dict[str, str] = {
    "correctness": "share of expected facts found in the answer (answerable questions)",
    "claimant_accuracy": "expected claimant named in the answer text or its claims",
    "misattribution_rate": "evidence cited but its claims credit someone else",
    "evidence_recall": "share of gold evidence spans overlapped by a citation",
    "citation_precision": "share of citations holding an expected fact or the evidence",
    "citation_recall": "ALCE: share of answer sentences supported by their citations (verifier)",
    "quote_exactness": "share of citations whose quote equals the article text at its offsets",
    "retrieval_recall": "share of gold evidence spans inside the top-k retrieved passages",
    "abstention": "unanswerable questions answered as such",
    "answer_rate": "answerable questions not refused",
    "latency_p50": "seconds per question, median",
    "latency_p95": "seconds per question, 95th percentile",
}
# Where lower is better: a threshold on these is a ceiling (--fail-over), not a floor.
LOWER_IS_BETTER = frozenset({"misattribution_rate", "latency_p50", "latency_p95"})


def aggregate(
    golds: Sequence[GoldQuestion], scores: Sequence[QuestionScore]
) -> dict[str, float | None]:
    """Run-level metrics: each the mean over the questions it applies to (None if none)."""
    answerable = [s for g, s in zip(golds, scores, strict=True) if not g.unanswerable]
    unanswerable = [s for g, s in zip(golds, scores, strict=True) if g.unanswerable]
    latencies = [s.latency_s for s in scores if s.latency_s is not None]
    return {
        "correctness": _mean(s.facts for s in answerable),
        "claimant_accuracy": _mean(s.claimant for s in answerable),
        "misattribution_rate": _mean(s.misattributed for s in answerable),
        "evidence_recall": _mean(s.evidence_recall for s in answerable),
        "citation_precision": _mean(s.citation_precision for s in answerable),
        "citation_recall": _mean(s.citation_recall for s in answerable),
        "quote_exactness": _mean(s.quote_exact for s in scores),
        "retrieval_recall": _mean(s.retrieval_recall for s in answerable),
        "abstention": _mean(s.refused for s in unanswerable),
        "answer_rate": _mean(not s.refused for s in answerable),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
    }


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None
