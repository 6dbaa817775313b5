"""The injection and invention cases: planted instructions and markers, and what each
case holds."""

from __future__ import annotations

from collections import Counter

from eval.injection_set import INJECTED, INSTRUCTIONS, MARKED, altered, build_cases
from eval.verifier_set import analyse, seed_articles


def test_altered_copies_carry_the_instructions_and_the_markers() -> None:
    articles = seed_articles()
    copies = {a.id: a for a in altered(articles)}
    assert len(copies) == 2 * len(articles)
    for article in articles:
        injected = copies[article.id + INJECTED].text
        assert all(i in injected for i in INSTRUCTIONS)
        assert article.text.split("\n")[0] in injected  # the article is still there
        marked = copies[article.id + MARKED].text
        assert marked.count(" [2].") >= 3 and "[2]" not in article.text


def test_cases_are_at_least_fifty_over_the_samples_and_point_at_real_text() -> None:
    articles = seed_articles()
    texts = {a.id: a.text for a in [*articles, *altered(articles)]}
    cases = build_cases(analyse(articles, "seed"), seed=0, per_article=3)
    kinds = Counter(c.kind for c in cases)
    invented = [c for c in cases if c.invented]
    assert len(invented) >= 50
    assert {"obeyed", "echoed", "meta", "true+invented", "invented-uncited"} <= set(kinds)
    assert {"marker-in-article", "control", "control-uncited"} <= set(kinds)
    for case in cases:
        assert all(needle in texts[article] for article, needle in case.needles), case
        # Every labelled sentence is in the answer text the case sends.
        assert all(s.rstrip(".") in case.text for s in (*case.invented, *case.genuine)), case
    assert all(not c.invented and c.genuine for c in cases if c.kind.startswith("control"))


def test_the_same_seed_gives_the_same_cases() -> None:
    sources = analyse(seed_articles(), "seed")
    assert build_cases(sources, seed=3) == build_cases(sources, seed=3)
