"""The Markdown report and its plots, from hand-made records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.schemas import AnswerPublic
from eval.gold import GoldQuestion, Span
from eval.metrics import QuestionScore
from eval.report import badness, render_summary, write_report
from eval.runner import Record, results


def _record(
    qid: str, facts: float | None, unanswerable: bool = False, refused: bool = False
) -> Record:
    gold = GoldQuestion.model_validate(
        {"id": qid, "question": f"{qid}?", "unanswerable": unanswerable, "tags": ["t"]}
        | ({} if unanswerable else {"facts": [["x"]]})
    )
    answer = AnswerPublic.model_validate(
        {
            "answer": "An answer sentence. [1]",
            "citations": [
                {
                    "n": 1,
                    "article_id": "a",
                    "title": "T",
                    "outlet": None,
                    "published": None,
                    "url": None,
                    "quote": "quoted",
                    "start": 0,
                    "end": 6,
                    "supported": True,
                }
            ],
            "claims": [],
            "conflicts": [],
            "generator": "extractive",
            "warnings": [],
        }
    )
    score = QuestionScore(refused=refused, facts=facts, quote_exact=1.0, latency_s=0.5)
    return Record(gold, [[Span("a", 0, 6)]] if not unanswerable else [], answer, None, score)


def _doc(good: float) -> dict[str, Any]:
    records = [_record("good", good), _record("bad", 0.0), _record("none", None, unanswerable=True)]
    return results(records, {"mode": "test", "gold": "inline"})


def test_the_report_has_tables_plots_and_the_worst_questions(tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.md"
    plots = write_report(path, _doc(1.0))
    text = path.read_text()
    assert "| correctness | 0.500 |" in text
    assert "## By tag" in text and "| t | 3 |" in text
    assert "### `bad`: bad?" in text and "### `good`" not in text
    assert "“quoted”" in text
    assert "citation_recall: unavailable" in text
    assert [p.name for p in plots] == [
        "report_metrics.png",
        "report_tags.png",
        "report_latency.png",
    ]
    for p in plots:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({p.name})" in text


def test_a_comparison_shows_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    write_report(path, _doc(1.0), previous=_doc(0.0))
    text = path.read_text()
    assert "## Compared with the previous run" in text
    assert "| `good` | 0.00 | 1.00 |" in text
    assert "| correctness | 0.500 | 0.000 | +0.500 |" in text
    assert "+0.500" in render_summary(_doc(1.0), _doc(0.0))


def test_badness_orders_answers_from_wrong_to_right() -> None:
    doc = _doc(1.0)
    by_id = {q["id"]: badness(q) for q in doc["questions"]}
    assert by_id == {"good": 0.0, "bad": 1.0, "none": 1.0}
