"""Answers stored in a results file, scored again without asking again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from eval.cli import eval_app
from eval.rescore import rescore


def _doc(claimant: str) -> dict[str, Any]:
    quote = "The minister said 40 ships were delayed."
    answer = {
        "answer": f"{quote} [1]",
        "citations": [
            {"n": 1, "article_id": "port", "title": "Port", "outlet": "Coast Post",
             "published": "2025-05-03", "url": None, "quote": quote, "start": 10, "end": 50,
             "supported": True}
        ],
        "claims": [
            {"claimant": claimant, "cue": "said", "content": "40 ships were delayed",
             "citation": 1, "reported_by": ["Coast Post"], "article_id": "port",
             "kind": "indirect"}
        ],
        "conflicts": [],
        "generator": "extractive",
        "warnings": [],
    }  # fmt: skip
    question = {
        "id": "q1",
        "question": "Who said that 40 ships were delayed?",
        "claimants": [["Ivo Brandt", "Brandt"]],
        "evidence": [[{"article_id": "port", "start": 10, "end": 50}]],
        "answer": answer,
    }
    return {"questions": [question]}


def test_stored_answers_are_scored_again() -> None:
    right, wrong = rescore(_doc("Ivo Brandt")), rescore(_doc("Hale"))
    assert right["claimant_accuracy"] == 1.0 and right["misattribution_rate"] == 0.0
    assert wrong["claimant_accuracy"] == 0.0 and wrong["misattribution_rate"] == 1.0
    assert right["evidence_recall"] == 1.0


def test_the_command_reads_results_files_and_names_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "run.json"
    good.write_text(json.dumps(_doc("Ivo Brandt")), encoding="utf-8")
    out = CliRunner().invoke(eval_app, ["rescore", str(good)])
    assert out.exit_code == 0 and "claimant_accuracy 1.000" in out.output
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    failed = CliRunner().invoke(eval_app, ["rescore", str(bad)])
    assert failed.exit_code != 0 and "bad.json" in failed.output
