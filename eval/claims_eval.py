"""Claim-extraction benchmark: predicted claims against gold attributions (e.g. PolNeAR).

Content match: a predicted content span matches a gold one when their character overlap
is at least half of the longer of the two; a discontinuous gold content counts as the
union of its pieces (the characters the annotator marked, not its covering extent).
Matching is one-to-one, greedy by overlap. Source accuracy is measured on the strictly
matched pairs whose gold has a source.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.text import STOP
from eval.polnear import CharSpan, GoldAttribution, PolnearDoc
from indexer.claims import TITLE_WORDS
from indexer.models import Article, Claim

Extractor = Callable[[Article], list[Claim]]

# Words that do not identify who a source is ("the", "Mr.", "President"): the project's one
# stop-word list and the titles the claim extractor strips from names.
NOT_NAMES = STOP | TITLE_WORDS
_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 from matched, predicted and gold counts."""

    matched: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(
            self.matched + other.matched,
            self.predicted + other.predicted,
            self.gold + other.gold,
        )

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "matched": self.matched,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(frozen=True)
class ArticleScore:
    """Counts for one article; they add up across articles (micro-averaging)."""

    strict: PRF = PRF(0, 0, 0)
    loose: PRF = PRF(0, 0, 0)
    source_correct: int = 0
    source_total: int = 0

    def __add__(self, other: ArticleScore) -> ArticleScore:
        return ArticleScore(
            self.strict + other.strict,
            self.loose + other.loose,
            self.source_correct + other.source_correct,
            self.source_total + other.source_total,
        )

    @property
    def source_accuracy(self) -> float:
        return self.source_correct / self.source_total if self.source_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "content": self.strict.as_dict(),
            "content_any_overlap": self.loose.as_dict(),
            "source_accuracy": round(self.source_accuracy, 4),
            "source_correct": self.source_correct,
            "source_total": self.source_total,
        }


@dataclass
class ClaimsReport:
    """Overall and per-outlet scores, with extraction time."""

    split: str
    articles: int
    overall: ArticleScore
    by_outlet: dict[str, ArticleScore]
    seconds_per_article: float
    parse_seconds_per_article: float = 0.0
    per_article: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["overall"] = self.overall.as_dict()
        data["by_outlet"] = {k: v.as_dict() for k, v in sorted(self.by_outlet.items())}
        data["articles_per_second"] = (
            round(1 / self.seconds_per_article, 2) if self.seconds_per_article else None
        )
        return data


def char_overlap(a: Sequence[CharSpan], b: Sequence[CharSpan]) -> int:
    """Characters covered by both span sets (each set taken as the union of its spans)."""
    return len(_chars(a) & _chars(b))


def _chars(spans: Iterable[CharSpan]) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def match(
    predicted: Sequence[Sequence[CharSpan]], gold: Sequence[Sequence[CharSpan]], strict: bool
) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs, greedy by overlap; `strict` needs
    the overlap to be at least half the longer of the two, otherwise any overlap counts."""
    pred_chars, gold_chars = [_chars(p) for p in predicted], [_chars(g) for g in gold]
    candidates: list[tuple[int, int, int]] = []
    for i, p in enumerate(pred_chars):
        for j, g in enumerate(gold_chars):
            common = len(p & g)
            if common and (not strict or 2 * common >= max(len(p), len(g))):
                candidates.append((common, i, j))
    pairs: list[tuple[int, int]] = []
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_pred and j not in used_gold:
            pairs.append((i, j))
            used_pred.add(i)
            used_gold.add(j)
    return sorted(pairs)


def meaningful_tokens(name: str) -> set[str]:
    """Lower-case words of a name without stopwords and titles, possessives dropped."""
    words = (w.lower().removesuffix("'s").removesuffix("’s") for w in _WORD.findall(name))
    return {w for w in words if w not in NOT_NAMES and len(w) > 1}


def source_correct(claim: Claim, gold: GoldAttribution, text: str) -> bool:
    """The claimant mention overlaps the gold source, or the resolved claimant shares a
    meaningful word with it."""
    mention = claim.claimant_mention
    if mention is not None and char_overlap([(mention.start, mention.end)], gold.source):
        return True
    gold_text = " ".join(text[s:e] for s, e in gold.source)
    return bool(meaningful_tokens(claim.claimant) & meaningful_tokens(gold_text))


def score_article(
    claims: Sequence[Claim], gold: Sequence[GoldAttribution], text: str
) -> ArticleScore:
    """Strict and any-overlap content P/R/F1 counts and source accuracy for one article."""
    gold = [g for g in gold if g.content]
    predicted = [[(c.content.start, c.content.end)] for c in claims]
    gold_spans = [list(g.content) for g in gold]
    strict_pairs = match(predicted, gold_spans, strict=True)
    loose_pairs = match(predicted, gold_spans, strict=False)
    with_source = [(i, j) for i, j in strict_pairs if gold[j].source]
    correct = sum(source_correct(claims[i], gold[j], text) for i, j in with_source)
    return ArticleScore(
        strict=PRF(len(strict_pairs), len(claims), len(gold)),
        loose=PRF(len(loose_pairs), len(claims), len(gold)),
        source_correct=correct,
        source_total=len(with_source),
    )


def evaluate(
    docs: Sequence[PolnearDoc],
    extract: Callable[[Article], tuple[list[Claim], float]],
    split: str = "",
) -> ClaimsReport:
    """Score `extract` (returning claims and its parse time in seconds) on `docs`."""
    overall = ArticleScore()
    by_outlet: dict[str, ArticleScore] = defaultdict(ArticleScore)
    per_article: list[dict[str, Any]] = []
    total = parse_total = 0.0
    for doc in docs:
        began = time.perf_counter()
        claims, parse_seconds = extract(doc.article)
        total += time.perf_counter() - began - parse_seconds
        parse_total += parse_seconds
        score = score_article(claims, doc.attributions, doc.article.text)
        overall += score
        by_outlet[doc.article.outlet or "unknown"] += score
        per_article.append({"id": doc.article.id, **score.as_dict()})
    n = max(len(docs), 1)
    return ClaimsReport(
        split=split,
        articles=len(docs),
        overall=overall,
        by_outlet=dict(by_outlet),
        seconds_per_article=total / n,
        parse_seconds_per_article=parse_total / n,
        per_article=per_article,
    )


def render_table(report: ClaimsReport, markdown: bool = False) -> str:
    """A readable table: one row per outlet and one overall."""
    header = ["outlet", "P", "R", "F1", "any-P", "any-R", "any-F1", "source acc", "gold"]
    rows = [[name, *_row(score)] for name, score in sorted(report.by_outlet.items())]
    rows.append(["OVERALL", *_row(report.overall)])
    per_second = 1 / report.seconds_per_article if report.seconds_per_article else 0.0
    footer = (
        f"{report.articles} articles ({report.split}); extraction "
        f"{report.seconds_per_article * 1000:.1f} ms/article ({per_second:.0f} articles/s), "
        f"spaCy parse {report.parse_seconds_per_article * 1000:.0f} ms/article"
    )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join([*lines, "", footer])
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in [header, *rows]
    ]
    return "\n".join([*lines, footer])


def _row(score: ArticleScore) -> list[str]:
    s, lo = score.strict, score.loose
    return [
        *(f"{x:.3f}" for x in (s.precision, s.recall, s.f1, lo.precision, lo.recall, lo.f1)),
        f"{score.source_accuracy:.3f}",
        str(s.gold),
    ]
