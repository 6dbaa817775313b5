"""The verifier's labelled set (deterministic, balanced) and its precision/recall figures."""

from __future__ import annotations

import pytest

from app.verify import numbers
from eval.verifier_eval import evaluate, render_table, scores
from eval.verifier_set import (
    BROKEN_KINDS,
    SUPPORTED_KINDS,
    Pair,
    Source,
    analyse,
    build_pairs,
    seed_articles,
)


@pytest.fixture(scope="module")
def seeds() -> list[Source]:
    return analyse(seed_articles(), "seed")


def test_the_set_is_deterministic_and_balanced(seeds: list[Source]) -> None:
    pairs = build_pairs(seeds, seed=0, per_article=8)
    assert pairs == build_pairs(seeds, seed=0, per_article=8)
    assert pairs != build_pairs(seeds, seed=1, per_article=8)
    supported = [p for p in pairs if p.supported]
    assert len(supported) == len(pairs) - len(supported) == 16
    assert {p.kind for p in supported} <= set(SUPPORTED_KINDS)
    assert {p.kind for p in pairs if not p.supported} <= set(BROKEN_KINDS)
    # Every kind is drawn, none dominates.
    assert len({p.kind for p in pairs}) >= 7
    assert max(sum(p.kind == k for p in pairs) for k in BROKEN_KINDS) <= 5


def test_broken_pairs_break_what_they_say(seeds: list[Source]) -> None:
    pairs = build_pairs(seeds, seed=0, per_article=15)
    for p in pairs:
        [cited] = p.cited
        if p.kind == "verbatim":
            assert p.sentence == cited
        elif p.kind == "number":
            assert set(numbers(p.sentence)) - set(numbers(cited))
        elif p.kind == "reformatted":
            assert p.sentence != cited and set(numbers(p.sentence)) <= set(numbers(cited))
        elif p.kind == "wrong_citation":
            assert p.sentence != cited
        assert p.source.startswith("seed:")
    assert Pair.from_dict(pairs[0].as_dict()) == pairs[0]


def _pair(kind: str) -> Pair:
    return Pair("s", ("c",), (), kind in SUPPORTED_KINDS, kind, "test:a")


def test_metrics_on_a_hand_made_set() -> None:
    pairs = [
        _pair("verbatim"),  # judged supported: right
        _pair("verbatim"),  # judged unsupported: a false alarm
        _pair("attributed"),  # judged supported: right
        _pair("number"),  # caught
        _pair("number"),  # missed
        _pair("invented"),  # caught
    ]
    verdicts = [True, False, True, False, True, False]
    report = evaluate(pairs, verdicts)
    assert report.n == 6
    # "unsupported" detection: 2 caught, 1 false alarm, 1 missed, 2 rightly passed.
    u = report.unsupported
    assert (u.tp, u.fp, u.fn, u.tn) == (2, 1, 1, 2)
    assert (u.precision, u.recall) == (2 / 3, 2 / 3)
    assert u.f1 == pytest.approx(2 / 3)
    s = report.supported
    assert (s.tp, s.fp, s.fn, s.tn) == (2, 1, 1, 2)
    # "number" against every supported pair: 1 caught, 1 missed, 1 false alarm.
    assert report.by_kind["number"] == {
        "n": 2,
        "correct": 1,
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "tn": 2,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }
    assert report.by_kind["invented"]["recall"] == 1.0
    assert report.by_kind["verbatim"] == {"n": 2, "correct": 1}
    table = render_table(report, "hand-made")
    assert table.splitlines()[0] == "hand-made (6 pairs)"
    assert "verbatim (kept)" in table


def test_scores_without_positives_are_zero() -> None:
    empty = scores([False, False], [False, False])
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
