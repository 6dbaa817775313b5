"""What kind of miss each missed gold attribution is (`accordingto eval claims-errors`).

A gold content no prediction matches (under the benchmark's half-overlap rule) is put in
one of four kinds, looked at in this order: the cue was found and the content overlaps a
prediction but misses the half-overlap bar ("boundary"); a prediction overlaps it but
belongs to another cue ("merged": two attributions taken as one); no prediction at its
cue ("cue missed"); a prediction at its cue with a content elsewhere ("content elsewhere").
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval.claims_eval import _chars, match
from eval.polnear import GoldAttribution, PolnearDoc
from indexer.models import Article, Claim

KINDS = ("boundary", "merged", "cue missed", "content elsewhere")


@dataclass(frozen=True)
class Miss:
    article_id: str
    kind: str
    cue: str
    content: str


def misses(
    docs: Sequence[PolnearDoc], extract: Callable[[Article], tuple[list[Claim], float]]
) -> list[Miss]:
    """Every gold attribution with a content that no prediction matches, with its kind."""
    found: list[Miss] = []
    for doc in docs:
        text = doc.article.text
        claims, _ = extract(doc.article)
        gold = [g for g in doc.attributions if g.content]
        pairs = match(
            [[(c.content.start, c.content.end)] for c in claims],
            [list(g.content) for g in gold],
            strict=True,
        )
        matched = {j for _, j in pairs}
        for j, g in enumerate(gold):
            if j not in matched:
                found.append(
                    Miss(
                        doc.article.id, _kind(g, claims), _text(text, g.cue), _text(text, g.content)
                    )
                )
    return found


def _kind(g: GoldAttribution, claims: Sequence[Claim]) -> str:
    gold_chars = _chars(g.content)
    cue_chars = _chars(g.cue)
    at_cue = [c for c in claims if cue_chars & set(range(c.cue.start, c.cue.end))]
    overlapping = [c for c in claims if gold_chars & set(range(c.content.start, c.content.end))]
    if any(c in at_cue for c in overlapping):
        return "boundary"
    if overlapping:
        return "merged"
    return "content elsewhere" if at_cue else "cue missed"


def _text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    return " … ".join(text[s:e] for s, e in spans)


def sample_report(found: Sequence[Miss], n: int = 50, seed: int = 0) -> str:
    """Counts of each kind over all misses and over a seeded sample of `n`, with the
    sample listed."""
    sample = random.Random(seed).sample(list(found), min(n, len(found)))
    every, picked = Counter(m.kind for m in found), Counter(m.kind for m in sample)
    lines = [f"{len(found)} missed gold attributions; a sample of {len(sample)} (seed {seed}):", ""]
    lines += ["| kind | all misses | sample |", "| --- | --- | --- |"]
    lines += [f"| {k} | {every[k]} | {picked[k]} |" for k in KINDS]
    lines += ["", "| kind | cue | gold content |", "| --- | --- | --- |"]
    for m in sorted(sample, key=lambda m: KINDS.index(m.kind)):
        content = m.content if len(m.content) < 140 else m.content[:137] + "..."
        lines.append(f"| {m.kind} | {m.cue} | {content.replace('|', '/')} |")
    return "\n".join(lines)
