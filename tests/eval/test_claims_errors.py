"""Sorting missed gold attributions by kind."""

from __future__ import annotations

from eval.claims_errors import Miss, _kind, sample_report
from eval.polnear import GoldAttribution
from indexer.models import Claim, Span


def _claim(cue: tuple[int, int], content: tuple[int, int]) -> Claim:
    return Claim("a", 0, "x", None, Span(*cue, ""), Span(*content, ""), "indirect")


GOLD = GoldAttribution(source=((0, 5),), cue=((6, 10),), content=((11, 60),))


def test_each_kind_of_miss() -> None:
    assert _kind(GOLD, [_claim((6, 10), (11, 20))]) == "boundary"
    assert _kind(GOLD, [_claim((70, 74), (0, 200))]) == "merged"
    assert _kind(GOLD, [_claim((6, 10), (100, 140))]) == "content elsewhere"
    assert _kind(GOLD, []) == "cue missed"


def test_report_counts_all_and_the_sample() -> None:
    found = [Miss("a", "boundary", "said", "x")] * 3 + [Miss("b", "cue missed", "fears", "y")]
    report = sample_report(found, n=2, seed=1)
    assert report.startswith("4 missed gold attributions; a sample of 2")
    assert "| boundary | 3 |" in report and "| cue missed | 1 |" in report
