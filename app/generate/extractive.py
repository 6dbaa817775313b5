"""The offline default: an answer composed of the retrieved sentences themselves.

Each answer sentence is a sentence of an article, cited to its exact offsets; when the
sentence carries a claim whose claimant it does not name (a pronoun, "the agency"),
the resolved claimant is put in front ("According to X, ...").
"""

from __future__ import annotations

import numpy as np

from app.generate.base import Answer, ArticleRef, Citation, ClaimUse, Passage
from indexer.embed import Embedder
from indexer.models import Claim, Sentence

NOTHING_FOUND = "The indexed articles hold nothing on this question."
# Two picked sentences this similar say the same thing (e.g. a wire story reprinted).
_DUPLICATE = 0.92
# Sentences much weaker than the best one are off the question's point.
_MARGIN = 0.15


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, embedder: Embedder, min_similarity: float, max_sentences: int) -> None:
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.max_sentences = max_sentences

    def generate(self, question: str, passages: list[Passage]) -> Answer:
        candidates = _unique_sentences(passages)
        if not candidates:
            return Answer(NOTHING_FOUND, [], self.name)
        vectors = self.embedder.embed([question] + [s.text for s, _, _ in candidates])
        scores = vectors[1:] @ vectors[0]
        best = float(scores.max())
        if best < self.min_similarity:
            return Answer(NOTHING_FOUND, [], self.name)
        picked: list[int] = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < max(self.min_similarity, best - _MARGIN):
                break
            if any(float(vectors[1 + i] @ vectors[1 + j]) > _DUPLICATE for j in picked):
                continue
            picked.append(int(i))
            if len(picked) == self.max_sentences:
                break
        parts: list[str] = []
        citations: list[Citation] = []
        uses: list[ClaimUse] = []
        for i in picked:
            sentence, article, claims = candidates[i]
            n = len(citations) + 1
            citations.append(Citation(n, article, sentence.start, sentence.end, sentence.text))
            parts.append(f"{attributed(sentence, claims)} [{n}]")
            uses.extend(ClaimUse(c, n) for c in claims)
        return Answer(" ".join(parts), citations, self.name, claims=uses)


def attributed(sentence: Sentence, claims: list[Claim]) -> str:
    """The sentence, led by its claimant's name when the sentence itself does not name them
    (the claimant is implicit, a pronoun or a description such as "the agency")."""
    for claim in claims:
        if claim.claimant and not _names(claim):
            return f"According to {claim.claimant}: {sentence.text}"
    return sentence.text


def _names(claim: Claim) -> bool:
    """Whether the claim's mention in the text is itself a name ("The NIS", "Budanov")."""
    mention = claim.claimant_mention
    if mention is None:
        return False
    words = mention.text.split()
    return (
        any(w[:1].isupper() for w in words[1:])
        or (len(words) == 1 and words[0][:1].isupper() and words[0].lower() not in _PRONOUNS)
        or claim.claimant.lower() in mention.text.lower()
    )


_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "this", "that", "who"}


def _unique_sentences(
    passages: list[Passage],
) -> list[tuple[Sentence, ArticleRef, list[Claim]]]:
    """Every sentence of the passages once (overlapping chunks share sentences)."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Sentence, ArticleRef, list[Claim]]] = []
    for p in passages:
        for s in p.sentences:
            key = (s.article_id, s.idx)
            if key in seen:
                continue
            seen.add(key)
            out.append((s, p.article, [c for c in p.claims if c.sentence_idx == s.idx]))
    return out
