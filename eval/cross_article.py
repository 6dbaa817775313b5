"""Figures the conflict finder sets against each other across articles, on an index of
real news nobody labelled for it (not a test): how many pairs of figures from different
articles, among the passages retrieved for a sample of questions, it takes for one
measure of one event, with both sentences, to read through by hand.

    PYTHONPATH=. .venv/bin/python -m eval.cross_article INDEX_DIR ../shared/data/polnear \\
        --split dev --questions 150

The questions are the seeded PolNeAR "who said it?" sample and as many "how many"
questions made from the split's own sentences that give a number ("How many percent
...?"), so that retrieval brings figures of several articles together. The benchmark
(`eval conflicts`) holds pairs within one article; this is where pairs across articles
show, and in a corpus of separate stories nearly all of them are two events.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from app.conflicts import ConflictFinder, claim_figures, comparable, locate
from app.service import Service
from app.settings import Settings
from eval.polnear import PolnearDoc, load_split
from eval.polnear_questions import sample_questions

_NUMBER_THEN_NOUN = re.compile(
    r"\b\d[\d,.]*\s+(?:million\s+|billion\s+)?([a-z]{4,})\b([^.\n]{0,60})"
)


def how_many_questions(docs: list[PolnearDoc], n: int, seed: int) -> list[str]:
    """ "How many <noun after a number> <two words after it>?" from the articles' text."""
    made = []
    for doc in docs:
        for m in _NUMBER_THEN_NOUN.finditer(doc.article.text):
            words = re.findall(r"[a-z]{5,}", m.group(2))[:2]
            made.append(f"How many {m.group(1)} {' '.join(words)}?")
    return random.Random(seed).sample(made, min(n, len(made)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("polnear", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--questions", type=int, default=150, help="of each kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    docs = load_split(args.polnear, args.split)
    asked = [q.question for q in sample_questions(docs, args.split, args.questions, args.seed)]
    asked += how_many_questions(docs, args.questions, args.seed)
    service = Service(Settings(index_dir=args.index_dir))
    finder = ConflictFinder(service.vectors)
    compared: set[tuple[str, int, str, int]] = set()
    matched = 0
    for question in asked:
        passages = service.prepare(question, generator="extractive").passages
        figures = [c for c in claim_figures(locate(passages)) if comparable(c)]
        for a, b in itertools.combinations(figures, 2):
            sa, sb = a.loc.sentence, b.loc.sentence
            key = (sa.text, a.figure.start, sb.text, b.figure.start)
            if sa.article_id == sb.article_id or key in compared:
                continue
            compared.add(key)
            if (
                a.loc.claim.claimant != b.loc.claim.claimant
                and finder.figure_mismatch(a, b) is None
            ):
                matched += 1
                print(f"{a.measure} | {b.measure}\n  {sa.text[:160]}\n  {sb.text[:160]}")
    print(
        f"{len(asked)} questions; {len(compared)} pairs of figures from different articles "
        f"compared; {matched} taken for one measure of one event"
    )


if __name__ == "__main__":
    main()
