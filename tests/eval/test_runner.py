"""The runner end to end: in-process and over HTTP on the sample index, and its command."""

from __future__ import annotations

import csv
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from app.settings import Settings
from eval.cli import eval_app
from eval.gold import GoldQuestion, load_gold, write_gold
from eval.runner import (
    InProcess,
    OverHTTP,
    Record,
    failed_thresholds,
    parse_thresholds,
    results,
    run,
)
from tests.conftest import use_index

ZELENSKY = (
    "President Volodymyr Zelensky said on Feb. 14 that North Korean troops fighting for "
    "Russia against Ukraine have suffered 4,000 casualties, two-thirds of whom have been killed."
)
ROWS: list[dict[str, Any]] = [
    {
        "id": "zelensky",
        "question": "How many casualties did Zelensky say North Korean troops have suffered?",
        "facts": ["4,000"],
        "claimants": ["Zelensky"],
        "evidence": [{"quote": ZELENSKY}],
        "tags": ["figure"],
    },
    {
        "id": "budanov",
        "question": "Who denied reports that North Korean soldiers have not been seen on the front line?",
        "facts": ["Budanov"],
        "claimants": ["Budanov"],
        "evidence": [{"quote": "Kyrylo Budanov denied reports"}],
        "tags": ["who-said"],
    },
    {
        "id": "ani-only",
        "question": "How many North Korean soldiers were killed according to the NIS?",
        "facts": ["300"],
        "evidence": [{"quote": "The NIS estimated that about 300 were killed"}],
        "filters": {"outlet": "ANI"},
        "tags": ["figure"],
    },
    {
        "id": "weather",
        "question": "What will the weather be in Seoul tomorrow?",
        "unanswerable": True,
        "tags": ["unanswerable"],
    },
]


@pytest.fixture
def questions() -> list[GoldQuestion]:
    return [GoldQuestion.model_validate(r) for r in ROWS]


def _check(records: list[Record]) -> dict[str, float | None]:
    doc = results(records, {"mode": "test", "gold": "inline"})
    m: dict[str, float | None] = doc["metrics"]
    assert [q["id"] for q in doc["questions"]] == [r["id"] for r in ROWS]
    assert all(q["answer"] is not None and q["error"] is None for q in doc["questions"])
    # Every citation quotes the article exactly: a property of the service, not luck.
    assert m["quote_exactness"] == 1.0
    assert m["retrieval_recall"] == 1.0
    for name in ("correctness", "evidence_recall", "citation_precision", "claimant_accuracy"):
        value = m[name]
        assert value is not None and 0.0 < value <= 1.0, name
    assert m["latency_p50"] is not None and m["latency_p95"] is not None
    assert m["latency_p50"] <= m["latency_p95"]
    assert set(doc["by_tag"]) == {"figure", "who-said", "unanswerable"}
    filtered = doc["questions"][2]["answer"]
    assert {c["outlet"] for c in filtered["citations"]} == {"ANI"}
    json.dumps(doc)  # the results document is plain JSON
    return m


def test_in_process_run_scores_the_sample_index(
    sample_index: Path, questions: list[GoldQuestion]
) -> None:
    records = run(questions, InProcess(Settings(index_dir=sample_index)), top_k=5)
    _check(records)


