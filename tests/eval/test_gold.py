"""The gold-question format: parsing, errors with line numbers, evidence resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import GoldFormatError, Span, load_gold, resolve_evidence, write_gold
from indexer.ingest import load_paths
from tests.conftest import REPO, SAMPLES

SEED = REPO / "eval" / "gold" / "seed.jsonl"


def _write(path: Path, *rows: object) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_a_line_parses_with_shorthand_phrasings(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "g.jsonl",
        {
            "id": "a",
            "question": "How many?",
            "facts": ["4,000", ["two-thirds", "re:two.thirds"]],
            "claimants": ["Zelensky"],
            "evidence": [{"quote": "4,000 casualties"}, {"article_id": "x", "start": 1, "end": 5}],
            "tags": ["figure"],
        },
        "",
        {"id": "b", "question": "Weather?", "unanswerable": True},
    )
    a, b = load_gold(path)
    assert a.facts == [["4,000"], ["two-thirds", "re:two.thirds"]]
    assert a.claimants == [["Zelensky"]]
    assert a.evidence[1].article_id == "x" and not a.unanswerable
    assert b.unanswerable and b.facts == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("{not json", "g.jsonl:2: "),
        ({"id": "c"}, "g.jsonl:2: question: Field required"),
        ({"id": "c", "question": "q", "facts": ["re:("]}, "g.jsonl:2: facts: fact 0: bad pattern"),
        ({"id": "c", "question": "q", "evidence": [{"start": 1}]}, "either a quote or all of"),
        ({"id": "c", "question": "q", "unanswerable": True, "facts": ["x"]}, "no facts"),
        ({"id": "a", "question": "again"}, "g.jsonl:2: id 'a' already used on line 1"),
        ({"id": "c", "question": "q", "colour": "red"}, "colour: Extra inputs"),
    ],
)
def test_errors_name_the_line_and_the_problem(tmp_path: Path, row: object, expected: str) -> None:
    path = _write(tmp_path / "g.jsonl", {"id": "a", "question": "fine"}, row)
    with pytest.raises(GoldFormatError) as err:
        load_gold(path)
    assert expected in str(err.value)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match="holds no questions"):
        load_gold(_write(tmp_path / "g.jsonl", ""))


def test_quotes_resolve_to_offsets_in_any_article(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "g.jsonl",
        {"id": "a", "question": "q", "evidence": [{"quote": "said so"}, {"quote": "same"}]},
    )
    (q,) = load_gold(path)
    texts = {"one": "He said so. same", "two": "It is the same."}
    assert resolve_evidence(q, texts) == [
        [Span("one", 3, 10)],
        [Span("one", 12, 16), Span("two", 10, 14)],
    ]


def test_an_unresolvable_quote_names_the_question(tmp_path: Path) -> None:
    (q,) = load_gold(
        _write(tmp_path / "g.jsonl", {"id": "a", "question": "q", "evidence": [{"quote": "nope"}]})
    )
    with pytest.raises(GoldFormatError, match="question 'a', evidence 0"):
        resolve_evidence(q, {"one": "text"})


def test_write_then_load_round_trips(tmp_path: Path) -> None:
    original = load_gold(SEED)
    write_gold(tmp_path / "copy.jsonl", original)
    assert load_gold(tmp_path / "copy.jsonl") == original


def test_the_seed_set_is_complete_and_its_quotes_resolve_once() -> None:
    questions = load_gold(SEED)
    texts = {a.id: a.text for a in load_paths([SAMPLES]).articles}
    assert len(questions) >= 25
    assert sum(q.unanswerable for q in questions) >= 4
    tags = {t for q in questions for t in q.tags}
    assert {"who-said", "what-did-x-say", "figure", "conflict", "date", "unanswerable"} <= tags
    for q in questions:
        for spans in resolve_evidence(q, texts):
            assert len(spans) == 1, q.id
