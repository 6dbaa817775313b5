"""The conflict benchmark: its file format, its check that labelled text is still there,
and its scoring of the real pipeline (extraction, then the conflict finder)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from app.conflicts import ConflictFinder
from eval.conflicts_eval import (
    ConflictSetError,
    claim_reader,
    evaluate,
    load_articles,
    load_items,
    obstacles,
    span_hash,
)
from eval.verifier_set import seed_articles
from indexer.embed import Embedder

BENCHMARK = Path(__file__).parents[2] / "eval" / "conflicts" / "pairs.jsonl"
SAMPLE = next(a for a in seed_articles() if "Budanov denied" in a.text)


def _side(quote: str, text: str = SAMPLE.text) -> dict[str, object]:
    start = text.index(quote)
    return {
        "article": f"samples:{SAMPLE.id}",
        "start": start,
        "end": start + len(quote),
        "sha1": span_hash(quote),
    }


REPORT = "The New York Times reported on Jan. 30 that North Korean troops had been pulled from"
DENIAL = "Kyrylo Budanov denied reports that North Korean soldiers have not been seen"


def _write(tmp_path: Path, *items: dict[str, object]) -> Path:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def _item(id_: str, a: str, b: str, conflict: bool, kind: str = "denial") -> dict[str, object]:
    return {
        "id": id_,
        "kind": kind,
        "conflict": conflict,
        "split": "test",
        "a": _side(a),
        "b": _side(b),
    }


def test_a_bad_line_is_named_with_its_field(tmp_path: Path) -> None:
    bad = _item("x", REPORT, DENIAL, True) | {"kind": "rumour"}
    with pytest.raises(ConflictSetError, match=r"pairs.jsonl:1: field 'kind' must be one of"):
        load_items(_write(tmp_path, bad))
    twice = _item("x", REPORT, DENIAL, True)
    with pytest.raises(ConflictSetError, match="used twice"):
        load_items(_write(tmp_path, twice, twice))


def test_an_item_whose_text_changed_is_named(tmp_path: Path) -> None:
    item = _item("moved", REPORT, DENIAL, True)
    item["b"] = _side(DENIAL) | {"start": 0}
    with pytest.raises(ConflictSetError, match="item moved: side b"):
        load_articles(load_items(_write(tmp_path, item)), None)


def test_the_real_pipeline_finds_a_denial_and_not_a_non_conflict(
    tmp_path: Path, embedder: Embedder
) -> None:
    items = load_items(
        _write(
            tmp_path,
            _item("denied", REPORT, DENIAL, True),
            # The denial does not answer Budanov's own reading of the losses.
            _item(
                "unrelated",
                "The heavy losses of the North Korean army may be related",
                DENIAL,
                False,
            ),
        )
    )
    articles = load_articles(items, None)
    scores, rows = evaluate(items, articles, ConflictFinder(embedder), claim_reader("model"))
    outcomes = {r["id"]: r["outcome"] for r in rows}
    assert outcomes["denied"] == "tp"
    assert outcomes["unrelated"] == "tn"
    assert (scores["denial"].tp, scores["denial"].tn) == (1, 1)
    assert scores["denial"].precision == scores["denial"].recall == 1.0


def test_obstacles_are_counted_per_kind_never_per_pair(tmp_path: Path, embedder: Embedder) -> None:
    items = load_items(
        _write(
            tmp_path,
            _item("denied", REPORT, DENIAL, True),
            _item(
                "tolls",
                "have suffered 4,000 casualties, two-thirds of whom have been killed",
                "at least 300 North Korean soldiers have been killed",
                True,
                "figures",
            ),
            # A side no claim overlaps: a sentence of the reporter's own.
            _item("nothing", "Ukraine has continued to lose territory", DENIAL, True, "dispute"),
            _item("no conflict", REPORT, DENIAL, False),
        )
    )
    found = obstacles(
        items, load_articles(items, None), ConflictFinder(embedder), claim_reader("model")
    )
    # The denial answers the report: the stance stage says the link is made.
    assert found["denial"] == Counter(
        {
            "pairs": 1,
            "sides": 2,
            "sides no claim overlaps": 0,
            "stance: a side's claim answers the other's": 1,
        }
    )
    # Zelensky's two-thirds of 4,000 against the NIS's at least 300: a conflict.
    assert found["figures"]["figures: passes every check"] == 1
    assert found["dispute"]["sides no claim overlaps"] == 1
    assert found["dispute"]["stance: a side no claim overlaps"] == 1
    assert not found["revision"]


def test_the_shipped_benchmark_still_matches_polnear() -> None:
    folder = Path(os.environ.get("POLNEAR_DIR", Path(__file__).parents[3] / "shared/data/polnear"))
    if not (folder / "metadata.tsv").exists():
        pytest.skip(f"PolNeAR not found at {folder} (set POLNEAR_DIR)")
    items = load_items(BENCHMARK)
    articles = load_articles(items, folder)  # raises on any item whose text moved
    assert {i.kind for i in items} == {"figures", "denial", "dispute", "revision"}
    assert sum(i.conflict for i in items) >= 60
    assert sum(not i.conflict for i in items) >= 60
    assert len(articles) >= 30
    # Split by article: no article lends pairs to both parts.
    splits: dict[str, set[str]] = {}
    for i in items:
        for side in (i.a, i.b):
            splits.setdefault(side.article, set()).add(i.split)
    assert all(len(s) == 1 for s in splits.values())
    assert {i.split for i in items} == {"tune", "test", "holdout"}