@pytest.fixture
def server_url(sample_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The real app served by uvicorn on a free local port, in a thread."""
    from app.main import app

    use_index(monkeypatch, sample_index)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


def test_http_run_gives_the_same_answers_as_in_process(
    server_url: str, sample_index: Path, questions: list[GoldQuestion]
) -> None:
    over_http = run(questions, OverHTTP(server_url), top_k=5)
    metrics = _check(over_http)
    in_process = run(questions, InProcess(Settings(index_dir=sample_index)), top_k=5)
    assert [r.answer for r in over_http] == [r.answer for r in in_process]
    assert {k: v for k, v in metrics.items() if not k.startswith("latency")} == {
        k: v for k, v in _check(in_process).items() if not k.startswith("latency")
    }


def test_the_command_writes_results_and_fails_under_a_threshold(
    sample_index: Path, questions: list[GoldQuestion], tmp_path: Path
) -> None:
    gold = tmp_path / "gold.jsonl"
    write_gold(gold, questions[:2])
    out, report = tmp_path / "run.json", tmp_path / "report.md"
    args = ["run", str(gold), "--index-dir", str(sample_index), "--out", str(out)]
    result = CliRunner().invoke(
        eval_app, [*args, "--report", str(report), "--fail-under", "quote_exactness=1.0"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["meta"]["n"] == 2
    assert report.exists() and Path(f"{tmp_path}/report_metrics.png").exists()

    failing = CliRunner().invoke(
        eval_app, [*args, "--compare", str(out), "--fail-under", "correctness=1.01"]
    )
    assert failing.exit_code == 1
    assert "correctness =" in failing.output and "below the threshold 1.01" in failing.output
    bad = CliRunner().invoke(eval_app, [*args, "--fail-under", "niceness=1"])
    assert bad.exit_code == 2 and "niceness" in bad.output
    assert len(load_gold(gold)) == 2


def test_the_command_exports_one_row_per_question_and_checks_ceilings(
    sample_index: Path, questions: list[GoldQuestion], tmp_path: Path
) -> None:
    gold = tmp_path / "gold.jsonl"
    write_gold(gold, questions[:2])
    out, rows_csv, rows_jsonl = tmp_path / "run.json", tmp_path / "q.csv", tmp_path / "q.jsonl"
    report = ["--report", str(tmp_path / "report.md")]
    args = ["run", str(gold), "--index-dir", str(sample_index), "--out", str(out), *report]
    ok = CliRunner().invoke(
        eval_app,
        [*args, "--questions-out", str(rows_csv), "--fail-over", "misattribution_rate=0.5"],
    )
    assert ok.exit_code == 0, ok.output
    doc = json.loads(out.read_text())
    with rows_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [q["id"] for q in doc["questions"]]
    assert [r["answer"] for r in rows] == [q["answer"]["answer"] for q in doc["questions"]]
    assert CliRunner().invoke(eval_app, [*args, "--questions-out", str(rows_jsonl)]).exit_code == 0
    lines = [json.loads(x) for x in rows_jsonl.read_text().splitlines()]
    assert [x["id"] for x in lines] == [r["id"] for r in rows]

    ceiling = CliRunner().invoke(eval_app, [*args, "--fail-over", "latency_p50=0"])
    assert ceiling.exit_code == 1 and "latency_p50 =" in ceiling.output
    assert "above the threshold 0" in ceiling.output


def test_thresholds_parse_and_compare_in_each_metric_s_direction() -> None:
    thresholds = [
        *parse_thresholds(["correctness=0.6", "citation_precision=0.5"], "under"),
        *parse_thresholds(["misattribution_rate=0.1"], "over"),
    ]
    metrics: dict[str, float | None] = {
        "correctness": 0.7,
        "citation_precision": 0.4,
        "misattribution_rate": 0.0,  # perfect: a ceiling of 0.1 is met
    }
    assert failed_thresholds(metrics, thresholds) == [
        "citation_precision = 0.400 is below the threshold 0.5"
    ]
    metrics["misattribution_rate"] = 0.2
    assert failed_thresholds(metrics, thresholds)[-1] == (
        "misattribution_rate = 0.200 is above the threshold 0.1"
    )
    unavailable = parse_thresholds(["correctness=0.1"], "under")
    assert failed_thresholds({"correctness": None}, unavailable) == [
        "correctness is unavailable (threshold 0.1)"
    ]
    with pytest.raises(ValueError, match="write METRIC=VALUE"):
        parse_thresholds(["correctness"], "under")
    with pytest.raises(ValueError, match=re.escape("use --fail-over misattribution_rate=0.1")):
        parse_thresholds(["misattribution_rate=0.1"], "under")
    with pytest.raises(ValueError, match=re.escape("use --fail-under correctness=0.6")):
        parse_thresholds(["correctness=0.6"], "over")
